"""Training a recipe: building its GAN, the one build-and-fit path, the callbacks, fault-tolerant
checkpoints, and training into a run folder."""
