"""Training runs that survive faults: one live run per folder, checkpoints that a broken file
cannot block, and saves that a full disk cannot half-write.

- `folder_lock(folder)` holds `folder/train.lock` (the process id of the run) while a run trains
  into the folder. A second run into it is refused with a `ValueError` naming the other run's
  process id; a lock left by a run that was killed is taken over.
- `Checkpoint` saves the model's weights and its optimizers' state after every epoch
  (`latest.weights.h5`, with the epoch in `training_metadata.json`), keeping the previous epoch's
  pair too (`.bkp`). Before `fit`, `restore(model)` loads the latest checkpoint and returns the
  epoch to pass to `fit(initial_epoch=…)`. When the latest checkpoint cannot be loaded (a
  truncated file, or not a checkpoint at all), it says so in one line and resumes from the
  previous one; if that cannot be loaded either, it moves the broken files to
  `checkpoint.broken/` and starts over. It writes each checkpoint through
  `cgan_lib.storage.files.atomic_path`, after checking that the folder has the space: a full disk
  is an `OSError` in one line that names the folder and the space the next save needs, and the
  last good checkpoint stays as it was. It uses Keras's public API only: `save_weights`,
  `load_weights` and `fit(initial_epoch=…)`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from cgan_lib.backends.runtime import keras
from cgan_lib.storage import files
from cgan_lib.storage.files import MEGABYTE, atomic_path

LOCK_NAME = "train.lock"
WEIGHTS_FILE = "latest.weights.h5"
METADATA_FILE = "training_metadata.json"
PREVIOUS = ".bkp"


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


class Checkpoint(keras.callbacks.Callback):
    """Save the model and its optimizers' state after every epoch, keeping the previous epoch's
    checkpoint; `restore` loads the latest one before `fit`, recovering from one that cannot be
    loaded in one line."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.weights = self.folder / WEIGHTS_FILE
        self.metadata = self.folder / METADATA_FILE

    def _pairs(self) -> tuple[tuple[Path, Path], ...]:
        """(latest, previous) for the weights and for the metadata."""
        return tuple((path, path.with_name(path.name + PREVIOUS))
                     for path in (self.weights, self.metadata))

    def _needed_bytes(self) -> int:
        """The size of the next checkpoint: the last one's, or the variables' bytes and 10%."""
        if self.weights.is_file():
            return self.weights.stat().st_size + MEGABYTE // 16
        return int(1.1 * sum(keras.ops.convert_to_numpy(variable).nbytes
                             for variable in _variables(self.model))) + MEGABYTE // 16

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        """Write the checkpoint beside the last one, then move the last one to `.bkp` and the new
        one into its place: an interrupted or failed save leaves the last good checkpoint."""
        files.writable_folder(self.folder)
        # The weights are renamed into place before the metadata that names their epoch.
        with atomic_path(self.metadata) as metadata, \
                atomic_path(self.weights, needed=self._needed_bytes()) as weights:
            self.model.save_weights(weights, overwrite=True)
            metadata.write_text(json.dumps({"epoch": epoch + 1}))
            for path, previous in self._pairs():
                if path.is_file():
                    os.replace(path, previous)

    def _load(self, model: keras.Model) -> int:
        """Load the latest checkpoint into `model`; returns the epochs it had completed (0 when
        there is no checkpoint)."""
        if not self.weights.is_file():
            return 0
        model.load_weights(self.weights)
        return int(json.loads(self.metadata.read_text())["epoch"])

    def _load_or_restore(self, model: keras.Model, values: list) -> int | Exception:
        """`_load`; on failure put every variable back and return the error."""
        try:
            return self._load(model)
        # h5py, JSON and Keras each raise their own kind of error for a damaged file.
        except Exception as error:  # noqa: BLE001
            for variable, value in zip(_variables(model), values, strict=True):
                variable.assign(value)
            return error

    def _copy_previous_onto_latest(self) -> bool:
        """Put the previous checkpoint in the latest one's place, if there is a previous one."""
        pairs = self._pairs()
        if not all(previous.is_file() for _, previous in pairs):
            return False
        for latest, previous in pairs:
            shutil.copyfile(previous, latest)
        return True

    def restore(self, model: keras.Model) -> int:
        """Load the folder's latest checkpoint into `model` (built and compiled) and return the
        number of epochs it had completed: the `initial_epoch` of the `fit` that continues it."""
        if not all(latest.is_file() for latest, _ in self._pairs()):
            self._copy_previous_onto_latest()  # a save was cut between its two renames
        values = [keras.ops.convert_to_numpy(variable) for variable in _variables(model)]
        outcome = self._load_or_restore(model, values)
        if not isinstance(outcome, Exception):
            return outcome
        reason = f"{type(outcome).__name__}: {str(outcome).splitlines()[0] if str(outcome) else ''}"
        if self._copy_previous_onto_latest():
            outcome = self._load_or_restore(model, values)
            if not isinstance(outcome, Exception):
                print(f"the checkpoint in {self.folder} cannot be loaded ({reason}); resuming "
                      f"from the one before it, at epoch {outcome}")
                return outcome
        moved = self.folder.with_name(self.folder.name + ".broken")
        shutil.rmtree(moved, ignore_errors=True)
        self.folder.rename(moved)
        print(f"the checkpoint in {self.folder} cannot be loaded ({reason}); it is moved to "
              f"{moved}, and training starts over")
        return 0


def _variables(model: keras.Model) -> list:
    """Everything a checkpoint holds: the model's variables and its optimizer's."""
    return [*model.variables, *model.optimizer.variables]
