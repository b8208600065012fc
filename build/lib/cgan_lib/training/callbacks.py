"""Keras callbacks for GAN training: per-epoch sample grids (and a GIF of them), a monitor that
measures D and G on a fixed probe batch every few steps (losses, D's accuracy, G's gradient norm),
a per-epoch history file that survives resumed runs, and quality scores per epoch.

Both take their fixed inputs once, so that epochs, and runs, are compared on the same noise.
Files are written only under the folder they are given, each through `atomic_path`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from PIL import Image

from cgan_lib.backends.runtime import keras
from cgan_lib.drawing.pictures import grid_picture
from cgan_lib.drawing.plots import plot_curves
from cgan_lib.evaluation.metrics import score_generator, score_unconditional_generator
from cgan_lib.gan.sampling import (
    digit_rows_inputs,
    is_conditional,
    latent_dim_of,
    run_generator,
    sample_noise,
)
from cgan_lib.storage.files import atomic_path, save_figure


class SampleGrid(keras.callbacks.Callback):
    """After every epoch, draw the generator's images from fixed inputs and save them as a PNG.

    A conditional generator gets one row per digit 0–9; an unconditional one a square grid.
    `grids` maps the epoch number (from 1) to the images, for plotting in a notebook.
    """

    def __init__(self, folder: Path, columns: int = 10, seed: int = 0,
                 filename: str = "generated_epoch_{epoch:02d}.png") -> None:
        super().__init__()
        self.folder = Path(folder)
        self.columns = columns
        self.seed = seed
        self.filename = filename
        self.grids: dict[int, np.ndarray] = {}
        self.inputs: tuple[np.ndarray, np.ndarray | None] | None = None

    def on_train_begin(self, logs=None) -> None:
        if self.inputs is not None:  # keep the same inputs across several fit() calls
            return
        generator = self.model.sampling_generator
        if is_conditional(generator):
            self.inputs = digit_rows_inputs(self.columns, latent_dim_of(generator), self.seed)
        else:
            count = self.columns * self.columns
            self.inputs = (sample_noise(count, latent_dim_of(generator), self.seed), None)
        self.folder.mkdir(parents=True, exist_ok=True)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        images = run_generator(self.model.sampling_generator, *self.inputs)
        self.grids[epoch + 1] = images
        with atomic_path(self.folder / self.filename.format(epoch=epoch + 1)) as temporary:
            self.grid_image(images).save(temporary)

    def grid_image(self, images: np.ndarray) -> Image.Image:
        """The images tiled into one grayscale picture, one pixel per pixel."""
        return Image.fromarray(grid_picture(images, self.columns))

    def save_gif(self, path: Path, milliseconds_per_frame: int = 400) -> Path:
        """Write the grids of all epochs so far as an animated GIF; returns the path."""
        if not self.grids:
            raise ValueError("no grids yet: train for at least one epoch first")
        frames = [self.grid_image(images) for _, images in sorted(self.grids.items())]
        with atomic_path(path) as temporary:
            frames[0].save(temporary, save_all=True, append_images=frames[1:],
                           duration=milliseconds_per_frame, loop=0)
        return Path(path)


class TrainingMonitor(keras.callbacks.Callback):
    """Every `every_steps` training steps, measure the GAN on a fixed probe batch.

    Records, in `history` (a dict of lists): the step, the epoch, the seconds since training began,
    how many updates G has had so far (`generator_updates`), and `GAN.diagnostics`: D and G
    losses, D's accuracy on real and on fake images, and the norm of G's gradient. Measured in
    inference mode on fixed data, so the numbers of two runs compare.
    """

    def __init__(self, real_images: np.ndarray, real_labels: np.ndarray | None = None,
                 every_steps: int = 25, seed: int = 0) -> None:
        super().__init__()
        if every_steps < 1:
            raise ValueError(f"every_steps must be at least 1, got {every_steps}")
        self.real_images = np.asarray(real_images, dtype=np.float32)
        self.real_labels = None if real_labels is None else np.asarray(real_labels, np.int32)
        self.every_steps = every_steps
        self.seed = seed
        self.history: dict[str, list[float]] = {}
        self.step = 0
        self.epoch = 0
        self.elapsed = 0.0
        self.probe_inputs = None

    def on_train_begin(self, logs=None) -> None:
        self.started = time.perf_counter() - self.elapsed
        if self.probe_inputs is None:
            count = len(self.real_images)
            noise = sample_noise(count, self.model.latent_dim, self.seed)
            labels = None
            if self.model.conditional:
                labels = np.random.default_rng(self.seed).integers(0, 10, (count, 1), np.int32)
            self.probe_inputs = (noise, labels)
            self.record()

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self.step += 1
        if self.step % self.every_steps == 0:
            self.record()

    def on_train_end(self, logs=None) -> None:
        if self.step % self.every_steps:  # so that the record ends where training ended
            self.record()
        self.elapsed = time.perf_counter() - self.started

    def record(self) -> None:
        # On JAX, Keras keeps an epoch's state apart from the model's variables until the epoch
        # ends; reading `self.model` (not `self._model`) copies it back first.
        values = self.model.diagnostics(self.real_images, self.real_labels, *self.probe_inputs)
        values.update(step=self.step, epoch=self.epoch,
                      generator_updates=int(self.model.generator_optimizer.iterations),
                      seconds=time.perf_counter() - self.started)
        for name, value in values.items():
            self.history.setdefault(name, []).append(value)


class EpochHistory(keras.callbacks.Callback):
    """Keep a per-epoch log in a JSON file across interrupted and resumed runs, and redraw the
    loss plot after every epoch. Each entry holds the epoch number (from 1), the epoch's logs, and
    `seconds`: the epoch's wall time, including the callbacks that ran before this one.

    When training resumes at epoch k (after a crash, from a checkpoint), entries for epochs ≥ k
    are dropped first, so no epoch is ever counted twice.
    """

    def __init__(self, path: Path, plot_path: Path | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.plot_path = plot_path
        self.epochs: list[dict[str, float]] = []
        self.first_epoch_seen = False
        self.epoch_started = 0.0

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        if not self.first_epoch_seen:
            self.first_epoch_seen = True
            self.epochs = [entry for entry in read_epoch_history(self.path)
                           if entry["epoch"] <= epoch]
        self.epoch_started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        entry = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()},
                 "seconds": time.perf_counter() - self.epoch_started}
        self.epochs = [e for e in self.epochs if e["epoch"] != epoch + 1] + [entry]
        with atomic_path(self.path) as temporary:
            temporary.write_text(json.dumps(self.epochs, indent=1))
        if self.plot_path is not None:
            save_figure(plot_curves({"run": as_columns(self.epochs)},
                                    {"losses per epoch": ["d_loss", "g_loss"]}, x="epoch"),
                        self.plot_path)


def read_epoch_history(path: Path) -> list[dict[str, float]]:
    """The entries an `EpochHistory` wrote (an empty list if there is no file yet)."""
    path = Path(path)
    return json.loads(path.read_text()) if path.is_file() else []


def as_columns(entries: list[dict[str, float]]) -> dict[str, list[float]]:
    """[{epoch: 1, d_loss: …}, …] → {"epoch": [1, …], "d_loss": […], …}."""
    return {key: [entry.get(key, float("nan")) for entry in entries]
            for key in dict.fromkeys(k for entry in entries for k in entry)}


def with_elapsed_seconds(entries: list[dict[str, float]]) -> dict[str, list[float]]:
    """`as_columns`, plus "elapsed seconds": the wall time since training began at each epoch's
    end (the running sum of the epochs' `seconds`), for plotting quality against time."""
    columns = as_columns(entries)
    columns["elapsed seconds"] = np.cumsum(columns.get("seconds", [])).tolist()
    return columns


class QualityPerEpoch(keras.callbacks.Callback):
    """After every epoch, score the generator with the project's classifier and add the scores
    to the epoch's logs: the Fréchet distance to the test set (on 10 × `per_digit` images), and
    for a conditional generator also the conditional accuracy."""

    def __init__(self, per_digit: int = 200, seed: int = 0) -> None:
        super().__init__()
        self.per_digit = per_digit
        self.seed = seed

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        generator = self.model.sampling_generator
        if is_conditional(generator):
            scores = score_generator(generator, self.per_digit, self.seed)
            quality = {"conditional_accuracy": scores.accuracy,
                       "frechet_distance": scores.frechet_distance}
        else:
            quality = {"frechet_distance": score_unconditional_generator(
                generator, 10 * self.per_digit, self.seed)}
        if logs is not None:
            logs.update(quality)
