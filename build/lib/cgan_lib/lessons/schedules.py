"""The schedule experiment of notebook 03: four ways for D and G to take turns, on equal terms.

- "alternating": one D update, then one G update, on every mini-batch (`GAN`'s own step);
- "simultaneous": both updated at once from one forward pass, G's gradient taken against D as it
  was before D's update (`SimultaneousGAN`, the step of TensorFlow's DCGAN tutorial);
- "discriminator_steps": D updated on every mini-batch and G on every k-th (`GAN` with the
  recipe field `discriminator_steps=k`);
- "phased": whole epochs of D updates with G frozen, then whole epochs of G updates with D frozen
  (`PhasedGAN`).

Each run starts from the same initial weights and seed, and G gets the same number of updates in
each: a *round* is one pass of G updates over the data (one epoch of the first two schedules, k
epochs of the third, two of the fourth).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cgan_lib.backends.runtime import keras, tf
from cgan_lib.backends.seeding import set_seed
from cgan_lib.backends.step import losses_and_gradients, run_if
from cgan_lib.gan.losses import global_norm
from cgan_lib.gan.model import GAN
from cgan_lib.recipes.named import REFERENCE_RECIPE
from cgan_lib.recipes.recipe import Recipe
from cgan_lib.training.callbacks import QualityPerEpoch, SampleGrid, TrainingMonitor
from cgan_lib.training.fit import fit_recipe

ops = keras.ops
ModelBuilder = Callable[[], keras.Model]
SCHEDULES = ("alternating", "simultaneous", "discriminator_steps", "phased")


class SimultaneousGAN(GAN):
    """A GAN whose step updates D and G at once, from one generated batch and one pass of D."""

    def step(self, data):
        real_images, real_labels = self.split_batch(data)
        noise, fake_labels = self.sample_inputs(ops.shape(real_images)[0])

        def compute():
            fake_images = self.generate(noise, fake_labels, training=True)
            real_logits, _ = self.judge(real_images, real_labels)
            fake_logits, _ = self.judge(fake_images, fake_labels)
            return (self.generator_loss(fake_logits),
                    self.adversarial_discriminator_loss(real_logits, fake_logits),
                    real_logits, fake_logits)

        generator_variables = self.generator.trainable_variables
        discriminator_variables = self.discriminator.trainable_variables
        outputs, (generator_gradients, discriminator_gradients) = losses_and_gradients(
            self, compute, [generator_variables, discriminator_variables])
        generator_loss, discriminator_loss, real_logits, fake_logits = outputs
        self.discriminator_optimizer.apply(discriminator_gradients, discriminator_variables)
        self.generator_optimizer.apply(generator_gradients, generator_variables)
        self.track(d_loss=discriminator_loss, d_adversarial_loss=discriminator_loss,
                   g_loss=generator_loss,
                   d_real_accuracy=ops.mean(real_logits > 0),
                   d_fake_accuracy=ops.mean(fake_logits < 0),
                   g_gradient_norm=global_norm(generator_gradients))
        return self.logs()


DISCRIMINATOR_PHASE, GENERATOR_PHASE = 0, 1


class PhasedGAN(GAN):
    """A GAN trained in phases: even epochs update D with G frozen, odd epochs update G with D
    frozen. A frozen network gets no update at all (G also runs in inference mode while D trains,
    so that its BatchNorm statistics stay put). `fit` switches the phase at every epoch's start."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.average_generator is not None or self.reuse_generator_pass:
            raise ValueError("weight_average and reuse_generator_pass belong to alternating steps: "
                             "set both back to their defaults for PhasedGAN")
        self.phase = keras.Variable(DISCRIMINATOR_PHASE, dtype="int32", trainable=False,
                                    name="phase")

    def step(self, data):
        real_images, real_labels = self.split_batch(data)
        batch_size = ops.shape(real_images)[0]
        run_if(self, ops.equal(self.phase, DISCRIMINATOR_PHASE),
               lambda: self.discriminator_update_on_fresh_fakes(real_images, real_labels,
                                                                generator_training=False),
               lambda: self.generator_update(batch_size))
        return self.logs()

    def fit(self, x=None, *args, callbacks=None, **kwargs):
        """`GAN.fit`, with a `PhaseSwitcher` first among the callbacks."""
        return super().fit(x, *args, callbacks=[PhaseSwitcher(), *(callbacks or [])], **kwargs)


