"""Quality metrics for conditional generators, judged by the project's own MNIST classifier.

- conditional accuracy: the share of generated images that the classifier reads as the digit
  that was asked for, overall and per digit;
- Fréchet distance: between the classifier's penultimate-layer features (128 numbers per image)
  of generated images and of the real test set, like FID but with an MNIST network instead of
  Inception. Lower is better; real training images give the reference floor.

The classifier's weights ship with the package (`cgan_lib/evaluation/assets/`), so no metric
needs training; `train_classifier` remakes them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cgan_lib.backends.runtime import keras
from cgan_lib.backends.seeding import set_seed
from cgan_lib.data.mnist import load_mnist
from cgan_lib.data.pipeline import first_of_each_class, make_dataset, to_tanh_range
from cgan_lib.gan.networks import NUM_CLASSES
from cgan_lib.gan.sampling import digit_rows_inputs, latent_dim_of, run_generator, sample_noise
from cgan_lib.storage.files import atomic_path, saved_bytes, writable_folder

CLASSIFIER_WEIGHTS = Path(__file__).resolve().parent / "assets" / "mnist_classifier.weights.h5"
FEATURES_LAYER = "features"
layers = keras.layers


def build_classifier() -> keras.Model:
    """A small CNN on [-1, 1] images: two conv + pool blocks → Dense(128) features → 10 logits."""
    image = keras.Input(shape=(28, 28, 1), name="image")
    features = image
    for filters in (32, 64):
        features = layers.Conv2D(filters, 3, padding="same", activation="relu")(features)
        features = layers.Conv2D(filters, 3, padding="same", activation="relu")(features)
        features = layers.MaxPooling2D()(features)                    # 14×14, then 7×7
    features = layers.Flatten()(features)
    features = layers.Dense(128, activation="relu", name=FEATURES_LAYER)(features)
    logits = layers.Dense(NUM_CLASSES, name="logits")(layers.Dropout(0.4)(features))
    return keras.Model(image, logits, name="mnist_classifier")


def train_classifier(epochs: int = 6, seed: int = 504, save_to: Path | None = CLASSIFIER_WEIGHTS,
                     verbose: int = 2) -> tuple[keras.Model, float]:
    """Train the classifier on MNIST's training set; returns it and its test accuracy."""
    set_seed(seed)
    (x_train, y_train), (x_test, y_test) = load_mnist(verbose=bool(verbose))
    classifier = build_classifier()
    dataset = make_dataset(to_tanh_range(x_train), y_train, batch_size=128, seed=seed)
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=epochs * len(dataset))
    classifier.compile(optimizer=keras.optimizers.Adam(schedule),
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                       metrics=["accuracy"])
    classifier.fit(dataset, epochs=epochs, verbose=verbose, shuffle=False)
    _, accuracy = classifier.evaluate(to_tanh_range(x_test), y_test.astype(np.int32),
                                      verbose=0)
    if save_to is not None:
        save_weights_only(classifier, Path(save_to))
    return classifier, float(accuracy)


def save_weights_only(classifier: keras.Model, path: Path) -> None:
    """Save the classifier's weights without its optimizer state (a third of the size)."""
    uncompiled = build_classifier()
    uncompiled.set_weights(classifier.get_weights())
    writable_folder(path.parent)
    with atomic_path(path, saved_bytes(uncompiled)) as temporary:
        uncompiled.save_weights(temporary)


@functools.cache
def load_classifier() -> keras.Model:
    """The shipped classifier (loaded once per process)."""
    if not CLASSIFIER_WEIGHTS.is_file():
        raise FileNotFoundError(
            f"classifier weights missing at {CLASSIFIER_WEIGHTS}; remake them with "
            "`python -m cgan_lib train-classifier`"
        )
    classifier = build_classifier()
    classifier.load_weights(CLASSIFIER_WEIGHTS)
    return classifier


@functools.cache
def _feature_model() -> keras.Model:
    classifier = load_classifier()
    return keras.Model(classifier.input,
                       [classifier.get_layer(FEATURES_LAYER).output, classifier.outputs[0]])


