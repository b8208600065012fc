"""Tests for cgan_lib.lessons.budget: a budgeted run makes `report_updates` G updates per report
and stops once they reach its budget, and logs its training seconds, G's updates and quality
scores at every report; bad budgets are refused before anything is built."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backends.runtime import keras
from cgan_lib.data.pipeline import to_tanh_range
from cgan_lib.lessons.budget import comparison_table, train_for_updates
from cgan_lib.recipes.named import LAPTOP_RECIPE


@pytest.fixture(scope="module")
def small(tiny_recipe):
    """`small(recipe)`: the recipe, tiny, on 256 images at a constant rate, in float32."""
    return lambda recipe: tiny_recipe(recipe, training_images=256, linear_decay=False,
                                      mixed_precision=False)


@pytest.fixture(scope="module")
def digits(mnist):
    """The first 256 training images in [-1, 1], and their digits."""
    (images, labels), _ = mnist
    return to_tanh_range(images[:256]), labels[:256]


# G is updated on every batch (its pass reused by D), or on every second batch after two D steps.
TWO_DISCRIMINATOR_STEPS = LAPTOP_RECIPE.changed(discriminator_steps=2, reuse_generator_pass=False)


@pytest.mark.slow  # 9 G updates, with quality scores at every report
@pytest.mark.parametrize(("recipe", "discriminator_steps"), [(LAPTOP_RECIPE, 1),
                                                             (TWO_DISCRIMINATOR_STEPS, 2)])
def test_a_budgeted_run_makes_its_g_updates_in_reports_and_stops_at_its_budget(
        digits, small, recipe, discriminator_steps):
    run = train_for_updates(small(recipe), 9, *digits, report_updates=3, per_digit=5,
                            final_per_digit=5)
    np.testing.assert_array_equal(run.history["generator_updates"], 3 * np.arange(1, 4))
    discriminator_updates = keras.ops.convert_to_numpy(run.gan.discriminator_optimizer.iterations)
    assert discriminator_updates == 9 * discriminator_steps
    seconds = run.history["seconds"]
    assert seconds[0] > 0 and np.all(np.diff(seconds) > 0)
    for name in ("conditional_accuracy", "frechet_distance", "d_adversarial_loss"):
        assert len(run.history[name]) == 3 and np.all(np.isfinite(run.history[name]))
    assert run.grid.shape == (100, 28, 28, 1)
    assert run.report.scores.count == 50 and run.seconds == seconds[-1]
    assert " s, 9 G updates: accuracy " in run.summary()
    assert comparison_table({"run": run}).splitlines()[1].split()[:3] == [
        "run", f"{run.seconds:.0f}", "9"]
    table = comparison_table({"a run with a long name, 25": run, "r": run}).splitlines()
    long_name, short_name = table[1:3]
    assert len(long_name) == len(short_name)  # the columns line up whatever the names' lengths


@pytest.mark.parametrize(("generator_updates", "report_updates", "message"), [
    (0, 1, "generator_updates=0 must be a positive multiple of report_updates=1"),
    (10, 3, "generator_updates=10 must be a positive multiple of report_updates=3: round it"),
    (-3, 3, "generator_updates=-3 must be a positive multiple"),
    (10, 0, r"report_updates must be at least 1 \(G updates per report\), got 0"),
])
def test_bad_budgets_are_refused(digits, small, generator_updates, report_updates, message):
    with pytest.raises(ValueError, match=message):
        train_for_updates(small(LAPTOP_RECIPE), generator_updates, *digits,
                          report_updates=report_updates)


def test_images_and_labels_must_match(digits, small):
    with pytest.raises(ValueError, match="256 images but 10 labels: they must match"):
        train_for_updates(small(LAPTOP_RECIPE), 1, digits[0], digits[1][:10], report_updates=1)
