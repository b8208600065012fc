"""Tests for the sample-grid and monitor callbacks: they write only under the given folder."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cgan_lib.backends.runtime import keras
from cgan_lib.data.pipeline import make_dataset
from cgan_lib.drawing.plots import plot_curves
from cgan_lib.gan.model import GAN
from cgan_lib.gan.networks import build_mlp_discriminator, build_mlp_generator
from cgan_lib.settings import outputs_dir
from cgan_lib.training.callbacks import SampleGrid, TrainingMonitor, with_elapsed_seconds


@pytest.mark.backend
def test_callbacks_write_grids_and_a_gif_and_record_diagnostics(outputs):
    generator = build_mlp_generator(latent_dim=8, hidden_units=(16,), conditional=True)
    discriminator = build_mlp_discriminator(hidden_units=(16,), conditional=True)
    gan = GAN(generator, discriminator, seed=0)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (24, 28, 28, 1)).astype(np.float32)
    labels = rng.integers(0, 10, 24)
    folder = outputs_dir("test_callbacks")
    grid = SampleGrid(folder, columns=4)
    monitor = TrainingMonitor(images[:8], labels[:8], every_steps=2)
    gan.fit(make_dataset(images, labels, batch_size=8, seed=0), epochs=2, verbose=0,
            callbacks=[grid, monitor])

    assert folder.is_relative_to(outputs)
    assert sorted(p.name for p in folder.iterdir()) == ["generated_epoch_01.png",
                                                        "generated_epoch_02.png"]
    assert sorted(grid.grids) == [1, 2] and grid.grids[1].shape == (40, 28, 28, 1)
    gif = Image.open(grid.save_gif(folder / "training.gif"))
    assert gif.n_frames == 2
    assert monitor.history["step"] == [0, 2, 4, 6]
    assert all(np.isfinite(monitor.history["g_gradient_norm"]))
    # Each record measures the networks as they are at its step, mid-epoch too (step 2 of 3):
    # JAX keeps an epoch's state apart from the model's variables until the epoch ends.
    g_losses = monitor.history["g_loss"]
    assert len(set(g_losses)) == 4, g_losses

    figure = plot_curves({"run": monitor.history}, {"D accuracy": ["d_real_accuracy"]}, x="step")
    assert figure.axes[0].get_lines()[0].get_xdata().tolist() == [0, 2, 4, 6]


@pytest.mark.backend
def test_the_monitor_records_the_last_step_and_g_updates_when_training_ends():
    gan = GAN(build_mlp_generator(latent_dim=8, hidden_units=(16,)),
              build_mlp_discriminator(hidden_units=(16,)), seed=0)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    images = np.random.default_rng(0).uniform(-1, 1, (24, 28, 28, 1)).astype(np.float32)
    monitor = TrainingMonitor(images[:8], every_steps=4)
    gan.fit(make_dataset(images, batch_size=8, seed=0), epochs=2, verbose=0, callbacks=[monitor])
    assert monitor.history["step"] == [0, 4, 6]
    assert monitor.history["generator_updates"] == [0, 4, 6]


def test_elapsed_seconds_is_the_running_sum_of_epoch_seconds():
    entries = [{"epoch": 1, "seconds": 60.0, "frechet_distance": 30.0},
               {"epoch": 2, "seconds": 55.5, "frechet_distance": 12.0},
               {"epoch": 3, "seconds": 70.0}]
    columns = with_elapsed_seconds(entries)
    assert columns["elapsed seconds"] == [60.0, 115.5, 185.5]
    assert columns["epoch"] == [1, 2, 3]
    assert columns["frechet_distance"][:2] == [30.0, 12.0]
    assert np.isnan(columns["frechet_distance"][2])
