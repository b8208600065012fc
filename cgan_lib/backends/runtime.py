"""Import TensorFlow and Keras once, with TensorFlow's C++ log lines silenced, and name the
backend Keras runs on (`BACKEND`).

Keras runs on the backend that `KERAS_BACKEND` names: "tensorflow" (the default), "jax" or
"torch". TensorFlow is imported on every backend, because `tf.data` is the input pipeline. A
backend whose package is missing stops the import with one line naming what to install.

TensorFlow's C++ runtime writes lines straight to file descriptor 2: CUDA probes on a machine
without a GPU ("Could not find cuda drivers") while it loads, and messages of its graph optimizer
(such as "remapper failed") when it compiles a training step. None of them is actionable, and they
would fill notebooks' outputs; nor are the tf.function retracing hints of its Python logger.
`TF_CPP_MIN_LOG_LEVEL=3` turns the first off (unless already set), the logger's level the second,
and stderr is also silenced during the import itself; Python exceptions still propagate.

It also turns on TensorFlow's oneDNN kernels unless `TF_ENABLE_ONEDNN_OPTS` is already set: some
CPUs leave them off by default, and they are faster for these models. Both variables are read
when TensorFlow loads, so they are set here, first. Every cgan_lib module that needs TensorFlow
imports it from here.

On JAX on a CPU, it also switches on the transposed convolution with a fast kernel gradient of
`cgan_lib.backends.transposed_convolution` (`CGAN_MATMUL_KERNEL_GRADIENT=0` leaves it off).

`CGAN_CPU_DEVICES=N` splits the CPU into N virtual devices, to try multi-device training
(`cgan_lib.backends.devices`) on a machine without GPUs: XLA's host device count on JAX, logical CPU
devices on TensorFlow. Both must be set before the backend starts, so they are set here too.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from collections.abc import Iterator

# Backend → (the package it needs, the project's extra that installs it).
BACKEND_PACKAGES = {"tensorflow": ("tensorflow", ""), "jax": ("jax", "[jax]"),
                    "torch": ("torch", "[torch]")}
CPU_DEVICES_VARIABLE = "CGAN_CPU_DEVICES"


def check_backend_installed() -> str:
    """The Keras backend that `KERAS_BACKEND` asks for; an `ImportError` if it is unknown or its
    package is not installed."""
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend not in BACKEND_PACKAGES:
        raise ImportError(f"KERAS_BACKEND={backend!r} is not a backend of this project: use "
                          f"one of {', '.join(BACKEND_PACKAGES)}")
    package, extra = BACKEND_PACKAGES[backend]
    if importlib.util.find_spec(package) is None:
        raise ImportError(f"KERAS_BACKEND={backend} needs the {package} package, which is not "
                          f"installed: run pip install -e \".{extra}\" in the project's folder")
    return backend


def virtual_cpu_devices() -> int:
    """The number of virtual CPU devices that `CGAN_CPU_DEVICES` asks for (0: not set)."""
    text = os.environ.get(CPU_DEVICES_VARIABLE, "").strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) < 1:
        raise ImportError(f"{CPU_DEVICES_VARIABLE}={text!r} is not a number of devices: set it "
                          "to a whole number of at least 1, or unset it")
    return int(text)


@contextlib.contextmanager
def _stderr_file_descriptor_silenced() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_REQUESTED_BACKEND = check_backend_installed()
CPU_DEVICES = virtual_cpu_devices()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
if CPU_DEVICES and _REQUESTED_BACKEND == "jax":
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + f" --xla_force_host_platform_device_count={CPU_DEVICES}")
with _stderr_file_descriptor_silenced():
    import keras
    import tensorflow as tf

    if CPU_DEVICES and keras.backend.backend() == "tensorflow":
        tf.config.set_logical_device_configuration(
            tf.config.list_physical_devices("CPU")[0],
            [tf.config.LogicalDeviceConfiguration() for _ in range(CPU_DEVICES)])
    tf.config.list_physical_devices()
# TensorFlow's Python warnings (such as tf.function retracing hints) are not actionable here.
tf.get_logger().setLevel("ERROR")
# The backend Keras runs on: the only place the library asks, and what every branch reads.
BACKEND = keras.backend.backend()
if BACKEND == "jax":
    from cgan_lib.backends.transposed_convolution import (
        helps_here,
        use_fast_transposed_convolution,
    )

    use_fast_transposed_convolution(helps_here())
