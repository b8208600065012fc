"""Tests for the recipe options beside the reference design: network widths, the projection
discriminator, spectral normalization, the generator's weight average, reusing the generator's
pass, the classifier head, linear decay, the hinge loss, mode seeking (constant or decaying), the
minibatch standard deviation, class-conditional BatchNorm, mixed precision, the shift augmentation,
one-sided label smoothing, and the laptop recipe built from them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from cgan_lib.backend import keras
from cgan_lib.config import RECIPES, REFERENCE_RECIPE, Recipe
from cgan_lib.data import make_dataset
from cgan_lib.gan import GAN, random_shift
from cgan_lib.models import (
    MinibatchStandardDeviation,
    build_dcgan_discriminator,
    build_dcgan_generator,
)
from cgan_lib.training import build_gan, train_recipe

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
    assert logits.shape == (2, 1) and logits[0, 0] != logits[1, 0]
    projection = discriminator.get_layer("label_projection")
    projection.set_weights([np.zeros_like(w) for w in projection.get_weights()])
    logits = keras.ops.convert_to_numpy(discriminator([pair, LABELS]))
    assert logits[0, 0] == logits[1, 0]


def test_bad_discriminator_options_are_refused():
    with pytest.raises(ValueError, match="label_conditioning must be one of.*'one_hot'"):
        build_dcgan_discriminator(label_conditioning="one_hot")


def test_spectral_normalization_wraps_every_weighted_layer_of_d():
    discriminator = build_dcgan_discriminator(width=8, spectral_norm=True)
    wrapped = [layer for layer in discriminator.layers
               if isinstance(layer, keras.layers.SpectralNormalization)]
    assert len(wrapped) == 3  # two convolutions and the logit
    assert keras.ops.convert_to_numpy(
        discriminator([np.zeros((2, 28, 28, 1), np.float32), LABELS])).shape == (2, 1)


def small_recipe(**changes) -> Recipe:
    return replace(REFERENCE_RECIPE, generator_width=16, discriminator_width=8, batch_size=16,
                   training_images=32, **changes)


def one_batch(recipe: Recipe):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (recipe.batch_size, 28, 28, 1)).astype(np.float32)
    labels = rng.integers(0, 10, recipe.batch_size)
    return make_dataset(images, labels, batch_size=recipe.batch_size, shuffle=False)


def test_the_weight_average_follows_the_documented_update_batchnorm_included():
    gan = build_gan(small_recipe(ema_decay=0.9))
    assert gan.sampling_generator is gan.average_generator
    before = gan.generator.get_weights()
    for average, current in zip(gan.average_generator.get_weights(), before, strict=True):
        np.testing.assert_array_equal(average, current)
    gan.fit(one_batch(small_recipe()), epochs=1, verbose=0)
    after = gan.generator.get_weights()
    decay = min(0.9, 2 / 11)  # step t = 1 after the first G update: (1 + t) / (10 + t)
    moved = 0
    for average, old, new in zip(gan.average_generator.get_weights(), before, after,
                                 strict=True):
        np.testing.assert_allclose(average, decay * old + (1 - decay) * new, rtol=1e-5,
                                   atol=1e-6)
        moved += not np.array_equal(old, new)
    assert moved == len(after)  # every weight moved, BatchNorm's moving statistics too


def test_without_an_average_the_generator_itself_is_sampled():
    gan = build_gan(small_recipe())
    assert gan.average_generator is None and gan.sampling_generator is gan.generator
    with pytest.raises(ValueError, match="ema_decay must be in \\[0, 1\\).*1.5"):
        GAN(gan.generator, gan.discriminator, ema_decay=1.5)
    with pytest.raises(ValueError, match="alternating schedule only"):
        GAN(gan.generator, gan.discriminator, schedule="phased", reuse_generator_pass=True)


@pytest.mark.parametrize(("reuse", "expected_passes"), [(False, 2), (True, 1)])
def test_reusing_the_generator_pass_generates_once_per_step(reuse, expected_passes):
    recipe = small_recipe(reuse_generator_pass=reuse)
    gan = build_gan(recipe)
    gan.compile(gan.generator_optimizer, gan.discriminator_optimizer, run_eagerly=True)
    passes = []
    generate = gan._generate
    gan._generate = lambda *args, **kwargs: passes.append(1) or generate(*args, **kwargs)
    generator_before, discriminator_before = (gan.generator.get_weights(),
                                              gan.discriminator.get_weights())
    history = gan.fit(one_batch(recipe), epochs=1, verbose=0)
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
    assert gan.sampling_generator is gan.generator and not gan.reuse_generator_pass
    assert gan.generator_loss == "non_saturating"
    for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer):
        optimizer.iterations.assign(10_000)  # a constant rate: no decay however far training goes
        assert float(optimizer.learning_rate) == pytest.approx(2e-4)


def test_a_laptop_training_saves_the_averaged_generator(tmp_path):
    recipe = replace(RECIPES["laptop"], training_images=64, batch_size=32)
    run = train_recipe(recipe, tmp_path, epochs=1, quality_per_digit=5, verbose=0)
    # The decay spans the epochs asked for (1 here), not the recipe's 7.
    run.gan.generator_optimizer.iterations.assign(recipe.steps_per_epoch)
    assert float(run.gan.generator_optimizer.learning_rate) == pytest.approx(0.0, abs=1e-12)
    saved = keras.models.load_model(tmp_path / "generator.keras").get_weights()
    for a, b in zip(saved, run.gan.average_generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b)
               for a, b in zip(saved, run.gan.generator.get_weights(), strict=True))


def test_the_classifier_head_adds_digit_logits_and_a_loss_for_both_networks():
    discriminator = build_dcgan_discriminator(width=8, classifier_head=True)
    logit, digit_logits = discriminator([np.zeros((2, 28, 28, 1), np.float32), LABELS])
    assert tuple(logit.shape) == (2, 1) and tuple(digit_logits.shape) == (2, 10)
    recipe = small_recipe(classifier_weight=1.0)
    gan = build_gan(recipe)
    history = gan.fit(one_batch(recipe), epochs=1, verbose=0).history
    without = build_gan(small_recipe())
    plain = without.fit(one_batch(recipe), epochs=1, verbose=0).history
    # The same seed and data: the only difference is the digit cross-entropy, about ln 10 ≈ 2.3
    # for an untrained head, added to both losses.
    assert history["d_loss"][0] - plain["d_loss"][0] == pytest.approx(np.log(10), abs=0.5)
    assert history["g_loss"][0] - plain["g_loss"][0] == pytest.approx(np.log(10), abs=0.5)
    with pytest.raises(ValueError, match="needs a discriminator with two outputs"):
        GAN(gan.generator, without.discriminator, classifier_weight=1.0)
    with pytest.raises(ValueError, match="needs a discriminator with one output"):
        GAN(gan.generator, gan.discriminator)


def rates_at(optimizer, steps):
    """The optimizer's learning rate at each of `steps`."""
    rates = []
    for step in steps:
        optimizer.iterations.assign(step)
        rates.append(float(optimizer.learning_rate))
    return rates


