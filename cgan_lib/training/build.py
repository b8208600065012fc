"""Build a recipe's networks and its compiled `GAN`: the one place where a recipe becomes
Keras objects.

`build_gan(recipe)` builds the recipe's conditional DCGAN; `build_gan(recipe, networks=(G, D),
gan_class=...)` puts networks of your own (the MLPs of notebook 3) in a `GAN` or one of its
subclasses, trained with the recipe's objective and optimizers. Under mixed precision the layers
compute in the policy that `cgan_lib.backends.precision` picks for this machine; the saved
generator is float32 either way (`float32_generator`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from cgan_lib.backends.precision import recipe_policy
from cgan_lib.backends.runtime import keras
from cgan_lib.gan.model import GAN
from cgan_lib.gan.networks import build_dcgan_discriminator, build_dcgan_generator
from cgan_lib.recipes.recipe import Recipe


@contextlib.contextmanager
def dtype_policy(mixed_precision: bool) -> Iterator[None]:
    """Keras's global dtype policy set to what `mixed_precision` means on this machine
    ("mixed_bfloat16", "mixed_float16" or "float32") while building layers, then restored."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(recipe_policy(mixed_precision))
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def build_generator(recipe: Recipe, mixed_precision: bool | None = None) -> keras.Model:
    """The recipe's generator, computing in half precision when `mixed_precision` (default: the
    recipe's) and the machine computes it fast; its weights and its images are float32 either
    way."""
    architecture = recipe.architecture
    mixed_precision = recipe.speed.mixed_precision if mixed_precision is None else mixed_precision
    with dtype_policy(mixed_precision):
        return build_dcgan_generator(architecture.latent_dim, architecture.embedding_dim,
                                     width=architecture.generator_width,
                                     conditional_batch_norm=architecture.conditional_batch_norm)


def build_discriminator(recipe: Recipe) -> keras.Model:
    """The recipe's discriminator, with a digit-classifier head when the objective has one."""
    architecture = recipe.architecture
    with dtype_policy(recipe.speed.mixed_precision):
        return build_dcgan_discriminator(
            dropout=architecture.discriminator_dropout, width=architecture.discriminator_width,
            label_conditioning=architecture.label_conditioning,
            classifier_head=recipe.objective.classifier_weight > 0,
            twin_classifier=recipe.objective.twin_classifier)


def float32_generator(generator: keras.Model, recipe: Recipe) -> keras.Model:
    """`generator` (of `recipe`) as a float32 model with the same weights: what is saved, so that
    a shipped generator runs in full precision on any CPU."""
    if not recipe.speed.mixed_precision:
        return generator
    copy = build_generator(recipe, mixed_precision=False)
    copy.set_weights(generator.get_weights())
    return copy


def adam(recipe: Recipe) -> keras.optimizers.Adam:
    """Adam with the recipe's learning rate, beta_1 and beta_2; the rate is constant, or falls
    linearly to 0 over the recipe's epochs (`linear_decay`). In float16 it is wrapped in Keras's
    `LossScaleOptimizer`, which the step's `scale_loss` calls use."""
    optimization = recipe.optimization
    learning_rate = optimization.learning_rate
    if optimization.linear_decay:
        learning_rate = keras.optimizers.schedules.PolynomialDecay(
            learning_rate, decay_steps=recipe.run.total_steps, end_learning_rate=0.0)
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=optimization.beta_1,
                                      beta_2=optimization.beta_2)
    if recipe_policy(recipe.speed.mixed_precision) == "mixed_float16":
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def build_gan(recipe: Recipe, *, networks: tuple[keras.Model, keras.Model] | None = None,
              gan_class: type[GAN] = GAN) -> GAN:
    """The recipe's generator and discriminator (or `networks`, a (generator, discriminator)
    pair) in a compiled `gan_class`, trained with the recipe's objective and optimizers."""
    generator, discriminator = networks or (build_generator(recipe), build_discriminator(recipe))
    gan = gan_class(generator, discriminator, recipe.objective, seed=recipe.seed,
                    weight_average=recipe.optimization.weight_average,
                    reuse_generator_pass=recipe.speed.reuse_generator_pass)
    gan.compile(generator_optimizer=adam(recipe), discriminator_optimizer=adam(recipe))
    return gan
