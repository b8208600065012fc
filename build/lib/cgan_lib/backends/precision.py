"""What a recipe's `mixed_precision=True` computes in, on this machine: the rule, in one place.

- An NVIDIA GPU of compute capability 8.0 or more (Ampere and later) computes bfloat16 natively:
  "mixed_bfloat16".
- An older GPU has fast float16 but no bfloat16: "mixed_float16". Its narrow exponent range
  needs loss scaling, so the optimizers are wrapped in Keras's `LossScaleOptimizer`, and the
  training step scales each loss by `optimizer.scale_loss` before taking gradients. On JAX,
  where that optimizer's update cannot run inside this GAN's step, such a GPU trains in
  "float32".
- A CPU with AVX-512 BF16 or AMX-BF16 instructions: "mixed_bfloat16".
- Any other CPU emulates both half-precision types, many times more slowly: "float32".

Weights stay float32 under both mixed policies, and a saved generator is float32 either way.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from cgan_lib.backends.runtime import BACKEND, tf

BFLOAT16_CPU_FLAGS = {"avx512_bf16", "amx_bf16"}
# The instructions that decide how fast bfloat16 runs, by their /proc/cpuinfo names, fastest first.
BFLOAT16_INSTRUCTIONS = {"amx_bf16": "AMX", "avx512_bf16": "AVX-512 BF16", "avx512f": "AVX-512"}


def choose_policy(gpu_compute_capability: tuple[int, int] | None, cpu_flags: set[str],
                  backend: str = BACKEND) -> str:
    """The mixed-precision policy for a machine: its first GPU's compute capability (None without
    a GPU), its CPU's feature flags (as /proc/cpuinfo lists them) and the Keras backend."""
    if gpu_compute_capability is not None:
        if gpu_compute_capability >= (8, 0):
            return "mixed_bfloat16"
        return "float32" if backend == "jax" else "mixed_float16"
    return "mixed_bfloat16" if cpu_flags & BFLOAT16_CPU_FLAGS else "float32"


def gpu_compute_capability() -> tuple[int, int] | None:
    """The compute capability of the backend's first GPU, or None without one."""
    if BACKEND == "jax":
        import jax

        device = jax.devices()[0]
        if device.platform != "gpu":
            return None
        major, minor = str(device.compute_capability).split(".")[:2]
        return int(major), int(minor)
    if BACKEND == "torch":
        import torch

        return torch.cuda.get_device_capability(0) if torch.cuda.is_available() else None
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    return tuple(tf.config.experimental.get_device_details(gpus[0])["compute_capability"])


def _cpu_model_and_flags() -> tuple[str, set[str]]:
    """The first CPU's model name and feature flags, from /proc/cpuinfo ("unknown CPU" and no
    flags where there is no such file)."""
    model, flags = "unknown CPU", set()
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return model, flags
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and model == "unknown CPU":
            model = value.strip()
        elif key.strip() == "flags" and not flags:
            flags = set(value.split())
    return model, flags


def cpu_flags() -> set[str]:
    """The CPU's feature flags from /proc/cpuinfo (empty where there is no such file)."""
    return _cpu_model_and_flags()[1]


def machine_description() -> str:
    """The CPU model, its fastest instructions for bfloat16 and the core count, e.g. "AMD EPYC
    (AVX-512 BF16), 2 cores": what a run's speed, and its rounding, depend on."""
    model, flags = _cpu_model_and_flags()
    instructions = next((name for flag, name in BFLOAT16_INSTRUCTIONS.items() if flag in flags),
                        "no AVX-512" if flags else "instructions unknown")
    return f"{model} ({instructions}), {os.cpu_count()} cores"


@functools.cache
def machine_policy() -> str:
    """`choose_policy` for this machine."""
    return choose_policy(gpu_compute_capability(), cpu_flags())


def recipe_policy(mixed_precision: bool) -> str:
    """The dtype policy a recipe with this `mixed_precision` trains in here."""
    return machine_policy() if mixed_precision else "float32"
