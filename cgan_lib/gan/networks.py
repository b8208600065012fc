"""Generator and discriminator builders: plain functional Keras models of built-in layers.

Every generator takes `z` (N, latent_dim) float32, plus, when conditional, `label` (N, 1) int32,
and returns images (N, 28, 28, 1) in [-1, 1]. Every discriminator takes an image (and the label
when conditional) and returns one real/fake logit (N, 1). Labels are always integers: each network
encodes them itself (one-hot here), so every GAN in the series is called the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from cgan_lib.backends.runtime import keras
from cgan_lib.recipes.parts import LABEL_CONDITIONINGS, Objective

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


def _batch_norm(features: keras.KerasTensor, label: keras.KerasTensor, num_classes: int,
                conditional: bool, name: str) -> keras.KerasTensor:
    """BatchNormalization; when `conditional`, its scale and shift are learned per digit
    (class-conditional BatchNorm, as in Miyato & Koyama 2018), starting at 1 and 0, in the
    Embedding layers `{name}_digit_scale` and `{name}_digit_shift`."""
    if not conditional:
        return layers.BatchNormalization()(features)
    normalized = layers.BatchNormalization(center=False, scale=False)(features)
    channels = features.shape[-1]
    per_digit_shape = (1,) * (len(features.shape) - 2) + (channels,)   # broadcasts over H, W
    scale, shift = (
        layers.Reshape(per_digit_shape)(layers.Embedding(
            num_classes, channels, embeddings_initializer=start,
            name=f"{name}_digit_{role}")(label))
        for role, start in (("scale", "ones"), ("shift", "zeros")))
    return layers.Add()([layers.Multiply()([normalized, scale]), shift])


def build_dcgan_generator(latent_dim: int = 100, embedding_dim: int = 50,
                          num_classes: int = NUM_CLASSES, kernel_size: int = 4,
                          width: int = 256,
                          conditional_batch_norm: bool = False) -> keras.Model:
    """The reference conditional DCGAN generator (the Luna-CaiC/MNIST-Conditional-GAN design),
    `width` channels at 7×7.

    label → Embedding(10, 50) → flatten, joined to z → Dense(7·7·width) → BatchNorm → ReLU →
    7×7×width → Conv2DTranspose(width/2, 4×4, stride 2) → BatchNorm → ReLU (14×14×width/2) →
    Conv2DTranspose(1, 4×4, stride 2, tanh) → 28×28×1. The reference has width 256. Kernel 4 is
    divisible by the stride, which avoids the checkerboard pattern of uneven kernel overlaps.
    `conditional_batch_norm` gives both BatchNorms a scale and shift per digit (`_batch_norm`).
    """
    if width < 2 or width % 2:
        raise ValueError(f"width must be an even number of channels ≥ 2, got {width}")
    noise = keras.Input(shape=(latent_dim,), name="z")
    label = _label_input()
    embedded = layers.Flatten(name="label_vector")(
        layers.Embedding(num_classes, embedding_dim, name="label_embedding")(label))
    features = layers.Concatenate(name="z_and_label")([noise, embedded])
    features = layers.Dense(7 * 7 * width, use_bias=False)(features)
    features = layers.ReLU()(_batch_norm(features, label, num_classes, conditional_batch_norm,
                                         name="dense"))
    features = layers.Reshape((7, 7, width))(features)                     # (N, 7, 7, width)
    features = layers.Conv2DTranspose(width // 2, kernel_size, strides=2, padding="same",
                                      use_bias=False)(features)             # (N, 14, 14, width/2)
    features = layers.ReLU()(_batch_norm(features, label, num_classes, conditional_batch_norm,
                                         name="upsampled"))
    # float32 whatever the dtype policy, so that images come out in float32 under mixed precision.
    image = layers.Conv2DTranspose(1, kernel_size, strides=2, padding="same", activation="tanh",
                                   dtype="float32", name="image")(features)  # (N, 28, 28, 1)
    return keras.Model([noise, label], image, name="dcgan_generator")


def build_dcgan_discriminator(num_classes: int = NUM_CLASSES, kernel_size: int = 4,
                              dropout: float = 0.3, width: int = 64,
                              label_conditioning: str = "mask_channel",
                              classifier_head: bool = False,
                              twin_classifier: bool = False) -> keras.Model:
    """The reference conditional DCGAN discriminator (the Luna-CaiC/MNIST-Conditional-GAN design),
    and its options.

    Reference ("mask_channel", width 64): label → Embedding(10, 784) → a 28×28 mask, stacked with
    the image as a second channel → Conv2D(64, 4×4, stride 2) → LeakyReLU(0.2) → Dropout(0.3)
    (14×14×64) → Conv2D(128, 4×4, stride 2) → LeakyReLU(0.2) → Dropout(0.3) (7×7×128) →
    flatten → one logit. No BatchNorm in D.

    "projection" (Miyato & Koyama 2018): the convolutions see the image alone, and the label
    enters at the end: logit = w·φ(x) + b + embedding(y)·φ(x), with φ(x) the flattened features.
    `classifier_head` adds a second output, ten digit logits from the same features (AC-GAN);
    `twin_classifier` ten more after them, the TAC-GAN twin classifier's (20 in all).
    """
    if twin_classifier and not classifier_head:
        raise ValueError("twin_classifier=True needs classifier_head=True: the twin classifier's "
                         "logits follow the AC-GAN classifier's")
    if label_conditioning not in LABEL_CONDITIONINGS:
        raise ValueError(f"label_conditioning must be one of {LABEL_CONDITIONINGS}, "
                         f"got {label_conditioning!r}")

    height, width_pixels, _ = IMAGE_SHAPE
    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    label = _label_input()
    features = image
    if label_conditioning == "mask_channel":
        mask = layers.Embedding(num_classes, height * width_pixels,
                                name="label_mask_embedding")(label)
        mask = layers.Reshape((height, width_pixels, 1), name="label_mask")(mask)  # (N, 28, 28, 1)
        features = layers.Concatenate(name="image_and_mask")([image, mask])      # (N, 28, 28, 2)
    for filters in (width, 2 * width):                       # (N, 14, 14, w), then (N, 7, 7, 2w)
        features = layers.Conv2D(filters, kernel_size, strides=2, padding="same")(features)
        features = layers.LeakyReLU(0.2)(features)
        if dropout:
            features = layers.Dropout(dropout)(features)
    features = layers.Flatten()(features)
    logit = layers.Dense(1, name="logit")(features)
    if label_conditioning == "projection":
        label_vector = layers.Flatten()(
            layers.Embedding(num_classes, features.shape[-1], name="label_projection")(label))
        projection = layers.Dot(axes=1, name="label_times_features")([label_vector, features])
        logit = layers.Add(name="logit_with_label")([logit, projection])
    if classifier_head:
        digit_logits = layers.Dense(num_classes * (2 if twin_classifier else 1),
                                    name="digit_logits")(features)
        return keras.Model([image, label], [logit, digit_logits], name="dcgan_discriminator")
    return keras.Model([image, label], logit, name="dcgan_discriminator")


def check_classifier_heads(discriminator: keras.Model, objective: Objective,
                           num_classes: int = NUM_CLASSES) -> None:
    """A `ValueError` unless `discriminator` has the outputs that `objective` needs: digit logits
    with an AC-GAN classifier (`classifier_weight` > 0), twice as many with its twin."""
    heads = len(discriminator.outputs)
    if (objective.classifier_weight > 0) != (heads == 2):
        raise ValueError(
            f"classifier_weight={objective.classifier_weight!r} needs a discriminator with "
            f"{'two outputs (logit, digit logits)' if objective.classifier_weight else 'one'}"
            f", got {heads}; build it with classifier_head={objective.classifier_weight > 0}")
    digits = num_classes * (2 if objective.twin_classifier else 1)
    if heads == 2 and discriminator.outputs[1].shape[-1] != digits:
        raise ValueError(f"twin_classifier={objective.twin_classifier} needs {digits} digit "
                         f"logits, got {discriminator.outputs[1].shape[-1]}; build the "
                         f"discriminator with twin_classifier={objective.twin_classifier}")
