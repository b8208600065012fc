"""The rule that picks what `mixed_precision=True` computes in (`cgan_lib.backends.precision`),
and a training run in float16, the policy of a GPU without bfloat16, with its loss scaling."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backends import precision
from cgan_lib.backends.precision import choose_policy


@pytest.mark.parametrize(("capability", "flags", "backend", "policy"), [
    ((9, 0), set(), "jax", "mixed_bfloat16"),                # Hopper
    ((8, 0), set(), "tensorflow", "mixed_bfloat16"),         # Ampere, the first with bfloat16
    ((7, 5), {"avx512_bf16"}, "tensorflow", "mixed_float16"),  # the GPU decides, not the CPU
    ((6, 0), set(), "torch", "mixed_float16"),
    ((7, 5), set(), "jax", "float32"),                       # no loss scaling in the JAX step
    (None, {"avx512f", "avx512_bf16"}, "jax", "mixed_bfloat16"),
    (None, {"amx_bf16", "amx_tile"}, "tensorflow", "mixed_bfloat16"),
    (None, {"avx2", "avx512f"}, "torch", "float32"),         # bfloat16 would be emulated
])
def test_the_policy_follows_the_hardware(capability, flags, backend, policy):
    assert choose_policy(capability, flags, backend) == policy


@pytest.mark.backend
def test_on_an_older_gpu_a_run_scales_its_losses_in_float16_or_trains_in_float32(
        monkeypatch, tiny_recipe, tiny_dataset):
    from cgan_lib.backends.runtime import BACKEND, keras
    from cgan_lib.backends.seeding import set_seed
    from cgan_lib.recipes.named import LAPTOP_RECIPE
    from cgan_lib.training.build import build_gan, float32_generator

    # This machine's CPU, seen with a GPU of compute capability 7.5 (Turing) beside it.
    policy = choose_policy((7, 5), precision.cpu_flags(), BACKEND)
    monkeypatch.setattr(precision, "machine_policy", lambda: policy)
    recipe = tiny_recipe(LAPTOP_RECIPE, training_images=64)
    set_seed(0)
    gan = build_gan(recipe)
    float16 = BACKEND != "jax"
    assert isinstance(gan.generator_optimizer, keras.optimizers.LossScaleOptimizer) == float16
    assert gan.generator.layers[-2].compute_dtype == ("float16" if float16 else "float32")
    scale = float(gan.generator_optimizer.scale_loss(1.0))
    history = gan.fit(tiny_dataset(recipe, 64), epochs=1, verbose=0).history
    assert int(gan.generator_optimizer.iterations) == 4
    assert all(np.isfinite(weight).all() for weight in gan.generator.get_weights())
    # The logged gradient norm is of the unscaled loss: a few units, not tens of thousands.
    assert (scale > 1000 if float16 else scale == 1.0)
    assert 0 < history["g_gradient_norm"][-1] < 100
    saved = float32_generator(gan.sampling_generator, recipe)
    assert {layer.compute_dtype for layer in saved.layers} == {"float32"}
