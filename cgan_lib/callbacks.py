"""Keras callbacks for GAN training: per-epoch sample grids (and a GIF of them), and a monitor that
measures D and G on a fixed probe batch every few steps (losses, D's accuracy, G's gradient norm).

Both take their fixed inputs once, so that epochs, and runs, are compared on the same noise.
Files are written only under the folder they are given.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PIL import Image

from cgan_lib.backend import keras
from cgan_lib.data import from_tanh_range
from cgan_lib.generate import (
    digit_rows_inputs,
    is_conditional,
    latent_dim_of,
    run_generator,
    sample_noise,
)
from cgan_lib.viz import plot_grid, tile_images


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
        generator = self.model.generator
        if is_conditional(generator):
            self.inputs = digit_rows_inputs(self.columns, latent_dim_of(generator), self.seed)
        else:
            count = self.columns * self.columns
            self.inputs = (sample_noise(count, latent_dim_of(generator), self.seed), None)
        self.folder.mkdir(parents=True, exist_ok=True)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        images = run_generator(self.model.generator, *self.inputs)
        self.grids[epoch + 1] = images
        row_labels = [str(d) for d in range(10)] if self.inputs[1] is not None else None
        figure = plot_grid(images, self.columns, row_labels=row_labels,
                           title=f"epoch {epoch + 1}")
        figure.savefig(self.folder / self.filename.format(epoch=epoch + 1), dpi=80)

    def save_gif(self, path: Path, milliseconds_per_frame: int = 400) -> Path:
        """Write the grids of all epochs so far as an animated GIF; returns the path."""
        if not self.grids:
            raise ValueError("no grids yet: train for at least one epoch first")
        rows = int(np.ceil(len(next(iter(self.grids.values()))) / self.columns))
        frames = [Image.fromarray(from_tanh_range(tile_images(images, rows, self.columns)))
                  for _, images in sorted(self.grids.items())]
        frames[0].save(path, save_all=True, append_images=frames[1:],
                       duration=milliseconds_per_frame, loop=0)
        return Path(path)


class TrainingMonitor(keras.callbacks.Callback):
    """Every `every_steps` training steps, measure the GAN on a fixed probe batch.

    Records, in `history` (a dict of lists): the step, the epoch, the seconds since training began,
    and `GAN.diagnostics`: D and G losses, D's accuracy on real and on fake images, and the norm of
    G's gradient. Measured in inference mode on fixed data, so the numbers of two runs compare.
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
        self.elapsed = time.perf_counter() - self.started

    def record(self) -> None:
        values = self.model.diagnostics(self.real_images, self.real_labels, *self.probe_inputs)
        values.update(step=self.step, epoch=self.epoch,
                      seconds=time.perf_counter() - self.started)
        for name, value in values.items():
            self.history.setdefault(name, []).append(value)
