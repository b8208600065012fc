"""Train a conditional DCGAN from a recipe, end to end and resumably.

`train_recipe` loads MNIST, builds the networks and the `GAN`, and fits it with callbacks that
write, under one folder: a sample grid per epoch (`epochs/generated_epoch_NN.png`), the per-epoch
log (`history.json`: losses, D accuracy, quality scores, seconds), the loss plot
(`loss_plot.png`), a final 5×5 grid (`final_grid.png`), and the generator (`generator.keras`,
`generator.json`, `generator.weights.h5`), each through `cgan_lib.files.atomic_path`. A
checkpoint after every epoch (`checkpoint/`) lets the same call, run again after an
interruption, continue from the last completed epoch; a run holds the folder's lock
(`train.lock`) while it trains (see `cgan_lib.checkpoints`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from cgan_lib.backend import keras
from cgan_lib.callbacks import EpochHistory, QualityPerEpoch, SampleGrid, read_epoch_history
from cgan_lib.checkpoints import Checkpoint, folder_lock
from cgan_lib.config import REFERENCE_RECIPE, Recipe, outputs_dir, set_seed
from cgan_lib.data import make_dataset, to_tanh_range
from cgan_lib.devices import (
    check_devices,
    data_parallel,
    fit_callbacks,
    synchronized_batch_norm,
)
from cgan_lib.files import remove_temporaries, save_figure, writable_folder
from cgan_lib.gan import GAN
from cgan_lib.generate import run_generator, sample_noise
from cgan_lib.mnist import load_mnist
from cgan_lib.models import build_dcgan_discriminator, build_dcgan_generator
from cgan_lib.persistence import save_generator
from cgan_lib.precision import recipe_policy
from cgan_lib.viz import plot_grid


@dataclass
class TrainingRun:
    """The outcome of `train_recipe`: where the files are, the trained GAN, and the epoch log."""

    folder: Path
    gan: GAN
    history: list[dict[str, float]]
    seconds: float


@contextlib.contextmanager
def _dtype_policy(mixed_precision: bool) -> Iterator[None]:
    """Keras's global dtype policy set to what `mixed_precision` means on this machine
    (`cgan_lib.precision`: "mixed_bfloat16", "mixed_float16" or "float32") while building
    layers, then restored."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(recipe_policy(mixed_precision))
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def build_generator(recipe: Recipe, mixed_precision: bool | None = None) -> keras.Model:
    """The recipe's generator, computing in half precision when `mixed_precision` (default: the
    recipe's) and the machine computes it fast (`cgan_lib.precision`); its weights and its
    images are float32 either way."""
    mixed_precision = recipe.mixed_precision if mixed_precision is None else mixed_precision
    with _dtype_policy(mixed_precision):
        return build_dcgan_generator(recipe.latent_dim, recipe.embedding_dim,
                                     width=recipe.generator_width,
                                     conditional_batch_norm=recipe.conditional_batch_norm)


def float32_generator(generator: keras.Model, recipe: Recipe) -> keras.Model:
    """`generator` (of `recipe`) as a float32 model with the same weights: what is saved, so that
    a shipped generator runs in full precision on any CPU."""
    if not recipe.mixed_precision:
        return generator
    copy = build_generator(recipe, mixed_precision=False)
    copy.set_weights(generator.get_weights())
    return copy


def build_gan(recipe: Recipe) -> GAN:
    """The recipe's generator and discriminator in a compiled `GAN`."""
    generator = build_generator(recipe)
    with _dtype_policy(recipe.mixed_precision):
        discriminator = build_dcgan_discriminator(
            dropout=recipe.discriminator_dropout, width=recipe.discriminator_width,
            label_conditioning=recipe.label_conditioning,
            classifier_head=recipe.classifier_weight > 0)
    gan = GAN(generator, discriminator, recipe, seed=recipe.seed)
    gan.compile(generator_optimizer=adam(recipe), discriminator_optimizer=adam(recipe))
    return gan


