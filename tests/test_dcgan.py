"""Tests for the reference conditional DCGAN: shapes, sizes, persistence and determinism."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backends.runtime import keras
from cgan_lib.gan.networks import build_dcgan_discriminator, build_dcgan_generator
from cgan_lib.recipes.named import RECIPES
from cgan_lib.recipes.recipe import read_recipe
from cgan_lib.storage.generators import (
    load_generator,
    load_generator_from_json,
    save_generator,
    shipped_generator_folder,
    shipped_run_folder,
)
from cgan_lib.training.build import build_generator
from cgan_lib.training.run import train_recipe


def test_reference_networks_have_the_documented_shapes_and_sizes():
    generator, discriminator = build_dcgan_generator(), build_dcgan_discriminator()
    # Dense 150→12544 (no bias) + BN + ConvT 256→128 (4×4) + BN + ConvT 128→1 + embedding 10×50
    assert generator.count_params() == 2_459_125
    assert discriminator.count_params() == 147_425
    labels = np.array([[0], [9]], np.int32)
    images = keras.ops.convert_to_numpy(generator([np.zeros((2, 100), np.float32), labels]))
    assert images.shape == (2, 28, 28, 1)
    assert keras.ops.convert_to_numpy(discriminator([images, labels])).shape == (2, 1)
    mask = discriminator.get_layer("label_mask")
    assert tuple(mask.output.shape) == (None, 28, 28, 1)


@pytest.mark.backend
def test_the_original_json_snippet_works_on_exported_files(tmp_path):
    generator = build_dcgan_generator()
    save_generator(generator, tmp_path)
    # The original work's loading code, as written:
    loaded = keras.models.model_from_json(open(tmp_path / "generator.json").read())  # noqa: SIM115
    loaded.load_weights(tmp_path / "generator.weights.h5")
    z = np.random.default_rng(0).standard_normal((4, 100)).astype(np.float32)
    labels = np.array([[1], [2], [3], [4]], np.int32)
    expected = generator.predict([z, labels], verbose=0)
    np.testing.assert_allclose(loaded.predict([z, labels], verbose=0), expected, atol=1e-6)
    np.testing.assert_allclose(load_generator(tmp_path).predict([z, labels], verbose=0),
                               expected, atol=1e-6)
    assert load_generator_from_json(tmp_path).count_params() == generator.count_params()


def test_missing_and_corrupt_generator_files_get_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="make train"):
        load_generator(tmp_path / "absent.keras")
    corrupt = tmp_path / "generator.keras"
    corrupt.write_bytes(b"this is not a keras file")
    with pytest.raises(ValueError, match="generator.keras is not a readable"):
        load_generator(corrupt)
    with pytest.raises(FileNotFoundError, match="generator.json"):
        load_generator_from_json(tmp_path)


@pytest.mark.backend
def test_two_short_trainings_from_the_same_seed_give_identical_weights(tmp_path, tiny_recipe):
    recipe = tiny_recipe(training_images=64)
    first = train_recipe(recipe, tmp_path / "first", epochs=1, quality_per_digit=10, verbose=0)
    second = train_recipe(recipe, tmp_path / "second", epochs=1, quality_per_digit=10, verbose=0)
    pairs = zip(first.gan.generator.get_weights(), second.gan.generator.get_weights(), strict=True)
    for a, b in pairs:
        np.testing.assert_array_equal(a, b)
    assert first.history[0]["d_loss"] == second.history[0]["d_loss"]


def test_both_recipes_ship_a_generator_with_the_recipe_that_trained_it():
    for name in ("reference", "laptop"):
        folder = shipped_generator_folder(name)
        built = build_generator(RECIPES[name])
        assert load_generator(folder).count_params() == built.count_params()
        # The package's recipe.json is the named recipe, and the run folder's is the same file.
        assert read_recipe(folder / "recipe.json") == RECIPES[name]
        assert (folder / "recipe.json").read_text() == \
            (shipped_run_folder(name) / "recipe.json").read_text()
    with pytest.raises(ValueError, match="unknown shipped generator 'tiny'.*'laptop', 'reference'"):
        shipped_generator_folder("tiny")