class PhaseSwitcher(keras.callbacks.Callback):
    """Sets a `PhasedGAN`'s phase at each epoch's start: D in even epochs, G in odd ones.

    At the end of an epoch, the frozen network's metrics (not measured that epoch) are logged as
    NaN rather than as a misleading 0.
    """

    FROZEN_METRICS = {
        DISCRIMINATOR_PHASE: ("g_loss", "g_gradient_norm"),
        GENERATOR_PHASE: ("d_loss", "d_adversarial_loss", "d_real_accuracy", "d_fake_accuracy"),
    }

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self.model.phase.assign(DISCRIMINATOR_PHASE if epoch % 2 == 0 else GENERATOR_PHASE)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        for name in self.FROZEN_METRICS[int(ops.convert_to_numpy(self.model.phase))]:
            if logs is not None and name in logs:
                logs[name] = float("nan")


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


GAN_CLASSES = {"alternating": GAN, "simultaneous": SimultaneousGAN, "discriminator_steps": GAN,
               "phased": PhasedGAN}


def schedule_recipe(schedule: str, *, generator_loss: str = "non_saturating",
                    discriminator_steps: int = 3, learning_rate: float = 2e-4, seed: int = 504,
                    epochs: int = 1) -> Recipe:
    """The reference recipe with the schedule's objective: the adversarial loss
    `generator_loss` ("non_saturating" or "minimax"), and with "discriminator_steps",
    `discriminator_steps` D updates per G update."""
    if schedule not in GAN_CLASSES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    return REFERENCE_RECIPE.changed(
        name=schedule, seed=seed, epochs=epochs, adversarial_loss=generator_loss,
        learning_rate=learning_rate,
        discriminator_steps=discriminator_steps if schedule == "discriminator_steps" else 1)


def schedule_name(schedule: str, discriminator_steps: int) -> str:
    """A run's name in tables and legends, e.g. "3 D steps per G step"."""
    if schedule == "discriminator_steps":
        return f"{discriminator_steps} D steps per G step"
    return schedule


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
    discriminator_steps: int = 3,
    learning_rate: float = 2e-4,
    seed: int = 504,
    monitor_every_steps: int = 50,
) -> ScheduleRun:
    """Train one GAN with `schedule` for `rounds` rounds, from `weights`, and return what it
    recorded."""
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds}")
    epochs_per_round = {"discriminator_steps": discriminator_steps, "phased": 2}.get(schedule, 1)
    recipe = schedule_recipe(schedule, generator_loss=generator_loss,
                             discriminator_steps=discriminator_steps, learning_rate=learning_rate,
                             seed=seed, epochs=rounds * epochs_per_round)

    def networks() -> tuple[keras.Model, keras.Model]:
        generator, discriminator = build_generator(), build_discriminator()
        generator.set_weights(weights[0])
        discriminator.set_weights(weights[1])
        return generator, discriminator

    grids = SampleGrid(folder)
    monitor = TrainingMonitor(probe_images, every_steps=monitor_every_steps, seed=seed)
    fitted = fit_recipe(recipe, [grids, monitor, QualityPerEpoch(per_digit=100, seed=seed)],
                        data=dataset, networks=networks, gan_class=GAN_CLASSES[schedule])
    round_ends = range(epochs_per_round, rounds * epochs_per_round + 1, epochs_per_round)
    name = f"{schedule_name(schedule, discriminator_steps)}, {generator_loss.replace('_', '-')}"
    return ScheduleRun(
        name, fitted.history, monitor.history,
        {epoch // epochs_per_round: grids.grids[epoch] for epoch in round_ends},
        {epoch // epochs_per_round: fitted.history["frechet_distance"][epoch - 1]
         for epoch in round_ends},
        fitted.seconds,
    )


def summarize(runs: list[ScheduleRun]) -> str:
    """A text table: for each run, G's updates, D's accuracy and G's gradient norm at the end,
    the smallest gradient norm seen in the second half of training, the final Fréchet distance
    (1,000 samples against the test set; lower is better) and the wall time."""
    lines = [f"{'run':36s} {'G updates':>9s} {'D acc real':>10s} {'D acc fake':>10s} "
             f"{'|grad G| end':>12s} {'|grad G| min, 2nd half':>22s} {'Fréchet':>8s} "
             f"{'seconds':>8s}"]
    for run in runs:
        norms = run.monitor["g_gradient_norm"]
        lines.append(
            f"{run.name:36s} {run.monitor['generator_updates'][-1]:9d} "
            f"{run.monitor['d_real_accuracy'][-1]:10.2f} "
            f"{run.monitor['d_fake_accuracy'][-1]:10.2f} {norms[-1]:12.4f} "
            f"{min(norms[len(norms) // 2:]):22.4f} "
            f"{run.frechet_by_round[max(run.frechet_by_round)]:8.1f} {run.seconds:8.0f}"
        )
    return "\n".join(lines)