def test_linear_decay_brings_both_learning_rates_to_zero_at_the_last_step():
    recipe = small_recipe(linear_decay=True, epochs=2, discriminator_learning_rate=1e-3)
    assert recipe.steps_per_epoch == 2  # 32 images in batches of 16
    gan = build_gan(recipe)
    for name, optimizer, start in (("G", gan.generator_optimizer, recipe.learning_rate),
                                   ("D", gan.discriminator_optimizer, 1e-3)):
        assert rates_at(optimizer, (0, 2, 4)) == pytest.approx([start, start / 2, 0.0]), name
    constant = build_gan(small_recipe())
    assert float(constant.generator_optimizer.learning_rate) == pytest.approx(2e-4)


def test_a_decay_floor_stops_the_linear_decay_at_that_fraction_of_the_starting_rate():
    recipe = small_recipe(linear_decay=True, decay_floor=0.25, epochs=2)
    rates = rates_at(build_gan(recipe).generator_optimizer, (0, 2, 4, 6))
    start = recipe.learning_rate
    assert rates == pytest.approx([start, start * 0.625, start * 0.25, start * 0.25])
    with pytest.raises(ValueError, match="decay_floor must be .* in \\[0, 1\\), got 1.5"):
        build_gan(small_recipe(linear_decay=True, decay_floor=1.5))
    with pytest.raises(ValueError, match="decay_floor=0.25 .* set linear_decay=True"):
        build_gan(small_recipe(decay_floor=0.25))


def test_both_optimizers_take_the_recipes_beta_2():
    gan = build_gan(small_recipe(beta_2=0.99))
    assert [gan.generator_optimizer.beta_2, gan.discriminator_optimizer.beta_2] == [0.99, 0.99]
    assert build_gan(small_recipe()).generator_optimizer.beta_2 == 0.999


