"""Writes that fail leave the previous file: `cgan_lib.storage.files.atomic_path` on its own,
through the writers that training and `evaluate` use, and at the CLI (in-process), where a folder
that cannot be written and a disk too small for a generator are each one line naming the
folder."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from cgan_lib.storage import files
from cgan_lib.storage.files import WriteError, atomic_path


def test_a_write_that_fails_leaves_the_previous_file_and_no_temporary(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text("good")
    with pytest.raises(RuntimeError, match="cut off"), atomic_path(path) as temporary:
        temporary.write_text("half")
        raise RuntimeError("cut off")
    assert path.read_text() == "good"
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_write_that_succeeds_replaces_the_file_through_a_path_with_its_suffixes(tmp_path):
    path = tmp_path / "generator.weights.h5"
    path.write_text("old")
    with atomic_path(path) as temporary:
        assert temporary.parent == tmp_path and temporary.name.endswith(".weights.h5")
        assert not temporary.exists()
        temporary.write_text("new")
    assert path.read_text() == "new"
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_full_disk_mid_write_is_one_line_that_names_the_folder(tmp_path):
    path = tmp_path / "grid.png"
    path.write_bytes(b"good")
    with pytest.raises(WriteError) as raised, atomic_path(path) as temporary:
        temporary.write_bytes(b"x" * 100_000)
        raise OSError(errno.ENOSPC, "No space left on device")
    message = str(raised.value)
    assert message.startswith(f"no space left in {tmp_path}: the next save needs about 0.2 MB")
    assert "\n" not in message and raised.value.errno == errno.ENOSPC
    assert path.read_bytes() == b"good" and sorted(tmp_path.iterdir()) == [path]


def test_a_save_that_needs_more_than_is_free_is_refused_before_it_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "free_bytes", lambda folder: 300 * 1024)
    with pytest.raises(WriteError, match=r"needs about 2\.0 MB and 0\.3 MB are free"), \
            atomic_path(tmp_path / "generator.keras", needed=2 << 20) as temporary:
        temporary.write_text("never")
    assert list(tmp_path.iterdir()) == []


def test_the_loss_plot_and_the_generator_files_keep_their_last_version(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from cgan_lib.backends.runtime import keras
    from cgan_lib.recipes.named import LAPTOP_RECIPE
    from cgan_lib.storage.generators import WEIGHTS_FILE, save_generator
    from cgan_lib.training.build import build_generator
    from cgan_lib.training.callbacks import EpochHistory

    generator = build_generator(LAPTOP_RECIPE)
    save_generator(generator, tmp_path)
    history = EpochHistory(tmp_path / "history.json", plot_path=tmp_path / "loss_plot.png")
    history.on_epoch_begin(0)
    history.on_epoch_end(0, {"d_loss": 1.0, "g_loss": 2.0})
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    def half_then_full_disk(self, path, *args, **kwargs):
        Path(path).write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", half_then_full_disk)
    monkeypatch.setattr(keras.Model, "save_weights", half_then_full_disk)
    with pytest.raises(WriteError, match=f"no space left in {tmp_path}"):
        history.on_epoch_end(1, {"d_loss": 0.5, "g_loss": 2.5})
    with pytest.raises(WriteError, match=f"no space left in {tmp_path}"):
        save_generator(generator, tmp_path)
    after = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert after["loss_plot.png"] == before["loss_plot.png"]
    assert after[WEIGHTS_FILE] == before[WEIGHTS_FILE]
    assert sorted(after) == sorted(before)  # no temporary file is left


def _mount_tmpfs(folder: Path, options: str) -> bool:
    try:
        return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                              capture_output=True).returncode == 0
    except OSError:  # no mount command here
        return False


@pytest.fixture
def read_only_folder(tmp_path, monkeypatch):
    """A folder this process cannot write into: a read-only tmpfs where this process may mount
    one; else its write bit removed, which binds a user that is not root; else (root without a
    mount command) the file system's refusal injected: creating or writing anything in the folder
    raises PermissionError, as a read-only folder does."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    how = "mount" if _mount_tmpfs(folder, "ro,size=64k") else (
        "permissions" if os.geteuid() != 0 else "injected")
    if how == "permissions":
        folder.chmod(0o555)
    elif how == "injected":
        def refuse(original):
            def call(self, *args, **kwargs):
                if str(self).startswith(str(folder)):
                    raise PermissionError(errno.EACCES, "Permission denied", str(self))
                return original(self, *args, **kwargs)
            return call

        for name in ("mkdir", "write_bytes"):
            monkeypatch.setattr(Path, name, refuse(getattr(Path, name)))
    yield folder
    monkeypatch.undo()
    if how == "mount":
        subprocess.run(["umount", str(folder)], check=True)
    folder.chmod(0o755)


@pytest.mark.parametrize("command", [
    ("train", "--recipe", "laptop", "--output", "{folder}/run"),
    ("evaluate", "--per-digit", "10", "--output", "{folder}/evaluation"),
    ("generate", "--digit", "3", "--out", "{folder}/three.png"),
])
def test_a_folder_that_cannot_be_written_is_one_line(read_only_folder, command, cli):
    result = cli(*[part.format(folder=read_only_folder) for part in command])
    assert result.code == 1, result.err[-2000:]
    assert len(result.error_lines) == 1, result.err[-2000:]
    line = result.error_lines[0]
    assert str(read_only_folder) in line and " cannot be written (" in line
    assert line.endswith("choose a folder you can write to, or make this one writable, "
                         "and run the same command again")


def test_a_disk_too_small_for_the_generator_is_one_line_at_evaluate(tmp_path, cli, monkeypatch):
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = _mount_tmpfs(folder, "size=300k")
    if not mounted:
        monkeypatch.setattr(files, "free_bytes", lambda folder: 300 * 1024)
    try:
        result = cli("evaluate", "--per-digit", "10", "--output", folder / "evaluation")
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
    assert result.code == 1, result.err[-2000:]
    assert len(result.error_lines) == 1, result.err[-2000:]
    assert result.error_lines[0].startswith(
        f"python -m cgan_lib evaluate: error: no space left in {folder / 'evaluation'}: the "
        "next save needs about ")
