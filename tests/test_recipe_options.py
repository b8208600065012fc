"""Tests for the recipe options beside the reference design: network widths, the projection
discriminator, the generator's weight average, reusing the generator's pass, the classifier head,
linear decay, mode seeking, class-conditional BatchNorm, mixed precision, one-sided label
smoothing, TAC-GAN's twin classifier, and the laptop recipe built from them. The losses' formulas
are in test_losses.py."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backends import precision
from cgan_lib.backends.runtime import keras
from cgan_lib.backends.seeding import set_seed
from cgan_lib.gan.losses import cross_entropy_discriminator_loss
from cgan_lib.gan.model import GAN
from cgan_lib.gan.networks import build_dcgan_discriminator, build_dcgan_generator
from cgan_lib.recipes.named import RECIPES
from cgan_lib.training.build import build_gan
from cgan_lib.training.run import train_recipe

LABELS = np.array([[0], [9]], np.int32)


def generator_parameters(width: int, latent_dim: int = 100, embedding_dim: int = 50) -> int:
    """Dense (no bias) + its BatchNorm + ConvT width→width/2 (no bias) + BatchNorm + ConvT → 1."""
    half = width // 2
    return ((latent_dim + embedding_dim) * 49 * width + 4 * 49 * width
            + 16 * width * half + 4 * half + 16 * half + 1 + 10 * embedding_dim)


def test_generator_width_sets_the_channels_and_the_parameter_count():
    assert build_dcgan_generator().count_params() == generator_parameters(256)
    narrow = build_dcgan_generator(width=128)
    assert narrow.count_params() == generator_parameters(128) == 1_098_741
    images = narrow([np.zeros((2, 100), np.float32), LABELS])
    assert tuple(images.shape) == (2, 28, 28, 1)
    with pytest.raises(ValueError, match="width must be an even number.*got 7"):
        build_dcgan_generator(width=7)


def test_conditional_batch_norm_scales_and_shifts_each_digit_on_its_own():
    conditional = build_dcgan_generator(width=16, conditional_batch_norm=True)
    normalized_channels = 49 * 16 + 8  # the dense layer's units and the 14×14 block's channels
    # A plain BatchNorm has a scale, a shift and two statistics per channel; the conditional one
    # keeps the statistics and has a scale and a shift per digit.
    assert (conditional.count_params() - generator_parameters(16)
            == (2 * 10 - 2) * normalized_channels)
    noise = np.random.default_rng(0).normal(size=(2, 100)).astype(np.float32)
    before = keras.ops.convert_to_numpy(conditional([noise, LABELS]))
    shift = conditional.get_layer("upsampled_digit_shift")
    table = shift.get_weights()[0]
    table[9] += 5.0
    shift.set_weights([table])
    after = keras.ops.convert_to_numpy(conditional([noise, LABELS]))
    np.testing.assert_array_equal(after[0], before[0])  # digit 0: untouched
    assert np.abs(after[1] - before[1]).max() > 0.1     # digit 9: shifted


def test_the_projection_discriminator_sees_the_label_only_through_its_projection():
    discriminator = build_dcgan_discriminator(width=16, label_conditioning="projection")
    assert "label_mask" not in [layer.name for layer in discriminator.layers]
    images = np.random.default_rng(0).uniform(-1, 1, (1, 28, 28, 1)).astype(np.float32)
    pair = np.repeat(images, 2, axis=0)
    logits = keras.ops.convert_to_numpy(discriminator([pair, LABELS]))
    assert logits.shape == (2, 1) and abs(logits[0, 0] - logits[1, 0]) > 1e-3
    projection = discriminator.get_layer("label_projection")
    projection.set_weights([np.zeros_like(w) for w in projection.get_weights()])
    logits = keras.ops.convert_to_numpy(discriminator([pair, LABELS]))
    # Equal up to float32 rounding (PyTorch may sum the two rows in a different order), which
    # is on the scale of the sums inside D, not of the logit (measured: 5e-8 on a logit of 0.04).
    np.testing.assert_allclose(logits[0, 0], logits[1, 0], rtol=1e-6, atol=1e-6)


def test_bad_discriminator_options_are_refused():
    with pytest.raises(ValueError, match="label_conditioning must be one of.*'one_hot'"):
        build_dcgan_discriminator(label_conditioning="one_hot")


@pytest.mark.backend
def test_the_weight_average_follows_the_documented_update_batchnorm_included(tiny_recipe,
                                                                            tiny_dataset):
    gan = build_gan(tiny_recipe(weight_average=True))
    assert gan.sampling_generator is gan.average_generator
    before = gan.generator.get_weights()
    for average, current in zip(gan.average_generator.get_weights(), before, strict=True):
        np.testing.assert_array_equal(average, current)
    gan.fit(tiny_dataset(tiny_recipe()), epochs=1, verbose=0)
    after = gan.generator.get_weights()
    decay = 2 / 11  # step t = 1 after the first G update: (1 + t) / (10 + t)
    moved = 0
    for average, old, new in zip(gan.average_generator.get_weights(), before, after,
                                 strict=True):
        np.testing.assert_allclose(average, decay * old + (1 - decay) * new, rtol=1e-5,
                                   atol=1e-6)
        moved += not np.array_equal(old, new)
    assert moved == len(after)  # every weight moved, BatchNorm's moving statistics too


def test_without_an_average_the_generator_itself_is_sampled(tiny_recipe):
    gan = build_gan(tiny_recipe())
    assert gan.average_generator is None and gan.sampling_generator is gan.generator


@pytest.mark.backend
@pytest.mark.parametrize(("reuse", "expected_passes"), [(False, 2), (True, 1)])
def test_reusing_the_generator_pass_generates_once_per_step(reuse, expected_passes, tiny_recipe,
                                                            tiny_dataset):
    recipe = tiny_recipe(reuse_generator_pass=reuse)
    gan = build_gan(recipe)
    gan.compile(gan.generator_optimizer, gan.discriminator_optimizer, run_eagerly=True)
    passes = []
    generate = gan.generate
    gan.generate = lambda *args, **kwargs: passes.append(1) or generate(*args, **kwargs)
    generator_before, discriminator_before = (gan.generator.get_weights(),
                                              gan.discriminator.get_weights())
    history = gan.fit(tiny_dataset(recipe), epochs=1, verbose=0)
    assert len(passes) == expected_passes
    assert np.isfinite(history.history["g_loss"][0]) and np.isfinite(history.history["d_loss"][0])
    for before, model in ((generator_before, gan.generator),
                          (discriminator_before, gan.discriminator)):
        assert any(not np.array_equal(a, b)
                   for a, b in zip(before, model.get_weights(), strict=True))


def test_the_options_at_their_defaults_build_exactly_the_reference_gan():
    gan = build_gan(RECIPES["reference"])
    assert gan.generator.count_params() == 2_459_125
    assert gan.discriminator.count_params() == 147_425
    assert len(gan.discriminator.outputs) == 1 and "label_mask" in [
        layer.name for layer in gan.discriminator.layers]
    assert gan.sampling_generator is gan.generator
    for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer):
        optimizer.iterations.assign(10_000)  # a constant rate: no decay however far training goes
        assert float(optimizer.learning_rate) == pytest.approx(2e-4)


@pytest.mark.backend
def test_a_laptop_training_saves_the_averaged_generator(tmp_path, tiny_recipe):
    recipe = tiny_recipe(RECIPES["laptop"], training_images=64, batch_size=32)
    run = train_recipe(recipe, tmp_path, epochs=1, quality_per_digit=5, verbose=0)
    # The decay spans the epochs asked for (1 here), not the recipe's 7.
    run.gan.generator_optimizer.iterations.assign(recipe.run.steps_per_epoch)
    assert float(run.gan.generator_optimizer.learning_rate) == pytest.approx(0.0, abs=1e-12)
    saved = keras.models.load_model(tmp_path / "generator.keras").get_weights()
    for a, b in zip(saved, run.gan.average_generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b)
               for a, b in zip(saved, run.gan.generator.get_weights(), strict=True))


@pytest.mark.backend
def test_the_classifier_head_adds_digit_logits_and_a_loss_for_both_networks(tiny_recipe,
                                                                           tiny_dataset):
    discriminator = build_dcgan_discriminator(width=8, classifier_head=True)
    logit, digit_logits = discriminator([np.zeros((2, 28, 28, 1), np.float32), LABELS])
    assert tuple(logit.shape) == (2, 1) and tuple(digit_logits.shape) == (2, 10)
    recipe = tiny_recipe(classifier_weight=1.0)
    gan = build_gan(recipe)
    history = gan.fit(tiny_dataset(recipe), epochs=1, verbose=0).history
    without = build_gan(tiny_recipe())
    plain = without.fit(tiny_dataset(recipe), epochs=1, verbose=0).history
    # The same seed and data: the only difference is the digit cross-entropy, about ln 10 ≈ 2.3
    # for an untrained head, added to both losses.
    assert history["d_loss"][0] - plain["d_loss"][0] == pytest.approx(np.log(10), abs=0.5)
    assert history["g_loss"][0] - plain["g_loss"][0] == pytest.approx(np.log(10), abs=0.5)
    with pytest.raises(ValueError, match="needs a discriminator with two outputs"):
        GAN(gan.generator, without.discriminator, recipe.objective)
    with pytest.raises(ValueError, match="needs a discriminator with one, got 2"):
        GAN(gan.generator, gan.discriminator)


@pytest.mark.backend
def test_the_twin_classifier_adds_its_loss_to_d_and_takes_it_from_g(tiny_recipe, tiny_dataset):
    discriminator = build_dcgan_discriminator(width=8, classifier_head=True, twin_classifier=True)
    _, digit_logits = discriminator([np.zeros((2, 28, 28, 1), np.float32), LABELS])
    assert tuple(digit_logits.shape) == (2, 20)  # the classifier's ten, then the twin's ten
    twin_recipe = tiny_recipe(classifier_weight=1.0, twin_classifier=True)
    twin = build_gan(twin_recipe)
    history = twin.fit(tiny_dataset(twin_recipe), epochs=1, verbose=0).history
    single = build_gan(tiny_recipe(classifier_weight=1.0))
    plain = single.fit(tiny_dataset(twin_recipe), epochs=1, verbose=0).history
    # The twin's untrained cross-entropy on the fakes, about ln 10: D minimizes it, G maximizes it.
    assert history["d_loss"][0] - plain["d_loss"][0] == pytest.approx(np.log(10), abs=0.5)
    assert history["g_loss"][0] - plain["g_loss"][0] == pytest.approx(-np.log(10), abs=0.5)
    with pytest.raises(ValueError, match="twin_classifier=True needs 20 digit logits, got 10"):
        GAN(twin.generator, single.discriminator, twin_recipe.objective)
    with pytest.raises(ValueError, match="twin_classifier=True .* set classifier_weight > 0"):
        tiny_recipe(twin_classifier=True)
    with pytest.raises(ValueError, match="twin_classifier=True needs classifier_head=True"):
        build_dcgan_discriminator(twin_classifier=True)


def rates_at(optimizer, steps):
    """The optimizer's learning rate at each of `steps`."""
    rates = []
    for step in steps:
        optimizer.iterations.assign(step)
        rates.append(float(optimizer.learning_rate))
    return rates