def test_the_hinge_loss_matches_its_formula_for_both_networks():
    gan = build_gan(small_recipe(adversarial_loss="hinge"))
    real = keras.ops.convert_to_tensor([[2.0], [0.5], [-1.0]])
    fake = keras.ops.convert_to_tensor([[-2.0], [0.0], [1.5]])
    # D: mean(relu(1 - real)) = (0 + 0.5 + 2) / 3; mean(relu(1 + fake)) = (0 + 1 + 2.5) / 3
    assert float(gan._discriminator_losses(real, fake)) == pytest.approx(2.5 / 3 + 3.5 / 3)
    assert float(gan._generator_loss(fake)) == pytest.approx(0.5 / 3)
    with pytest.raises(ValueError, match="generator_loss must be one of.*'wasserstein'"):
        GAN(gan.generator, gan.discriminator, generator_loss="wasserstein")


def test_paired_inputs_repeat_the_first_halfs_digits_in_the_last_half():
    gan = build_gan(small_recipe(mode_seeking_weight=1.0))
    for batch_size in (8, 7):
        noise, labels = gan.sample_inputs(batch_size, paired=True)
        labels = keras.ops.convert_to_numpy(labels).ravel()
        half = batch_size // 2
        assert labels.shape == (batch_size,) and noise.shape == (batch_size, 100)
        np.testing.assert_array_equal(labels[batch_size - half:], labels[:half])
    _, unpaired = gan.sample_inputs(1000)
    unpaired = keras.ops.convert_to_numpy(unpaired).ravel()
    assert (unpaired[500:] != unpaired[:500]).mean() > 0.8


def test_the_mode_seeking_penalty_matches_its_formula_and_trains():
    gan = build_gan(small_recipe(mode_seeking_weight=2.0))
    # Pairs (row 0, row 2) and (row 1, row 3); row 2 of 5 would be unpaired, here 4 rows.
    noise = np.zeros((4, 100), np.float32)
    noise[2:] = 0.5                                    # mean |z gap| = 0.5
    images = np.zeros((4, 28, 28, 1), np.float32)
    images[2:] = 0.25                                  # mean |image gap| = 0.25
    expected = 2.0 / (0.25 / 0.5 + 1e-5)
    assert float(gan._mode_seeking_loss(keras.ops.convert_to_tensor(noise),
                                        keras.ops.convert_to_tensor(images))) == pytest.approx(
        expected, rel=1e-5)
    assert build_gan(small_recipe())._mode_seeking_loss(noise, images) == 0.0
    history = gan.fit(one_batch(small_recipe()), epochs=1, verbose=0).history
    assert np.isfinite(history["g_loss"][0])
    with pytest.raises(ValueError, match="mode_seeking_weight must be ≥ 0.*-1"):
        GAN(gan.generator, gan.discriminator, mode_seeking_weight=-1)


def test_a_decaying_mode_seeking_weight_falls_linearly_to_zero_over_the_recipes_steps():
    recipe = small_recipe(mode_seeking_weight=2.0, mode_seeking_decay=True, epochs=4)
    gan = build_gan(recipe)
    assert gan.mode_seeking_steps == recipe.total_steps == 8  # 4 epochs of 2 batches
    noise = np.zeros((4, 100), np.float32)
    noise[2:] = 0.5
    images = np.zeros((4, 28, 28, 1), np.float32)
    images[2:] = 0.25
    full = 2.0 / (0.25 / 0.5 + 1e-5)
    for step, fraction in ((0, 1.0), (2, 0.75), (8, 0.0), (12, 0.0)):
        gan.generator_optimizer.iterations.assign(step)
        assert float(gan._mode_seeking_loss(noise, images)) == pytest.approx(
            fraction * full, rel=1e-5, abs=1e-9)
    assert build_gan(small_recipe(mode_seeking_weight=2.0)).mode_seeking_steps == 0


def test_the_minibatch_std_channel_is_the_batchs_mean_feature_spread():
    features = np.random.default_rng(0).normal(size=(6, 7, 7, 4)).astype(np.float32)
    output = keras.ops.convert_to_numpy(MinibatchStandardDeviation()(features))
    assert output.shape == (6, 7, 7, 5)
    np.testing.assert_array_equal(output[..., :4], features)
    np.testing.assert_allclose(output[..., 4], features.std(axis=0).mean(), rtol=1e-5)
    same = keras.ops.convert_to_numpy(MinibatchStandardDeviation()(np.repeat(features[:1], 6, 0)))
    np.testing.assert_allclose(same[..., 4], 1e-4, rtol=1e-3)  # sqrt of the 1e-8 guard
    discriminator = build_dcgan_discriminator(width=8, minibatch_std=True)
    assert discriminator.get_layer("minibatch_std").output.shape == (None, 7, 7, 17)


