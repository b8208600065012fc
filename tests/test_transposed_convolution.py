"""JAX's transposed convolution with a kernel gradient by matrix products
(`cgan_lib.backends.transposed_convolution`): the same forward pass and gradients as JAX's own,
for the generators' shapes and for odd sizes, strides and dilations; on by default on a CPU and
off with one variable; and `.keras` files trained with it load on TensorFlow, and the other way
round."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from cgan_lib.backends.runtime import BACKEND, keras

# (input shape, Keras kernel shape (height, width, out, in), stride, padding, dilation).
CASES = {
    "laptop generator, 7×7 → 14×14": ((8, 7, 7, 128), (4, 4, 64, 128), 2, "same", 1),
    "laptop generator, 14×14 → 28×28": ((8, 14, 14, 64), (4, 4, 1, 64), 2, "same", 1),
    "reference generator, 7×7 → 14×14": ((8, 7, 7, 256), (4, 4, 128, 256), 2, "same", 1),
    "reference generator, 14×14 → 28×28": ((8, 14, 14, 128), (4, 4, 1, 128), 2, "same", 1),
    "odd size, stride 1, valid": ((3, 5, 5, 3), (3, 3, 4, 3), 1, "valid", 1),
    "odd size, stride 1, same": ((3, 5, 5, 3), (3, 3, 4, 3), 1, "same", 1),
    "odd size, stride 2, valid": ((2, 7, 7, 3), (3, 3, 2, 3), 2, "valid", 1),
    "odd kernel and size, stride 3": ((2, 6, 5, 3), (3, 2, 2, 3), 3, "same", 1),
    "dilation 2": ((2, 5, 5, 3), (3, 3, 2, 3), 1, "same", 2),
}


def forward_and_gradients(case, fast: bool):
    """The output of `keras.ops.conv_transpose`, and the gradients of <output, c> with respect to
    the input and the kernel, for a fixed random c, under a jitted `jax.grad`."""
    import jax

    from cgan_lib.backends.transposed_convolution import use_fast_transposed_convolution

    input_shape, kernel_shape, stride, padding, dilation = case
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=input_shape).astype(np.float32)
    kernel = rng.normal(size=kernel_shape).astype(np.float32)

    def function(inputs, kernel):
        return keras.ops.conv_transpose(inputs, kernel, strides=stride, padding=padding,
                                        dilation_rate=dilation)

    use_fast_transposed_convolution(fast)
    try:
        output = function(inputs, kernel)
        cotangent = rng.normal(size=output.shape).astype(np.float32)
        gradients = jax.jit(jax.grad(lambda x, k: (function(x, k) * cotangent).sum(),
                                     argnums=(0, 1)))(inputs, kernel)
    finally:
        use_fast_transposed_convolution(True)
    return [np.asarray(value) for value in (output, *gradients)]


@pytest.mark.backend
@pytest.mark.skipif(BACKEND != "jax", reason="the kernel gradient by matrix products is JAX's")
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_output_and_both_gradients_are_jax_own_within_float32_rounding(name):
    own = forward_and_gradients(CASES[name], fast=False)
    fast = forward_and_gradients(CASES[name], fast=True)
    for part, expected, measured in zip(("output", "input gradient", "kernel gradient"), own,
                                        fast, strict=True):
        assert measured.shape == expected.shape, part
        # Sums of up to 4·4·256·N products in another order: within a few float32 roundings.
        assert np.max(np.abs(measured - expected)) <= 1e-5 * np.max(np.abs(expected)), part


@pytest.mark.backend
@pytest.mark.skipif(BACKEND != "jax", reason="the kernel gradient by matrix products is JAX's")
def test_it_is_on_for_jax_on_a_cpu_and_one_variable_turns_it_off(monkeypatch):
    import jax

    from cgan_lib.backends import transposed_convolution

    assert jax.devices()[0].platform == "cpu"
    assert transposed_convolution.fast_transposed_convolution_in_use()
    assert jax.lax.conv_transpose is transposed_convolution.fast_conv_transpose
    monkeypatch.setenv("CGAN_MATMUL_KERNEL_GRADIENT", "0")
    assert not transposed_convolution.helps_here()
    monkeypatch.delenv("CGAN_MATMUL_KERNEL_GRADIENT")
    assert transposed_convolution.helps_here()


# Trains the tiny laptop recipe for one epoch on this process's backend, saves its generator,
# and prints its images for fixed inputs; or loads a saved generator and prints its images.
TRAIN_OR_LOAD = """
import sys
import numpy as np
from cgan_lib import LAPTOP_RECIPE, fit_recipe, load_generator, run_generator, save_generator
action, folder = sys.argv[1:]
if action == "train":
    recipe = LAPTOP_RECIPE.changed(mixed_precision=False, generator_width=16,
                                   discriminator_width=8, batch_size=16, training_images=64,
                                   epochs=1)
    generator = fit_recipe(recipe).gan.sampling_generator
    save_generator(generator, folder)
generator = load_generator(folder + "/generator.keras")
noise = np.random.default_rng(0).normal(size=(10, 100)).astype(np.float32)
np.save(folder + f"/{action}.npy", run_generator(generator, noise, np.arange(10)))
"""


def run_on(backend: str, action: str, folder) -> None:
    environment = {**os.environ, "KERAS_BACKEND": backend}
    result = subprocess.run([sys.executable, "-c", TRAIN_OR_LOAD, action, str(folder)],
                            env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.slow  # a training process on one backend, and a loading one on the other
@pytest.mark.parametrize(("trained_on", "loaded_on"), [("jax", "tensorflow"),
                                                       ("tensorflow", "jax")])
def test_a_generator_trained_on_one_backend_loads_on_the_other(trained_on, loaded_on, tmp_path):
    run_on(trained_on, "train", tmp_path)
    run_on(loaded_on, "load", tmp_path)
    trained, loaded = np.load(tmp_path / "train.npy"), np.load(tmp_path / "load.npy")
    assert trained.shape == (10, 28, 28, 1) and trained.std() > 0
    np.testing.assert_allclose(loaded, trained, atol=1e-5)
