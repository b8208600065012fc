"""Save and load generators: the Keras 3 `.keras` file, and the JSON + weights pair that the
original work's snippet reads (`model_from_json(...)` then `.load_weights(...)`).

Loading always uses Keras's safe mode, and a missing or unreadable file raises an error that
names the file and says how to make it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from cgan_lib.backend import keras
from cgan_lib.config import RECIPES, repository_root

KERAS_FILE = "generator.keras"
JSON_FILE = "generator.json"
WEIGHTS_FILE = "generator.weights.h5"
HOW_TO_MAKE = "train one with `make train` (or `python -m cgan_lib train`)"


def shipped_model_folder(recipe: str = "reference") -> Path:
    """The folder of the generator trained with `recipe` and committed to the repository:
    "reference" (notebook 4, `make train`) or "laptop" (`make train-fast`, the digit studio's)."""
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r}; choose from {sorted(RECIPES)}")
    root = repository_root()
    if root is None:
        raise FileNotFoundError(
            f"the shipped generators live in the repository's outputs/models/{recipe}/; "
            f"this cgan_lib is installed outside a clone, so {HOW_TO_MAKE}"
        )
    return root / "outputs" / "models" / recipe


def save_generator(generator: keras.Model, folder: Path) -> dict[str, Path]:
    """Write `generator.keras`, `generator.json` and `generator.weights.h5` into `folder`.

    The generator is saved on its own, without any optimizer state.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"keras": folder / KERAS_FILE, "json": folder / JSON_FILE,
             "weights": folder / WEIGHTS_FILE}
    generator.save(paths["keras"])
    paths["json"].write_text(generator.to_json())
    generator.save_weights(paths["weights"])
    return paths


def _resolve(path: Path | str, file_name: str) -> Path:
    path = Path(path).expanduser()
    if path.is_dir():
        path = path / file_name
    if not path.is_file():
        raise FileNotFoundError(f"no generator file at {path}: {HOW_TO_MAKE}")
    return path


def load_generator(path: Path | str | None = None) -> keras.Model:
    """Load a `.keras` generator (a file, or a folder holding `generator.keras`); by default the
    shipped one. Raises `FileNotFoundError` or `ValueError` naming the file."""
    path = _resolve(shipped_model_folder() if path is None else path, KERAS_FILE)
    try:
        return keras.models.load_model(path, compile=False, safe_mode=True)
    except (ValueError, OSError, zipfile.BadZipFile, KeyError) as error:
        raise ValueError(f"{path} is not a readable Keras generator ({error}); {HOW_TO_MAKE}") \
            from error


def load_generator_from_json(folder: Path | str) -> keras.Model:
    """Rebuild a generator the original way: `model_from_json` then `load_weights`."""
    json_path = _resolve(folder, JSON_FILE)
    weights_path = _resolve(json_path.parent, WEIGHTS_FILE)
    try:
        generator = keras.models.model_from_json(json_path.read_text())
        generator.load_weights(weights_path)
    except (ValueError, OSError, KeyError, TypeError) as error:
        raise ValueError(f"cannot rebuild the generator from {json_path} and {weights_path} "
                         f"({error}); {HOW_TO_MAKE}") from error
    return generator
