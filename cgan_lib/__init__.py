"""cgan_lib: models, training, data, metrics, plots and widgets for the GAN-on-MNIST tutorials."""
