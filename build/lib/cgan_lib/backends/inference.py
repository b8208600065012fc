"""A network compiled once for inference on the Keras backend: a `tf.function` on TensorFlow,
a `jax.jit` of `model.stateless_call` on JAX (given the current weights at every call), and an
eager call without autograd on PyTorch."""

from __future__ import annotations

import weakref
from collections.abc import Callable

from cgan_lib.backends.runtime import BACKEND, keras, tf


def compiled_inference(model: keras.Model) -> Callable:
    """`model(inputs, training=False)` compiled for this backend. It reads the model's current
    weights at every call, and holds the model only weakly."""
    weak_model = weakref.ref(model)
    if BACKEND == "jax":
        import jax

        @jax.jit
        def stateless(trainable, non_trainable, inputs):
            return weak_model().stateless_call(trainable, non_trainable, inputs,
                                               training=False)[0]

        def call(inputs):
            network = weak_model()
            return stateless([variable.value for variable in network.trainable_variables],
                             [variable.value for variable in network.non_trainable_variables],
                             inputs)

        return call
    if BACKEND == "torch":
        import torch

        def call(inputs):
            with torch.no_grad():
                return weak_model()(inputs, training=False)

        return call
    return tf.function(lambda inputs: weak_model()(inputs, training=False),
                       reduce_retracing=True)
