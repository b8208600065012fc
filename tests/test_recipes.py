"""Tests for fast mode, explicit seeding, the outputs folder, and recipes: their checks, their
JSON file (`recipe.json`) and how the command line finds one."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from cgan_lib.backends.runtime import keras
from cgan_lib.backends.seeding import set_seed
from cgan_lib.recipes.named import LAPTOP_RECIPE, RECIPES, REFERENCE_RECIPE, find_recipe
from cgan_lib.recipes.parts import Objective, Speed
from cgan_lib.recipes.recipe import Recipe, read_recipe
from cgan_lib.settings import fast_or_full, outputs_dir, repository_root


def test_fast_or_full_follows_the_environment(monkeypatch):
    monkeypatch.setenv("CGAN_FAST", "1")
    assert fast_or_full(1, 30) == 1
    monkeypatch.setenv("CGAN_FAST", "0")
    assert fast_or_full(1, 30) == 30


def test_set_seed_makes_random_draws_repeat():
    set_seed(504)
    first = keras.ops.convert_to_numpy(keras.random.normal((4,)))
    set_seed(504)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(keras.random.normal((4,))), first)


def test_set_seed_refuses_a_negative_seed():
    with pytest.raises(ValueError, match="-1"):
        set_seed(-1)


def test_outputs_dir_honours_the_override(tmp_path, monkeypatch):
    monkeypatch.setenv("CGAN_OUTPUTS", str(tmp_path / "elsewhere"))
    assert outputs_dir("01_data") == tmp_path / "elsewhere" / "01_data"
    assert (tmp_path / "elsewhere" / "01_data").is_dir()


def test_outputs_dir_defaults_to_the_repository(monkeypatch):
    monkeypatch.delenv("CGAN_OUTPUTS", raising=False)
    assert outputs_dir() == repository_root() / "outputs"


@pytest.mark.parametrize(("changes", "message"), [
    ({"batch_size": 0}, "batch_size=0 .* a positive integer"),
    ({"epochs": 2.5}, "epochs=2.5 .* a positive integer"),
    ({"generator_width": True}, "generator_width=True .* an even number of channels"),
    ({"seed": -1}, "seed=-1 .* a non-negative integer"),
    ({"training_images": 70_000}, "training_images=70000 .* from 1 to 60,000"),
    ({"learning_rate": 0.0}, "learning_rate=0.0 .* > 0"),
    ({"beta_2": 1.0}, "beta_2=1.0 .* in \\[0, 1\\)"),
    ({"weight_average": 0.999}, "weight_average=0.999 .* True or False"),
    ({"discriminator_dropout": -0.1}, "discriminator_dropout=-0.1"),
    ({"real_label_smoothing": 1.0}, "real_label_smoothing=1.0"),
    ({"classifier_weight": -1}, "classifier_weight=-1 .* ≥ 0"),
    ({"mode_seeking_weight": "high"}, "mode_seeking_weight='high'"),
    ({"linear_decay": 1}, "linear_decay=1 .* True or False"),
    ({"label_conditioning": "one_hot"}, "label_conditioning='one_hot' .* one of"),
    ({"adversarial_loss": "earth_mover"}, "adversarial_loss='earth_mover' .* one of"),
    ({"gradient_penalty_weight": -10}, "gradient_penalty_weight=-10 .* ≥ 0"),
    ({"discriminator_steps": 0}, "discriminator_steps=0 .* a positive integer"),
    ({"discriminator_steps": 5, "reuse_generator_pass": True}, "reuse_generator_pass=False"),
    ({"gradient_penalty_weight": 10.0, "reuse_generator_pass": True},
     "gradient_penalty_weight=10.0 .* set reuse_generator_pass=False"),
    ({"adversarial_loss": "wasserstein", "real_label_smoothing": 0.2},
     "smoothing=0.2 .*'wasserstein'"),
    ({"name": " "}, "name=' ' .* a non-empty string"),
    ({"adversarial_loss": "hinge", "real_label_smoothing": 0.1}, "smoothing=0.1 .*'hinge'"),
    ({"mode_seeking_weight": 0.05, "batch_size": 1}, "batch_size must be at least 2, got 1"),
])
def test_a_recipe_refuses_a_bad_field_by_name(changes, message):
    with pytest.raises(ValueError, match=message):
        REFERENCE_RECIPE.changed(**changes)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_a_recipe_read_back_from_its_json_is_equal_to_it(name, tmp_path):
    recipe = RECIPES[name]
    (tmp_path / "recipe.json").write_text(recipe.to_json())
    assert read_recipe(tmp_path / "recipe.json") == recipe
    assert Recipe.from_json(recipe.to_json()).flat() == recipe.flat()
    assert set(json.loads(recipe.to_json())) == {"name", "seed", "run", "architecture",
                                                 "objective", "optimization", "speed"}


def test_a_recipe_file_may_leave_fields_out_and_they_keep_the_reference_values():
    recipe = Recipe.from_json('{"name": "mine", "optimization": {"learning_rate": 0.001}}')
    assert recipe == REFERENCE_RECIPE.changed(name="mine", learning_rate=0.001)
    assert recipe.differences(REFERENCE_RECIPE) == {"name": ("mine", "reference"),
                                                    "learning_rate": (0.001, 0.0002)}


@pytest.mark.parametrize(("text", "message"), [
    ('{"optimisation": {}}', r"unknown recipe entries \['optimisation'\]"),
    ('{"objective": {"learning_rate": 0.1}}', "the recipe part objective has no field "
                                              "'learning_rate'"),
    ('{"run": {"epochs": 0}}', "run.epochs=0 is not allowed"),
    ('{"speed": []}', "recipe speed must be a JSON object"),
    ('[1, 2]', "a recipe must be a JSON object"),
])
def test_a_bad_recipe_file_names_what_is_wrong(text, message, tmp_path):
    path = tmp_path / "recipe.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=f"{re.escape(str(tmp_path))}.*{message}"):
        read_recipe(path)


def test_changed_routes_each_field_to_its_part_and_refuses_unknown_ones():
    recipe = LAPTOP_RECIPE.changed(seed=3, epochs=2, adversarial_loss="hinge",
                                   real_label_smoothing=0.0, reuse_generator_pass=False)
    assert (recipe.seed, recipe.run.epochs) == (3, 2)
    assert recipe.objective == Objective(adversarial_loss="hinge",
                                         classifier_weight=LAPTOP_RECIPE.objective.classifier_weight,
                                         mode_seeking_weight=0.05, twin_classifier=True)
    assert recipe.speed == Speed(mixed_precision=True)
    assert recipe.architecture == LAPTOP_RECIPE.architecture
    with pytest.raises(ValueError, match="a recipe has no field 'ema_decay'"):
        LAPTOP_RECIPE.changed(ema_decay=0.999)


def test_the_command_line_finds_a_recipe_by_name_or_file(tmp_path):
    assert find_recipe("laptop") is LAPTOP_RECIPE
    path = tmp_path / "mine.json"
    path.write_text(LAPTOP_RECIPE.changed(name="mine").to_json())
    assert find_recipe(str(path)) == LAPTOP_RECIPE.changed(name="mine")
    with pytest.raises(FileNotFoundError, match="no recipe file at .*missing.json"):
        find_recipe(str(tmp_path / "missing.json"))
    with pytest.raises(ValueError, match="unknown recipe 'lapotp': choose one of"):
        find_recipe("lapotp")


def test_fast_mode_cuts_a_recipe_and_never_grows_it(monkeypatch):
    monkeypatch.setenv("CGAN_FAST", "1")
    assert REFERENCE_RECIPE.shrunk_for_fast_mode().run.training_images == 2048
    small = REFERENCE_RECIPE.changed(training_images=64, epochs=3)
    assert small.shrunk_for_fast_mode() == small.changed(epochs=1)
    monkeypatch.setenv("CGAN_FAST", "0")
    assert small.shrunk_for_fast_mode() is small