def adam(recipe: Recipe) -> keras.optimizers.Adam:
    """Adam with the recipe's learning rate, beta_1 and beta_2; the rate is constant, or falls
    linearly to 0 over the recipe's epochs (`linear_decay`). In float16 (`cgan_lib.precision`)
    it is wrapped in Keras's `LossScaleOptimizer`, which the step's `scale_loss` calls use."""
    learning_rate = recipe.learning_rate
    if recipe.linear_decay:
        learning_rate = keras.optimizers.schedules.PolynomialDecay(
            learning_rate, decay_steps=recipe.total_steps, end_learning_rate=0.0)
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=recipe.beta_1, beta_2=recipe.beta_2)
    if recipe_policy(recipe.mixed_precision) == "mixed_float16":
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def train_recipe(recipe: Recipe = REFERENCE_RECIPE, folder: Path | None = None, *,
                 epochs: int | None = None, devices: int = 1, quality_per_digit: int = 200,
                 verbose: int | str = "auto") -> TrainingRun:
    """Train (or resume training) the recipe's GAN for `epochs` epochs in all (default: the
    recipe's), writing everything under `folder` (default: `outputs/models/<recipe name>`),
    data parallel on `devices` devices (see `cgan_lib.devices`). A `linear_decay` recipe's
    learning rates reach 0 at the end of those `epochs`."""
    epochs = recipe.epochs if epochs is None else epochs
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    recipe = replace(recipe, epochs=epochs)
    check_devices(devices, recipe)
    folder = Path(folder) if folder is not None else outputs_dir("models", recipe.name)
    writable_folder(folder / "epochs")
    with folder_lock(folder):
        remove_temporaries(folder)
        gan, seconds = _fit(recipe, folder, devices, quality_per_digit, verbose)
        generator = float32_generator(gan.sampling_generator, recipe)
        save_generator(generator, folder)
        save_final_grid(generator, folder / "final_grid.png", seed=recipe.seed)
    return TrainingRun(folder, gan, read_epoch_history(folder / "history.json"),
                       seconds)


def _fit(recipe: Recipe, folder: Path, devices: int, quality_per_digit: int,
         verbose: int | str) -> tuple[GAN, float]:
    """Build the recipe's GAN and fit it for the recipe's epochs on `devices` devices (resuming
    from `folder/checkpoint` if it holds one); returns the GAN and the seconds `fit` took."""
    set_seed(recipe.seed)
    (x_train, y_train), _ = load_mnist(verbose=verbose != 0)
    count = recipe.training_images
    dataset = make_dataset(to_tanh_range(x_train[:count]), y_train[:count],
                           batch_size=recipe.batch_size, seed=recipe.seed)
    with data_parallel(devices, recipe):
        gan = build_gan(recipe)
        callbacks = [
            *fit_callbacks(devices),
            SampleGrid(folder / "epochs", columns=10, seed=recipe.seed),
            QualityPerEpoch(per_digit=quality_per_digit, seed=recipe.seed),
            EpochHistory(folder / "history.json", plot_path=folder / "loss_plot.png"),
            # Last, so that an epoch counts as done only once all of its files are written.
            Checkpoint(folder / "checkpoint"),
        ]
        started = time.perf_counter()
        with synchronized_batch_norm(gan.generator):
            gan.fit(dataset, epochs=recipe.epochs, callbacks=callbacks, verbose=verbose)
    return gan, time.perf_counter() - started


def save_final_grid(generator: keras.Model, path: Path, seed: int) -> None:
    """A 5×5 grid of digits 0, 1, …, 9, 0, 1, … (the original's final figure)."""
    labels = np.arange(25, dtype=np.int32) % 10
    images = run_generator(generator, sample_noise(25, generator.inputs[0].shape[-1], seed),
                           labels)
    save_figure(plot_grid(images, 5, title="final generator, digits 0–9 repeating"), path)


def load_epoch_grids(folder: Path) -> dict[int, np.ndarray]:
    """The per-epoch grid pictures a run wrote, as {epoch: uint8 array (1, H, W)}."""
    return {int(path.stem.rsplit("_", 1)[1]): np.asarray(Image.open(path))[np.newaxis]
            for path in sorted((Path(folder) / "epochs").glob("generated_epoch_*.png"))}
