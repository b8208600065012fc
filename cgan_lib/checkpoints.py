"""Training runs that survive faults: one live run per folder, checkpoints that a broken file
cannot block, and saves that a full disk cannot half-write.

- `folder_lock(folder)` holds `folder/train.lock` (the process id of the run) while a run trains
  into the folder. A second run into it is refused with a `ValueError` naming the other run's
  process id; a lock left by a run that was killed is taken over.
- `Checkpoint` is Keras's `BackupAndRestore` keeping the previous epoch's checkpoint too
  (`double_checkpoint`). When the latest checkpoint cannot be loaded (a truncated file, or not a
  checkpoint at all), it says so in one line and resumes from the previous one; if that cannot be
  loaded either, it moves the broken files to `checkpoint.broken/` and starts over. It writes
  each checkpoint through `cgan_lib.files.atomic_path`, after checking that the folder has the
  space: a full disk is an `OSError` in one line that names the folder and the space the next
  save needs, and the last good checkpoint stays as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from cgan_lib import files
from cgan_lib.backend import keras
from cgan_lib.files import MEGABYTE, atomic_path

LOCK_NAME = "train.lock"


def _process_is_alive(process_id: int) -> bool:
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's
        return True
    return True


def _lock_owner(lock: Path) -> int | None:
    try:
        return int(lock.read_text().strip())
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's lock while the block runs; refuse if a live run holds it."""
    lock = Path(folder) / LOCK_NAME
    lock.parent.mkdir(parents=True, exist_ok=True)
    while True:
        try:
            handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            owner = _lock_owner(lock)
            if owner is not None and owner != os.getpid() and _process_is_alive(owner):
                raise ValueError(
                    f"{folder} is in use by another training run (process {owner}): wait for it "
                    "to finish, or train into another folder (--output)") from None
            lock.unlink(missing_ok=True)  # left by a run that was killed: take it over
    with os.fdopen(handle, "w") as file:
        file.write(f"{os.getpid()}\n")
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


class Checkpoint(keras.callbacks.BackupAndRestore):
    """`BackupAndRestore` after every epoch, never deleted, with the previous epoch's checkpoint
    kept, and a one-line recovery from a checkpoint that cannot be loaded."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, double_checkpoint=True, delete_checkpoint=False)

    @property
    def folder(self) -> Path:
        return Path(self.backup_dir)

    def _needed_bytes(self) -> int:
        """The size of the next checkpoint: the last one's, or the variables' bytes and 10%."""
        latest = Path(self._weights_path)
        if latest.is_file():
            return latest.stat().st_size + MEGABYTE // 16
        return int(1.1 * sum(variable.numpy().nbytes
                             for variable in self._variables())) + MEGABYTE // 16

    def _save_model(self) -> None:
        """Write the checkpoint beside the last one, then move the last one to `.bkp` and the new
        one into its place: an interrupted or failed save leaves the last good checkpoint."""
        files.writable_folder(self.folder)
        # The weights are renamed into place before the metadata that names their epoch.
        with atomic_path(Path(self._training_metadata_path)) as metadata, \
                atomic_path(Path(self._weights_path), needed=self._needed_bytes()) as weights:
            self.model.save_weights(weights, overwrite=True)
            metadata.write_text(json.dumps({"epoch": self._current_epoch,
                                            "batch": self._last_batch_seen}))
            for path, previous in self._pairs():
                if path.is_file():
                    os.replace(path, previous)

    def _variables(self) -> list:
        return [*self.model.variables, *self.model.optimizer.variables]

    def _load_or_restore(self, values: list) -> Exception | None:
        """Load the latest checkpoint; on failure put every variable back and return the error."""
        try:
            self._load_model()
            return None
        # h5py, JSON and Keras each raise their own kind of error for a damaged file.
        except Exception as error:  # noqa: BLE001
            for variable, value in zip(self._variables(), values, strict=True):
                variable.assign(value)
            self.model._initial_epoch = 0
            return error

    def _pairs(self) -> tuple[tuple[Path, Path], ...]:
        """(latest, previous) for the weights and for the metadata."""
        return ((Path(self._weights_path), Path(self._prev_weights_path)),
                (Path(self._training_metadata_path), Path(self._prev_training_metadata_path)))

    def _copy_previous_onto_latest(self) -> bool:
        """Put the previous checkpoint in the latest one's place, if there is a previous one."""
        pairs = self._pairs()
        if not all(previous.is_file() for _, previous in pairs):
            return False
        for latest, previous in pairs:
            shutil.copyfile(previous, latest)
        return True

    def on_train_begin(self, logs=None) -> None:
        if not all(latest.is_file() for latest, _ in self._pairs()):
            self._copy_previous_onto_latest()  # a save was cut between its two renames
        values = [variable.numpy() for variable in self._variables()]
        error = self._load_or_restore(values)
        if error is None:
            return
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        if self._copy_previous_onto_latest() and self._load_or_restore(values) is None:
            print(f"the checkpoint in {self.folder} cannot be loaded ({reason}); resuming "
                  f"from the one before it, at epoch {self.model._initial_epoch}")
            return
        moved = self.folder.with_name(self.folder.name + ".broken")
        shutil.rmtree(moved, ignore_errors=True)
        self.folder.rename(moved)
        print(f"the checkpoint in {self.folder} cannot be loaded ({reason}); it is moved to "
              f"{moved}, and training starts over")
