"""Tests for the GAN model: every recipe's step, the alternating, simultaneous and phased steps,
conditioning, freezing, diagnostics, and the MLP builders. The steps run on every backend."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backends.runtime import keras
from cgan_lib.backends.seeding import set_seed
from cgan_lib.data.pipeline import make_dataset
from cgan_lib.gan.model import GAN
from cgan_lib.gan.networks import build_mlp_discriminator, build_mlp_generator
from cgan_lib.gan.sampling import generate
from cgan_lib.lessons.schedules import PhasedGAN, SimultaneousGAN
from cgan_lib.recipes.named import RECIPES
from cgan_lib.training.build import build_gan

layers = keras.layers


def tiny_gan(conditional=True, gan_class=GAN, generator=None):
    generator = generator or build_mlp_generator(latent_dim=8, hidden_units=(16,),
                                                 conditional=conditional)
    discriminator = build_mlp_discriminator(hidden_units=(16,), conditional=conditional)
    gan = gan_class(generator, discriminator, seed=3)
    gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5))
    return gan


def weights(model):
    return model.get_weights()


def moved_weights(before, model) -> int:
    """How many of `model`'s weights (BatchNorm's moving statistics included) differ from
    `before`."""
    return sum(not np.array_equal(a, b) for a, b in zip(before, weights(model), strict=True))


def changed(before, model) -> bool:
    return moved_weights(before, model) > 0


def tiny_data(count=20):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (count, 28, 28, 1)).astype(np.float32)
    labels = rng.integers(0, 10, count).astype(np.int32)
    return images, labels


@pytest.mark.backend
@pytest.mark.parametrize("name", sorted(RECIPES))
def test_every_recipe_updates_both_networks_and_its_weight_average(name, tiny_recipe,
                                                                   tiny_dataset):
    recipe = tiny_recipe(RECIPES[name], training_images=64)
    # G's turn comes after every second of the 4 batches.
    if recipe.objective.discriminator_steps > 1:
        recipe = recipe.changed(discriminator_steps=2)
    set_seed(1)
    gan = build_gan(recipe)
    generator, discriminator = weights(gan.generator), weights(gan.discriminator)
    average = weights(gan.sampling_generator)
    history = gan.fit(tiny_dataset(recipe, 64), epochs=1, verbose=0).history
    assert np.isfinite(history["d_loss"][-1]) and np.isfinite(history["g_loss"][-1])
    # Every weight of both networks moves, BatchNorm's moving statistics included; but a
    # Wasserstein critic's last bias cancels in mean(fake) - mean(real) and gets no gradient.
    unmoved = 1 if recipe.objective.adversarial_loss == "wasserstein" else 0
    assert moved_weights(generator, gan.generator) == len(generator)
    assert moved_weights(discriminator, gan.discriminator) == len(discriminator) - unmoved
    assert int(gan.discriminator_optimizer.iterations) == 4
    assert int(gan.generator_optimizer.iterations) == 4 // recipe.objective.discriminator_steps
    if recipe.optimization.weight_average:
        assert moved_weights(average, gan.sampling_generator) > 0


@pytest.mark.backend
def test_train_step_updates_both_networks_with_finite_losses():
    set_seed(1)
    gan = tiny_gan()
    generator_before, discriminator_before = weights(gan.generator), weights(gan.discriminator)
    images, labels = tiny_data(16)
    history = gan.fit(make_dataset(images, labels, batch_size=8, shuffle=False), epochs=1,
                      verbose=0)
    assert changed(generator_before, gan.generator)
    assert changed(discriminator_before, gan.discriminator)
    for name in ("d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy", "g_gradient_norm"):
        assert np.isfinite(history.history[name][0]), name


@pytest.mark.backend
def test_the_last_smaller_batch_trains():
    gan = tiny_gan(conditional=False)
    images, _ = tiny_data(20)
    history = gan.fit(make_dataset(images, batch_size=8, seed=0), epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][0])


def test_the_conditional_generator_depends_on_the_label():
    gan = tiny_gan()
    noise = np.random.default_rng(0).standard_normal((1, 8)).astype(np.float32)
    three = keras.ops.convert_to_numpy(gan.generator([noise, np.array([[3]], np.int32)]))
    seven = keras.ops.convert_to_numpy(gan.generator([noise, np.array([[7]], np.int32)]))
    assert not np.allclose(three, seven)


@pytest.mark.backend
def test_a_conditional_gan_refuses_unlabelled_batches():
    gan = tiny_gan()
    images, _ = tiny_data(8)
    with pytest.raises(ValueError, match="labels"):
        gan.fit(make_dataset(images, batch_size=8), epochs=1, verbose=0)


def generator_with_batch_norm():
    noise = keras.Input((8,))
    features = layers.BatchNormalization()(layers.Dense(16)(noise))
    image = layers.Reshape((28, 28, 1))(layers.Dense(784, activation="tanh")(features))
    return keras.Model(noise, image)


@pytest.mark.backend
def test_the_phased_schedule_freezes_the_other_network_entirely():
    """Even epochs change only D; odd epochs only G (BatchNorm statistics included)."""
    gan = tiny_gan(conditional=False, gan_class=PhasedGAN, generator=generator_with_batch_norm())
    images, _ = tiny_data(16)
    dataset = make_dataset(images, batch_size=8, seed=0)

    generator_before, discriminator_before = weights(gan.generator), weights(gan.discriminator)
    history = gan.fit(dataset, epochs=1, verbose=0)
    assert changed(discriminator_before, gan.discriminator)
    assert not changed(generator_before, gan.generator)
    assert np.isnan(history.history["g_loss"][0]) and np.isfinite(history.history["d_loss"][0])

    generator_before, discriminator_before = weights(gan.generator), weights(gan.discriminator)
    history = gan.fit(dataset, initial_epoch=1, epochs=2, verbose=0)
    assert changed(generator_before, gan.generator)
    assert not changed(discriminator_before, gan.discriminator)
    assert np.isnan(history.history["d_loss"][0]) and np.isfinite(history.history["g_loss"][0])


@pytest.mark.backend
def test_the_simultaneous_step_updates_both_networks_once_per_batch():
    gan = tiny_gan(conditional=False, gan_class=SimultaneousGAN)
    generator_before, discriminator_before = weights(gan.generator), weights(gan.discriminator)
    images, _ = tiny_data(32)
    gan.fit(make_dataset(images, batch_size=8, seed=0), epochs=1, verbose=0)
    assert changed(generator_before, gan.generator)
    assert changed(discriminator_before, gan.discriminator)
    assert int(gan.generator_optimizer.iterations) == 4
    assert int(gan.discriminator_optimizer.iterations) == 4


@pytest.mark.backend
def test_diagnostics_measure_without_changing_weights():
    gan = tiny_gan()
    images, labels = tiny_data(12)
    noise = np.random.default_rng(1).standard_normal((12, 8)).astype(np.float32)
    generator_before, discriminator_before = weights(gan.generator), weights(gan.discriminator)
    values = gan.diagnostics(images, labels, noise, labels)
    assert set(values) == {"d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy",
                           "g_gradient_norm"}
    assert values["g_gradient_norm"] > 0 and 0 <= values["d_real_accuracy"] <= 1
    assert not changed(generator_before, gan.generator)
    assert not changed(discriminator_before, gan.discriminator)


def test_mismatched_networks_are_refused():
    with pytest.raises(ValueError, match="conditional"):
        GAN(build_mlp_generator(conditional=True), build_mlp_discriminator(conditional=False))


def test_the_phased_schedule_refuses_the_options_of_alternating_steps():
    for changes in ({"weight_average": True}, {"reuse_generator_pass": True}):
        with pytest.raises(ValueError, match="alternating steps"):
            PhasedGAN(build_mlp_generator(), build_mlp_discriminator(), **changes)


def test_mlp_builders_give_the_documented_shapes():
    generator = build_mlp_generator(latent_dim=100, conditional=True)
    discriminator = build_mlp_discriminator(conditional=True)
    noise = np.zeros((3, 100), np.float32)
    labels = np.array([[0], [5], [9]], np.int32)
    images = keras.ops.convert_to_numpy(generator([noise, labels]))
    assert images.shape == (3, 28, 28, 1)
    assert tuple(discriminator([images, labels]).shape) == (3, 1)
    assert images.min() >= -1 and images.max() <= 1
    assert generate(generator, digit=4, count=5, seed=0).shape == (5, 28, 28, 1)


class BatchRecordingGAN(GAN):
    """Records the images of every batch it trains on (run eagerly, so Python sees them)."""

    seen: list[np.ndarray]

    def step(self, data):
        self.seen.append(keras.ops.convert_to_numpy(data[0]))
        return super().step(data)


@pytest.mark.backend
def test_each_epoch_is_one_pass_over_the_dataset_with_its_last_smaller_batch():
    generator = build_mlp_generator(latent_dim=8, hidden_units=(16,), conditional=True)
    discriminator = build_mlp_discriminator(hidden_units=(16,), conditional=True)
    gan = BatchRecordingGAN(generator, discriminator, seed=3)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), run_eagerly=True)
    gan.seen = []
    images, labels = tiny_data(20)
    gan.fit(make_dataset(images, labels, batch_size=8, seed=0), epochs=3, verbose=0)
    assert [len(batch) for batch in gan.seen] == [8, 8, 4] * 3
    orders = []
    for epoch in range(3):
        epoch_images = np.concatenate(gan.seen[3 * epoch:3 * epoch + 3])
        np.testing.assert_array_equal(np.sort(epoch_images, axis=0), np.sort(images, axis=0))
        orders.append(epoch_images[:, 0, 0, 0])
    assert not np.array_equal(orders[0], orders[1])  # reshuffled every epoch
