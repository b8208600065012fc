"""The laptop recipe's measured runs, as `laptop_recipe.py` writes them: each run's seed, the
recipe it started from ("base") and its changes to it, the machine and thread count, wall time
and scores at N = 10,000. Runs of earlier versions of the recipe stay in the file, told apart by
their base (`runs_of`).

The runs live in `outputs/benchmarks/laptop_recipe.json`. The current recipe's ablation on one
machine goes to `outputs/benchmarks/laptop_ablation.json` too, which notebook 06 reads.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from cgan_lib.recipes.named import REFERENCE_RECIPE
from cgan_lib.recipes.recipe import Recipe

BENCHMARKS_OUTPUTS = Path(__file__).resolve().parent.parent / "outputs" / "benchmarks"
RUNS_FILE = BENCHMARKS_OUTPUTS / "laptop_recipe.json"
ABLATION_FILE = BENCHMARKS_OUTPUTS / "laptop_ablation.json"
HOW_TO_MEASURE = "run `python benchmarks/laptop_recipe.py --seeds 504 1 --ablation`"
# Options that runs in the file could set but that `Recipe` no longer has, at the value that
# turned each off: a run that had one of them on was measured on another recipe.
REMOVED_OPTIONS = {"jit_compile": False, "spectral_norm": False, "minibatch_std": False,
                   "discriminator_learning_rate": None, "mode_seeking_decay": False,
                   "r1_weight": 0.0, "augment_shift": 0, "decay_floor": 0.0}
def read_runs(path: Path = RUNS_FILE) -> list[dict]:
    """Every measured run, in the order they were gathered."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"no measured runs at {path}: {HOW_TO_MEASURE}")
    return json.loads(Path(path).read_text())


def recipe_base(recipe: Recipe) -> dict:
    """What a run records as the recipe it started from: every field but the seed (its own)."""
    return {name: value for name, value in recipe.flat().items() if name != "seed"}


def base_differences(run: dict, recipe: Recipe) -> dict:
    """The fields whose value in the recipe `run` started from is not `recipe`'s: name → the
    run's value. A field that `Recipe` gained after the run counts at its default (the run had
    the option off); a field it lost counts only if the run had that option on."""
    base, wanted = {**recipe_base(Recipe()), **run["base"]}, recipe_base(recipe)
    return {name: value for name, value in base.items()
            if value != (REMOVED_OPTIONS[name] if name in REMOVED_OPTIONS else wanted[name])}


def runs_of(runs: list[dict], recipe: Recipe) -> list[dict]:
    """The runs measured on `recipe` (its seed aside; see `base_differences`), in their order."""
    return [run for run in runs if not base_differences(run, recipe)]


def recipe_changes(recipe: Recipe) -> dict[str, dict]:
    """Change name → the fields that undo it: one entry per way `recipe` differs from the
    reference (its name, seed and epochs aside); the widths of G and D count as one change,
    "network_widths"."""
    changes: dict[str, dict] = {}
    reference = REFERENCE_RECIPE.flat()
    for name, value in recipe.flat().items():
        if name in {"name", "seed", "epochs"} or value == reference[name]:
            continue
        group = "network_widths" if name in {"generator_width", "discriminator_width"} else name
        changes.setdefault(group, {})[name] = reference[name]
    return changes


# Changes that the ablation undoes together: the larger learning rate with its decay (one
# schedule), and the AC-GAN head with the twin classifier, which cannot go without it. The twin
# classifier is also undone alone.
UNDONE_WITH = {"learning_rate": ("learning_rate", "linear_decay"),
               "linear_decay": ("learning_rate", "linear_decay"),
               "classifier_weight": ("classifier_weight", "twin_classifier")}


def ablation_undos(recipe: Recipe) -> dict[str, dict]:
    """What `recipe`'s ablation undoes, one run (per seed) each: name → the fields undone.
    Each change alone, except those of `UNDONE_WITH`, undone with the partners the recipe has
    ("learning_rate+linear_decay")."""
    changes = recipe_changes(recipe)
    undos: dict[str, dict] = {}
    for name in changes:
        partners = [part for part in UNDONE_WITH.get(name, (name,)) if part in changes]
        undos["+".join(partners)] = {field: value for part in partners
                                     for field, value in changes[part].items()}
    return undos