def classify(images: np.ndarray, batch_size: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Features (N, 128) and predicted digits (N,) for images in [-1, 1]."""
    features, predictions = [], []
    for start in range(0, len(images), batch_size):
        chunk_features, logits = _feature_model()(images[start : start + batch_size])
        features.append(keras.ops.convert_to_numpy(chunk_features))
        predictions.append(np.argmax(keras.ops.convert_to_numpy(logits), axis=1))
    return np.concatenate(features).astype(np.float64), np.concatenate(predictions)


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa Σb)^½) between two sets of feature vectors.

    Tr((Σa Σb)^½) is computed as the sum of square roots of the eigenvalues of
    Σa^½ Σb Σa^½, which is symmetric, so NumPy's `eigh` suffices (no SciPy needed).
    """
    mean_a, mean_b = features_a.mean(axis=0), features_b.mean(axis=0)
    cov_a = np.cov(features_a, rowvar=False)
    cov_b = np.cov(features_b, rowvar=False)
    eigenvalues, eigenvectors = np.linalg.eigh(cov_a)
    sqrt_a = (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T
    cross = np.linalg.eigvalsh(sqrt_a @ cov_b @ sqrt_a)
    trace_sqrt = np.sqrt(np.clip(cross, 0, None)).sum()
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b)
                 - 2 * trace_sqrt)


@dataclass(frozen=True)
class Scores:
    """Conditional accuracy (overall and per digit) and Fréchet distance to the test set."""

    accuracy: float
    accuracy_per_digit: tuple[float, ...]
    frechet_distance: float
    count: int

    def __str__(self) -> str:
        per_digit = " ".join(f"{d}:{a:.3f}" for d, a in enumerate(self.accuracy_per_digit))
        return (f"conditional accuracy {self.accuracy:.4f} (N={self.count}; per digit "
                f"{per_digit}); Fréchet distance {self.frechet_distance:.3f}")


@functools.cache
def mnist_test_features() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The MNIST test set's classifier features, the classifier's predictions, and the true
    labels (computed once per process)."""
    _, (x_test, y_test) = load_mnist(verbose=False)
    features, predictions = classify(to_tanh_range(x_test))
    return features, predictions, y_test


def frechet_distance_to_test_set(images: np.ndarray) -> float:
    """Fréchet distance between the images' classifier features and the real test set's."""
    return frechet_distance(classify(images)[0], mnist_test_features()[0])


def score_unconditional_generator(generator: keras.Model, count: int = 1000,
                                  seed: int = 0) -> float:
    """Fréchet distance to the test set of `count` images from an unconditional generator."""
    return frechet_distance_to_test_set(
        run_generator(generator, sample_noise(count, latent_dim_of(generator), seed)))


def score_images(images: np.ndarray, labels: np.ndarray) -> Scores:
    """Score images meant to show `labels` against the real test set."""
    test_features, _, _ = mnist_test_features()
    features, predictions = classify(images)
    correct = predictions == np.asarray(labels).ravel()
    per_digit = tuple(float(correct[np.asarray(labels).ravel() == d].mean())
                      for d in range(NUM_CLASSES))
    return Scores(float(correct.mean()), per_digit,
                  frechet_distance(features, test_features), len(images))


def score_generator(generator: keras.Model, per_digit: int = 1000, seed: int = 0) -> Scores:
    """Generate `per_digit` images of each digit and score them (N = 10 × per_digit)."""
    noise, labels = digit_rows_inputs(per_digit, latent_dim_of(generator), seed)
    return score_images(run_generator(generator, noise, labels), labels)


@functools.cache
def score_real_data(per_digit: int = 1000) -> tuple[Scores, float]:
    """The reference: the first `per_digit` training images of each digit scored like a
    generator (the Fréchet distance floor), and the classifier's accuracy on the test set."""
    (x_train, y_train), _ = load_mnist(verbose=False)
    indices = first_of_each_class(y_train, per_digit)
    _, test_predictions, y_test = mnist_test_features()
    scores = score_images(to_tanh_range(x_train[indices]), y_train[indices])
    return scores, float((test_predictions == y_test).mean())
