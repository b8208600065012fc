"""Tests for the frontier of the laptop recipe's runs (benchmarks/laptop_frontier.py)."""

from __future__ import annotations

import pytest
from laptop_frontier import frontier, goals_met, measured_runs

from cgan_lib.recipes.named import LAPTOP_RECIPE
from measurements import recipe_base


def scored(name, accuracy, distance, precision, recall, machine="CPU A", worst=0.99):
    return {"name": name, "base": recipe_base(LAPTOP_RECIPE), "changes": {}, "seed": 504,
            "threads": None, "machine": machine,
            "accuracy": accuracy, "accuracy_per_digit": [worst] + [accuracy] * 9,
            "frechet_distance": distance, "precision": precision, "recall": recall}


def test_the_frontier_keeps_the_points_that_no_other_beats_on_both_axes():
    points = [(0.999, 0.73), (0.994, 0.78), (0.990, 0.75), (0.999, 0.70), (0.996, 0.76)]
    assert frontier(points) == [(0.994, 0.78), (0.996, 0.76), (0.999, 0.73)]
    # For FD (lower is better) the caller negates it: -3.1 beats -3.6.
    assert frontier([(-3.1, 0.73), (-3.6, 0.78), (-3.7, 0.74)]) == [(-3.6, 0.78), (-3.1, 0.73)]


def test_goals_met_checks_every_bound_and_the_worst_digit():
    assert goals_met(scored("a", 0.995, 3.3, 0.81, 0.86), real_distance=2.25) == "afpr"
    assert goals_met(scored("b", 0.995, 3.4, 0.79, 0.80), real_distance=2.25) == "a---"
    assert goals_met(scored("c", 0.995, 3.0, 0.81, 0.86, worst=0.96), 2.25) == "-fpr"


def test_the_runs_shown_are_those_with_recall_on_the_busiest_machine():
    runs = [scored("a", 0.99, 3.0, 0.8, 0.7), scored("b", 0.99, 3.0, 0.8, 0.7),
            scored("c", 0.99, 3.0, 0.8, 0.7, machine="CPU B")]
    older = {key: value for key, value in runs[0].items() if key != "recall"}
    assert [run["name"] for run in measured_runs([*runs, older, older])] == ["a", "b"]
    with pytest.raises(ValueError, match="no run has measured recall"):
        measured_runs([older])