def trained_differences(run: dict, recipe: Recipe) -> dict | None:
    """The fields in which what `run` trained (its base with its changes) differs from `recipe`:
    name → the run's value; None if the run changed an option that no longer exists."""
    if not set(run["changes"]) <= set(recipe_base(Recipe())) | set(REMOVED_OPTIONS):
        return None
    return base_differences({"base": {**run["base"], **run["changes"]}}, recipe)


def seed_suffix(seed: int, recipe: Recipe) -> str:
    """How a run's name tells its seed, if it is not the recipe's: ", seed 1"."""
    return "" if seed == recipe.seed else f", seed {seed}"


def restated(run: dict, recipe: Recipe) -> dict | None:
    """`run` as a run of `recipe`'s ablation, or None if it is not one. A run measured on another
    recipe counts when what it trained is `recipe` itself or `recipe` with one of its ablation's
    undos: a run of the recipe before a change was added is that change undone. Such a run is
    renamed as the ablation names it, and keeps its old name as "measured_as"."""
    if not base_differences(run, recipe):
        return run
    differences = trained_differences(run, recipe)
    names = [name for name, undo in ablation_undos(recipe).items() if undo == differences]
    if differences is None or (differences and not names):
        return None
    name = (f"without {names[0]}{seed_suffix(run['seed'], recipe)}" if names
            else f"{recipe.name}, seed {run['seed']}")
    return {**run, "name": name, "measured_as": run["name"], "base": recipe_base(recipe),
            "changes": differences}


def seed_runs(runs: list[dict]) -> list[dict]:
    """The runs of the recipe itself (no change undone), one per seed."""
    return [run for run in runs if not run["changes"]]


def ablation(runs: list[dict], recipe: Recipe) -> dict:
    """`recipe`'s ablation: its runs (its own and those with changes undone, see `restated`) on
    the machine and thread count that makes the most of its undos (then: that has the most runs),
    as {"machine", "threads", "runs"}."""
    current = [run for run in (restated(run, recipe) for run in runs) if run is not None]
    if not current:
        raise ValueError(f"no run of the {recipe.name} recipe among {len(runs)}: {HOW_TO_MEASURE}")
    undos = [json.dumps(undo, sort_keys=True) for undo in ablation_undos(recipe).values()]
    groups = [(run.get("machine"), run["threads"]) for run in current]

    def coverage(group: tuple) -> tuple[int, int]:
        changes = {json.dumps(run["changes"], sort_keys=True) for run in current
                   if (run.get("machine"), run["threads"]) == group}
        return len(changes & set(undos)), groups.count(group)

    machine_name, threads = max(groups, key=coverage)
    return {"machine": machine_name, "threads": threads,
            "runs": [run for run in current
                     if (run.get("machine"), run["threads"]) == (machine_name, threads)]}


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
             f"{'accuracy':>9s} {'worst digit':>12s} {'FD':>6s} {'precision':>9s} "
             f"{'recall':>6s} {'per-digit FD':>12s}"]
    for run in runs:
        digit, accuracy = worst_digit(run)
        # Runs measured before diversity was recorded have no precision, recall or per-digit FD.
        diversity = (f"{run['precision']:9.3f} {run['recall']:6.3f} "
                     f"{run['mean_frechet_distance_per_digit']:12.2f}" if "recall" in run
                     else f"{'':9s} {'':6s} {'':12s}")
        lines.append(f"{run['name']:{width}s} {run['seed']:5d} {run['threads'] or 'all':>7} "
                     f"{run['wall_seconds']:7.0f} {run['training_seconds']:8.0f} "
                     f"{run['accuracy']:9.4f} {f'{digit}: {accuracy:.3f}':>12s} "
                     f"{run['frechet_distance']:6.2f} {diversity}")
    return "\n".join(lines)
