"""Benchmark: one transposed convolution of the laptop generator (its first, 7×7×128 → 14×14×64,
kernel 4×4, stride 2), forward and its two gradients, on each Keras backend.

The gradient with respect to the kernel is where JAX's own CPU kernel loses its time; this prints
the milliseconds of each part, median of `--repeats` calls of a batch of the recipe's size,
compiled as each backend's training step is (a `tf.function`, a `jax.jit`, eager PyTorch). Each
backend runs in its own process, JAX twice: with the library's kernel gradient
(`cgan_lib.backends.transposed_convolution`, on by default on a CPU) and with JAX's own. Asserts
nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# Row name → the environment its process runs in.
RUNS = {"tensorflow": {"KERAS_BACKEND": "tensorflow"},
        "jax": {"KERAS_BACKEND": "jax"},
        "jax, its own kernel": {"KERAS_BACKEND": "jax", "CGAN_MATMUL_KERNEL_GRADIENT": "0"},
        "torch": {"KERAS_BACKEND": "torch"}}
PARTS = ("forward", "kernel gradient", "input gradient")


def part_functions():
    """The three parts as functions of (inputs, kernel), for this process's backend."""
    from cgan_lib.backends.runtime import keras

    def forward(inputs, kernel):
        return keras.ops.conv_transpose(inputs, kernel, strides=2, padding="same")

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        def total(inputs, kernel):
            return forward(inputs, kernel).sum()

        return {"forward": jax.jit(forward),
                "kernel gradient": jax.jit(jax.grad(total, argnums=1)),
                "input gradient": jax.jit(jax.grad(total, argnums=0))}
    if backend == "torch":

        def gradient(index):
            def function(inputs, kernel):
                values = [inputs.detach().requires_grad_(), kernel.detach().requires_grad_()]
                forward(*values).sum().backward()
                return values[index].grad
            return function

        return {"forward": lambda inputs, kernel: forward(inputs, kernel).detach(),
                "kernel gradient": gradient(1), "input gradient": gradient(0)}
    import tensorflow as tf

    def gradient(index):
        @tf.function
        def function(inputs, kernel):
            with tf.GradientTape() as tape:
                tape.watch([inputs, kernel])
                output = tf.reduce_sum(forward(inputs, kernel))
            return tape.gradient(output, [inputs, kernel])[index]
        return function

    return {"forward": tf.function(forward), "kernel gradient": gradient(1),
            "input gradient": gradient(0)}


def milliseconds(repeats: int) -> dict[str, float]:
    """In this process's backend: the median milliseconds of each part."""
    import numpy as np

    from cgan_lib.backends.runtime import keras
    from cgan_lib.recipes.named import LAPTOP_RECIPE

    rng = np.random.default_rng(0)
    inputs = keras.ops.convert_to_tensor(
        rng.normal(size=(LAPTOP_RECIPE.run.batch_size, 7, 7, 128)).astype(np.float32))
    kernel = keras.ops.convert_to_tensor(rng.normal(size=(4, 4, 64, 128)).astype(np.float32))
    results = {}
    for name, function in part_functions().items():
        keras.ops.convert_to_numpy(function(inputs, kernel))  # compiles
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            keras.ops.convert_to_numpy(function(inputs, kernel))
            times.append(1000 * (time.perf_counter() - started))
        results[name] = statistics.median(times)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(milliseconds(arguments.repeats)))
        return
    print(f"{'backend':20s}" + "".join(f"{part:>17s}" for part in PARTS) + "  (ms)")
    for name, environment in RUNS.items():
        output = subprocess.run([sys.executable, __file__, "--child", "--repeats",
                                 str(arguments.repeats)], check=True, capture_output=True,
                                text=True, env={**os.environ, **environment}).stdout
        times = json.loads(output.strip().splitlines()[-1])
        print(f"{name:20s}" + "".join(f"{times[part]:17.1f}" for part in PARTS))


if __name__ == "__main__":
    main()
