"""Train a conditional DCGAN from a recipe into a folder, end to end and resumably.

`train_recipe` fits the recipe's GAN (`cgan_lib.training.fit`) with callbacks that write, under
one folder: the recipe (`recipe.json`), a sample grid per epoch (`epochs/generated_epoch_NN.png`),
the per-epoch log (`history.json`: losses, D accuracy, quality scores, seconds), the loss plot
(`loss_plot.png`), a final 5×5 grid (`final_grid.png`), and the generator (`generator.keras`,
`generator.json`, `generator.weights.h5`), each through `cgan_lib.storage.files.atomic_path`. A
checkpoint after every epoch (`checkpoint/`) lets the same call, run again after an
interruption, continue from the last completed epoch; a run holds the folder's lock
(`train.lock`) while it trains (see `cgan_lib.training.checkpoints`). A run into a folder that
holds another recipe's checkpoint is refused before any of the run's files is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from cgan_lib.backends.devices import check_devices
from cgan_lib.backends.runtime import keras
from cgan_lib.drawing.plots import plot_grid
from cgan_lib.gan.model import GAN
from cgan_lib.gan.sampling import run_generator, sample_noise
from cgan_lib.recipes.named import REFERENCE_RECIPE
from cgan_lib.recipes.recipe import RECIPE_FILE, Recipe, read_recipe
from cgan_lib.settings import outputs_dir
from cgan_lib.storage.files import atomic_path, remove_temporaries, save_figure, writable_folder
from cgan_lib.storage.generators import save_generator
from cgan_lib.training.build import float32_generator
from cgan_lib.training.callbacks import (
    EpochHistory,
    QualityPerEpoch,
    SampleGrid,
    read_epoch_history,
)
from cgan_lib.training.checkpoints import Checkpoint, folder_lock
from cgan_lib.training.fit import fit_recipe


@dataclass
class TrainingRun:
    """The outcome of `train_recipe`: where the files are, the trained GAN, and the epoch log."""

    folder: Path
    gan: GAN
    history: list[dict[str, float]]
    seconds: float


def check_same_recipe(recipe: Recipe, folder: Path) -> None:
    """A `ValueError` in one line if `folder` holds a checkpoint of a recipe that differs from
    `recipe` in anything but its epochs (training longer is what resuming is for)."""
    path = Path(folder) / RECIPE_FILE
    if not path.is_file() or not (Path(folder) / "checkpoint").is_dir():
        return
    differences = read_recipe(path).differences(recipe)
    differences.pop("epochs", None)
    if differences:
        changes = ", ".join(f"{name} {old!r} → {new!r}"
                            for name, (old, new) in differences.items())
        raise ValueError(f"{folder} holds a run of another recipe ({changes}): to continue it, "
                         f"train with --recipe {path} --output {folder}; to start this one, "
                         "train into another folder (--output)")


def train_recipe(recipe: Recipe = REFERENCE_RECIPE, folder: Path | None = None, *,
                 epochs: int | None = None, devices: int = 1, quality_per_digit: int = 200,
                 verbose: int | str = "auto") -> TrainingRun:
    """Train (or resume training) the recipe's GAN for `epochs` epochs in all (default: the
    recipe's), writing everything under `folder` (default: `outputs/models/<recipe name>`),
    data parallel on `devices` devices (see `cgan_lib.backends.devices`). A `linear_decay`
    recipe's learning rates reach 0 at the end of those `epochs`."""
    if epochs is not None:
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be at least 1, got {epochs!r}")
        recipe = recipe.changed(epochs=epochs)
    check_devices(devices, recipe)
    folder = Path(folder) if folder is not None else outputs_dir("models", recipe.name)
    writable_folder(folder / "epochs")
    with folder_lock(folder):
        check_same_recipe(recipe, folder)
        remove_temporaries(folder)
        with atomic_path(folder / RECIPE_FILE) as temporary:
            temporary.write_text(recipe.to_json())
        callbacks = [
            SampleGrid(folder / "epochs", columns=10, seed=recipe.seed),
            QualityPerEpoch(per_digit=quality_per_digit, seed=recipe.seed),
            EpochHistory(folder / "history.json", plot_path=folder / "loss_plot.png"),
        ]
        fitted = fit_recipe(recipe, callbacks, devices=devices,
                            checkpoint=Checkpoint(folder / "checkpoint"), verbose=verbose)
        generator = float32_generator(fitted.gan.sampling_generator, recipe)
        save_generator(generator, folder)
        save_final_grid(generator, folder / "final_grid.png", seed=recipe.seed)
    return TrainingRun(folder, fitted.gan, read_epoch_history(folder / "history.json"),
                       fitted.seconds)


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
