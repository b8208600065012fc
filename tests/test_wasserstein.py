"""WGAN-GP's two mechanisms inside `GAN`'s step, on every backend: the gradient penalty against a
critic whose input gradient is known in closed form, and the n_critic schedule, by counting each
network's updates. The losses' formulas are in test_losses.py."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backends.runtime import keras
from cgan_lib.backends.seeding import set_seed
from cgan_lib.backends.step import losses_and_gradients
from cgan_lib.data.pipeline import make_dataset
from cgan_lib.gan.model import GAN
from cgan_lib.gan.networks import IMAGE_SHAPE, build_mlp_discriminator, build_mlp_generator
from cgan_lib.recipes.named import REFERENCE_RECIPE
from cgan_lib.recipes.parts import Objective

WGAN_GP = REFERENCE_RECIPE.changed(adversarial_loss="wasserstein", gradient_penalty_weight=10.0)


def numpy(tensor) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(tensor), np.float64)


def images(count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (count, *IMAGE_SHAPE)).astype(np.float32)


def image_tensor(count: int, seed: int):
    return keras.ops.convert_to_tensor(images(count, seed))


def linear_critic_gan(kernel: np.ndarray, recipe=WGAN_GP) -> GAN:
    """An unconditional GAN whose critic is D(x) = w·x + b, so that ∇ₓD = w at every x."""
    image = keras.Input(IMAGE_SHAPE)
    critic = keras.Model(image, keras.layers.Dense(1)(keras.layers.Flatten()(image)))
    critic.set_weights([kernel.reshape(-1, 1).astype(np.float32), np.array([0.3], np.float32)])
    gan = GAN(build_mlp_generator(latent_dim=4, hidden_units=(8,)), critic, recipe.objective,
              seed=0)
    gan.compile(keras.optimizers.SGD(0.0), keras.optimizers.SGD(1e-3))
    return gan


@pytest.mark.backend
@pytest.mark.parametrize("norm", [0.5, 1.0, 2.5])
def test_the_penalty_of_a_linear_critic_is_lambda_times_the_squared_gap_of_its_norm_to_1(norm):
    kernel = np.random.default_rng(1).normal(size=np.prod(IMAGE_SHAPE))
    kernel *= norm / np.linalg.norm(kernel)
    gan = linear_critic_gan(kernel)
    variables = gan.discriminator.trainable_variables

    def compute():
        return (gan.penalty_on_interpolates(image_tensor(16, 2), None, image_tensor(16, 3)),)

    (penalty,), (gradients,) = losses_and_gradients(gan, compute, [variables])
    assert numpy(penalty) == pytest.approx(10.0 * (norm - 1.0) ** 2, rel=1e-4, abs=1e-6)
    # d/dw λ(‖w‖ - 1)² = 2λ(‖w‖ - 1) w / ‖w‖: the penalty is differentiated again, through the
    # input gradient, into the critic's weights.
    expected = 2 * 10.0 * (norm - 1.0) * kernel / norm
    np.testing.assert_allclose(numpy(gradients[0]).ravel(), expected, rtol=1e-3, atol=1e-6)


@pytest.mark.backend
def test_a_critic_step_with_the_penalty_pulls_a_steep_critic_towards_slope_1():
    kernel = np.full(np.prod(IMAGE_SHAPE), 3.0 / np.sqrt(np.prod(IMAGE_SHAPE)))  # ‖w‖ = 3
    gan = linear_critic_gan(kernel, WGAN_GP.changed(gradient_penalty_weight=100.0))
    gan.discriminator_update(image_tensor(16, 2), None, image_tensor(16, 3), None)
    assert np.linalg.norm(numpy(gan.discriminator.weights[0])) < 3.0


@pytest.mark.backend
@pytest.mark.parametrize(("discriminator_steps", "batches", "generator_updates"),
                         [(1, 10, 10), (3, 10, 3), (5, 20, 4)])
def test_g_is_updated_after_every_nth_d_update(discriminator_steps, batches, generator_updates):
    set_seed(0)
    gan = GAN(build_mlp_generator(latent_dim=4, hidden_units=(8,)),
              build_mlp_discriminator(hidden_units=(8,)),
              Objective(discriminator_steps=discriminator_steps), seed=0, weight_average=True)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    gan.fit(make_dataset(images(4 * batches, 1), batch_size=4, shuffle=False), epochs=1,
            verbose=0)
    assert int(numpy(gan.discriminator_optimizer.iterations)) == batches
    assert int(numpy(gan.generator_optimizer.iterations)) == generator_updates
    # The weight average follows G's updates: after t of them its decay is (1 + t) / (10 + t).
    assert not np.allclose(numpy(gan.average_generator.weights[0]),
                           numpy(gan.generator.weights[0]))


def digit_images(labels: np.ndarray) -> np.ndarray:
    """Images that draw each digit d as the constant image d / 10."""
    drawn = np.reshape(labels, (-1, 1, 1, 1)) / 10
    return np.broadcast_to(drawn, (len(drawn), *IMAGE_SHAPE)).astype(np.float32)


def digit_drawing_gan(gradient_penalty_weight: float) -> GAN:
    """A conditional WGAN whose generator draws its digit as `digit_images` does, whatever the
    noise: an embedding d → d / 10 spread over the image, plus 0·noise."""
    noise, label = keras.Input((4,)), keras.Input((1,), dtype="int32")
    pixels = int(np.prod(IMAGE_SHAPE))
    embedding = keras.layers.Embedding(10, 1)
    drawn = keras.layers.Dense(pixels, kernel_initializer="ones")(
        keras.layers.Flatten()(embedding(label)))
    ignored = keras.layers.Dense(pixels, kernel_initializer="zeros")(noise)
    image = keras.layers.Reshape(IMAGE_SHAPE)(keras.layers.Add()([drawn, ignored]))
    embedding.set_weights([np.arange(10, dtype=np.float32).reshape(10, 1) / 10])
    objective = Objective(adversarial_loss="wasserstein",
                          gradient_penalty_weight=gradient_penalty_weight)
    gan = GAN(keras.Model([noise, label], image),
              build_mlp_discriminator(hidden_units=(8,), dropout=0.0, conditional=True),
              objective, seed=0)
    gan.compile(keras.optimizers.SGD(0.0), keras.optimizers.SGD(1e-2))
    return gan


@pytest.mark.backend
@pytest.mark.parametrize("gradient_penalty_weight", [10.0, 0.0])
def test_with_the_penalty_d_step_fakes_have_the_real_digits_so_interpolates_pair_one_digit(
        gradient_penalty_weight):
    gan = digit_drawing_gan(gradient_penalty_weight)
    digits = np.random.default_rng(4).permutation(np.arange(16) % 10)
    real_images = keras.ops.convert_to_tensor(digit_images(digits))
    real_labels = keras.ops.convert_to_tensor(digits.reshape(-1, 1).astype(np.int32))
    noise, fake_labels = gan.discriminator_fake_inputs(real_images, real_labels)
    fake_images = numpy(gan.generate(noise, fake_labels, training=True))
    epsilon = np.random.default_rng(5).uniform(size=(16, 1, 1, 1))
    interpolates = epsilon * numpy(real_images) + (1 - epsilon) * fake_images
    same_digit = np.all(np.isclose(interpolates, numpy(real_images)), axis=(1, 2, 3))
    # D's step itself: on fresh fakes, it moves D as it does with the real images as the fakes
    # exactly when the fakes draw the real digits.
    before = gan.discriminator.get_weights()
    gan.discriminator_update_on_fresh_fakes(real_images, real_labels)
    on_fresh_fakes = gan.discriminator.get_weights()
    gan.discriminator.set_weights(before)
    gan.discriminator_update(real_images, real_labels, real_images, real_labels)
    as_on_real_images = all(np.allclose(fresh, real, rtol=1e-4, atol=1e-6) for fresh, real in
                            zip(on_fresh_fakes, gan.discriminator.get_weights(), strict=True))
    if gradient_penalty_weight:
        np.testing.assert_array_equal(numpy(fake_labels), digits.reshape(-1, 1))
        assert same_digit.all() and as_on_real_images
    else:  # random digits: almost surely not the real batch's 16
        assert not np.array_equal(numpy(fake_labels), digits.reshape(-1, 1))
        assert not same_digit.all() and not as_on_real_images
