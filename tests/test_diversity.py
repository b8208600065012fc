"""Tests of the diversity metrics against cases with a known answer: a set against itself,
two samples of one distribution, disjoint sets, a collapsed set; and on real MNIST, a digit
collapsed to one image."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cgan_lib.data.pipeline import first_of_each_class, to_tanh_range
from cgan_lib.evaluation.diversity import (
    diversity_of_images,
    frechet_distance_per_digit,
    neighbour_radii,
    precision_and_recall,
    squared_distances,
)
from cgan_lib.evaluation.report import evaluate_folder


def gaussian(count: int, seed: int, shift: float = 0.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(count, 8)) + shift


def test_squared_distances_are_every_pair():
    a, b = gaussian(5, 0), gaussian(7, 1)
    expected = [[((x - y) ** 2).sum() for y in b] for x in a]
    np.testing.assert_allclose(squared_distances(a, b), expected, rtol=1e-9, atol=1e-9)


def test_the_radius_is_the_kth_neighbours_distance():
    line = np.arange(10.0)[:, None]  # points 0, 1, ..., 9
    np.testing.assert_allclose(neighbour_radii(line, k=1), np.ones(10))
    # Point 0's third neighbour is 3, point 5's is 3 or 7: two away on both sides, then 3 away.
    np.testing.assert_allclose(neighbour_radii(line, k=3)[[0, 5, 9]], [9.0, 4.0, 9.0])
    with pytest.raises(ValueError, match="k must be from 1 to 9"):
        neighbour_radii(line, k=10)


def test_a_set_against_itself_has_full_precision_and_recall():
    features = gaussian(500, 0)
    assert precision_and_recall(features, features) == (1.0, 1.0)


def test_two_samples_of_one_distribution_score_alike_and_high():
    precision, recall = precision_and_recall(gaussian(2000, 0), gaussian(2000, 1))
    assert 0.8 < precision < 1.0 and 0.8 < recall < 1.0
    assert abs(precision - recall) < 0.05


def test_disjoint_sets_have_neither_precision_nor_recall():
    assert precision_and_recall(gaussian(500, 0), gaussian(500, 1, shift=100.0)) == (0.0, 0.0)


def test_a_collapsed_set_keeps_its_precision_and_loses_its_recall():
    real = gaussian(1000, 0)
    collapsed = real[:1] + 1e-3 * gaussian(1000, 1)  # one real point, drawn a thousand times
    precision, recall = precision_and_recall(real, collapsed)
    assert precision == 1.0
    assert recall < 0.01


def test_the_per_digit_distance_is_zero_against_itself_and_finds_the_collapsed_digit():
    features = np.concatenate([gaussian(300, digit) for digit in range(10)])
    labels = np.repeat(np.arange(10), 300)
    np.testing.assert_allclose(frechet_distance_per_digit(features, labels, features, labels),
                               np.zeros(10), atol=1e-6)
    collapsed = features.copy()
    collapsed[labels == 7] = features[labels == 7][0] + 1e-3 * gaussian(300, 99)
    distances = frechet_distance_per_digit(collapsed, labels, features, labels)
    assert np.argmax(distances) == 7 and distances[7] > 5.0
    np.testing.assert_allclose(np.delete(distances, 7), np.zeros(9), atol=1e-6)


def test_on_mnist_a_digit_drawn_in_one_style_is_caught(mnist):
    """Real training images: the sevens replaced by one seven. Recall and that digit's Fréchet
    distance must catch it; accuracy would not (it is still a seven)."""
    (x_train, y_train), _ = mnist
    indices = first_of_each_class(y_train, 200)
    images, labels = to_tanh_range(x_train[indices]), y_train[indices]
    real = diversity_of_images(images, labels)
    sevens = labels == 7
    images[sevens] = images[sevens][0]
    collapsed = diversity_of_images(images, labels)
    assert collapsed.recall < real.recall - 0.05
    assert np.argmax(collapsed.frechet_distance_per_digit) == 7
    assert collapsed.frechet_distance_per_digit[7] > 10 * real.frechet_distance_per_digit[7]
    assert collapsed.precision > 0.9 * real.precision


def test_evaluate_reports_the_diversity_beside_the_scores(tmp_path):
    report = evaluate_folder("laptop", tmp_path, per_digit=50)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for name in ("generated_diversity", "real_training_images_diversity"):
        diversity = metrics[name]
        assert diversity["count"] == 500 and len(diversity["frechet_distance_per_digit"]) == 10
        assert 0 < diversity["precision"] <= 1 and 0 < diversity["recall"] <= 1
        assert diversity["mean_frechet_distance_per_digit"] == pytest.approx(
            np.mean(diversity["frechet_distance_per_digit"]))
    assert metrics["generated"]["count"] == 500
    assert report.count("precision") == 2 and "per-digit Fréchet distance" in report
