"""Draw digits from a trained generator, with every input checked before TensorFlow sees it.

Noise comes from NumPy's seeded generator, so the same (digit, count, seed) gives the same images
on the same machine, independently of any training-time random state.
"""

from __future__ import annotations

import numbers

import numpy as np

from cgan_lib.backend import keras
from cgan_lib.models import NUM_CLASSES

MAX_COUNT = 10_000
CHUNK = 1_000


def check_digit(digit: object) -> int:
    """Return `digit` as an int if it is an integer 0–9, else raise a `ValueError` naming it."""
    if isinstance(digit, bool) or not isinstance(digit, numbers.Integral):
        raise ValueError(f"digit must be an integer from 0 to 9, got {digit!r}")
    if not 0 <= digit < NUM_CLASSES:
        raise ValueError(f"digit must be from 0 to 9, got {digit}")
    return int(digit)


def check_count(count: object) -> int:
    """Return `count` if it is an integer from 1 to MAX_COUNT, else raise a `ValueError`."""
    if isinstance(count, bool) or not isinstance(count, numbers.Integral):
        raise ValueError(f"count must be an integer from 1 to {MAX_COUNT}, got {count!r}")
    if not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be from 1 to {MAX_COUNT}, got {count}")
    return int(count)


def check_seed(seed: object) -> int:
    """Return `seed` if it is a non-negative integer, else raise a `ValueError`."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def latent_dim_of(generator: keras.Model) -> int:
    return int(generator.inputs[0].shape[-1])


def is_conditional(generator: keras.Model) -> bool:
    return len(generator.inputs) == 2


def sample_noise(count: int, latent_dim: int, seed: int) -> np.ndarray:
    """Standard-normal noise (count, latent_dim), float32, from a seeded NumPy generator."""
    rng = np.random.default_rng(check_seed(seed))
    return rng.standard_normal((check_count(count), latent_dim)).astype(np.float32)


def run_generator(generator: keras.Model, noise: np.ndarray,
                  labels: np.ndarray | None = None) -> np.ndarray:
    """Run the generator in inference mode, in chunks; returns images (N, 28, 28, 1) in [-1, 1]."""
    noise = np.asarray(noise, dtype=np.float32)
    latent_dim = latent_dim_of(generator)
    if noise.ndim != 2 or noise.shape[1] != latent_dim:
        raise ValueError(f"noise must have shape (count, {latent_dim}), got {noise.shape}")
    if is_conditional(generator) != (labels is not None):
        needed = "needs labels" if labels is None else "takes no labels"
        raise ValueError(f"generator {generator.name!r} {needed}")
    outputs = []
    for start in range(0, len(noise), CHUNK):
        inputs = noise[start : start + CHUNK]
        if labels is not None:
            chunk_labels = np.asarray(labels[start : start + CHUNK], dtype=np.int32)
            inputs = [inputs, chunk_labels.reshape(-1, 1)]
        outputs.append(keras.ops.convert_to_numpy(generator(inputs, training=False)))
    return np.concatenate(outputs)


def generate(generator: keras.Model, digit: int | None = None, count: int = 16,
             seed: int = 0) -> np.ndarray:
    """`count` images of `digit` (None for an unconditional generator), (count, 28, 28, 1)."""
    count, seed = check_count(count), check_seed(seed)
    labels = None
    if is_conditional(generator):
        if digit is None:
            raise ValueError("this generator is conditional: pass a digit from 0 to 9")
        labels = np.full(count, check_digit(digit), dtype=np.int32)
    elif digit is not None:
        raise ValueError(f"this generator is unconditional: it cannot draw digit {digit!r}")
    return run_generator(generator, sample_noise(count, latent_dim_of(generator), seed), labels)


def digit_rows_inputs(per_digit: int, latent_dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Noise and labels for a grid with one row per digit 0–9, `per_digit` columns."""
    labels = np.repeat(np.arange(NUM_CLASSES, dtype=np.int32), check_count(per_digit))
    return sample_noise(len(labels), latent_dim, seed), labels


def generate_digit_rows(generator: keras.Model, per_digit: int = 10, seed: int = 0) -> np.ndarray:
    """Images for a 10-row grid: row d holds `per_digit` samples of digit d."""
    noise, labels = digit_rows_inputs(per_digit, latent_dim_of(generator), seed)
    return run_generator(generator, noise, labels)
