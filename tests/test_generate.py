"""Tests for validated generation: bad inputs are refused with a message naming them."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backends.runtime import BACKEND, keras
from cgan_lib.gan.networks import build_dcgan_generator, build_mlp_generator
from cgan_lib.gan.sampling import (
    LabelMixer,
    compiled_call,
    generate,
    generate_digit_rows,
    latent_walk,
    run_generator,
    sample_noise,
    slerp,
)


@pytest.fixture(scope="module")
def conditional_generator():
    return build_mlp_generator(latent_dim=8, hidden_units=(16,), conditional=True)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"digit": 12}, "from 0 to 9, got 12"),
        ({"digit": -1}, "got -1"),
        ({"digit": 3.5}, "integer from 0 to 9, got 3.5"),
        ({"digit": "7"}, "got '7'"),
        ({"digit": True}, "got True"),
        ({"digit": None}, "conditional"),
        ({"digit": 1, "count": 0}, "count must be from 1 to 10000, got 0"),
        ({"digit": 1, "count": 10**7}, "got 10000000"),
        ({"digit": 1, "count": 2.0}, "integer"),
        ({"digit": 1, "seed": -1}, "seed must be a non-negative integer, got -1"),
        ({"digit": 1, "seed": "abc"}, "'abc'"),
    ],
)
def test_bad_inputs_raise_a_value_error_naming_the_value(conditional_generator, arguments,
                                                         message):
    with pytest.raises(ValueError, match=message):
        generate(conditional_generator, **arguments)


def test_wrong_noise_shape_is_refused(conditional_generator):
    with pytest.raises(ValueError, match=r"shape \(count, 8\), got \(4, 5\)"):
        run_generator(conditional_generator, np.zeros((4, 5)), np.zeros(4))


def test_an_unconditional_generator_takes_no_digit():
    generator = build_mlp_generator(latent_dim=8, hidden_units=(16,))
    assert generate(generator, count=3).shape == (3, 28, 28, 1)
    with pytest.raises(ValueError, match="unconditional"):
        generate(generator, digit=3)


@pytest.mark.backend
def test_the_same_seed_gives_the_same_images(conditional_generator):
    first = generate(conditional_generator, digit=2, count=4, seed=9)
    np.testing.assert_array_equal(first, generate(conditional_generator, digit=2, count=4, seed=9))
    assert not np.array_equal(first, generate(conditional_generator, digit=2, count=4, seed=10))


def test_digit_rows_hold_one_row_per_digit(conditional_generator):
    rows = generate_digit_rows(conditional_generator, per_digit=3, seed=0)
    assert rows.shape == (30, 28, 28, 1)
    single = generate(conditional_generator, digit=0, count=3, seed=0)
    assert not np.array_equal(rows[:3], rows[3:6])  # different digits, same structure
    assert single.shape == rows[:3].shape


def test_noise_scale_shrinks_the_noise_and_bad_scales_are_refused(conditional_generator):
    noise = sample_noise(4, 8, seed=3)
    expected = run_generator(conditional_generator, 0.5 * noise, np.full(4, 6))
    scaled = generate(conditional_generator, digit=6, count=4, seed=3, noise_scale=0.5)
    np.testing.assert_allclose(scaled, expected, atol=1e-6)
    for bad in (0, -1.0, 3.5, "1", True):
        with pytest.raises(ValueError, match=f"noise scale .* got {bad!r}"):
            generate(conditional_generator, digit=6, noise_scale=bad)


def with_digit_shifts(generator):
    """A conditional-BatchNorm generator whose BatchNorms shift each digit differently (they
    start alike), so that a morph that ignored them would not end on the generator's digits."""
    rng = np.random.default_rng(0)
    for layer in generator.layers:
        if layer.name.endswith("_digit_shift"):
            layer.set_weights([rng.normal(size=layer.get_weights()[0].shape)])
    return generator


