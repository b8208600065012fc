"""The laptop recipe's measured runs, as `benchmarks/laptop_recipe.py` writes them and notebook 06
reads them: each run's seed, the laptop recipe it started from ("base") and its changes to it,
wall time and scores at N = 10,000. Runs of earlier versions of the recipe stay in the file,
told apart by their base (`runs_of`, `earlier_runs`).

The file `outputs/benchmarks/laptop_recipe.json` is committed with the repository, so it is read
from there even when `CGAN_OUTPUTS` sends new outputs elsewhere (fast mode, tests).
"""

from __future__ import annotations

import json
import os
import statistics
from dataclasses import asdict
from pathlib import Path

from cgan_lib.config import REFERENCE_RECIPE, Recipe, repository_root

HOW_TO_MEASURE = "run `python benchmarks/laptop_recipe.py --seeds 504 1 2 --ablation`"


# CPU instruction sets that decide how fast bfloat16 runs, by their /proc/cpuinfo names.
BFLOAT16_INSTRUCTIONS = {"amx_bf16": "AMX", "avx512_bf16": "AVX-512 BF16", "avx512f": "AVX-512"}


def machine() -> str:
    """The CPU model, its fastest bfloat16 instructions and the core count, recorded with every
    run, e.g. "AMD EPYC (AVX-512 BF16), 2 cores": rows compare only on one kind of machine."""
    model, flags = "unknown CPU", set()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown CPU":
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    instructions = next((name for flag, name in BFLOAT16_INSTRUCTIONS.items() if flag in flags),
                        "no AVX-512" if flags else "instructions unknown")
    return f"{model} ({instructions}), {os.cpu_count()} cores"


def laptop_runs_file() -> Path:
    """Where the measured runs of the laptop recipe are committed."""
    root = repository_root()
    if root is None:
        raise FileNotFoundError("the measured runs live in a clone's "
                                f"outputs/benchmarks/laptop_recipe.json; {HOW_TO_MEASURE} there")
    return root / "outputs" / "benchmarks" / "laptop_recipe.json"


def laptop_recipe_runs(path: Path | None = None) -> list[dict]:
    """Every measured run: the laptop recipe's seeds first, then the ablation's and candidates'."""
    path = Path(path) if path is not None else laptop_runs_file()
    if not path.is_file():
        raise FileNotFoundError(f"no measured runs at {path}: {HOW_TO_MEASURE}")
    return json.loads(path.read_text())


def recipe_base(recipe: Recipe) -> dict:
    """What a run records as the recipe it started from: every field but the seed (its own)."""
    return {name: value for name, value in asdict(recipe).items() if name != "seed"}


def base_differences(run: dict, recipe: Recipe) -> dict:
    """The fields whose value in the recipe `run` started from is not `recipe`'s: name → the
    run's value. A field that `Recipe` gained after the run was measured counts at its default:
    the run trained with the option off."""
    base, wanted = {**recipe_base(Recipe()), **run["base"]}, recipe_base(recipe)
    return {name: value for name, value in base.items() if value != wanted[name]}


def started_from(run: dict, recipe: Recipe) -> bool:
    """Whether `run` was measured on `recipe` (its seed aside; see `base_differences`)."""
    return not base_differences(run, recipe)


def runs_of(runs: list[dict], recipe: Recipe) -> list[dict]:
    """The runs measured on `recipe` (see `started_from`), in their order."""
    return [run for run in runs if started_from(run, recipe)]


def earlier_runs(runs: list[dict], *recipes: Recipe) -> list[dict]:
    """The runs measured on none of `recipes` (earlier versions of the recipe), in their order."""
    return [run for run in runs if not any(started_from(run, recipe) for recipe in recipes)]


def recipe_changes(recipe: Recipe) -> dict[str, dict]:
    """Change name → the fields that undo it: one entry per way `recipe` differs from the
    reference (its name, seed and epochs aside, and `jit_compile`, the same algorithm either
    way); the widths of G and D count as one change, "network_widths"."""
    changes: dict[str, dict] = {}
    for name, value in asdict(recipe).items():
        if name in {"name", "seed", "epochs", "jit_compile"} or value == getattr(REFERENCE_RECIPE,
                                                                                  name):
            continue
        group = "network_widths" if name in {"generator_width", "discriminator_width"} else name
        changes.setdefault(group, {})[name] = getattr(REFERENCE_RECIPE, name)
    return changes


def seed_runs(runs: list[dict]) -> list[dict]:
    """The runs of the laptop recipe itself (no change undone), one per seed."""
    return [run for run in runs if not run["changes"]]


