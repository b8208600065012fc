"""Faults around a training folder, on real files and real (fast-mode) training: a second run
into a folder that a live run holds is refused, a lock left by a killed run does not block, a
broken checkpoint (truncated, or not a checkpoint at all) is named in one line and recovered
from, and a full disk is one line that leaves the last good checkpoint; never a traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cgan_lib.checkpoints import LOCK_NAME, folder_lock

FAST = {**os.environ, "CGAN_FAST": "1"}


def train(folder, epochs: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cgan_lib", "train", "--recipe", "laptop",
                           "--epochs", str(epochs), "--output", str(folder)],
                          capture_output=True, text=True, env=FAST, timeout=900)


def test_a_folder_held_by_a_live_run_is_refused_in_one_line(tmp_path):
    other_run = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / LOCK_NAME).write_text(f"{other_run.pid}\n")
        result = train(tmp_path, 1)
    finally:
        other_run.kill()
        other_run.wait()
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
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


@pytest.fixture(scope="module")
def two_epochs(tmp_path_factory):
    """A fast-mode run of two epochs: its checkpoint holds epoch 2, the one before it epoch 1."""
    folder = tmp_path_factory.mktemp("run")
    result = train(folder, 2)
    assert result.returncode == 0, result.stderr[-2000:]
    return folder


def copy_of(folder, tmp_path):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(folder, copy)
    return copy


@pytest.mark.parametrize("damage", ["truncated", "not_a_checkpoint"])
def test_a_broken_checkpoint_resumes_from_the_one_before_it(two_epochs, tmp_path, damage):
    folder = copy_of(two_epochs, tmp_path)
    latest = folder / "checkpoint" / "latest.weights.h5"
    if damage == "truncated":
        latest.write_bytes(latest.read_bytes()[: latest.stat().st_size // 2])
    else:
        latest.write_text("this is not a checkpoint\n")
    result = train(folder, 3)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert (f"the checkpoint in {folder / 'checkpoint'} cannot be loaded" in result.stdout
            and "resuming from the one before it, at epoch 1" in result.stdout), result.stdout
    history = json.loads((folder / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == [1, 2, 3]


def test_with_no_good_checkpoint_left_training_starts_over_and_says_so(two_epochs, tmp_path):
    folder = copy_of(two_epochs, tmp_path)
    for name in ("latest.weights.h5", "latest.weights.h5.bkp"):
        (folder / "checkpoint" / name).write_bytes(b"\x00" * 100)
    result = train(folder, 1)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert f"it is moved to {folder / 'checkpoint.broken'}, and training starts over" in (
        result.stdout)
    assert (folder / "checkpoint.broken" / "latest.weights.h5").read_bytes() == b"\x00" * 100
    assert [entry["epoch"] for entry in json.loads((folder / "history.json").read_text())] == [1]


@pytest.fixture
def full_disk(tmp_path):
    """A 300 KB folder: a tmpfs where this process may mount one, else a folder whose free space
    `cgan_lib.files.free_bytes` reports as 300 KB (the `train` command below injects it)."""
    folder = tmp_path / "full"
    folder.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs",
                                  str(folder)], capture_output=True).returncode == 0
    except OSError:  # no mount command here
        mounted = False
    yield folder, mounted
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_is_one_line_that_names_the_folder_and_the_space_needed(full_disk):
    folder, mounted = full_disk
    run = folder / "run"
    code = ("import sys; import cgan_lib.files as f; "
            + ("" if mounted else "f.free_bytes = lambda folder: 300 * 1024; ")
            + "from cgan_lib.cli import main; sys.exit(main(sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", code, "train", "--recipe", "laptop",
                             "--epochs", "2", "--output", str(run)],
                            capture_output=True, text=True, env=FAST, timeout=900)
    assert result.returncode == 1, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert lines[0].startswith(f"python -m cgan_lib train: error: no space left in "
                               f"{run / 'checkpoint'}: the next save needs about ")
    assert re.search(r"needs about \d+\.\d MB and 0\.[0-3] MB are free; free some space and run "
                     "the same command again", lines[0]), lines[0]
    assert not (run / "checkpoint" / "latest.weights.h5").exists()
    assert not (run / "train.lock").exists()  # released on the way out


def test_a_checkpoint_that_fails_to_save_leaves_the_last_good_one(two_epochs, tmp_path,
                                                                  monkeypatch):
    from cgan_lib import checkpoints, files

    folder = copy_of(two_epochs, tmp_path)
    latest = folder / "checkpoint" / "latest.weights.h5"
    good = latest.read_bytes()
    monkeypatch.setattr(files, "free_bytes", lambda folder: 10**12)

    def fail_half_way(self, filepath, overwrite=True):
        Path(filepath).write_bytes(b"half a checkpoint")
        raise OSError(28, "No space left on device")

    from cgan_lib.backend import keras
    from cgan_lib.config import LAPTOP_RECIPE
    from cgan_lib.training import build_gan

    monkeypatch.setattr(keras.Model, "save_weights", fail_half_way)
    callback = checkpoints.Checkpoint(folder / "checkpoint")
    callback.set_model(build_gan(LAPTOP_RECIPE))
    with pytest.raises(OSError, match="no space left in .*: the next save needs about"):
        callback._save_model()
    assert latest.read_bytes() == good
    assert sorted(path.name for path in (folder / "checkpoint").iterdir()) == [
        "latest.weights.h5", "latest.weights.h5.bkp", "training_metadata.json",
        "training_metadata.json.bkp"]
