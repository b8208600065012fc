"""Draw digits from a trained generator, with every input checked before TensorFlow sees it.

Noise comes from NumPy's seeded generator, so the same (digit, count, seed) gives the same images
on the same machine, independently of any training-time random state. Besides plain sampling:
a digit morph (the generator split where z meets the label's code, so that codes can be mixed)
and a latent walk (spherical interpolation between two seeds' noise vectors).
"""

from __future__ import annotations

import numbers
import weakref
from collections.abc import Callable

import numpy as np

from cgan_lib.backends.inference import compiled_inference
from cgan_lib.backends.runtime import keras
from cgan_lib.gan.networks import NUM_CLASSES

MAX_COUNT = 10_000
CHUNK = 1_000
MAX_NOISE_SCALE = 3.0


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


def check_noise_scale(noise_scale: object) -> float:
    """Return `noise_scale` as a float if it is a number in (0, MAX_NOISE_SCALE], else raise."""
    if isinstance(noise_scale, bool) or not isinstance(noise_scale, numbers.Real) \
            or not 0 < noise_scale <= MAX_NOISE_SCALE:
        raise ValueError(f"noise scale must be a number above 0 and at most {MAX_NOISE_SCALE}, "
                         f"got {noise_scale!r}")
    return float(noise_scale)


def check_fraction(fraction: object, name: str = "fraction") -> float:
    """Return `fraction` as a float if it is a number from 0 to 1, else raise a `ValueError`."""
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) \
            or not 0 <= fraction <= 1:
        raise ValueError(f"{name} must be a number from 0 to 1, got {fraction!r}")
    return float(fraction)


def latent_dim_of(generator: keras.Model) -> int:
    return int(generator.inputs[0].shape[-1])


def is_conditional(generator: keras.Model) -> bool:
    return len(generator.inputs) == 2


def sample_noise(count: int, latent_dim: int, seed: int) -> np.ndarray:
    """Standard-normal noise (count, latent_dim), float32, from a seeded NumPy generator."""
    rng = np.random.default_rng(check_seed(seed))
    return rng.standard_normal((check_count(count), latent_dim)).astype(np.float32)


_compiled_calls: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compiled_call(model: keras.Model) -> Callable:
    """`model(inputs, training=False)` compiled once for the Keras backend, kept while the model
    lives. It reads the model's current weights, so it also serves during training."""
    if model not in _compiled_calls:
        _compiled_calls[model] = compiled_inference(model)
    return _compiled_calls[model]


def run_generator(generator: keras.Model, noise: np.ndarray,
                  labels: np.ndarray | None = None) -> np.ndarray:
    """Run the generator in inference mode, in chunks; returns images (N, 28, 28, 1) in [-1, 1].

    It runs through `compiled_call`: `generator(inputs, training=False)`, compiled.
    """
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
        outputs.append(keras.ops.convert_to_numpy(compiled_call(generator)(inputs)))
    return np.concatenate(outputs)


def generate(generator: keras.Model, digit: int | None = None, count: int = 16,
             seed: int = 0, noise_scale: float = 1.0) -> np.ndarray:
    """`count` images of `digit` (None for an unconditional generator), (count, 28, 28, 1).

    `noise_scale` below 1 shrinks the noise toward zero ("truncation"): tidier, less varied digits.
    """
    count, seed, noise_scale = check_count(count), check_seed(seed), check_noise_scale(noise_scale)
    labels = None
    if is_conditional(generator):
        if digit is None:
            raise ValueError("this generator is conditional: pass a digit from 0 to 9")
        labels = np.full(count, check_digit(digit), dtype=np.int32)
    elif digit is not None:
        raise ValueError(f"this generator is unconditional: it cannot draw digit {digit!r}")
    noise = sample_noise(count, latent_dim_of(generator), seed) * np.float32(noise_scale)
    return run_generator(generator, noise, labels)