def ablation_runs(runs: list[dict]) -> list[dict]:
    """The ablation's runs ("without …"): each sets fields of the laptop recipe back to the
    reference recipe's values."""
    return [run for run in runs if run["changes"] and _undoes_changes(run)]


def candidate_runs(runs: list[dict]) -> list[dict]:
    """The runs that try an option the laptop recipe does not use ("with …"): changes that are
    not the reference's values."""
    return [run for run in runs if run["changes"] and not _undoes_changes(run)]


def runs_with_changes(runs: list[dict], changes: dict) -> list[dict]:
    """The runs that made exactly `changes` to the recipe they started from, in their order: one
    candidate's runs on several seeds side by side, say."""
    return [run for run in runs if run["changes"] == changes]


def _undoes_changes(run: dict) -> bool:
    return all(getattr(REFERENCE_RECIPE, name) == value for name, value in run["changes"].items())


def ablation_table(runs: list[dict], recipe: Recipe) -> list[dict]:
    """The rows of `recipe`'s ablation: its own run at its seed and its ablation runs; then, for
    each change not ablated on it, that change's row from the nearest earlier recipe that has one
    (the fewest fields different from `recipe`), after that earlier recipe's own run at the same
    seed to read it by. Borrowed rows are named "… (earlier recipe, FIELD=VALUE, …)" after the
    fields in which that recipe differed."""
    current, earlier = runs_of(runs, recipe), earlier_runs(runs, recipe)
    own = [run for run in seed_runs(current) if run["seed"] == recipe.seed]
    ablated = [run["changes"] for run in ablation_runs(current)]
    borrowed: list[dict] = []
    for run in sorted(ablation_runs(earlier), key=lambda run: len(base_differences(run, recipe))):
        if run["changes"] not in ablated + [row["changes"] for row in borrowed]:
            borrowed.append(run)
    rows = own + ablation_runs(current)
    bases = [run["base"] for run in borrowed]
    for base in [base for index, base in enumerate(bases) if base not in bases[:index]]:
        group = [run for run in seed_runs(earlier) if run["seed"] == recipe.seed
                 and run["base"] == base] + [run for run in borrowed if run["base"] == base]
        label = ", ".join(f"{name}={json.dumps(value)}"
                          for name, value in base_differences(group[-1], recipe).items())
        rows += [{**run, "name": f"{run['name']} (earlier recipe, {label})"} for run in group]
    return rows


def worst_digit(run: dict) -> tuple[int, float]:
    """(digit, accuracy) of the digit the run's generator draws least recognisably."""
    accuracy = min(run["accuracy_per_digit"])
    return run["accuracy_per_digit"].index(accuracy), accuracy


def seeds_summary(runs: list[dict]) -> str:
    """Mean and worst of the seeds' wall times and scores, in one line each."""
    seeds = seed_runs(runs)
    if not seeds:
        raise ValueError(f"no seed runs among {len(runs)} measured runs: {HOW_TO_MEASURE}")
    walls = [run["wall_seconds"] for run in seeds]
    accuracies = [run["accuracy"] for run in seeds]
    distances = [run["frechet_distance"] for run in seeds]
    digit_worst = min(worst_digit(run)[1] for run in seeds)
    return (f"{len(seeds)} seeds, mean (worst):\n"
            f"  wall time from scratch to scores  {statistics.mean(walls):6.0f} s  "
            f"({max(walls):.0f} s)\n"
            f"  conditional accuracy              {statistics.mean(accuracies):6.4f}    "
            f"({min(accuracies):.4f}; worst single digit {digit_worst:.3f})\n"
            f"  Fréchet distance                  {statistics.mean(distances):6.2f}    "
            f"({max(distances):.2f})")


def runs_table(runs: list[dict]) -> str:
    """The runs as a fixed-width text table, one line each."""
    width = max([36] + [len(run["name"]) for run in runs])
    lines = [f"{'run':{width}s} {'seed':>5s} {'threads':>7s} {'wall s':>7s} {'train s':>8s} "
             f"{'accuracy':>9s} {'worst digit':>12s} {'FD':>6s}"]
    for run in runs:
        digit, accuracy = worst_digit(run)
        lines.append(f"{run['name']:{width}s} {run['seed']:5d} {run['threads'] or 'all':>7} "
                     f"{run['wall_seconds']:7.0f} {run['training_seconds']:8.0f} "
                     f"{run['accuracy']:9.4f} {f'{digit}: {accuracy:.3f}':>12s} "
                     f"{run['frechet_distance']:6.2f}")
    return "\n".join(lines)
