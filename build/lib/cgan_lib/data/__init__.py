"""MNIST: loading it verified from wherever it can be reached, and turning it into model inputs."""