def test_the_r1_penalty_is_half_the_weighted_mean_squared_input_gradient_of_real_images():
    gan = build_gan(small_recipe(r1_weight=4.0, discriminator_dropout=0.0))  # D is deterministic
    rng = np.random.default_rng(0)
    images = keras.ops.convert_to_tensor(rng.uniform(-1, 1, (3, 28, 28, 1)).astype(np.float32))
    labels = keras.ops.convert_to_tensor(np.array([[1], [2], [3]], np.int32))
    _, _, penalty = gan._judge_real(images, labels)
    # The logit's gradient with respect to each image, by central differences along a random
    # direction of unit length: the directional derivative equals gradient · direction.
    direction = rng.normal(size=(28, 28, 1)).astype(np.float32)
    direction /= np.linalg.norm(direction)
    # Small, so that the step rarely crosses a LeakyReLU kink of D (randomly initialized here);
    # one that does moves the difference by a few percent, a wrong gradient by far more.
    epsilon = 1e-3
    logits = [keras.ops.convert_to_numpy(gan._judge(images + sign * epsilon * direction, labels,
                                                    training=False)[0]) for sign in (1, -1)]
    with_tape = tf_input_gradients(gan, images, labels)
    np.testing.assert_allclose((logits[0] - logits[1]).ravel() / (2 * epsilon),
                               (with_tape * direction).sum(axis=(1, 2, 3)), rtol=0.1, atol=1e-4)
    expected = 4.0 / 2 * (with_tape**2).sum(axis=(1, 2, 3)).mean()
    assert float(penalty) == pytest.approx(expected, rel=1e-5) and expected > 0
    assert build_gan(small_recipe())._judge_real(images, labels)[2] == 0.0
    with pytest.raises(ValueError, match="r1_weight must be ≥ 0.*-0.5"):
        GAN(gan.generator, gan.discriminator, r1_weight=-0.5)


def tf_input_gradients(gan: GAN, images, labels) -> np.ndarray:
    """The gradient of the sum of D's logits with respect to the images, one image at a time."""
    from cgan_lib.backend import tf

    gradients = []
    for index in range(images.shape[0]):
        image = images[index : index + 1]
        with tf.GradientTape() as tape:
            tape.watch(image)
            logit = gan._judge(image, labels[index : index + 1], training=False)[0][0, 0]
        gradients.append(tape.gradient(logit, image).numpy()[0])
    return np.stack(gradients)


def test_mixed_precision_computes_in_bfloat16_and_saves_a_float32_generator(tmp_path):
    recipe = replace(RECIPES["laptop"], generator_width=16, discriminator_width=8,
                     training_images=64, batch_size=32, mixed_precision=True)
    run = train_recipe(recipe, tmp_path, epochs=1, quality_per_digit=5, verbose=0)
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    for network in (run.gan.generator, run.gan.discriminator):
        convolutions = [layer for layer in network.layers if "conv" in layer.name]
        assert convolutions and all(layer.compute_dtype == "bfloat16" for layer in convolutions)
        assert {variable.dtype for variable in network.trainable_variables} == {"float32"}
    assert np.isfinite(run.history[0]["d_loss"]) and np.isfinite(run.history[0]["g_loss"])
    saved = keras.models.load_model(tmp_path / "generator.keras")
    assert {layer.compute_dtype for layer in saved.layers} <= {"float32", "int32"}
    for a, b in zip(saved.get_weights(), run.gan.average_generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    noise = np.random.default_rng(0).normal(size=(2, 100)).astype(np.float32)
    in_bfloat16 = run.gan.average_generator([noise, LABELS])
    in_float32 = saved([noise, LABELS])
    assert in_bfloat16.dtype == in_float32.dtype == "float32"
    # The same weights, computed in bfloat16 (8 bits of mantissa) and in float32.
    gap = np.abs(keras.ops.convert_to_numpy(in_bfloat16) - keras.ops.convert_to_numpy(in_float32))
    assert 0 < gap.max() < 0.1


def shifted_copies(image: np.ndarray, max_shift: int) -> dict[tuple[int, int], np.ndarray]:
    """Every shift of one image (H, W, C) by up to `max_shift` pixels, background -1 around it,
    by the (down, across) offset of its content."""
    height, width = image.shape[:2]
    padded = np.pad(image, ((max_shift, max_shift), (max_shift, max_shift), (0, 0)),
                    constant_values=-1.0)
    return {(max_shift - top, max_shift - left): padded[top:top + height, left:left + width]
            for top in range(2 * max_shift + 1) for left in range(2 * max_shift + 1)}


def test_the_shift_augmentation_moves_each_image_on_its_own_and_passes_gradients_back():
    from cgan_lib.backend import tf

    images = tf.constant(np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)), tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(images)
        shifted = random_shift(images, 2, keras.random.SeedGenerator(0))
        total = tf.reduce_sum(shifted)
    gradients = tape.gradient(total, images).numpy()
    offsets = set()
    for image, moved, gradient in zip(images.numpy(), shifted.numpy(), gradients, strict=True):
        matches = [offset for offset, copy in shifted_copies(image, 2).items()
                   if np.array_equal(moved, copy)]
        assert len(matches) == 1
        (down, across), = matches
        offsets.add((down, across))
        # The pixels still in the frame each count once in the sum; those pushed out, not at all.
        assert gradient.sum() == (28 - abs(down)) * (28 - abs(across))
        assert set(np.unique(gradient)) <= {0.0, 1.0}
    assert len(offsets) > 10  # of the 25 possible, so each image got its own shift


