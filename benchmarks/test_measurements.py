"""Tests for the bookkeeping of the laptop recipe's measured runs (benchmarks/measurements.py)."""

from __future__ import annotations

import json
import os

import pytest

from cgan_lib.recipes.named import LAPTOP_RECIPE, REFERENCE_RECIPE
from measurements import (
    ABLATION_FILE,
    REMOVED_OPTIONS,
    RUNS_FILE,
    ablation,
    ablation_undos,
    read_runs,
    recipe_base,
    recipe_changes,
    restated,
    runs_of,
    runs_table,
    seed_runs,
    seeds_summary,
    worst_digit,
)


def run(name, seed, changes, wall, accuracy, distance, per_digit, machine="CPU A", threads=None):
    return {"name": name, "changes": changes, "seed": seed, "threads": threads,
            "machine": machine, "base": recipe_base(LAPTOP_RECIPE),
            "wall_seconds": wall, "training_seconds": wall - 30, "accuracy": accuracy,
            "accuracy_per_digit": per_digit, "frechet_distance": distance}


RUNS = [
    run("laptop, seed 1", 1, {}, 560.0, 0.990, 3.5, [0.99] * 9 + [0.975]),
    run("laptop, seed 2", 2, {}, 580.0, 0.992, 3.9, [0.99] * 7 + [0.971, 0.99, 0.99]),
    run("without weight_average", 504, {"weight_average": False}, 900.0, 0.98, 4.5, [0.98] * 10),
]


def test_the_summary_gives_the_mean_and_the_worst_of_the_seeds_only():
    summary = seeds_summary(RUNS)
    assert "2 seeds" in summary
    assert "570 s  (580 s)" in summary  # the ablation's 900 s is not a seed
    assert "0.9910    (0.9900; worst single digit 0.971)" in summary
    assert "3.70    (3.90)" in summary
    with pytest.raises(ValueError, match="no seed runs"):
        seeds_summary(RUNS[2:])


def test_the_table_names_each_runs_worst_digit_and_widens_to_the_longest_name():
    assert worst_digit(RUNS[1]) == (7, 0.971)
    lines = runs_table(RUNS).splitlines()
    assert len(lines) == 4 and "7: 0.971" in lines[2] and "9: 0.975" in lines[1]
    long_name = "with mode_seeking_weight=0.1,discriminator_width=48, seed 1"
    lines = runs_table([*RUNS, {**RUNS[2], "name": long_name}]).splitlines()
    assert lines[-1].startswith(long_name + " ")
    assert len({len(row) for row in lines[1:]}) == 1  # the columns stay aligned


def test_the_table_shows_diversity_where_a_run_measured_it_and_stays_aligned():
    measured = {**RUNS[0], "precision": 0.812, "recall": 0.861,
                "mean_frechet_distance_per_digit": 6.25}
    header, older, newer = runs_table([RUNS[1], measured]).splitlines()
    assert " ".join(header.split()[-5:]) == "FD precision recall per-digit FD"
    assert newer.split()[-3:] == ["0.812", "0.861", "6.25"]
    assert older.split()[-1] == "3.90"  # measured before diversity was recorded
    assert len(older) == len(newer) == len(header)  # the columns stay aligned


def test_runs_are_read_back_and_a_missing_file_is_named(tmp_path):
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(RUNS))
    assert read_runs(path) == RUNS
    with pytest.raises(FileNotFoundError, match="missing.json.*laptop_recipe.py"):
        read_runs(tmp_path / "missing.json")


def test_runs_are_split_by_the_recipe_they_were_measured_on():
    earlier = LAPTOP_RECIPE.changed(epochs=LAPTOP_RECIPE.run.epochs + 1)
    runs = [RUNS[0], {**RUNS[1], "base": recipe_base(earlier)}]
    assert runs_of(runs, LAPTOP_RECIPE) == runs[:1]
    assert runs_of(runs, earlier) == runs[1:]


def test_a_field_added_after_a_run_counts_at_its_default_and_a_removed_one_only_if_on():
    older_base = {name: value for name, value in recipe_base(LAPTOP_RECIPE).items()
                  if name != "mode_seeking_weight"}
    assert runs_of([{"base": older_base}],
                   LAPTOP_RECIPE.changed(mode_seeking_weight=0.0))
    assert not runs_of([{"base": older_base}], LAPTOP_RECIPE)
    with_removed_off = {**recipe_base(LAPTOP_RECIPE), **REMOVED_OPTIONS}
    assert runs_of([{"base": with_removed_off}], LAPTOP_RECIPE)
    assert not runs_of([{"base": {**with_removed_off, "spectral_norm": True}}], LAPTOP_RECIPE)


def test_the_ablation_keeps_the_machine_and_thread_count_with_the_most_runs():
    other = [run("laptop, seed 504", 504, {}, 500.0, 0.99, 3.0, [0.99] * 10, machine="CPU B",
                 threads=1)]
    chosen = ablation(RUNS + other, LAPTOP_RECIPE)
    assert (chosen["machine"], chosen["threads"], chosen["runs"]) == ("CPU A", None, RUNS)
    with pytest.raises(ValueError, match="no run of the reference recipe"):
        ablation(RUNS, REFERENCE_RECIPE)


