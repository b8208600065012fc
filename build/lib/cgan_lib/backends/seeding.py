"""Explicit seeding: one integer seeds Python, NumPy and the Keras backend's random state.

Nothing is seeded at import time; a run calls `set_seed` itself.
"""

from __future__ import annotations

import random

import numpy as np

from cgan_lib.backends.runtime import keras


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and Keras (and through it the backend: TensorFlow, JAX or PyTorch)
    from one integer."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 -- seeds the legacy global RNG that user code may use
    keras.utils.set_random_seed(seed)
