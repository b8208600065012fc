"""The GAN itself: the networks, the losses, the `GAN` model whose training step plays D against
G, and sampling from a trained generator."""
