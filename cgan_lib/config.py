"""Run-wide settings: the fast-mode switch, explicit seeding, and where outputs are written.

Training recipes are frozen dataclasses: every hyperparameter of a run is a named field.
Fast mode (`CGAN_FAST=1`, set by `make test` and CI) shrinks epochs and data everywhere through
`fast_or_full`, so that notebooks and tests run in seconds instead of minutes.
Nothing here runs at import time: seeding is always an explicit call to `set_seed`.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import numpy as np

T = TypeVar("T")

FAST_MODE_VARIABLE = "CGAN_FAST"
OUTPUTS_VARIABLE = "CGAN_OUTPUTS"
PACKAGE_DIR = Path(__file__).resolve().parent


def fast_mode() -> bool:
    """True when the `CGAN_FAST` environment variable is set to 1/true/yes."""
    return os.environ.get(FAST_MODE_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def fast_or_full(fast: T, full: T) -> T:
    """Return `fast` in fast mode and `full` otherwise, e.g. `epochs = fast_or_full(1, 30)`."""
    return fast if fast_mode() else full


def set_seed(seed: int, deterministic_ops: bool = False) -> None:
    """Seed Python, NumPy and Keras (and so TensorFlow) from one integer.

    With `deterministic_ops=True`, TensorFlow also uses deterministic kernels, which makes
    repeated runs on the same machine bit-identical at some cost in speed.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    import keras  # imported here so that importing cgan_lib.config stays light
    import tensorflow as tf

    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 -- seeds the legacy global RNG that user code may use
    keras.utils.set_random_seed(seed)
    if deterministic_ops:
        tf.config.experimental.enable_op_determinism()


def repository_root() -> Path | None:
    """The repository holding this package (editable install), or None when installed elsewhere."""
    candidate = PACKAGE_DIR.parent
    return candidate if (candidate / "pyproject.toml").is_file() else None


def outputs_dir(*parts: str) -> Path:
    """Return (and create) a folder under the project's outputs, e.g. `outputs_dir("01_data")`.

    The root is `$CGAN_OUTPUTS` if set, else the repository's `outputs/`, else
    `~/.local/share/cgan_lib/outputs` for a non-editable install; never the current directory.
    """
    override = os.environ.get(OUTPUTS_VARIABLE)
    if override:
        root = Path(override).expanduser()
    elif (repository := repository_root()) is not None:
        root = repository / "outputs"
    else:
        root = Path.home() / ".local" / "share" / "cgan_lib" / "outputs"
    folder = root.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class Recipe:
    """Every hyperparameter of a conditional DCGAN training run (the reference design by default).

    The fields after `training_images` are options beside the reference design; their defaults
    are the reference's, so `Recipe()` is the reference recipe.
    """

    name: str = "reference"
    latent_dim: int = 100
    embedding_dim: int = 50
    batch_size: int = 128
    epochs: int = 30
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    # Adam's second-moment decay, for both networks (Keras's default, as in the reference).
    beta_2: float = 0.999
    seed: int = 504
    training_images: int = 60_000
    # XLA compilation of the training step: speed only, the same algorithm either way
    # (benchmarks/train_step.py compares it with the graph step on your machine).
    jit_compile: bool = False
    # Speed: compute in bfloat16, keeping float32 weights (Keras's "mixed_bfloat16" policy), which
    # CPUs with AVX-512 BF16 or AMX run much faster; the saved generator is float32 either way.
    mixed_precision: bool = False
    # Channels of the generator's 7×7 block (its 14×14 block has half as many).
    generator_width: int = 256
    # G's BatchNorms learn a scale and shift per digit (class-conditional BatchNorm).
    conditional_batch_norm: bool = False
    # Channels of the discriminator's first convolution (its second has twice as many).
    discriminator_width: int = 64
    discriminator_dropout: float = 0.3
    # How D sees the digit: "mask_channel" (a learned 28×28 mask stacked with the image) or
    # "projection" (an inner product of a label embedding with D's last features).
    label_conditioning: str = "mask_channel"
    spectral_norm: bool = False
    # D sees the spread of its features over the batch (a minibatch standard deviation channel).
    minibatch_std: bool = False
    # D's learning rate; None means `learning_rate`, as in the reference. A different value is
    # the two-time-scale update rule (TTUR).
    discriminator_learning_rate: float | None = None
    # Exponential moving average of G's weights for sampling and saving; 0 turns it off.
    ema_decay: float = 0.0
    # One fake batch per step for both the D and the G update (see cgan_lib/gan.py).
    reuse_generator_pass: bool = False
    # AC-GAN: weight of D's digit-classifier loss (on real images) and G's (on its fakes); 0 = off.
    classifier_weight: float = 0.0
    # MSGAN: weight of G's penalty for giving two z of the same digit similar images; 0 = off.
    mode_seeking_weight: float = 0.0
    # That weight falls linearly to 0 over the recipe's `epochs` when True.
    mode_seeking_decay: bool = False
    # R1: weight γ of D's penalty γ/2·E‖∇ₓ D(x)‖² on real images; 0 = off.
    r1_weight: float = 0.0
    # DiffAugment translation: D sees every image, real or fake, shifted by up to this many
    # pixels each way (a new random shift per image and step); 0 = off.
    augment_shift: int = 0
    # One-sided label smoothing: D's target for real images is 1 minus this (fakes stay 0).
    real_label_smoothing: float = 0.0
    # "non_saturating" (binary cross-entropy, as in the reference) or "hinge" (for D and G).
    adversarial_loss: str = "non_saturating"
    # Both learning rates fall linearly over the recipe's `epochs` when True, to `decay_floor`
    # times their start: 0 (the default) goes all the way down, 0.25 stops at a quarter.
    linear_decay: bool = False
    decay_floor: float = 0.0

    @property
    def steps_per_epoch(self) -> int:
        """Training steps per epoch (the last batch may be smaller)."""
        return -(-self.training_images // self.batch_size)

    @property
    def total_steps(self) -> int:
        """Training steps over all of the recipe's epochs."""
        return self.epochs * self.steps_per_epoch

    def shrunk_for_fast_mode(self) -> Recipe:
        """The same recipe, cut to one epoch on 2,048 images when fast mode is on."""
        return replace(self, epochs=1, training_images=2048) if fast_mode() else self


REFERENCE_RECIPE = Recipe()
# A recipe that trains and scores in under 10 minutes on 2 CPU cores: see
# notebooks/06_training_faster.ipynb and docs/laptop-recipe.md for what each change buys, measured
# by benchmarks/laptop_recipe.py (outputs/benchmarks/laptop_recipe.json).
LAPTOP_RECIPE = Recipe(
    name="laptop",
    epochs=10,
    mixed_precision=True,
    conditional_batch_norm=True,
    learning_rate=2e-3,
    linear_decay=True,
    generator_width=128,
    discriminator_width=32,
    discriminator_dropout=0.0,
    ema_decay=0.999,
    reuse_generator_pass=True,
    classifier_weight=3.0,
    real_label_smoothing=0.2,
    label_conditioning="projection",
    mode_seeking_weight=0.05,
)
RECIPES = {"reference": REFERENCE_RECIPE, "laptop": LAPTOP_RECIPE}
