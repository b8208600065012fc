"""Train a recipe for a fixed number of generator (G) updates, recording quality against them:
how notebook 7 compares losses on an equal budget, and reproduces failures in minutes. A budget in
G updates, unlike one in seconds, gives the same run, and the same numbers, on any machine.

`train_for_updates` fits a recipe's GAN in *reports* of `report_updates` G updates each (of
`report_updates` × `discriminator_steps` batches, since G is updated on every
`discriminator_steps`-th batch), and stops after the report at which G's updates reach the budget.
After each report it logs the report's mean losses, G's mean gradient norm, the training seconds
so far (scoring excluded), G's updates so far and the quality scores of `QualityPerEpoch`. The
images and labels are passed in, so that a run can be given labels that do not match its images.
In float16 (Keras's `LossScaleOptimizer`) a step whose gradients overflow is skipped, and not
counted: the logged `generator_updates` can then end a few short of the budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from cgan_lib.backends.runtime import keras
from cgan_lib.evaluation.report import Report
from cgan_lib.gan.model import GAN
from cgan_lib.gan.sampling import digit_rows_inputs, run_generator
from cgan_lib.recipes.recipe import Recipe
from cgan_lib.training.callbacks import QualityPerEpoch
from cgan_lib.training.fit import fit_recipe


class TrainingClock(keras.callbacks.Callback):
    """Adds `seconds`, the training time so far without the time of other callbacks, and
    `generator_updates`, G's updates so far, to every epoch's logs. It must come first among the
    callbacks, so that it stops the clock before they run."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds = 0.0
        self.started = 0.0

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.seconds += time.perf_counter() - self.started
        if logs is not None:
            logs["seconds"] = self.seconds
            logs["generator_updates"] = float(keras.ops.convert_to_numpy(
                self.model.generator_optimizer.iterations))


@dataclass
class BudgetRun:
    """One budgeted run: its recipe, the trained GAN, the logs of every report (columns such as
    "seconds", "d_loss", "frechet_distance"), a grid of ten samples of each digit at the end, and
    the final `Report` (scores and diversity)."""

    recipe: Recipe
    gan: GAN
    history: dict[str, list[float]]
    grid: np.ndarray
    report: Report

    @property
    def seconds(self) -> float:
        """The run's training time, scoring excluded."""
        return self.history["seconds"][-1]

    def summary(self) -> str:
        """One line: seconds, G's updates, final scores and diversity."""
        scores, diversity = self.report.scores, self.report.diversity
        return (f"{self.seconds:.0f} s, {self.history['generator_updates'][-1]:,.0f} G updates: "
                f"accuracy {scores.accuracy:.3f} (worst digit "
                f"{min(scores.accuracy_per_digit):.3f}), FD {scores.frechet_distance:.1f}, "
                f"precision {diversity.precision:.2f}, recall {diversity.recall:.2f}, "
                f"per-digit FD {diversity.mean_frechet_distance_per_digit:.1f}")


def comparison_table(runs: dict[str, BudgetRun]) -> str:
    """A text table of several runs' final numbers, one row per run, real data last."""
    width = max(len(name) for name in [*runs, "real training images"])
    header = (f"{'run':{width}s} {'seconds':>7s} {'G updates':>9s} {'accuracy':>8s} "
              f"{'worst':>6s} {'FD':>6s} {'precision':>9s} {'recall':>6s} {'per-digit FD':>12s}")
    rows = [header]
    for name, run in runs.items():
        scores, diversity = run.report.scores, run.report.diversity
        updates = run.history["generator_updates"][-1]
        rows.append(f"{name:{width}s} {run.seconds:7.0f} {updates:9,.0f} "
                    f"{scores.accuracy:8.3f} {min(scores.accuracy_per_digit):6.3f} "
                    f"{scores.frechet_distance:6.1f} {diversity.precision:9.2f} "
                    f"{diversity.recall:6.2f} {diversity.mean_frechet_distance_per_digit:12.1f}")
    real_scores, real_diversity = run.report.real_scores, run.report.real_diversity
    rows.append(f"{'real training images':{width}s} {'':7s} {'':9s} {real_scores.accuracy:8.3f} "
                f"{min(real_scores.accuracy_per_digit):6.3f} {real_scores.frechet_distance:6.1f} "
                f"{real_diversity.precision:9.2f} {real_diversity.recall:6.2f} "
                f"{real_diversity.mean_frechet_distance_per_digit:12.1f}")
    return "\n".join(rows)


def rank_correlation(first, second) -> float:
    """Spearman's rank correlation of two equally long sequences: 1 when one rises exactly
    when the other does, -1 when it falls, near 0 when they are unrelated."""
    ranks = [np.argsort(np.argsort(np.asarray(values, float))) for values in (first, second)]
    return float(np.corrcoef(*ranks)[0, 1])


def train_for_updates(recipe: Recipe, generator_updates: int, images: np.ndarray,
                      labels: np.ndarray, *, report_updates: int = 100, per_digit: int = 100,
                      final_per_digit: int = 500) -> BudgetRun:
    """Train `recipe`'s GAN on `images` (in [-1, 1]) and `labels` for `generator_updates` G
    updates, a multiple of `report_updates`, scoring the sampling generator on 10 × `per_digit`
    images after every report of `report_updates` G updates, and at the end on
    10 × `final_per_digit` images (`Report`)."""
    if report_updates < 1:
        raise ValueError(f"report_updates must be at least 1 (G updates per report), got "
                         f"{report_updates}")
    if generator_updates < 1 or generator_updates % report_updates:
        raise ValueError(
            f"generator_updates={generator_updates} must be a positive multiple of "
            f"report_updates={report_updates}: round it to one, or pass a report_updates that "
            "divides it")
    # `GAN.step` trains D on every batch and G on every `discriminator_steps`-th one (on every
    # batch with `reuse_generator_pass`, which a recipe allows only with one D step).
    callbacks = [TrainingClock(), QualityPerEpoch(per_digit=per_digit, seed=recipe.seed)]
    fitted = fit_recipe(recipe, callbacks, data=(images, labels),
                        epochs=generator_updates // report_updates,
                        steps_per_epoch=report_updates * recipe.objective.discriminator_steps)
    gan, history = fitted.gan, fitted.history
    generator = gan.sampling_generator
    grid = run_generator(generator,
                         *digit_rows_inputs(10, recipe.architecture.latent_dim, recipe.seed))
    return BudgetRun(recipe, gan, history, grid,
                     Report.measure(generator, per_digit=final_per_digit, seed=recipe.seed))