def test_linear_decay_brings_both_learning_rates_to_zero_at_the_last_step(tiny_recipe):
    recipe = tiny_recipe(linear_decay=True, epochs=2, learning_rate=1e-3)
    assert recipe.run.steps_per_epoch == 2  # 32 images in batches of 16
    gan = build_gan(recipe)
    for name, optimizer, start in (("G", gan.generator_optimizer, 1e-3),
                                   ("D", gan.discriminator_optimizer, 1e-3)):
        assert rates_at(optimizer, (0, 2, 4)) == pytest.approx([start, start / 2, 0.0]), name
    constant = build_gan(tiny_recipe())
    assert float(constant.generator_optimizer.learning_rate) == pytest.approx(2e-4)


def test_paired_inputs_repeat_the_first_halfs_digits_in_the_last_half(tiny_recipe):
    gan = build_gan(tiny_recipe(mode_seeking_weight=1.0))
    for batch_size in (8, 7):
        noise, labels = gan.sample_inputs(batch_size, paired=True)
        labels = keras.ops.convert_to_numpy(labels).ravel()
        half = batch_size // 2
        assert labels.shape == (batch_size,) and noise.shape == (batch_size, 100)
        np.testing.assert_array_equal(labels[batch_size - half:], labels[:half])
    _, unpaired = gan.sample_inputs(1000)
    unpaired = keras.ops.convert_to_numpy(unpaired).ravel()
    assert (unpaired[500:] != unpaired[:500]).mean() > 0.8


