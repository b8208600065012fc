"""Generator and discriminator builders: plain functional Keras models of built-in layers.

Every generator takes `z` (N, latent_dim) float32, plus, when conditional, `label` (N, 1) int32,
and returns images (N, 28, 28, 1) in [-1, 1]. Every discriminator takes an image (and the label
when conditional) and returns one real/fake logit (N, 1). Labels are always integers: each network
encodes them itself (one-hot here), so every GAN in the series is called the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from cgan_lib.backend import keras

IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
layers = keras.layers


def _label_input() -> keras.KerasTensor:
    return keras.Input(shape=(1,), dtype="int32", name="label")


def _one_hot(label: keras.KerasTensor, num_classes: int) -> keras.KerasTensor:
    """(N, 1) int32 → (N, num_classes) float32 one-hot."""
    return layers.CategoryEncoding(num_classes, output_mode="one_hot", name="one_hot")(label)


def build_mlp_generator(
    latent_dim: int = 100,
    hidden_units: Sequence[int] = (256, 512),
    conditional: bool = False,
    num_classes: int = NUM_CLASSES,
) -> keras.Model:
    """z (and a one-hot digit) → dense LeakyReLU layers → 784 → tanh → 28×28×1."""
    noise = keras.Input(shape=(latent_dim,), name="z")
    inputs, features = [noise], noise
    if conditional:
        label = _label_input()
        inputs.append(label)
        features = layers.Concatenate(name="z_and_digit")([noise, _one_hot(label, num_classes)])
    for units in hidden_units:
        features = layers.Dense(units)(features)
        features = layers.LeakyReLU(0.2)(features)
    pixels = layers.Dense(IMAGE_SHAPE[0] * IMAGE_SHAPE[1], activation="tanh")(features)
    image = layers.Reshape(IMAGE_SHAPE, name="image")(pixels)
    name = "conditional_mlp_generator" if conditional else "mlp_generator"
    return keras.Model(inputs if conditional else noise, image, name=name)


def build_mlp_discriminator(
    hidden_units: Sequence[int] = (512, 256),
    dropout: float = 0.3,
    conditional: bool = False,
    num_classes: int = NUM_CLASSES,
) -> keras.Model:
    """28×28×1 image (and a one-hot digit) → dense LeakyReLU + Dropout layers → one logit."""
    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    inputs, features = [image], layers.Flatten()(image)
    if conditional:
        label = _label_input()
        inputs.append(label)
        features = layers.Concatenate(name="pixels_and_digit")(
            [features, _one_hot(label, num_classes)]
        )
    for units in hidden_units:
        features = layers.Dense(units)(features)
        features = layers.LeakyReLU(0.2)(features)
        features = layers.Dropout(dropout)(features)
    logit = layers.Dense(1, name="logit")(features)
    name = "conditional_mlp_discriminator" if conditional else "mlp_discriminator"
    return keras.Model(inputs if conditional else image, logit, name=name)
