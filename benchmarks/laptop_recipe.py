"""Benchmark: the laptop recipe from scratch, timed end to end, over seeds, and its ablation.

`--seeds 1 2 3` trains the laptop recipe once per seed exactly as a user would
(`python -m cgan_lib train --recipe laptop --seed S`, then `python -m cgan_lib evaluate`), each in
a fresh output folder, and times both commands together: imports, data loading, training, the
per-epoch grids and scores, saving, and the final scoring at N = 10,000.
`--ablation` trains the laptop recipe once more per option, with that one option set back to the
reference recipe's value, and times and scores it the same way.
Results go to `outputs/benchmarks/laptop_recipe.json` (one entry per run, merged with earlier
runs) and a table is printed. Run on an idle machine: wall times are the point.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import asdict, fields, replace
from pathlib import Path

from cgan_lib.config import RECIPES, REFERENCE_RECIPE, Recipe, outputs_dir

LAPTOP = RECIPES["laptop"]
SPEED_ONLY = {"jit_compile"}  # same algorithm either way: not an ablation of the recipe


def laptop_options() -> list[str]:
    """The fields in which the laptop recipe differs from the reference (its name aside)."""
    return [field.name for field in fields(Recipe)
            if field.name not in {"name", "seed"} | SPEED_ONLY
            and getattr(LAPTOP, field.name) != getattr(REFERENCE_RECIPE, field.name)]


def run_timed(commands: list[list[str]]) -> float:
    """Run the commands one after another; their wall time in seconds."""
    started = time.perf_counter()
    for command in commands:
        subprocess.run(command, check=True)
    return time.perf_counter() - started


def cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "cgan_lib", *arguments]


def train_and_score(name: str, recipe_changes: dict, seed: int, folder: Path) -> dict:
    """Train the laptop recipe (with `recipe_changes`) into an empty folder and score it."""
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty: delete it to measure a run from scratch")
    if recipe_changes:
        train = [sys.executable, __file__, "--child", json.dumps(recipe_changes),
                 "--seed", str(seed), "--output", str(folder)]
    else:
        train = cli("train", "--recipe", "laptop", "--seed", str(seed), "--output", str(folder))
    seconds = run_timed([train, cli("evaluate", "--model", str(folder))])
    metrics = json.loads((folder / "evaluation" / "metrics.json").read_text())["generated"]
    history = json.loads((folder / "history.json").read_text())
    return {"name": name, "changes": recipe_changes, "seed": seed, "wall_seconds": seconds,
            "training_seconds": sum(entry["seconds"] for entry in history),
            "accuracy": metrics["accuracy"], "accuracy_per_digit": metrics["accuracy_per_digit"],
            "frechet_distance": metrics["frechet_distance"]}


def train_child(changes: dict, seed: int, folder: Path) -> None:
    """The ablation's training command: the laptop recipe with some fields changed."""
    from cgan_lib.training import train_recipe

    train_recipe(replace(LAPTOP, seed=seed, **changes), folder, verbose=2)


def print_table(results: list[dict]) -> None:
    print(f"{'run':32s} {'seed':>5s} {'wall s':>7s} {'train s':>8s} {'accuracy':>9s} "
          f"{'worst digit':>12s} {'FD':>6s}")
    for entry in results:
        worst = min(entry["accuracy_per_digit"])
        print(f"{entry['name']:32s} {entry['seed']:5d} {entry['wall_seconds']:7.0f} "
              f"{entry['training_seconds']:8.0f} {entry['accuracy']:9.4f} {worst:12.3f} "
              f"{entry['frechet_distance']:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="*", default=[],
                        help="train the laptop recipe once per seed")
    parser.add_argument("--ablation", action="store_true",
                        help="train it once per option, that option set back to the reference")
    parser.add_argument("--ablation-seed", type=int, default=LAPTOP.seed)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child is not None:
        train_child(json.loads(arguments.child), arguments.seed, arguments.output)
        return

    folder = outputs_dir("benchmarks")
    results_path = folder / "laptop_recipe.json"
    results = json.loads(results_path.read_text()) if results_path.is_file() else []
    plan = [(f"laptop, seed {seed}", {}, seed) for seed in arguments.seeds]
    if arguments.ablation:
        plan += [(f"without {option}", {option: getattr(REFERENCE_RECIPE, option)},
                  arguments.ablation_seed) for option in laptop_options()]
    print(f"laptop recipe: {asdict(LAPTOP)}", flush=True)
    for name, changes, seed in plan:
        slug = name.replace(", ", "_").replace(" ", "_")
        entry = train_and_score(name, changes, seed, folder / "laptop_runs" / slug)
        results = [old for old in results if old["name"] != name] + [entry]
        results_path.write_text(json.dumps(results, indent=1))
        print_table([entry])
    print_table(results)


if __name__ == "__main__":
    main()
