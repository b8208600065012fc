"""Turn MNIST's uint8 arrays into model inputs: scaling to [-1, 1] and back, a `tf.data` pipeline.

The generator ends in `tanh`, whose outputs lie in [-1, 1], so real images are scaled to the same
range; `from_tanh_range` undoes it for display.
"""

from __future__ import annotations

import numpy as np

from cgan_lib.backends.runtime import tf


def to_tanh_range(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, 28, 28) or (N, 28, 28, 1) → float32 (N, 28, 28, 1) in [-1, 1]."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"expected uint8 images with values 0..255, got dtype {images.dtype}")
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] != 1:
        raise ValueError(f"expected images of shape (N, H, W) or (N, H, W, 1), got {images.shape}")
    return images.astype(np.float32) / 127.5 - 1.0


def from_tanh_range(images: np.ndarray) -> np.ndarray:
    """Float images in [-1, 1] → uint8 in 0..255 (values outside the range are clipped)."""
    images = np.asarray(images, dtype=np.float32)
    return np.rint((np.clip(images, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def make_dataset(
    images: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    batch_size: int = 128,
    seed: int | None = None,
    shuffle: bool = True,
) -> tf.data.Dataset:
    """A batched, prefetched `tf.data.Dataset` of images, or of (images, labels) pairs.

    With `shuffle=True` the order is reshuffled every epoch; a `seed` makes that order repeatable.
    The last batch may be smaller than `batch_size` (the GAN's `train_step` handles it).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels: they must match")
    elements = images if labels is None else (images, np.asarray(labels, dtype=np.int32))
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def first_of_each_class(labels: np.ndarray, count: int, classes: int = 10) -> np.ndarray:
    """Indices of the first `count` examples of each class, class by class (one row per digit)."""
    labels = np.asarray(labels)
    groups = [np.flatnonzero(labels == digit)[:count] for digit in range(classes)]
    if any(len(group) < count for group in groups):
        raise ValueError(f"a class has fewer than {count} examples among {len(labels)} labels")
    return np.concatenate(groups)
