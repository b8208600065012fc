"""Data-parallel training over several devices, through Keras's own distribution support.

`data_parallel(devices, recipe)` is the block in which a `GAN` is built and fitted on `devices`
devices: the GPUs if the machine has any, else its CPUs. Each training batch, the recipe's
`batch_size` whatever the number of devices, is split evenly across them, and the weights are
kept in step, so that a recipe means the same on 1 device and on N:
- JAX: `keras.distribution.DataParallel`. The step is compiled once for the whole batch and XLA
  spreads it over the devices, so its losses (means over the whole batch), BatchNorm statistics
  and random draws are those of one device.
- TensorFlow: `tf.distribute.MirroredStrategy`, which `fit` respects. The step runs once per
  device on its share of the batch: `cgan_lib.backends.step` divides each gradient by the number of
  devices (Keras sums them), draws each random batch whole and gives each device its share, and
  `synchronized_batch_norm` takes BatchNorm's statistics over the whole batch. One difference
  remains: Keras's Dropout layers draw the same mask on every device, so a recipe with dropout
  (the reference) is another random run than on one device, not the same one; and a recipe
  with `discriminator_steps` > 1 (WGAN-GP) updates G inside a condition, which MirroredStrategy
  cannot synchronize across, so it is refused there (JAX trains it).
- PyTorch: Keras has no distribution support for it; `devices > 1` is a `ValueError`.

Virtual devices let one CPU stand in for several (for checking, not for speed, as they share the
same cores): `CGAN_CPU_DEVICES=N` before `cgan_lib` is imported (see `cgan_lib.backends.runtime`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from cgan_lib.backends.replicas import replicas_in_sync
from cgan_lib.backends.runtime import BACKEND, CPU_DEVICES_VARIABLE, keras, tf
from cgan_lib.recipes.recipe import Recipe

HOW_TO_GET_MORE = (f"set {CPU_DEVICES_VARIABLE}=N to split the CPU into N virtual devices "
                   "(for checking, not for speed), or use a machine with N GPUs")


def device_names() -> list[str]:
    """The devices training can use on this backend: the GPUs if there are any, else the CPUs."""
    if BACKEND == "jax":
        import jax

        return [str(device) for device in jax.devices()]
    return [device.name for device in (tf.config.list_logical_devices("GPU")
                                       or tf.config.list_logical_devices("CPU"))]


class OneStepAtATime(keras.callbacks.Callback):
    """Wait for each training step to end before the next one is dispatched. JAX dispatches
    steps asynchronously when nothing reads their logs (`verbose=0`); on virtual CPU devices,
    which run as threads of one pool, two devices' halves of the queued steps can then miss each
    other at a collective, and XLA ends the process after 40 s ("Termination timeout for all
    reduce"). Waiting for each step avoids it."""

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        import jax

        jax.block_until_ready(logs)


def fit_callbacks(devices: int) -> list[keras.callbacks.Callback]:
    """The callbacks that training on `devices` devices needs: `OneStepAtATime` on several JAX
    CPU devices, none otherwise."""
    if devices == 1 or BACKEND != "jax":
        return []
    import jax

    return [OneStepAtATime()] if jax.devices()[0].platform == "cpu" else []


def check_devices(devices: int, recipe: Recipe) -> None:
    """A `ValueError` naming the problem unless `recipe` can train on `devices` devices."""
    if isinstance(devices, bool) or not isinstance(devices, int) or devices < 1:
        raise ValueError(f"devices must be a whole number of at least 1, got {devices!r}")
    if devices == 1:
        return
    last_batch = recipe.run.training_images % recipe.run.batch_size
    for name, size in (("batch_size", recipe.run.batch_size), ("the last batch", last_batch)):
        if size % devices:
            raise ValueError(f"{name} ({size}) does not divide into {devices} devices: choose a "
                             f"batch size and a number of training images that are multiples "
                             f"of {devices}, or another number of devices")
    if BACKEND == "torch":
        raise ValueError(f"training on {devices} devices is not supported on the torch backend: "
                         "Keras's distribution support covers JAX (keras.distribution) and "
                         "TensorFlow (tf.distribute), not PyTorch; use KERAS_BACKEND=jax or "
                         "tensorflow, or train on one device (--devices 1)")
    if BACKEND == "tensorflow" and recipe.objective.discriminator_steps > 1:
        raise ValueError(f"discriminator_steps={recipe.objective.discriminator_steps} cannot "
                         f"train on {devices} TensorFlow devices: G is updated inside a "
                         "condition, across which MirroredStrategy cannot synchronize the "
                         "devices; use "
                         "KERAS_BACKEND=jax for this recipe, or one device (--devices 1)")
    available = device_names()
    if devices > len(available):
        raise ValueError(f"{devices} devices asked for, but this machine has {len(available)} "
                         f"({', '.join(available)}): ask for at most {len(available)}, or "
                         f"{HOW_TO_GET_MORE}")


@contextlib.contextmanager
def data_parallel(devices: int, recipe: Recipe) -> Iterator[None]:
    """Build and fit inside this block to train data parallel on `devices` devices (1: as
    usual)."""
    check_devices(devices, recipe)
    if devices == 1:
        yield
    elif BACKEND == "jax":
        import jax

        previous = keras.distribution.distribution()
        keras.distribution.set_distribution(
            keras.distribution.DataParallel(devices=jax.devices()[:devices]))
        try:
            yield
        finally:
            keras.distribution.set_distribution(previous)
    else:
        with tf.distribute.MirroredStrategy(device_names()[:devices]).scope():
            yield


def all_layers(model: keras.Model) -> Iterator[keras.layers.Layer]:
    """Every layer of `model`, and of the models nested in it, through `Model.layers`."""
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from all_layers(layer)


@contextlib.contextmanager
def synchronized_batch_norm(model: keras.Model) -> Iterator[None]:
    """While the block runs, `model`'s BatchNormalization layers take their statistics over the
    whole batch across TensorFlow's devices (Keras's `synchronized`); afterwards they are as
    built, so that the model saves and loads on every backend. Does nothing elsewhere."""
    layers = [layer for layer in all_layers(model)
              if isinstance(layer, keras.layers.BatchNormalization)]
    if replicas_in_sync() == 1:
        layers = []
    for layer in layers:
        layer.synchronized = True
    try:
        yield
    finally:
        for layer in layers:
            layer.synchronized = False
