"""Tests for cgan_lib.gan.losses: each loss and penalty against its formula, computed by hand in
NumPy on logits chosen so that every branch (confident, unsure, wrong) is covered."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backends.runtime import keras
from cgan_lib.gan.losses import (
    ADVERSARIAL_LOSSES,
    cross_entropy_discriminator_loss,
    digit_loss,
    gradient_penalty,
    hinge_discriminator_loss,
    hinge_generator_loss,
    least_squares_discriminator_loss,
    least_squares_generator_loss,
    minimax_generator_loss,
    mode_seeking_penalty,
    non_saturating_generator_loss,
    wasserstein_critic_loss,
    wasserstein_generator_loss,
)
from cgan_lib.recipes.parts import ADVERSARIAL_LOSSES as LOSS_NAMES

REAL = np.array([[2.0], [0.5], [-1.0]], np.float32)
FAKE = np.array([[-2.0], [0.0], [1.5]], np.float32)


def tensor(values):
    return keras.ops.convert_to_tensor(values)


def value(result) -> float:
    return float(keras.ops.convert_to_numpy(result))


def sigmoid(logits):
    return 1 / (1 + np.exp(-logits))


def cross_entropy(target, logits):
    probabilities = sigmoid(logits)
    return -np.mean(target * np.log(probabilities) + (1 - target) * np.log(1 - probabilities))


def test_the_discriminator_cross_entropy_scores_real_against_its_target_and_fakes_against_0():
    expected = cross_entropy(1.0, REAL) + cross_entropy(0.0, FAKE)
    assert value(cross_entropy_discriminator_loss(tensor(REAL), tensor(FAKE))) == pytest.approx(
        expected, rel=1e-5)
    smoothed = cross_entropy(0.8, REAL) + cross_entropy(0.0, FAKE)
    assert value(cross_entropy_discriminator_loss(tensor(REAL), tensor(FAKE), real_target=0.8)
                 ) == pytest.approx(smoothed, rel=1e-5)


def test_the_two_generator_cross_entropies_are_minus_log_d_and_log_one_minus_d():
    assert value(non_saturating_generator_loss(tensor(FAKE))) == pytest.approx(
        -np.mean(np.log(sigmoid(FAKE))), rel=1e-5)
    assert value(minimax_generator_loss(tensor(FAKE))) == pytest.approx(
        np.mean(np.log(1 - sigmoid(FAKE))), rel=1e-5)


def test_the_hinge_losses_match_their_formulas():
    # D: mean(relu(1 - real)) = (0 + 0.5 + 2) / 3; mean(relu(1 + fake)) = (0 + 1 + 2.5) / 3
    assert value(hinge_discriminator_loss(tensor(REAL), tensor(FAKE))) == pytest.approx(
        2.5 / 3 + 3.5 / 3)
    assert value(hinge_generator_loss(tensor(FAKE))) == pytest.approx(0.5 / 3)  # -mean(fake)
    with pytest.raises(ValueError, match="real_target must be 1, got 0.9"):
        hinge_discriminator_loss(tensor(REAL), tensor(FAKE), real_target=0.9)


def test_the_least_squares_losses_match_their_formulas():
    # D: ½ mean((real - 1)²) = ½ (1 + 0.25 + 4) / 3; ½ mean(fake²) = ½ (4 + 0 + 2.25) / 3
    assert value(least_squares_discriminator_loss(tensor(REAL), tensor(FAKE))) == pytest.approx(
        0.5 * 5.25 / 3 + 0.5 * 6.25 / 3)
    # With a real target of 0.8: ½ (1.44 + 0.09 + 3.24) / 3 for the real part.
    assert value(least_squares_discriminator_loss(tensor(REAL), tensor(FAKE), real_target=0.8)
                 ) == pytest.approx(0.5 * 4.77 / 3 + 0.5 * 6.25 / 3, rel=1e-5)
    # G: ½ mean((fake - 1)²) = ½ (9 + 1 + 0.25) / 3
    assert value(least_squares_generator_loss(tensor(FAKE))) == pytest.approx(0.5 * 10.25 / 3)


def test_the_wasserstein_losses_are_differences_of_mean_scores():
    # mean(real) = 1.5 / 3, mean(fake) = -0.5 / 3
    assert value(wasserstein_critic_loss(tensor(REAL), tensor(FAKE))) == pytest.approx(-2.0 / 3)
    assert value(wasserstein_generator_loss(tensor(FAKE))) == pytest.approx(0.5 / 3)
    with pytest.raises(ValueError, match="real_target must be 1, got 0.8"):
        wasserstein_critic_loss(tensor(REAL), tensor(FAKE), real_target=0.8)


def test_the_gradient_penalty_is_the_mean_squared_gap_of_each_images_gradient_norm_to_1():
    gradients = np.zeros((3, 28, 28, 1), np.float32)
    gradients[0, 0, 0, 0], gradients[0, 5, 5, 0] = 3.0, 4.0      # norm 5: (5 - 1)² = 16
    gradients[1, 10, 3, 0] = 1.0                                  # norm 1: 0
    # row 2 stays 0: norm 0, (0 - 1)² = 1
    assert value(gradient_penalty(tensor(gradients))) == pytest.approx(17 / 3, rel=1e-5)


def test_the_digit_loss_is_the_mean_cross_entropy_of_the_asked_digit():
    logits = np.array([[2.0, 0.0, -1.0] + [0.0] * 7, [0.0] * 9 + [3.0]], np.float32)
    labels = np.array([[0], [4]], np.int32)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(probabilities[[0, 1], [0, 4]]))
    assert value(digit_loss(tensor(labels), tensor(logits))) == pytest.approx(expected, rel=1e-5)


def test_the_mode_seeking_penalty_is_the_weight_over_the_pairs_gap_ratio():
    # Pairs (row 0, row 3) and (row 1, row 4) of 5 rows; row 2 has no pair.
    noise = np.zeros((5, 4), np.float32)
    noise[3:] = 0.5                                    # mean |z gap| = 0.5
    noise[2] = 100.0                                   # the unpaired row is ignored
    images = np.zeros((5, 28, 28, 1), np.float32)
    images[3:] = 0.25                                  # mean |image gap| = 0.25
    assert value(mode_seeking_penalty(tensor(noise), tensor(images), 2.0)) == pytest.approx(
        2.0 / (0.25 / 0.5 + 1e-5), rel=1e-5)
    # Identical images for different z: the penalty is the weight over the 1e-5 guard.
    assert value(mode_seeking_penalty(tensor(noise), tensor(np.zeros_like(images)), 2.0)
                 ) == pytest.approx(2.0 / 1e-5, rel=1e-5)


def test_every_adversarial_loss_of_the_recipe_has_a_pair_of_functions():
    assert tuple(ADVERSARIAL_LOSSES) == LOSS_NAMES
    for discriminator_loss, generator_loss in ADVERSARIAL_LOSSES.values():
        assert np.isfinite(value(discriminator_loss(tensor(REAL), tensor(FAKE))))
        assert np.isfinite(value(generator_loss(tensor(FAKE))))
