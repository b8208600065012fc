"""The fast inference path computes the same function as the plain Keras model."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backend import keras
from cgan_lib.inference import PhaseConv2DTranspose, fast_inference, is_phase_decomposable
from cgan_lib.models import build_dcgan_generator, build_mlp_generator


@pytest.mark.parametrize(("filters", "activation", "use_bias"), [(8, None, False),
                                                                  (1, "tanh", True)])
def test_the_phase_layer_equals_the_transposed_convolution(filters, activation, use_bias):
    original = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same",
                                            activation=activation, use_bias=use_bias)
    inputs = np.random.default_rng(0).standard_normal((3, 7, 5, 6)).astype(np.float32)
    expected = keras.ops.convert_to_numpy(original(inputs))
    if use_bias:  # a non-zero bias, so that adding it is checked too
        original.bias.assign(np.linspace(-1, 1, filters, dtype=np.float32))
        expected = keras.ops.convert_to_numpy(original(inputs))
    assert is_phase_decomposable(original)
    outputs = keras.ops.convert_to_numpy(PhaseConv2DTranspose(original)(inputs))
    assert outputs.shape == expected.shape == (3, 14, 10, filters)
    np.testing.assert_allclose(outputs, expected, atol=1e-5)


def test_other_transposed_convolutions_are_left_alone():
    assert not is_phase_decomposable(keras.layers.Conv2DTranspose(4, 5, strides=2, padding="same"))
    assert not is_phase_decomposable(keras.layers.Conv2DTranspose(4, 4, strides=2, padding="valid"))


def test_fast_inference_matches_the_generator_and_follows_its_weights():
    generator = build_dcgan_generator(latent_dim=8, embedding_dim=4)
    rng = np.random.default_rng(1)
    noise = rng.standard_normal((5, 8)).astype(np.float32)
    labels = np.arange(5, dtype=np.int32).reshape(-1, 1)
    generator.get_layer("batch_normalization").moving_mean.assign(rng.standard_normal(12544))
    expected = keras.ops.convert_to_numpy(generator([noise, labels], training=False))
    np.testing.assert_allclose(fast_inference(generator)([noise, labels]), expected, atol=1e-5)
    image_layer = generator.get_layer("image")
    image_layer.kernel.assign(2 * image_layer.kernel)  # the compiled path reads live weights
    expected = keras.ops.convert_to_numpy(generator([noise, labels], training=False))
    np.testing.assert_allclose(fast_inference(generator)([noise, labels]), expected, atol=1e-5)


def test_a_generator_without_transposed_convolutions_runs_unchanged():
    generator = build_mlp_generator(latent_dim=8, hidden_units=(16,))
    noise = np.random.default_rng(2).standard_normal((4, 8)).astype(np.float32)
    np.testing.assert_allclose(fast_inference(generator)(noise),
                               keras.ops.convert_to_numpy(generator(noise, training=False)),
                               atol=1e-6)
