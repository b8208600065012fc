"""Benchmark figure: variety against correctness for the laptop recipe's measured runs.

Every run of `laptop_recipe.py` that measured recall (the recipe on its seeds, each change undone,
each candidate), on the machine and thread count with the most such runs, is one point: recall
against conditional accuracy, and recall against FD, both at N = 10,000. The runs that no other
run beats on both axes of a panel are joined into that panel's frontier, and named. Real
training images' scores and the goal's bounds are drawn for comparison: accuracy ≥ 0.99,
FD ≤ 1.5 × real images', recall ≥ 0.85. Prints the runs by recall, with which bounds each one
meets, and writes `outputs/benchmarks/laptop_frontier.png`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from cgan_lib.recipes.named import LAPTOP_RECIPE  # noqa: E402
from measurements import (  # noqa: E402
    BENCHMARKS_OUTPUTS,
    read_runs,
    restated,
    runs_table,
    seed_suffix,
    trained_differences,
    worst_digit,
)

REAL_SCORES = (Path(__file__).resolve().parent.parent / "outputs" / "models" / "laptop"
               / "evaluation" / "metrics.json")
FIGURE = BENCHMARKS_OUTPUTS / "laptop_frontier.png"
GOAL_ACCURACY, GOAL_DIGIT_ACCURACY, GOAL_RECALL, GOAL_PRECISION = 0.99, 0.97, 0.85, 0.80
GOAL_DISTANCE_RATIO = 1.5  # × real training images' FD


def as_current(run: dict) -> dict:
    """`run` named against the current laptop recipe: a run of it, or of it with one of its
    ablation's changes undone, as the ablation names it; any other run by the fields in which what
    it trained differs from the current recipe ("with mode_seeking_weight=0.5")."""
    current = restated(run, LAPTOP_RECIPE)
    if current is not None:
        return current
    fields = ",".join(f"{name}={value if isinstance(value, str) else json.dumps(value)}"
                      for name, value in trained_differences(run, LAPTOP_RECIPE).items())
    return {**run, "name": f"with {fields}{seed_suffix(run['seed'], LAPTOP_RECIPE)}",
            "measured_as": run["name"]}


def measured_runs(runs: list[dict]) -> list[dict]:
    """The runs with recall, on the machine and thread count that has the most of them, named
    against the current laptop recipe (`as_current`)."""
    diverse = [as_current(run) for run in runs if "recall" in run]
    if not diverse:
        raise ValueError("no run has measured recall: run `python benchmarks/laptop_recipe.py "
                         "--seeds 504` first")
    groups = [(run.get("machine"), run["threads"]) for run in diverse]
    chosen = max(groups, key=groups.count)
    return [run for run in diverse if (run.get("machine"), run["threads"]) == chosen]


def frontier(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points (x, recall) that no other point beats on both, where a larger x is better,
    sorted by x."""
    kept = [point for point in points
            if not any(other != point and other[0] >= point[0] and other[1] >= point[1]
                       for other in points)]
    return sorted(set(kept))


def goals_met(run: dict, real_distance: float) -> str:
    """The goal's bounds that `run` meets, as letters: a(ccuracy), f(D), p(recision), r(ecall)."""
    checks = {"a": run["accuracy"] >= GOAL_ACCURACY
                   and worst_digit(run)[1] >= GOAL_DIGIT_ACCURACY,
              "f": run["frechet_distance"] <= GOAL_DISTANCE_RATIO * real_distance,
              "p": run["precision"] >= GOAL_PRECISION, "r": run["recall"] >= GOAL_RECALL}
    return "".join(letter if met else "-" for letter, met in checks.items())


def draw(runs: list[dict], real: dict, path: Path) -> None:
    """Two panels, recall against accuracy and against FD, with frontiers and the goal."""
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.6), sharey=True)
    panels = ((axes[0], "accuracy", "conditional accuracy (higher is better)", 1),
              (axes[1], "frechet_distance", "FD (lower is better)", -1))
    for axis, key, label, better in panels:
        edge = frontier([(better * run[key], run["recall"]) for run in runs])
        for run in runs:
            marker = "*" if not run["changes"] else ("o" if run["name"].startswith("without")
                                                     else "^")
            axis.scatter(run[key], run["recall"], marker=marker, s=90 if marker == "*" else 40,
                         color="tab:red" if marker == "*" else "tab:blue", zorder=3)
            point = (better * run[key], run["recall"])
            if point in edge:  # the others are in the table; labels alternate above and below
                axis.annotate(run["name"], (run[key], run["recall"]), fontsize=7,
                              xytext=(4, 3 if edge.index(point) % 2 else -9),
                              textcoords="offset points")
        axis.plot([better * x for x, _ in edge], [y for _, y in edge], color="grey", lw=1,
                  zorder=2, label="frontier")
        axis.scatter(real[key], real["recall"], marker="s", color="black", label="real images")
        bound = GOAL_ACCURACY if key == "accuracy" else GOAL_DISTANCE_RATIO * real[key]
        axis.axvline(bound, color="tab:green", ls="--", lw=1, label="goal's bound")
        axis.axhline(GOAL_RECALL, color="tab:green", ls="--", lw=1)
        axis.set_xlabel(label)
    axes[0].set_ylabel("recall (higher is better)")
    axes[0].legend(loc="lower left", fontsize=8)
    figure.suptitle("Laptop recipe: ★ the recipe, ● a change undone, ▲ another recipe "
                    "(N = 10,000 each)")
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=FIGURE)
    arguments = parser.parse_args()
    metrics = json.loads(REAL_SCORES.read_text())
    real = {**metrics["real_training_images"], **metrics["real_training_images_diversity"]}
    runs = sorted(measured_runs(read_runs()), key=lambda run: -run["recall"])
    print(f"{runs[0].get('machine')}, {runs[0]['threads'] or 'all'} threads; goals met: "
          "a(ccuracy), f(D), p(recision), r(ecall)")
    table = runs_table(runs).splitlines()
    print(f"{table[0]}  goals")
    for line, run in zip(table[1:], runs, strict=True):
        print(f"{line}  {goals_met(run, real['frechet_distance'])}")
    print(f"real training images: accuracy {real['accuracy']:.4f}, FD "
          f"{real['frechet_distance']:.2f}, precision {real['precision']:.3f}, recall "
          f"{real['recall']:.3f}, per-digit FD {real['mean_frechet_distance_per_digit']:.2f}")
    draw(runs, real, arguments.output)
    print(f"figure: {arguments.output}")


if __name__ == "__main__":
    main()
