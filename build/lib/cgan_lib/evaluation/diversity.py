"""Diversity metrics: whether a generator draws as *many kinds* of each digit as real handwriting.

Conditional accuracy and one pooled Fréchet distance both reward a generator that draws one
perfect "7" for every noise vector. These two look at the spread, on the same classifier
features as `cgan_lib.evaluation.metrics`:
- precision and recall (Kynkäänniemi et al. 2019, "Improved precision and recall metric for
  assessing generative models"): each set of features spans a *manifold*, the union of balls
  around each point with the radius of its k-th nearest neighbour in the set (k = 3). Precision
  is the share of generated images that fall inside the real manifold (are they realistic?);
  recall is the share of real images that fall inside the generated one (is every kind of real
  image drawn?). A collapsed generator keeps its precision and loses its recall.
- the per-digit Fréchet distance: each digit's generated images against that digit's real test
  images, and the mean over the ten digits (the intra-FID of the conditional-GAN literature). A
  pooled distance can stay low when every digit is drawn in one style, since the pool of all ten
  digits still varies; within one digit it cannot.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from cgan_lib.data.mnist import load_mnist
from cgan_lib.data.pipeline import first_of_each_class, to_tanh_range
from cgan_lib.evaluation.metrics import classify, frechet_distance, mnist_test_features
from cgan_lib.gan.networks import NUM_CLASSES

NEIGHBOURS = 3
CHUNK = 1000


def squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """All squared Euclidean distances between the rows of `a` and of `b`, (len(a), len(b))."""
    return np.maximum((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T, 0.0)


def neighbour_radii(features: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Each point's squared distance to its k-th nearest other point of the same set."""
    if not 1 <= k < len(features):
        raise ValueError(f"k must be from 1 to {len(features) - 1} for {len(features)} points, "
                         f"got {k}")
    radii = []
    for start in range(0, len(features), CHUNK):
        distances = squared_distances(features[start:start + CHUNK], features)
        radii.append(np.partition(distances, k, axis=1)[:, k])  # column 0: the point itself
    return np.concatenate(radii)


def share_inside(points: np.ndarray, manifold: np.ndarray, k: int = NEIGHBOURS) -> float:
    """The share of `points` that lie in the k-NN manifold of `manifold`: within the k-th
    neighbour radius of at least one of its points."""
    radii = neighbour_radii(manifold, k)
    inside = [(squared_distances(points[start:start + CHUNK], manifold) <= radii).any(axis=1)
              for start in range(0, len(points), CHUNK)]
    return float(np.concatenate(inside).mean())


def precision_and_recall(real: np.ndarray, generated: np.ndarray,
                         k: int = NEIGHBOURS) -> tuple[float, float]:
    """(precision, recall) of `generated` feature vectors against `real` ones."""
    return share_inside(generated, real, k), share_inside(real, generated, k)


def frechet_distance_per_digit(features: np.ndarray, labels: np.ndarray,
                               real_features: np.ndarray,
                               real_labels: np.ndarray) -> tuple[float, ...]:
    """For each digit, the Fréchet distance between the features of the images of that digit
    and of the real images of that digit."""
    labels, real_labels = np.asarray(labels).ravel(), np.asarray(real_labels).ravel()
    return tuple(frechet_distance(features[labels == digit], real_features[real_labels == digit])
                 for digit in range(NUM_CLASSES))


@dataclass(frozen=True)
class Diversity:
    """Precision, recall and the per-digit Fréchet distance (with their mean) of a set of
    images, against the real test set."""

    precision: float
    recall: float
    frechet_distance_per_digit: tuple[float, ...]
    mean_frechet_distance_per_digit: float
    count: int

    def __str__(self) -> str:
        worst = int(np.argmax(self.frechet_distance_per_digit))
        return (f"precision {self.precision:.3f}, recall {self.recall:.3f} (k={NEIGHBOURS}, "
                f"N={self.count}); per-digit Fréchet distance "
                f"{self.mean_frechet_distance_per_digit:.2f} on average, worst {worst}: "
                f"{self.frechet_distance_per_digit[worst]:.2f}")


def diversity_of_images(images: np.ndarray, labels: np.ndarray) -> Diversity:
    """The diversity of images meant to show `labels`, against the real test set."""
    test_features, _, test_labels = mnist_test_features()
    features, _ = classify(images)
    precision, recall = precision_and_recall(test_features, features)
    per_digit = frechet_distance_per_digit(features, labels, test_features, test_labels)
    return Diversity(precision, recall, per_digit, float(np.mean(per_digit)), len(images))


@functools.cache
def diversity_of_real_data(per_digit: int = 1000) -> Diversity:
    """The reference: the first `per_digit` training images of each digit, measured like a
    generator's images (computed once per process)."""
    (x_train, y_train), _ = load_mnist(verbose=False)
    indices = first_of_each_class(y_train, per_digit)
    return diversity_of_images(to_tanh_range(x_train[indices]), y_train[indices])