@pytest.mark.backend
def test_mode_seeking_adds_its_penalty_to_g_loss_only(tiny_recipe, tiny_dataset):
    histories = []
    for weight in (2.0, 0.0):
        set_seed(0)  # the same initial weights for both
        gan = build_gan(tiny_recipe(mode_seeking_weight=weight))
        histories.append(gan.fit(tiny_dataset(tiny_recipe()), epochs=1, verbose=0).history)
    with_penalty, without = histories
    # The same seed, data and D loss; G's loss has the penalty (test_losses.py) added, about
    # 2 / r for the untrained G's images.
    assert with_penalty["d_loss"] == without["d_loss"]
    assert with_penalty["g_loss"][0] > without["g_loss"][0]


@pytest.mark.backend
@pytest.mark.parametrize("policy", ["mixed_bfloat16", "float32"])
def test_mixed_precision_computes_as_the_rule_says_and_saves_a_float32_generator(
        policy, tmp_path, monkeypatch, tiny_recipe):
    # The rule's answer is forced, so that both paths run on any CPU: "mixed_bfloat16" (a CPU
    # with bfloat16 instructions, or one emulating them here) and "float32" (a CPU without).
    monkeypatch.setattr(precision, "machine_policy", lambda: policy)
    compute = {"mixed_bfloat16": "bfloat16", "float32": "float32"}[policy]
    recipe = tiny_recipe(RECIPES["laptop"], training_images=64, batch_size=32,
                         mixed_precision=True)
    run = train_recipe(recipe, tmp_path, epochs=1, quality_per_digit=5, verbose=0)
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    for network in (run.gan.generator, run.gan.discriminator):
        convolutions = [layer for layer in network.layers if "conv" in layer.name]
        assert convolutions and all(layer.compute_dtype == compute for layer in convolutions)
        assert {variable.dtype for variable in network.trainable_variables} == {"float32"}
    assert np.isfinite(run.history[0]["d_loss"]) and np.isfinite(run.history[0]["g_loss"])
    saved = keras.models.load_model(tmp_path / "generator.keras")
    assert {layer.compute_dtype for layer in saved.layers} <= {"float32", "int32"}
    for a, b in zip(saved.get_weights(), run.gan.average_generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    noise = np.random.default_rng(0).normal(size=(2, 100)).astype(np.float32)
    trained = run.gan.average_generator([noise, LABELS])
    in_float32 = saved([noise, LABELS])
    dtypes = {keras.backend.standardize_dtype(output.dtype) for output in (trained, in_float32)}
    assert dtypes == {"float32"}
    # The same weights: computed in bfloat16 (8 bits of mantissa), a little apart from float32.
    gap = np.abs(keras.ops.convert_to_numpy(trained) - keras.ops.convert_to_numpy(in_float32))
    if compute == "bfloat16":
        assert 0 < gap.max() < 0.1
    else:
        assert gap.max() < 1e-5


def test_one_sided_label_smoothing_lowers_only_the_real_images_target(tiny_recipe):
    real_logits = keras.ops.convert_to_tensor(np.array([[2.0], [-1.0], [0.5]], np.float32))
    fake_logits = keras.ops.convert_to_tensor(np.array([[-3.0], [1.0], [0.0]], np.float32))
    for smoothing in (0.1, 0.0):
        gan = build_gan(tiny_recipe(real_label_smoothing=smoothing))
        loss = gan.adversarial_discriminator_loss(real_logits, fake_logits)
        # The formula itself is tested in test_losses.py.
        expected = cross_entropy_discriminator_loss(real_logits, fake_logits,
                                                    real_target=1.0 - smoothing)
        assert float(loss) == pytest.approx(float(expected), rel=1e-6)
