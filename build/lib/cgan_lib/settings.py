"""Run-wide settings that every part of the library reads: the fast-mode switch and where
outputs are written.

Fast mode (`CGAN_FAST=1`, set by `make test` and CI) shrinks epochs and data everywhere through
`fast_or_full`, so that notebooks and tests run in seconds instead of minutes. Nothing here runs at
import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FAST_MODE_VARIABLE = "CGAN_FAST"
OUTPUTS_VARIABLE = "CGAN_OUTPUTS"
PACKAGE_DIR = Path(__file__).resolve().parent


def fast_mode() -> bool:
    """True when the `CGAN_FAST` environment variable is set to 1/true/yes."""
    return os.environ.get(FAST_MODE_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def fast_or_full(fast: T, full: T) -> T:
    """Return `fast` in fast mode and `full` otherwise, e.g. `epochs = fast_or_full(1, 30)`."""
    return fast if fast_mode() else full


def repository_root() -> Path | None:
    """The repository holding this package (editable install), or None when installed elsewhere."""
    candidate = PACKAGE_DIR.parent
    return candidate if (candidate / "pyproject.toml").is_file() else None


def outputs_dir(*parts: str) -> Path:
    """Return (and create) a folder under the project's outputs, e.g. `outputs_dir("01_data")`.

    The root is `$CGAN_OUTPUTS` if set, else the repository's `outputs/`, else
    `~/.local/share/cgan_lib/outputs` for a non-editable install; never the current directory.
    """
    override = os.environ.get(OUTPUTS_VARIABLE)
    if override:
        root = Path(override).expanduser()
    elif (repository := repository_root()) is not None:
        root = repository / "outputs"
    else:
        root = Path.home() / ".local" / "share" / "cgan_lib" / "outputs"
    folder = root.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
