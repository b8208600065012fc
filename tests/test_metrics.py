"""Tests for the quality metrics: the Fréchet distance against known answers, the shipped
classifier's accuracy, and scores that separate real digits from an untrained generator."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.evaluation.metrics import frechet_distance, score_generator, score_real_data
from cgan_lib.gan.networks import build_dcgan_generator


def test_frechet_distance_is_zero_for_identical_sets():
    features = np.random.default_rng(0).standard_normal((500, 8))
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_matches_the_closed_form_for_diagonal_gaussians():
    # For N(μa, diag(σa²)) and N(μb, diag(σb²)): ‖μa − μb‖² + Σ (σa − σb)².
    rng = np.random.default_rng(1)
    base = rng.standard_normal((20000, 4))
    base = (base - base.mean(0)) / base.std(0, ddof=1)  # exact unit sample variance
    a = base * np.array([1.0, 2.0, 0.5, 1.0])
    b = base[::-1] * np.array([1.0, 1.0, 1.0, 3.0]) + np.array([1.0, 0.0, -2.0, 0.0])
    rotation = np.linalg.qr(rng.standard_normal((4, 4)))[0]  # the distance ignores rotations
    expected = (1 + 4) + (0 + 1 + 0.25 + 4)
    assert frechet_distance(a @ rotation, b @ rotation) == pytest.approx(expected, rel=0.02)


def test_the_shipped_classifier_reads_real_digits():
    real, classifier_accuracy = score_real_data(per_digit=100)
    assert classifier_accuracy >= 0.99
    assert real.accuracy >= 0.99 and min(real.accuracy_per_digit) >= 0.95


def test_an_untrained_generator_scores_far_below_real_data():
    real, _ = score_real_data(per_digit=100)
    untrained = score_generator(build_dcgan_generator(), per_digit=100)
    assert untrained.accuracy < 0.5
    assert untrained.frechet_distance > 10 * real.frechet_distance
    assert len(untrained.accuracy_per_digit) == 10 and untrained.count == 1000