@pytest.mark.parametrize("build", [
    lambda: build_mlp_generator(latent_dim=8, hidden_units=(16,), conditional=True),
    lambda: build_dcgan_generator(latent_dim=8, embedding_dim=5),
    lambda: with_digit_shifts(build_dcgan_generator(latent_dim=8, embedding_dim=5, width=8,
                                                    conditional_batch_norm=True)),
], ids=["one-hot MLP", "embedding DCGAN", "conditional-BatchNorm DCGAN"])
@pytest.mark.backend
def test_the_label_mixer_ends_are_the_generators_own_digits(build):
    generator = build()
    mixer = LabelMixer(generator)
    assert mixer.codes.shape[0] == 10
    frames = mixer.morph(2, 9, [0.0, 0.5, 1.0], seed=4)
    noise = sample_noise(1, 8, seed=4)
    np.testing.assert_allclose(frames[0], run_generator(generator, noise, np.array([2]))[0],
                               atol=1e-5)
    np.testing.assert_allclose(frames[2], run_generator(generator, noise, np.array([9]))[0],
                               atol=1e-5)
    assert not np.allclose(frames[1], frames[0]) and not np.allclose(frames[1], frames[2])
    with pytest.raises(ValueError, match="mix must be a number from 0 to 1, got 1.5"):
        mixer.morph(2, 9, [1.5])
    with pytest.raises(ValueError, match="got 10"):
        mixer.morph(2, 10, [0.5])


def test_the_label_mixer_needs_a_conditional_generator():
    with pytest.raises(ValueError, match="takes no label"):
        LabelMixer(build_mlp_generator(latent_dim=8, hidden_units=(16,)))


def test_slerp_keeps_the_ends_and_the_gaussian_norm():
    start, end = sample_noise(2, 100, seed=0)
    path = slerp(start, end, np.linspace(0, 1, 11))
    np.testing.assert_allclose(path[0], start, atol=1e-5)
    np.testing.assert_allclose(path[-1], end, atol=1e-5)
    norms = np.linalg.norm(path, axis=1)
    straight_middle = np.linalg.norm((start + end) / 2)
    assert norms[5] > 0.95 * min(norms[0], norms[-1]) > straight_middle
    np.testing.assert_allclose(slerp(start, start, [0.3])[0], start, atol=1e-6)


def test_a_latent_walk_runs_from_one_seed_to_the_other(conditional_generator):
    walk = latent_walk(conditional_generator, 5, from_seed=1, to_seed=2, fractions=[0, 0.5, 1])
    np.testing.assert_allclose(walk[0], generate(conditional_generator, 5, 1, seed=1)[0],
                               atol=1e-5)
    np.testing.assert_allclose(walk[2], generate(conditional_generator, 5, 1, seed=2)[0],
                               atol=1e-5)
    with pytest.raises(ValueError, match="seed must be a non-negative integer, got -2"):
        latent_walk(conditional_generator, 5, from_seed=-2, to_seed=2, fractions=[0])


@pytest.mark.backend
def test_the_compiled_call_matches_the_model_and_follows_its_weights():
    generator = build_dcgan_generator(latent_dim=8, embedding_dim=4)
    noise = sample_noise(5, 8, seed=1)
    labels = np.arange(5, dtype=np.int32)
    def direct():
        return keras.ops.convert_to_numpy(generator([noise, labels.reshape(-1, 1)],
                                                    training=False))

    expected = direct()
    np.testing.assert_allclose(run_generator(generator, noise, labels), expected, atol=1e-5)
    image_layer = generator.get_layer("image")
    image_layer.kernel.assign(2 * image_layer.kernel)  # as during training
    expected = direct()
    np.testing.assert_allclose(run_generator(generator, noise, labels), expected, atol=1e-5)
    for count in (1, 2, 4):
        assert run_generator(generator, noise[:count], labels[:count]).shape == (count, 28, 28, 1)


@pytest.mark.skipif(BACKEND != "tensorflow", reason="counts the traces of TensorFlow's tf.function")
def test_on_tensorflow_other_batch_sizes_reuse_the_compiled_graph():
    generator = build_dcgan_generator(latent_dim=8, embedding_dim=4)
    noise, labels = sample_noise(5, 8, seed=1), np.arange(5, dtype=np.int32)
    for count in (5, 1, 2, 4):
        run_generator(generator, noise[:count], labels[:count])
    assert compiled_call(generator).experimental_get_tracing_count() <= 2
