"""Benchmark: the laptop recipe from scratch, timed end to end, over seeds, and its ablation.

`--seeds 1 2 3` trains the laptop recipe once per seed exactly as a user would
(`python -m cgan_lib train --recipe laptop --seed S`, then `python -m cgan_lib evaluate`), each in
a fresh output folder, and times both commands together: imports, data loading, training, the
per-epoch grids and scores, saving, and the final scoring at N = 10,000.
`--ablation` trains the laptop recipe once more per change, with that one change set back to the
reference recipe's value (G's and D's widths count as one change), and times and scores it the
same way; `--candidate FIELD=VALUE` does the same for an option the recipe does not use.
`--max-isa AVX2` holds oneDNN to AVX2 in every run (a float32 run then computes as on a CPU
without AVX-512), and says so in the run's machine.
Each run writes `result.json` in its folder under `outputs/benchmarks/laptop_runs/`, with the
laptop recipe it started from (so that runs of an earlier recipe can be told apart); all of them
are gathered into `outputs/benchmarks/laptop_recipe.json` and printed as a table. Run the seeds
on an idle machine: their wall times are the point.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from cgan_lib.backends.precision import machine_description as machine
from cgan_lib.recipes.named import RECIPES
from cgan_lib.recipes.recipe import Recipe
from measurements import (
    ABLATION_FILE,
    BENCHMARKS_OUTPUTS,
    RUNS_FILE,
    ablation,
    ablation_undos,
    recipe_base,
    recipe_changes,
    runs_table,
    seed_runs,
    seed_suffix,
    seeds_summary,
)

LAPTOP = RECIPES["laptop"]
# oneDNN's own switch for the widest instructions it may use (its CPU dispatcher control).
MAX_ISA_VARIABLE = "ONEDNN_MAX_CPU_ISA"


def candidate_change(text: str) -> dict:
    """'beta_2=0.99' → {"beta_2": 0.99}, checked against the recipe's fields; several changes
    tried together are joined by commas: 'beta_2=0.99,adversarial_loss=hinge'."""
    known = set(Recipe().flat()) - {"name", "seed"}
    changes = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        if name not in known or not value:
            raise ValueError(f"expected FIELD=VALUE with FIELD one of {sorted(known)}, "
                             f"got {part!r}")
        try:
            changes[name] = json.loads(value)
        except json.JSONDecodeError:
            changes[name] = value  # a bare string, e.g. adversarial_loss=hinge
    return changes


def machine_name() -> str:
    """The machine, and the instruction set oneDNN is held to, if it is (`--max-isa`)."""
    held = os.environ.get(MAX_ISA_VARIABLE)
    return f"{machine()}, oneDNN held to {held}" if held else machine()


def cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "cgan_lib", *arguments]


def train_and_score(name: str, recipe_changes: dict, seed: int, folder: Path,
                    threads: int | None) -> dict:
    """Train the laptop recipe (with `recipe_changes`) into an empty folder, score it, and
    write the outcome to `folder/result.json`; returns it."""
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty: delete it to measure a run from scratch")
    if recipe_changes or threads:
        train = [sys.executable, __file__, "--child", json.dumps(recipe_changes),
                 "--seed", str(seed), "--output", str(folder), "--threads", str(threads or 0)]
    else:
        train = cli("train", "--recipe", "laptop", "--seed", str(seed), "--output", str(folder))
    started = time.perf_counter()
    for command in (train, cli("evaluate", "--model", str(folder))):
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    evaluation = json.loads((folder / "evaluation" / "metrics.json").read_text())
    metrics, diversity = evaluation["generated"], evaluation["generated_diversity"]
    history = json.loads((folder / "history.json").read_text())
    result = {"name": name, "base": recipe_base(LAPTOP), "changes": recipe_changes, "seed": seed,
              "threads": threads, "machine": machine_name(),
              "wall_seconds": seconds,
              "training_seconds": sum(entry["seconds"] for entry in history),
              "accuracy": metrics["accuracy"], "accuracy_per_digit": metrics["accuracy_per_digit"],
              "frechet_distance": metrics["frechet_distance"],
              "precision": diversity["precision"], "recall": diversity["recall"],
              "mean_frechet_distance_per_digit": diversity["mean_frechet_distance_per_digit"]}
    (folder / "result.json").write_text(json.dumps(result, indent=1))
    return result


def train_child(changes: dict, seed: int, folder: Path, threads: int) -> None:
    """The training command of an ablation run: the laptop recipe with some fields changed,
    optionally limited to `threads` CPU threads (so that two runs can share the machine)."""
    from cgan_lib.backends.runtime import tf
    from cgan_lib.training.run import train_recipe

    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    train_recipe(LAPTOP.changed(seed=seed, **changes), folder, verbose=2)


def collect(runs_folder: Path, results_file: Path) -> list[dict]:
    """The runs already in `results_file`, updated with every run's result.json under
    `runs_folder` (a run measured again replaces its entry of the same name, base, machine and
    thread count; a new one goes last, so the file's order stays): a clone holds only the
    results file, not the run folders behind it."""
    def key(entry: dict) -> tuple:
        return (entry["name"], json.dumps(entry["base"], sort_keys=True), entry.get("machine"),
                entry["threads"])

    results = {key(entry): entry for entry in
               (json.loads(results_file.read_text()) if results_file.is_file() else [])}
    for path in sorted(runs_folder.glob("*/result.json"), key=lambda path: path.stat().st_mtime):
        entry = json.loads(path.read_text())
        results[key(entry)] = entry
    return list(results.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="*", default=[],
                        help="train the laptop recipe once per seed, as `make train-fast` does")
    parser.add_argument("--ablation", nargs="*", metavar="CHANGE",
                        help="undo one change per run, or several joined by '+' (default: "
                             f"each of {list(ablation_undos(LAPTOP))})")
    parser.add_argument("--candidate", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="also train the laptop recipe with one field changed, per candidate "
                             "(a JSON value, e.g. beta_2=0.99; several joined by commas "
                             "are tried together), like an ablation run")
    parser.add_argument("--ablation-seed", type=int, default=LAPTOP.seed)
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads per run (default: all); with 1, two runs can share 2 "
                             "cores, and only their scores compare")
    parser.add_argument("--max-isa", metavar="ISA",
                        help="hold oneDNN to this instruction set in every run (e.g. AVX2, as on "
                             "a CPU without AVX-512; use with mixed_precision=false), recorded "
                             "with the machine")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child is not None:
        train_child(json.loads(arguments.child), arguments.seed, arguments.output,
                    arguments.threads)
        return

    if arguments.max_isa:
        os.environ[MAX_ISA_VARIABLE] = arguments.max_isa  # inherited by each run's commands
    runs_folder = BENCHMARKS_OUTPUTS / "laptop_runs"  # beside the files it gathers into
    plan = [(f"laptop, seed {seed}", {}, seed, arguments.threads or None)
            for seed in arguments.seeds]
    # Runs of another seed than the recipe's are told apart by name.
    suffix = seed_suffix(arguments.ablation_seed, LAPTOP)
    if arguments.ablation is not None:
        known = recipe_changes(LAPTOP)
        for change in arguments.ablation or ablation_undos(LAPTOP):
            undone = {}
            for part in change.split("+"):  # changes that only make sense together
                if part not in known:
                    raise ValueError(f"unknown change {part!r}; choose from {sorted(known)}, "
                                     "or join several with '+'")
                undone.update(known[part])
            plan.append((f"without {change}{suffix}", undone, arguments.ablation_seed,
                         arguments.threads or None))
    for candidate in arguments.candidate:
        plan.append((f"with {candidate}{suffix}", candidate_change(candidate),
                     arguments.ablation_seed, arguments.threads or None))
    if arguments.max_isa:  # another run folder and name than the same run without it
        plan = [(f"{name}, oneDNN held to {arguments.max_isa}", *rest) for name, *rest in plan]
    print(f"laptop recipe: {LAPTOP.flat()}", flush=True)
    for name, changes, seed, threads in plan:
        slug = name.replace(", ", "_").replace(" ", "_")
        print(runs_table([train_and_score(name, changes, seed, runs_folder / slug, threads)]),
              flush=True)
    results = collect(runs_folder, RUNS_FILE)
    RUNS_FILE.write_text(json.dumps(results, indent=1))
    current = ablation(results, LAPTOP)
    ABLATION_FILE.write_text(json.dumps(current, indent=1))
    print(f"{current['machine']}, {current['threads'] or 'all'} threads:")
    print(runs_table(current["runs"]))
    if seed_runs(current["runs"]):
        print(seeds_summary(current["runs"]))


if __name__ == "__main__":
    main()
