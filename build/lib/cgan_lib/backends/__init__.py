"""The Keras backends (TensorFlow, JAX, PyTorch) and the machine: everything that differs from one
backend or device to another lives in this package (the runtime, the training step's gradients,
several devices, precision, seeding, compiled inference)."""
