"""Faults around a training folder, on real files and real (tiny) training: a run resumes from its
checkpoint on every backend, a second run into a folder that a live run holds is refused, a lock
left by a killed run does not block, a broken checkpoint (truncated, or not a checkpoint at all)
is named in one line and recovered from, and a full disk is one line that leaves the last good
checkpoint; never a traceback. (A run killed by SIGKILL and resumed is in test_cli.py.)"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cgan_lib.backends.runtime import keras
from cgan_lib.recipes.named import LAPTOP_RECIPE
from cgan_lib.recipes.recipe import read_recipe
from cgan_lib.storage import files
from cgan_lib.training.build import build_gan
from cgan_lib.training.checkpoints import LOCK_NAME, Checkpoint, folder_lock
from cgan_lib.training.run import train_recipe


@pytest.fixture(scope="module")
def recipe(tiny_recipe):
    """The laptop recipe, tiny: 64 images in batches of 16, so an epoch takes a second."""
    return tiny_recipe(LAPTOP_RECIPE, training_images=64, epochs=3)


def train(recipe, folder: Path, epochs: int):
    return train_recipe(recipe, folder, epochs=epochs, quality_per_digit=5, verbose=0)


def epochs_in(folder: Path) -> list[int]:
    return [entry["epoch"] for entry in json.loads((folder / "history.json").read_text())]


@pytest.fixture(scope="module")
def two_epochs(recipe, tmp_path_factory):
    """A run of two epochs: its checkpoint holds epoch 2, the one before it epoch 1."""
    folder = tmp_path_factory.mktemp("run")
    train(recipe, folder, 2)
    return folder


def copy_of(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(folder, copy)
    return copy


@pytest.mark.backend
def test_a_run_resumes_from_its_checkpoint_without_training_an_epoch_again(recipe, two_epochs,
                                                                          tmp_path):
    folder = copy_of(two_epochs, tmp_path)
    before = json.loads((folder / "history.json").read_text())
    first_grid = (folder / "epochs" / "generated_epoch_01.png").stat().st_mtime_ns
    run = train(recipe, folder, 3)
    history = json.loads((folder / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == [1, 2, 3]
    assert history[:2] == before  # epochs 1 and 2 were not trained again (nor timed again)
    assert (folder / "epochs" / "generated_epoch_01.png").stat().st_mtime_ns == first_grid
    # Three epochs of 4 steps: the optimizer's state came back with the weights.
    assert int(run.gan.generator_optimizer.iterations) == 12
    saved = keras.models.load_model(folder / "generator.keras")
    for a, b in zip(saved.get_weights(), run.gan.sampling_generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_run_keeps_its_recipe_and_a_resume_with_another_is_refused_in_one_line(
        recipe, two_epochs, tmp_path, cli):
    folder = copy_of(two_epochs, tmp_path)
    assert read_recipe(folder / "recipe.json") == recipe.changed(epochs=2)
    before = {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}
    result = cli("train", "--recipe", folder / "recipe.json", "--seed", "7", "--output", folder)
    assert result.code == 1
    assert result.error_lines == [
        f"python -m cgan_lib train: error: {folder} holds a run of another recipe (seed 504 → 7):"
        f" to continue it, train with --recipe {folder / 'recipe.json'} --output {folder}; to "
        "start this one, train into another folder (--output)"]
    after = {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}
    assert after == before  # nothing written, nothing lost


def test_a_run_continues_from_its_recipe_file_and_an_old_folder_without_one_resumes(
        recipe, two_epochs, tmp_path, cli):
    folder = copy_of(two_epochs, tmp_path)
    result = cli("train", "--recipe", folder / "recipe.json", "--epochs", "3", "--output", folder)
    assert result.code == 0, result.err
    assert epochs_in(folder) == [1, 2, 3]
    assert read_recipe(folder / "recipe.json") == recipe.changed(epochs=3)
    old = copy_of(two_epochs, tmp_path / "old")
    (old / "recipe.json").unlink()  # a folder from before runs kept their recipe
    train(recipe, old, 3)
    assert epochs_in(old) == [1, 2, 3]
    assert read_recipe(old / "recipe.json") == recipe.changed(epochs=3)


def test_a_folder_held_by_a_live_run_is_refused_in_one_line(tmp_path, cli):
    other_run = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / LOCK_NAME).write_text(f"{other_run.pid}\n")
        result = cli("train", "--recipe", "laptop", "--epochs", "1", "--output", tmp_path)
    finally:
        other_run.kill()
        other_run.wait()
    assert result.code == 1
    assert result.error_lines == [
        f"python -m cgan_lib train: error: {tmp_path} is in use by another training run "
        f"(process {other_run.pid}): wait for it to finish, or train into another folder "
        "(--output)"]
    assert not (tmp_path / "history.json").exists()


def test_a_lock_left_by_a_killed_run_is_taken_over_and_released(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    (tmp_path / LOCK_NAME).write_text(finished.stdout)      # that process no longer exists
    with folder_lock(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text().strip() == str(os.getpid())
    assert not (tmp_path / LOCK_NAME).exists()


@pytest.mark.parametrize("damage", ["truncated", "not_a_checkpoint"])
def test_a_broken_checkpoint_resumes_from_the_one_before_it(recipe, two_epochs, tmp_path,
                                                           damage, capsys):
    folder = copy_of(two_epochs, tmp_path)
    latest = folder / "checkpoint" / "latest.weights.h5"
    if damage == "truncated":
        latest.write_bytes(latest.read_bytes()[: latest.stat().st_size // 2])
    else:
        latest.write_text("this is not a checkpoint\n")
    train(recipe, folder, 3)
    out = capsys.readouterr().out
    assert (f"the checkpoint in {folder / 'checkpoint'} cannot be loaded" in out
            and "resuming from the one before it, at epoch 1" in out), out
    assert epochs_in(folder) == [1, 2, 3]


def test_with_no_good_checkpoint_left_training_starts_over_and_says_so(recipe, two_epochs,
                                                                       tmp_path, capsys):
    folder = copy_of(two_epochs, tmp_path)
    for name in ("latest.weights.h5", "latest.weights.h5.bkp"):
        (folder / "checkpoint" / name).write_bytes(b"\x00" * 100)
    train(recipe, folder, 1)
    assert (f"it is moved to {folder / 'checkpoint.broken'}, and training starts over"
            in capsys.readouterr().out)
    assert (folder / "checkpoint.broken" / "latest.weights.h5").read_bytes() == b"\x00" * 100
    assert epochs_in(folder) == [1]


@pytest.fixture
def full_disk(tmp_path, monkeypatch):
    """A 300 KB folder: a tmpfs where this process may mount one, else a folder whose free space
    `cgan_lib.storage.files.free_bytes` reports as 300 KB."""
    folder = tmp_path / "full"
    folder.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs",
                                  str(folder)], capture_output=True).returncode == 0
    except OSError:  # no mount command here
        mounted = False
    if not mounted:
        monkeypatch.setattr(files, "free_bytes", lambda folder: 300 * 1024)
    yield folder
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_is_one_line_that_names_the_folder_and_the_space_needed(full_disk, cli,
                                                                           monkeypatch):
    monkeypatch.setenv("CGAN_FAST", "1")
    run = full_disk / "run"
    result = cli("train", "--recipe", "laptop", "--epochs", "2", "--output", run)
    assert result.code == 1, result.err[-2000:]
    assert len(result.error_lines) == 1 and "Traceback" not in result.err, result.err[-2000:]
    line = result.error_lines[0]
    assert line.startswith(f"python -m cgan_lib train: error: no space left in "
                           f"{run / 'checkpoint'}: the next save needs about ")
    assert re.search(r"needs about \d+\.\d MB and 0\.[0-3] MB are free; free some space and run "
                     "the same command again", line), line
    assert not (run / "checkpoint" / "latest.weights.h5").exists()
    assert not (run / "train.lock").exists()  # released on the way out


def test_a_checkpoint_that_fails_to_save_leaves_the_last_good_one(recipe, two_epochs, tmp_path,
                                                                  monkeypatch):
    folder = copy_of(two_epochs, tmp_path)
    latest = folder / "checkpoint" / "latest.weights.h5"
    good = latest.read_bytes()
    monkeypatch.setattr(files, "free_bytes", lambda folder: 10**12)

    def fail_half_way(self, filepath, overwrite=True):
        Path(filepath).write_bytes(b"half a checkpoint")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keras.Model, "save_weights", fail_half_way)
    callback = Checkpoint(folder / "checkpoint")
    callback.set_model(build_gan(recipe))
    with pytest.raises(OSError, match="no space left in .*: the next save needs about"):
        callback.on_epoch_end(2)
    assert latest.read_bytes() == good
    assert sorted(path.name for path in (folder / "checkpoint").iterdir()) == [
        "latest.weights.h5", "latest.weights.h5.bkp", "training_metadata.json",
        "training_metadata.json.bkp"]