def test_with_the_shift_augmentation_d_judges_shifted_images_while_training_only():
    gan = build_gan(small_recipe(augment_shift=1, discriminator_dropout=0.0))
    rng = np.random.default_rng(1)
    images = keras.ops.convert_to_tensor(rng.uniform(-1, 1, (8, 28, 28, 1)).astype(np.float32))
    labels = keras.ops.convert_to_tensor(rng.integers(0, 10, (8, 1)).astype(np.int32))
    judged = keras.ops.convert_to_numpy(gan._judge(images, labels, training=True)[0])
    unshifted = keras.ops.convert_to_numpy(gan._judge(images, labels, training=False)[0])
    for image, label, logit in zip(keras.ops.convert_to_numpy(images),
                                   keras.ops.convert_to_numpy(labels), judged, strict=True):
        copies = np.stack(list(shifted_copies(image, 1).values()))
        logits = keras.ops.convert_to_numpy(
            gan.discriminator([copies, np.repeat(label[None], len(copies), axis=0)]))
        assert np.abs(logits - logit).min() < 1e-5  # D saw one of the 9 shifted copies
    assert not np.allclose(judged, unshifted)
    with pytest.raises(ValueError, match="augment_shift must be ≥ 0.*-1"):
        GAN(gan.generator, gan.discriminator, augment_shift=-1)


def test_one_sided_label_smoothing_lowers_only_the_real_images_target():
    gan = build_gan(small_recipe(real_label_smoothing=0.1))
    real_logits = np.array([[2.0], [-1.0], [0.5]], dtype=np.float32)
    fake_logits = np.array([[-3.0], [1.0], [0.0]], dtype=np.float32)

    def cross_entropy(target, logits):
        probabilities = 1 / (1 + np.exp(-logits))
        return -np.mean(target * np.log(probabilities) + (1 - target) * np.log(1 - probabilities))

    expected = cross_entropy(0.9, real_logits) + cross_entropy(0.0, fake_logits)
    loss = float(gan._discriminator_losses(keras.ops.convert_to_tensor(real_logits),
                                           keras.ops.convert_to_tensor(fake_logits)))
    assert loss == pytest.approx(expected, rel=1e-5)
    unsmoothed = float(build_gan(small_recipe())._discriminator_losses(
        keras.ops.convert_to_tensor(real_logits), keras.ops.convert_to_tensor(fake_logits)))
    assert unsmoothed == pytest.approx(cross_entropy(1.0, real_logits)
                                       + cross_entropy(0.0, fake_logits), rel=1e-5)
    with pytest.raises(ValueError, match="real_label_smoothing must be in.*1.5"):
        GAN(gan.generator, gan.discriminator, real_label_smoothing=1.5)
    with pytest.raises(ValueError, match="real_label_smoothing.*hinge"):
        GAN(gan.generator, gan.discriminator, real_label_smoothing=0.1, generator_loss="hinge")
