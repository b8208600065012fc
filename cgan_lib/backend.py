"""Import TensorFlow and Keras once, without the CUDA-probe lines TensorFlow prints on CPU machines.

On a machine without a GPU, TensorFlow's C++ runtime writes lines such as "Could not find cuda
drivers" and "failed call to cuInit" straight to file descriptor 2 while it loads and first looks
for devices; they are harmless. Every cgan_lib module that needs TensorFlow imports it from here,
so those lines are hidden once, during the import only: Python exceptions still propagate.

It also turns on TensorFlow's oneDNN kernels unless `TF_ENABLE_ONEDNN_OPTS` is already set.
TensorFlow leaves them off by default on some CPUs, the project's earlier AVX2 machine among
them, where they draw the reference generator's 100-image grid in 56–61 ms instead of 95–101 ms
and train the reference step at 237–244 images/s instead of 125–163 (`benchmarks/`). The variable
is read when TensorFlow loads, so it is set here, first.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


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


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
with _stderr_file_descriptor_silenced():
    import keras
    import tensorflow as tf

    tf.config.list_physical_devices()

__all__ = ["keras", "tf"]
