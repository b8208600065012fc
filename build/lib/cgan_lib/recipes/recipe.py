"""A training recipe: a name, a seed and the five validated parts of `cgan_lib.recipes.parts`,
kept with every run as `recipe.json`.

`Recipe()` is the reference design. `recipe.changed(learning_rate=1e-3, epochs=5)` returns a
copy with fields changed by name, whichever part holds them. `recipe.to_json()` and
`Recipe.from_json(text)` write and read the file that a run leaves in its folder; reading it back
gives an equal recipe. A recipe file may leave fields out: they keep the reference's values.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from cgan_lib.recipes.parts import (
    Architecture,
    Objective,
    Optimization,
    Run,
    Speed,
    check_generator_pass_reuse,
    field_names,
)
from cgan_lib.settings import fast_mode

PARTS = {"run": Run, "architecture": Architecture, "objective": Objective,
         "optimization": Optimization, "speed": Speed}
# Each part's field → the part that holds it, e.g. "learning_rate" → "optimization".
PART_OF_FIELD = {name: part for part, part_class in PARTS.items()
                 for name in field_names(part_class)}
RECIPE_FILE = "recipe.json"


@dataclass(frozen=True)
class Recipe:
    """Every hyperparameter of a conditional DCGAN training run, in parts; the reference design by
    default."""

    name: str = "reference"
    seed: int = 504
    run: Run = field(default_factory=Run)
    architecture: Architecture = field(default_factory=Architecture)
    objective: Objective = field(default_factory=Objective)
    optimization: Optimization = field(default_factory=Optimization)
    speed: Speed = field(default_factory=Speed)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"recipe name={self.name!r} is not allowed: it must be a non-empty "
                             "string")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"recipe seed={self.seed!r} is not allowed: it must be a "
                             "non-negative integer")
        for part, part_class in PARTS.items():
            if not isinstance(getattr(self, part), part_class):
                raise ValueError(f"recipe {part}={getattr(self, part)!r} is not allowed: it "
                                 f"must be a {part_class.__name__}")
        check_generator_pass_reuse(self.objective, self.speed.reuse_generator_pass)
        if self.objective.mode_seeking_weight and self.run.batch_size < 2:
            raise ValueError(f"mode_seeking_weight={self.objective.mode_seeking_weight!r} "
                             "compares pairs of images in a batch: batch_size must be at least "
                             f"2, got {self.run.batch_size}")

    def changed(self, **changes: object) -> Recipe:
        """A copy with fields changed by name: `name`, `seed`, or any part's field, e.g.
        `changed(learning_rate=1e-3, epochs=5)`."""
        top, by_part = {}, {}
        for name, value in changes.items():
            if name in ("name", "seed"):
                top[name] = value
            elif name in PART_OF_FIELD:
                by_part.setdefault(PART_OF_FIELD[name], {})[name] = value
            else:
                raise ValueError(f"a recipe has no field {name!r}: the fields are name, seed, "
                                 f"and {', '.join(PART_OF_FIELD)}")
        parts = {part: replace(getattr(self, part), **values) for part, values in by_part.items()}
        return replace(self, **top, **parts)

    def shrunk_for_fast_mode(self) -> Recipe:
        """The same recipe, cut to one epoch on at most 2,048 images when fast mode is on."""
        if not fast_mode():
            return self
        return self.changed(epochs=1, training_images=min(self.run.training_images, 2048))

    def as_dict(self) -> dict:
        """{"name": …, "seed": …, "run": {…}, "architecture": {…}, …}: what `to_json` writes."""
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=1) + "\n"

    @classmethod
    def from_dict(cls, values: dict) -> Recipe:
        """The recipe a dict of `as_dict`'s shape describes; missing fields keep the reference's
        values, and an unknown one is a `ValueError` that names it."""
        if not isinstance(values, dict):
            raise ValueError(f"a recipe must be a JSON object, got {type(values).__name__}")
        unknown = set(values) - {"name", "seed", *PARTS}
        if unknown:
            raise ValueError(f"unknown recipe entries {sorted(unknown)}: a recipe has name, seed "
                             f"and the parts {', '.join(PARTS)}")
        changes = {key: values[key] for key in ("name", "seed") if key in values}
        for part in PARTS:
            fields_of_part = values.get(part, {})
            if not isinstance(fields_of_part, dict):
                raise ValueError(f"recipe {part} must be a JSON object of fields, got "
                                 f"{fields_of_part!r}")
            for name, value in fields_of_part.items():
                if PART_OF_FIELD.get(name) != part:
                    raise ValueError(f"the recipe part {part} has no field {name!r}: its fields "
                                     f"are {', '.join(field_names(PARTS[part]))}")
                changes[name] = value
        return cls().changed(**changes)

    @classmethod
    def from_json(cls, text: str) -> Recipe:
        return cls.from_dict(json.loads(text))

    def flat(self) -> dict[str, object]:
        """{field: value} for every field, named as `changed` takes them (name, seed, and each
        part's fields)."""
        values: dict[str, object] = {"name": self.name, "seed": self.seed}
        for part in PARTS:
            values.update(asdict(getattr(self, part)))
        return values

    def differences(self, other: Recipe) -> dict[str, tuple[object, object]]:
        """{field: (this recipe's value, the other's)} for every field where the two differ."""
        mine, theirs = self.flat(), other.flat()
        return {name: (mine[name], theirs[name]) for name in mine if mine[name] != theirs[name]}


def read_recipe(path: Path | str) -> Recipe:
    """The recipe in a JSON file (a run folder's `recipe.json`, or one of your own); a
    `FileNotFoundError` or a `ValueError` naming the file if it is missing or not a recipe."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"no recipe file at {path}: give a recipe's name or the path of a "
                                f"JSON recipe, such as a trained run's {RECIPE_FILE}")
    try:
        return Recipe.from_json(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error})") from None
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
