"""Writing files so that a failed or interrupted write leaves the previous version.

`atomic_path(path)` hands out a temporary path in `path`'s folder and renames it onto `path`
only once the write has succeeded: every file that training, `evaluate` and the CLI write goes
through it. A full disk or a folder that cannot be written is an `OSError` whose message is one
line naming the folder, the space needed (for a full disk) and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

MEGABYTE = 1 << 20
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


def free_bytes(folder: Path) -> int:
    """The bytes free on the disk that holds `folder`."""
    return shutil.disk_usage(folder).free


class WriteError(OSError):
    """A write that failed for a reason the user can fix: a full disk, or a folder that cannot be
    written. Its message is one line."""


def no_space_error(folder: Path, needed: int, free: int) -> WriteError:
    """The one-line error for a disk too full to write `needed` bytes into `folder`."""
    error = WriteError(f"no space left in {folder}: the next save needs about "
                    f"{needed / MEGABYTE:.1f} MB and {free / MEGABYTE:.1f} MB are free; free "
                    "some space and run the same command again")
    error.errno = errno.ENOSPC
    return error


def not_writable_error(folder: Path, reason: OSError) -> WriteError:
    """The one-line error for a folder that this process may not write into."""
    error = WriteError(f"{folder} cannot be written ({reason.strerror or reason}): choose a folder "
                    "you can write to, or make this one writable, and run the same command again")
    error.errno = reason.errno
    return error


def require_space(folder: Path, needed: int) -> None:
    """Raise the one-line no-space error unless `folder`'s disk has `needed` bytes free."""
    free = free_bytes(folder)
    if free < needed:
        raise no_space_error(folder, needed, free)


def saved_bytes(model) -> int:
    """About the size of a Keras model's weights file, or a little more: the space a save of it
    checks for first."""
    return int(1.1 * sum(weight.nbytes for weight in model.get_weights())) + MEGABYTE


def writable_folder(folder: Path) -> Path:
    """Create `folder` if needed and check that a file can be written into it."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test.{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        if error.errno in NOT_WRITABLE:
            raise not_writable_error(folder, error) from None
        if error.errno in NO_SPACE:
            raise no_space_error(folder, 1, free_bytes(folder)) from None
        raise
    return folder


def remove_temporaries(folder: Path) -> None:
    """Delete the temporary files that writes into `folder` (and below) left when their process
    was killed; call it only while no other process writes there."""
    for temporary in Path(folder).rglob(".*.tmp*"):
        temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(path: Path, needed: int = 0) -> Iterator[Path]:
    """A temporary path beside `path`, with the same suffixes (Keras and matplotlib read the
    format from them); renamed onto `path` when the block succeeds, deleted when it fails.

    With `needed` (bytes), the disk's free space is checked before the block runs: some writers
    (HDF5) crash rather than fail cleanly when the disk fills up mid-write."""
    path = Path(path)
    folder = path.parent
    if needed:
        require_space(folder, needed)
    temporary = path.with_name(f".{path.name.split('.')[0]}.{os.getpid()}.tmp"
                               f"{''.join(path.suffixes)}")
    try:
        yield temporary
        os.replace(temporary, path)
    except WriteError:
        raise
    except OSError as error:
        if error.errno in NO_SPACE:
            written = temporary.stat().st_size if temporary.exists() else 0
            temporary.unlink(missing_ok=True)
            raise no_space_error(folder, max(needed, written + MEGABYTE // 16),
                                 free_bytes(folder)) from None
        if error.errno in NOT_WRITABLE:
            raise not_writable_error(folder, error) from None
        raise
    finally:
        temporary.unlink(missing_ok=True)


def save_figure(figure, path: Path, dpi: int = 100) -> Path:
    """`figure.savefig(path)` through `atomic_path`; returns the path."""
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=dpi)
    return Path(path)