def test_the_ablation_prefers_the_group_that_undoes_more_changes_over_one_with_more_runs():
    candidates = [run(f"with classifier_weight={weight}", 504, {"classifier_weight": weight},
                      500.0, 0.99, 3.0, [0.99] * 10, machine="CPU B") for weight in (1.0, 2.0)]
    seeds = [run(f"laptop, seed {seed}", seed, {}, 500.0, 0.99, 3.0, [0.99] * 10,
                 machine="CPU B") for seed in (1, 2)]
    chosen = ablation(RUNS + candidates + seeds, LAPTOP_RECIPE)  # CPU B: 4 runs, nothing undone
    assert (chosen["machine"], chosen["runs"]) == ("CPU A", RUNS)


def test_the_ablation_undoes_a_schedule_and_a_head_with_what_needs_it():
    with_twin = LAPTOP_RECIPE.changed(classifier_weight=3.0, twin_classifier=True)
    undos = ablation_undos(with_twin)
    assert undos["learning_rate+linear_decay"] == {
        "learning_rate": REFERENCE_RECIPE.optimization.learning_rate, "linear_decay": False}
    assert undos["classifier_weight+twin_classifier"] == {"classifier_weight": 0.0,
                                                          "twin_classifier": False}
    assert undos["twin_classifier"] == {"twin_classifier": False}
    assert "classifier_weight" not in undos and "learning_rate" not in undos
    without_twin = ablation_undos(with_twin.changed(twin_classifier=False))
    assert without_twin["classifier_weight"] == {"classifier_weight": 0.0}


def test_a_run_of_an_earlier_recipe_counts_as_the_change_it_lacks_and_others_do_not():
    older = LAPTOP_RECIPE.changed(twin_classifier=False)
    newer = older.changed(twin_classifier=True)
    seed_1, seed_2, undone = ({**entry, "base": recipe_base(older)} for entry in RUNS)
    as_undo = restated(seed_1, newer)
    assert as_undo["name"] == "without twin_classifier, seed 1"
    assert as_undo["measured_as"] == "laptop, seed 1"
    assert as_undo["changes"] == {"twin_classifier": False}
    assert as_undo["base"] == recipe_base(newer)
    candidate = {**run("with twin_classifier=true", 504, {"twin_classifier": True}, 500.0, 0.99,
                       3.0, [0.99] * 10), "base": recipe_base(older)}
    assert restated(candidate, newer)["name"] == "laptop, seed 504"
    assert restated(candidate, newer)["changes"] == {}
    # Two of the newer recipe's changes undone, but not a pair its ablation makes: not a row.
    assert restated(undone, newer) is None
    assert restated(undone, older) is undone
    chosen = ablation([seed_1, seed_2, undone, candidate], newer)
    assert [entry["name"] for entry in chosen["runs"]] == [
        "without twin_classifier, seed 1", "without twin_classifier, seed 2", "laptop, seed 504"]


def test_gathering_runs_keeps_the_files_order_and_puts_new_runs_last(tmp_path):
    from laptop_recipe import collect

    results_file = tmp_path / "runs.json"
    results_file.write_text(json.dumps([RUNS[2], RUNS[0]]))  # not in name order
    remeasured = {**RUNS[0], "wall_seconds": 555.0}
    for finished, (folder, entry) in enumerate((("b", remeasured), ("a", RUNS[1]))):
        result = tmp_path / "runs" / folder / "result.json"
        result.parent.mkdir(parents=True)
        result.write_text(json.dumps(entry))
        os.utime(result, (1_000_000 + finished, 1_000_000 + finished))  # b finished first
    gathered = collect(tmp_path / "runs", results_file)
    assert gathered == [RUNS[2], remeasured, RUNS[1]]


def test_each_change_of_the_laptop_recipe_is_undone_by_the_references_values():
    changes = recipe_changes(LAPTOP_RECIPE)
    assert changes["network_widths"] == {"generator_width": 256, "discriminator_width": 64}
    assert changes["weight_average"] == {"weight_average": False}
    assert not {"name", "seed", "epochs"} & set(changes)
    assert recipe_changes(REFERENCE_RECIPE) == {}


def test_the_committed_runs_hold_one_run_per_change_seed_machine_thread_count_and_recipe():
    runs = read_runs()
    keys = {(json.dumps(entry["changes"], sort_keys=True), entry["seed"], entry["threads"],
             entry.get("machine"), json.dumps(entry["base"], sort_keys=True)) for entry in runs}
    assert len(keys) == len(runs)
    assert RUNS_FILE.is_file()


def test_the_committed_ablation_undoes_every_change_of_the_current_recipe_on_two_seeds():
    # Fails when LAPTOP_RECIPE changes and its ablation is not measured again, on one machine and
    # one thread count, as notebook 06 shows it.
    committed = json.loads(ABLATION_FILE.read_text())
    assert committed == ablation(read_runs(), LAPTOP_RECIPE)
    runs = committed["runs"]
    assert len({run["seed"] for run in seed_runs(runs)}) >= 2
    undone = [run["changes"] for run in runs]
    for undo in ablation_undos(LAPTOP_RECIPE).values():
        assert undone.count(undo) >= 2, undo


def test_a_run_with_onednn_held_to_an_instruction_set_is_told_apart_by_its_machine(monkeypatch):
    from laptop_recipe import MAX_ISA_VARIABLE, machine_name

    monkeypatch.delenv(MAX_ISA_VARIABLE, raising=False)
    plain = machine_name()
    monkeypatch.setenv(MAX_ISA_VARIABLE, "AVX2")
    assert machine_name() == f"{plain}, oneDNN held to AVX2" != plain
