"""The training-schedule experiment of notebook 03: alternating vs phased, on equal terms.

Each run starts from the same initial weights and seed and makes the same number of D updates and
of G updates: `rounds` alternating epochs (one D and one G update per batch) against `2 * rounds`
phased epochs (an epoch of D updates, then an epoch of G updates, per round).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cgan_lib.backend import keras, tf
from cgan_lib.callbacks import QualityPerEpoch, SampleGrid, TrainingMonitor
from cgan_lib.config import set_seed
from cgan_lib.gan import GAN

ModelBuilder = Callable[[], keras.Model]


@dataclass
class ScheduleRun:
    """What one run produced: per-epoch logs, probe measurements, grids and Fréchet distance
    per round, wall time."""

    name: str
    history: dict[str, list[float]]
    monitor: dict[str, list[float]]
    grids_by_round: dict[int, np.ndarray]
    frechet_by_round: dict[int, float]
    seconds: float


def initial_weights(build_generator: ModelBuilder, build_discriminator: ModelBuilder,
                    seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Build both networks once from `seed` and return their weights, to start every run from."""
    set_seed(seed)
    return build_generator().get_weights(), build_discriminator().get_weights()


def run_schedule(
    schedule: str,
    *,
    rounds: int,
    dataset: tf.data.Dataset,
    probe_images: np.ndarray,
    build_generator: ModelBuilder,
    build_discriminator: ModelBuilder,
    weights: tuple[list[np.ndarray], list[np.ndarray]],
    folder: Path,
    generator_loss: str = "non_saturating",
    learning_rate: float = 2e-4,
    seed: int = 504,
    monitor_every_steps: int = 50,
) -> ScheduleRun:
    """Train one GAN with `schedule` for `rounds` rounds and return what it recorded."""
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds}")
    set_seed(seed)
    generator, discriminator = build_generator(), build_discriminator()
    generator.set_weights(weights[0])
    discriminator.set_weights(weights[1])
    gan = GAN(generator, discriminator, schedule=schedule, generator_loss=generator_loss,
              seed=seed)
    gan.compile(generator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=0.5),
                discriminator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=0.5))
    epochs_per_round = 1 if schedule == "alternating" else 2
    grids = SampleGrid(folder)
    monitor = TrainingMonitor(probe_images, every_steps=monitor_every_steps, seed=seed)
    started = time.perf_counter()
    history = gan.fit(dataset, epochs=rounds * epochs_per_round,
                      callbacks=[grids, monitor, QualityPerEpoch(per_digit=100, seed=seed)],
                      verbose=0)
    seconds = time.perf_counter() - started
    round_ends = range(epochs_per_round, rounds * epochs_per_round + 1, epochs_per_round)
    name = f"{schedule}, {generator_loss.replace('_', '-')}"
    return ScheduleRun(
        name, history.history, monitor.history,
        {epoch // epochs_per_round: grids.grids[epoch] for epoch in round_ends},
        {epoch // epochs_per_round: history.history["frechet_distance"][epoch - 1]
         for epoch in round_ends},
        seconds,
    )


def summarize(runs: list[ScheduleRun]) -> str:
    """A text table: for each run, D's accuracy and G's gradient norm at the end, the smallest
    gradient norm seen in the second half of training, the final Fréchet distance (1,000 samples
    against the test set; lower is better) and the wall time."""
    lines = [f"{'run':30s} {'D acc real':>10s} {'D acc fake':>10s} {'|grad G| end':>12s} "
             f"{'|grad G| min, 2nd half':>22s} {'Fréchet':>8s} {'seconds':>8s}"]
    for run in runs:
        norms = run.monitor["g_gradient_norm"]
        lines.append(
            f"{run.name:30s} {run.monitor['d_real_accuracy'][-1]:10.2f} "
            f"{run.monitor['d_fake_accuracy'][-1]:10.2f} {norms[-1]:12.4f} "
            f"{min(norms[len(norms) // 2:]):22.4f} "
            f"{run.frechet_by_round[max(run.frechet_by_round)]:8.1f} {run.seconds:8.0f}"
        )
    return "\n".join(lines)
