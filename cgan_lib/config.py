"""Run-wide settings: the fast-mode switch, explicit seeding, and where outputs are written.

Training recipes are frozen dataclasses: every hyperparameter of a run is a named field.
Fast mode (`CGAN_FAST=1`, set by `make test` and CI) shrinks epochs and data everywhere through
`fast_or_full`, so that notebooks and tests run in seconds instead of minutes.
Nothing here runs at import time: seeding is always an explicit call to `set_seed`.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
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


# The adversarial losses that `cgan_lib.losses.ADVERSARIAL_LOSSES` implements.
ADVERSARIAL_LOSSES = ("non_saturating", "minimax", "hinge", "least_squares", "wasserstein")
# The losses whose D target for real images is fixed at 1 (no label smoothing).
UNSMOOTHED_LOSSES = ("hinge", "wasserstein")
# How the discriminator sees the digit (see `cgan_lib.models.build_dcgan_discriminator`).
LABEL_CONDITIONINGS = ("mask_channel", "projection")
MNIST_TRAINING_IMAGES = 60_000


@dataclass(frozen=True)
class Recipe:
    """Every hyperparameter of a conditional DCGAN training run (the reference design by default).

    The defaults are the reference's, so `Recipe()` is the reference recipe; the laptop recipe
    changes some of them. A recipe checks its fields when it is built and raises a `ValueError`
    naming the field, its value and what is allowed.
    """

    name: str = "reference"
    seed: int = 504

    # The run: how many images, in batches of how many, for how many passes.
    training_images: int = MNIST_TRAINING_IMAGES
    batch_size: int = 128
    epochs: int = 30

    # Architecture.
    latent_dim: int = 100
    embedding_dim: int = 50
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

    # Objective (see cgan_lib/losses.py and cgan_lib/gan.py).
    # "non_saturating" (binary cross-entropy, as in the reference), "minimax", "hinge",
    # "least_squares" (LSGAN) or "wasserstein" (WGAN, with a gradient penalty for WGAN-GP).
    adversarial_loss: str = "non_saturating"
    # One-sided label smoothing: D's target for real images is 1 minus this (fakes stay 0).
    real_label_smoothing: float = 0.0
    # WGAN-GP: weight λ of the penalty on D's input-gradient norm (losses.gradient_penalty);
    # 0 = off.
    gradient_penalty_weight: float = 0.0
    # D updates per G update (n_critic): D learns on every batch, G on every n-th.
    discriminator_steps: int = 1
    # AC-GAN: weight of D's digit-classifier loss (on real images) and G's (on its fakes); 0 = off.
    classifier_weight: float = 0.0
    # MSGAN: weight of G's penalty for giving two z of the same digit similar images; 0 = off.
    mode_seeking_weight: float = 0.0

    # Optimization: Adam for both networks, at one learning rate.
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    # Both learning rates fall linearly to 0 over the recipe's `epochs` when True.
    linear_decay: bool = False
    # Sample and save a moving average of G's weights instead of G itself (see
    # GAN.update_average_generator): its decay grows as (1 + t) / (10 + t) at step t, so that it
    # averages over roughly the last ninth of the steps so far.
    weight_average: bool = False

    # Speed.
    # Compute in bfloat16, keeping float32 weights (Keras's "mixed_bfloat16" policy), which CPUs
    # with AVX-512 BF16 or AMX run much faster; the saved generator is float32 either way.
    mixed_precision: bool = False
    # One fake batch per step for both the D and the G update (see cgan_lib/gan.py).
    reuse_generator_pass: bool = False

    def __post_init__(self) -> None:
        _check(self, "name", lambda value: isinstance(value, str) and value.strip(),
               "a non-empty string")
        _check(self, "seed", lambda value: _is_int(value) and value >= 0,
               "a non-negative integer")
        for name in ("batch_size", "epochs", "latent_dim", "embedding_dim", "generator_width",
                     "discriminator_width", "discriminator_steps"):
            _check(self, name, lambda value: _is_int(value) and value >= 1,
                   "a positive integer")
        _check(self, "training_images",
               lambda value: _is_int(value) and 1 <= value <= MNIST_TRAINING_IMAGES,
               f"an integer from 1 to {MNIST_TRAINING_IMAGES:,} (MNIST's training images)")
        for name in ("discriminator_dropout", "real_label_smoothing", "beta_1", "beta_2"):
            _check(self, name, lambda value: _is_number(value) and 0 <= value < 1,
                   "a number in [0, 1)")
        for name in ("classifier_weight", "mode_seeking_weight", "gradient_penalty_weight"):
            _check(self, name, lambda value: _is_number(value) and value >= 0,
                   "a number ≥ 0 (0 turns it off)")
        _check(self, "learning_rate", lambda value: _is_number(value) and value > 0,
               "a number > 0")
        for name in ("conditional_batch_norm", "linear_decay", "weight_average",
                     "mixed_precision", "reuse_generator_pass"):
            _check(self, name, lambda value: isinstance(value, bool), "True or False")
        _check(self, "label_conditioning", lambda value: value in LABEL_CONDITIONINGS,
               f"one of {LABEL_CONDITIONINGS}")
        _check(self, "adversarial_loss", lambda value: value in ADVERSARIAL_LOSSES,
               f"one of {ADVERSARIAL_LOSSES}")
        if self.real_label_smoothing and self.adversarial_loss in UNSMOOTHED_LOSSES:
            raise ValueError(f"real_label_smoothing={self.real_label_smoothing!r} does not apply "
                             f"to adversarial_loss={self.adversarial_loss!r}, whose real target "
                             "is fixed: set one of them back")
        if self.discriminator_steps > 1 and self.reuse_generator_pass:
            raise ValueError(f"discriminator_steps={self.discriminator_steps} updates D without G "
                             "on most batches, so there is no G pass to reuse: set "
                             "reuse_generator_pass=False")
        if self.mode_seeking_weight and self.batch_size < 2:
            raise ValueError(f"mode_seeking_weight={self.mode_seeking_weight!r} compares pairs of "
                             f"images in a batch: batch_size must be at least 2, got "
                             f"{self.batch_size}")

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


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check(recipe: Recipe, name: str, is_allowed: Callable[[object], object],
           allowed: str) -> None:
    value = getattr(recipe, name)
    if not is_allowed(value):
        raise ValueError(f"Recipe field {name}={value!r} is not allowed: it must be {allowed}")


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
    weight_average=True,
    reuse_generator_pass=True,
    classifier_weight=3.0,
    real_label_smoothing=0.2,
    label_conditioning="projection",
    mode_seeking_weight=0.05,
)
# The laptop recipe with the WGAN-GP objective and the optimizer settings of its paper
# (Gulrajani et al. 2017, Algorithm 1): a critic without sigmoid, λ = 10, 5 critic steps per G
# step, Adam with learning rate 1e-4, beta_1 = 0, beta_2 = 0.9. Notebook 7 applies the same
# settings to a constant-rate laptop recipe without the AC-GAN head.
WGAN_GP_RECIPE = replace(
    LAPTOP_RECIPE,
    name="wgan-gp",
    adversarial_loss="wasserstein",
    real_label_smoothing=0.0,
    gradient_penalty_weight=10.0,
    discriminator_steps=5,
    reuse_generator_pass=False,
    learning_rate=1e-4,
    beta_1=0.0,
    beta_2=0.9,
)
RECIPES = {"reference": REFERENCE_RECIPE, "laptop": LAPTOP_RECIPE, "wgan-gp": WGAN_GP_RECIPE}