def digit_rows_inputs(per_digit: int, latent_dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Noise and labels for a grid with one row per digit 0–9, `per_digit` columns."""
    labels = np.repeat(np.arange(NUM_CLASSES, dtype=np.int32), check_count(per_digit))
    return sample_noise(len(labels), latent_dim, seed), labels


def generate_digit_rows(generator: keras.Model, per_digit: int = 10, seed: int = 0) -> np.ndarray:
    """Images for a 10-row grid: row d holds `per_digit` samples of digit d."""
    noise, labels = digit_rows_inputs(per_digit, latent_dim_of(generator), seed)
    return run_generator(generator, noise, labels)


class LabelMixer:
    """A conditional generator split where the label enters it: a digit's *code* is everything
    the generator computes from the label alone (its embedding or one-hot, and with
    class-conditional BatchNorm also the digit's scales and shifts), flattened into one vector.

    `codes[d]` is the code of digit d; `decoder([noise, codes])` runs the rest of the generator on
    any codes, including mixtures of two digits' codes, which no integer label can express, and
    `morph` does that for a blend of two digits with one noise vector.
    """

    def __init__(self, generator: keras.Model) -> None:
        if not is_conditional(generator):
            raise ValueError(f"generator {generator.name!r} takes no label: nothing to morph")
        noise_input, label_input = generator.inputs
        label_parts = [layer.output for layer in generator.layers
                       if not isinstance(layer, keras.layers.InputLayer)
                       and layer.input is label_input]
        if not label_parts:
            raise ValueError(f"no layer of generator {generator.name!r} reads the label")
        digits = np.arange(NUM_CLASSES, dtype=np.int32).reshape(-1, 1)
        parts = keras.Model(label_input, label_parts)(digits)
        parts = [parts] if len(label_parts) == 1 else parts
        self.codes = np.concatenate([keras.ops.convert_to_numpy(part).reshape(NUM_CLASSES, -1)
                                     for part in parts], axis=1)          # (10, code_dim)
        self.latent_dim = latent_dim_of(generator)
        rest = keras.Model([noise_input, *label_parts], generator.output)
        noise = keras.Input((self.latent_dim,), name="z")
        code = keras.Input((self.codes.shape[1],), name="code")
        ends = np.cumsum([int(np.prod(part.shape[1:])) for part in label_parts]).tolist()
        unflattened = [keras.ops.reshape(code[:, start:end], (-1, *part.shape[1:]))
                       for start, end, part in zip([0, *ends[:-1]], ends, label_parts,
                                                   strict=True)]
        self.decoder = keras.Model([noise, code], rest([noise, *unflattened]))

    def mixed_code(self, from_digit: int, to_digit: int, mix: float) -> np.ndarray:
        """(1 - mix) · code(from_digit) + mix · code(to_digit)."""
        start, end = self.codes[check_digit(from_digit)], self.codes[check_digit(to_digit)]
        mix = check_fraction(mix, "mix")
        return ((1 - mix) * start + mix * end).astype(np.float32)

    def morph(self, from_digit: int, to_digit: int, mixes: np.ndarray | list[float],
              seed: int = 0) -> np.ndarray:
        """One image per mix (N, 28, 28, 1), all from the same noise vector."""
        codes = np.stack([self.mixed_code(from_digit, to_digit, mix) for mix in mixes])
        noise = np.repeat(sample_noise(1, self.latent_dim, seed), len(codes), axis=0)
        return keras.ops.convert_to_numpy(compiled_call(self.decoder)([noise, codes]))


def slerp(start: np.ndarray, end: np.ndarray, fractions: np.ndarray | list[float]) -> np.ndarray:
    """Spherical interpolation from vector `start` to `end`, one row per fraction in [0, 1].

    Unlike a straight line, it keeps the norm typical of Gaussian noise between the two ends.
    """
    fractions = np.array([check_fraction(fraction) for fraction in fractions])[:, None]
    cosine = np.dot(start, end) / (np.linalg.norm(start) * np.linalg.norm(end))
    angle = np.arccos(np.clip(cosine, -1.0, 1.0))
    if angle < 1e-6:  # (nearly) the same direction: the straight line is the arc
        return ((1 - fractions) * start + fractions * end).astype(np.float32)
    return ((np.sin((1 - fractions) * angle) * start + np.sin(fractions * angle) * end)
            / np.sin(angle)).astype(np.float32)


def latent_walk(generator: keras.Model, digit: int, from_seed: int, to_seed: int,
                fractions: np.ndarray | list[float]) -> np.ndarray:
    """Images of one digit along the arc between two seeds' noise vectors, one per fraction."""
    latent_dim = latent_dim_of(generator)
    start = sample_noise(1, latent_dim, from_seed)[0]
    noise = slerp(start, sample_noise(1, latent_dim, to_seed)[0], fractions)
    return run_generator(generator, noise, np.full(len(noise), check_digit(digit), np.int32))
