"""Batches split across devices: what a step needs to know when TensorFlow's `MirroredStrategy`
runs it once per device on that device's share of the batch.

Keras sums the devices' gradients, so `step.losses_and_gradients` divides them by
`replicas_in_sync()`; a random batch is drawn whole on every device (the same draw, from the same
seed) and `replica_share` gives each device its rows, so that the devices draw what one device
would; a statistic that is not a mean over rows (a ratio of means, a gradient's norm) is made of
`sum_over_replicas` or `mean_over_replicas`. Elsewhere (one device, JAX's `DataParallel` whose
step sees the whole batch, or PyTorch) there is one replica and each function is the identity.
"""

from __future__ import annotations

from cgan_lib.backends.runtime import BACKEND, keras, tf


def replicas_in_sync() -> int:
    """How many devices run each step on a share of the batch: more than 1 only inside a
    multi-device TensorFlow strategy."""
    if BACKEND != "tensorflow":
        return 1
    return tf.distribute.get_strategy().num_replicas_in_sync


def replica_share(values, paired: bool = False):
    """This device's share of `values`, a random batch drawn whole (the same on every device):
    its rows in order, or with `paired` (rows i and i + half are a pair), its share of the first
    half followed by the same rows of the second half, so that pairs stay together."""
    replicas = replicas_in_sync()
    if replicas == 1:
        return values
    index = tf.distribute.get_replica_context().replica_id_in_sync_group
    if not paired:
        size = keras.ops.shape(values)[0] // replicas
        return values[index * size:(index + 1) * size]
    half = keras.ops.shape(values)[0] // 2
    size = half // replicas
    start = index * size
    return keras.ops.concatenate([values[start:start + size],
                                  values[half + start:half + start + size]])


def sum_over_replicas(value):
    """The sum of `value` over the devices that run the step together (`value` itself on one).
    Differentiable: TensorFlow's all-reduce passes the gradient back to every device."""
    if replicas_in_sync() == 1:
        return value
    return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, value)


def mean_over_replicas(value):
    """The mean of `value` over the devices that run the step together: a mean over this
    device's share of the batch becomes the mean over the whole batch."""
    return sum_over_replicas(value) / replicas_in_sync()


