"""Save and load generators: the Keras 3 `.keras` file, and the JSON + weights pair that the
original work's snippet reads (`model_from_json(...)` then `.load_weights(...)`).

The two shipped generators, "laptop" (the default, the better scores) and "reference" (the
original design's 30 epochs), are package data: `shipped/<name>/generator.keras` with the
`recipe.json` that trained it, so `load_generator()` works wherever cgan_lib is installed. Their
run folders, with the JSON + weights pair, the per-epoch grids and the history, are the
repository's `outputs/models/<name>/`. Loading always uses Keras's safe mode, and a missing or
unreadable file raises an error that names the file and says how to make it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from cgan_lib.backends.runtime import keras
from cgan_lib.settings import repository_root
from cgan_lib.storage.files import atomic_path, saved_bytes, writable_folder

KERAS_FILE = "generator.keras"
JSON_FILE = "generator.json"
WEIGHTS_FILE = "generator.weights.h5"
HOW_TO_MAKE = "train one with `make train` (or `python -m cgan_lib train`)"
SHIPPED = ("laptop", "reference")
SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"


def _check_shipped(name: str) -> str:
    if name not in SHIPPED:
        raise ValueError(f"unknown shipped generator {name!r}; choose from {list(SHIPPED)}")
    return name


def shipped_generator_folder(name: str = "laptop") -> Path:
    """The package folder of a shipped generator ("laptop" or "reference"): its
    `generator.keras` and the `recipe.json` that trained it."""
    return SHIPPED_DIR / _check_shipped(name)


def shipped_run_folder(name: str = "laptop") -> Path:
    """The run folder of a shipped generator in the repository (`outputs/models/<name>/`): the
    JSON + weights pair, the per-epoch grids, the history and the evaluation."""
    root = repository_root()
    if root is None:
        raise FileNotFoundError(
            f"the run folder of the {_check_shipped(name)} generator is the repository's "
            f"outputs/models/{name}/, and this cgan_lib is installed outside a clone: name a "
            f"folder of your own, or {HOW_TO_MAKE}")
    return root / "outputs" / "models" / _check_shipped(name)


def _is_shipped_name(model: Path | str | None) -> bool:
    return model is None or (str(model) in SHIPPED and not Path(model).exists())


def save_generator(generator: keras.Model, folder: Path) -> dict[str, Path]:
    """Write `generator.keras`, `generator.json` and `generator.weights.h5` into `folder`.

    The generator is saved on its own, without any optimizer state. Each file is written
    through `atomic_path`, so a failed save leaves the previous file.
    """
    folder = writable_folder(folder)
    paths = {"keras": folder / KERAS_FILE, "json": folder / JSON_FILE,
             "weights": folder / WEIGHTS_FILE}
    save_keras_file(generator, paths["keras"])
    with atomic_path(paths["json"]) as temporary:
        temporary.write_text(generator.to_json())
    with atomic_path(paths["weights"], saved_bytes(generator)) as temporary:
        generator.save_weights(temporary)
    return paths


def save_keras_file(generator: keras.Model, path: Path) -> Path:
    """`generator.save(path)` (a `.keras` file) through `atomic_path`; returns the path."""
    with atomic_path(path, saved_bytes(generator)) as temporary:
        generator.save(temporary)
    return Path(path)


def generator_file(model: Path | str | None, file_name: str = KERAS_FILE) -> Path:
    """The file `file_name` of a generator: `model` as a file, or a folder holding it, or the name
    of a shipped generator (by default the laptop generator), whose `.keras` file is package data
    and whose JSON + weights pair is in its run folder."""
    if _is_shipped_name(model):
        name = str(model or "laptop")
        folder = (shipped_generator_folder(name) if file_name == KERAS_FILE
                  else shipped_run_folder(name))
        path = folder / file_name
    else:
        path = Path(model).expanduser()
        if path.is_dir():
            path = path / file_name
    if not path.is_file():
        raise FileNotFoundError(f"no generator file at {path}: name a shipped generator "
                                f"({', '.join(SHIPPED)}) or a generator's folder or file, or "
                                f"{HOW_TO_MAKE}")
    return path


def load_generator(model: Path | str | None = None) -> keras.Model:
    """Load a `.keras` generator: a file, a folder holding `generator.keras`, or a shipped
    generator's name; by default the laptop generator. Raises `FileNotFoundError` or `ValueError`
    naming the file."""
    path = generator_file(model, KERAS_FILE)
    try:
        return keras.models.load_model(path, compile=False, safe_mode=True)
    except (ValueError, OSError, zipfile.BadZipFile, KeyError) as error:
        raise ValueError(f"{path} is not a readable Keras generator ({error}); {HOW_TO_MAKE}") \
            from error


def load_generator_from_json(model: Path | str | None = None) -> keras.Model:
    """Rebuild a generator the original way, `model_from_json` then `load_weights`, from a
    folder or a shipped generator's name (by default the laptop generator's)."""
    json_path = generator_file(model, JSON_FILE)
    weights_path = generator_file(json_path.parent, WEIGHTS_FILE)
    try:
        generator = keras.models.model_from_json(json_path.read_text())
        generator.load_weights(weights_path)
    except (ValueError, OSError, KeyError, TypeError) as error:
        raise ValueError(f"cannot rebuild the generator from {json_path} and {weights_path} "
                         f"({error}); {HOW_TO_MAKE}") from error
    return generator
