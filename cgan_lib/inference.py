"""Fast inference for generators: the same function, computed in a way TensorFlow's CPU kernels
run about twice as fast.

A `Conv2DTranspose` with a 4×4 kernel and stride 2 writes each output pixel from only 2×2 of its
16 kernel taps; which 2×2 depends on the output pixel's phase (even or odd row, even or odd
column). `PhaseConv2DTranspose` computes the four phases as four ordinary 2×2 convolutions and
interleaves them. With `same` padding, output row 2j gets input rows j-1 and j through kernel rows
3 and 1, and output row 2j+1 gets input rows j and j+1 through kernel rows 2 and 0 (columns
likewise). It reads the original layer's weights, so it always matches the trained model.
`fast_inference(model)` clones a model with that swap (every other layer shared, not copied) and
compiles it once; `tests/test_inference.py` checks it against the plain model.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np

from cgan_lib.backend import keras, tf

# For each output phase (0: even, 1: odd): the kernel taps used, nearest input first, and the
# padding (before, after) that lines the input up for a 2×2 "valid" convolution.
PHASE_TAPS = {0: (3, 1), 1: (2, 0)}
PHASE_PADDING = {0: (1, 0), 1: (0, 1)}

_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def is_phase_decomposable(layer: keras.layers.Layer) -> bool:
    """True for the transposed convolutions `PhaseConv2DTranspose` can stand in for."""
    return (isinstance(layer, keras.layers.Conv2DTranspose) and tuple(layer.kernel_size) == (4, 4)
            and tuple(layer.strides) == (2, 2) and layer.padding == "same"
            and tuple(layer.dilation_rate) == (1, 1) and layer.data_format == "channels_last")


class PhaseConv2DTranspose(keras.layers.Layer):
    """Inference-only stand-in for a 4×4, stride-2, `same` Conv2DTranspose; see the module text."""

    def __init__(self, original: keras.layers.Conv2DTranspose) -> None:
        super().__init__(name=f"{original.name}_by_phases")
        self.original = original

    def phase_kernel(self, row_phase: int, column_phase: int) -> tf.Tensor:
        """The 2×2 kernel (2, 2, in, out) of one output phase."""
        kernel = tf.transpose(self.original.kernel, (0, 1, 3, 2))  # (4, 4, in, out)
        return tf.stack([tf.stack([kernel[row, column] for column in PHASE_TAPS[column_phase]])
                         for row in PHASE_TAPS[row_phase]])

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        batch, height, width = tf.shape(inputs)[0], tf.shape(inputs)[1], tf.shape(inputs)[2]
        phases = []
        for row_phase in (0, 1):
            for column_phase in (0, 1):
                padded = tf.pad(inputs, [[0, 0], PHASE_PADDING[row_phase],
                                         PHASE_PADDING[column_phase], [0, 0]])
                phases.append(tf.nn.conv2d(padded, self.phase_kernel(row_phase, column_phase),
                                           strides=1, padding="VALID"))  # (N, H, W, out) each
        filters = self.original.filters
        outputs = tf.reshape(tf.stack(phases, axis=3), (batch, height, width, 2, 2, filters))
        outputs = tf.transpose(outputs, (0, 1, 3, 2, 4, 5))           # (N, H, 2, W, 2, out)
        outputs = tf.reshape(outputs, (batch, 2 * height, 2 * width, filters))
        if self.original.use_bias:
            outputs = outputs + self.original.bias
        if self.original.activation is not None:
            outputs = self.original.activation(outputs)
        return outputs


def _swap(layer: keras.layers.Layer) -> keras.layers.Layer:
    return PhaseConv2DTranspose(layer) if is_phase_decomposable(layer) else layer


def fast_inference(model: keras.Model) -> Callable[[list[np.ndarray] | np.ndarray], tf.Tensor]:
    """A compiled function computing `model(inputs, training=False)` with the phase trick.

    Built once per model and kept while the model lives; it reads the model's current weights.
    """
    if model not in _compiled:
        clone = keras.models.clone_model(model, clone_function=_swap)
        _compiled[model] = tf.function(lambda inputs: clone(inputs, training=False),
                                       reduce_retracing=True)
    return _compiled[model]
