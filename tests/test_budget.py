"""Tests for cgan_lib.lessons.budget: a budgeted run stops after the first report past its
budget, and logs its training seconds, G's updates and quality scores at every report."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.data.pipeline import to_tanh_range
from cgan_lib.lessons.budget import Stopwatch, train_for_seconds
from cgan_lib.recipes.named import LAPTOP_RECIPE, WGAN_GP_RECIPE


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


@pytest.mark.slow  # a 2-second budget, with quality scores at every report
@pytest.mark.parametrize(("recipe", "updates_per_report"), [(LAPTOP_RECIPE, 4),
                                                            (WGAN_GP_RECIPE, 0.8)])
def test_a_budgeted_run_stops_after_the_first_report_past_its_budget(digits, small, recipe,
                                                                     updates_per_report):
    run = train_for_seconds(small(recipe), 2.0, *digits, report_steps=4, per_digit=5,
                            final_per_digit=5)
    seconds = run.history["seconds"]
    assert seconds[-1] >= 2.0 and all(value < 2.0 for value in seconds[:-1])
    assert np.all(np.diff(seconds) > 0)
    reports = np.arange(1, len(seconds) + 1)
    np.testing.assert_array_equal(run.history["generator_updates"],
                                  np.floor(reports * updates_per_report))
    for name in ("conditional_accuracy", "frechet_distance", "d_adversarial_loss"):
        assert len(run.history[name]) == len(seconds) and np.all(np.isfinite(run.history[name]))
    assert run.grid.shape == (100, 28, 28, 1)
    assert run.report.scores.count == 50 and run.seconds == seconds[-1]


def test_bad_budgets_are_refused(digits, small):
    with pytest.raises(ValueError, match="positive number of seconds, got 0"):
        Stopwatch(0)
    with pytest.raises(ValueError, match="report_steps must be at least 1, got 0"):
        train_for_seconds(small(LAPTOP_RECIPE), 1.0, *digits, report_steps=0)
    with pytest.raises(ValueError, match="256 images but 10 labels: they must match"):
        train_for_seconds(small(LAPTOP_RECIPE), 1.0, digits[0], digits[1][:10])
