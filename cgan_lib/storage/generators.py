"""Save and load generators: the Keras 3 `.keras` file, and the JSON + weights pair that the
original work's snippet reads (`model_from_json(...)` then `.load_weights(...)`).

Loading always uses Keras's safe mode, and a missing or unreadable file raises an error that
names the file and says how to make it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from cgan_lib.backends.runtime import keras
from cgan_lib.recipes.named import RECIPES
from cgan_lib.settings import repository_root
from cgan_lib.storage.files import atomic_path, saved_bytes, writable_folder

KERAS_FILE = "generator.keras"
JSON_FILE = "generator.json"
WEIGHTS_FILE = "generator.weights.h5"
HOW_TO_MAKE = "train one with `make train` (or `python -m cgan_lib train`)"
DEFAULT_GENERATOR = "laptop"


def shipped_model_folder(recipe: str = DEFAULT_GENERATOR) -> Path:
    """The folder of the generator trained with `recipe` and committed to the repository:
    "laptop" (the default, with the better scores; `make train-fast`) or "reference" (the
    original design's 30 epochs; notebook 4, `make train`)."""
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r}; choose from {sorted(RECIPES)}")
    root = repository_root()
    if root is None:
        raise FileNotFoundError(
            f"the shipped generators live in the repository's outputs/models/{recipe}/; "
            f"this cgan_lib is installed outside a clone, so {HOW_TO_MAKE}"
        )
    return root / "outputs" / "models" / recipe


def generator_folder(model: Path | str | None = None) -> Path:
    """Where a generator is: `model` as a path (a folder or a file), the name of a shipped
    generator ("laptop" or "reference"), or by default the laptop generator."""
    if model is None:
        return shipped_model_folder()
    if str(model) in RECIPES and not Path(model).exists():
        return shipped_model_folder(str(model))
    return Path(model).expanduser()


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


def _resolve(model: Path | str | None, file_name: str) -> Path:
    path = generator_folder(model)
    if path.is_dir():
        path = path / file_name
    if not path.is_file():
        raise FileNotFoundError(f"no generator file at {path}: name a shipped generator "
                                f"({', '.join(RECIPES)}) or a generator's folder or file, or "
                                f"{HOW_TO_MAKE}")
    return path


def load_generator(model: Path | str | None = None) -> keras.Model:
    """Load a `.keras` generator: a file, a folder holding `generator.keras`, or a shipped
    generator's name; by default the laptop generator. Raises `FileNotFoundError` or `ValueError`
    naming the file."""
    path = _resolve(model, KERAS_FILE)
    try:
        return keras.models.load_model(path, compile=False, safe_mode=True)
    except (ValueError, OSError, zipfile.BadZipFile, KeyError) as error:
        raise ValueError(f"{path} is not a readable Keras generator ({error}); {HOW_TO_MAKE}") \
            from error


def load_generator_from_json(model: Path | str | None = None) -> keras.Model:
    """Rebuild a generator the original way, `model_from_json` then `load_weights`, from a
    folder or a shipped generator's name (by default the laptop generator's)."""
    json_path = _resolve(model, JSON_FILE)
    weights_path = _resolve(json_path.parent, WEIGHTS_FILE)
    try:
        generator = keras.models.model_from_json(json_path.read_text())
        generator.load_weights(weights_path)
    except (ValueError, OSError, KeyError, TypeError) as error:
        raise ValueError(f"cannot rebuild the generator from {json_path} and {weights_path} "
                         f"({error}); {HOW_TO_MAKE}") from error
    return generator
