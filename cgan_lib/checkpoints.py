"""Training runs that survive faults: one live run per folder, and checkpoints that a broken file
cannot block.

- `folder_lock(folder)` holds `folder/train.lock` (the process id of the run) while a run trains
  into the folder. A second run into it is refused with a `ValueError` naming the other run's
  process id; a lock left by a run that was killed is taken over.
- `Checkpoint` is Keras's `BackupAndRestore` keeping the previous epoch's checkpoint too
  (`double_checkpoint`). When the latest checkpoint cannot be loaded (a truncated file, or not a
  checkpoint at all), it says so in one line and resumes from the previous one; if that cannot be
  loaded either, it moves the broken files to `checkpoint.broken/` and starts over.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from cgan_lib.backend import keras

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
        self.folder = Path(folder)

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

    def on_train_begin(self, logs=None) -> None:
        values = [keras.ops.convert_to_numpy(variable.value) for variable in self._variables()]
        error = self._load_or_restore(values)
        if error is None:
            return
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        previous = Path(self._prev_weights_path)
        if previous.is_file():
            shutil.copyfile(previous, self._weights_path)
            if Path(self._prev_training_metadata_path).is_file():
                shutil.copyfile(self._prev_training_metadata_path, self._training_metadata_path)
            if self._load_or_restore(values) is None:
                print(f"the checkpoint in {self.folder} cannot be loaded ({reason}); resuming "
                      f"from the one before it, at epoch {self.model._initial_epoch}")
                return
        moved = self.folder.with_name(self.folder.name + ".broken")
        shutil.rmtree(moved, ignore_errors=True)
        self.folder.rename(moved)
        print(f"the checkpoint in {self.folder} cannot be loaded ({reason}); it is moved to "
              f"{moved}, and training starts over")
