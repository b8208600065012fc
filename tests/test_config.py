"""Tests for fast mode, explicit seeding, the outputs folder and the recipes' own checks."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backends.runtime import keras
from cgan_lib.backends.seeding import set_seed
from cgan_lib.recipes.named import REFERENCE_RECIPE
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
    ({"adversarial_loss": "wasserstein", "real_label_smoothing": 0.2},
     "smoothing=0.2 .*'wasserstein'"),
    ({"name": " "}, "name=' ' .* a non-empty string"),
    ({"adversarial_loss": "hinge", "real_label_smoothing": 0.1}, "smoothing=0.1 .*'hinge'"),
    ({"mode_seeking_weight": 0.05, "batch_size": 1}, "batch_size must be at least 2, got 1"),
])
def test_a_recipe_refuses_a_bad_field_by_name(changes, message):
    with pytest.raises(ValueError, match=message):
        REFERENCE_RECIPE.changed(**changes)
