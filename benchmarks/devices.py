"""Step time of the laptop recipe on 1 and on 2 devices (data parallel:
`cgan_lib.backends.devices`), on the backend that KERAS_BACKEND names, for docs/scaling.md.

    CGAN_CPU_DEVICES=2 KERAS_BACKEND=jax python benchmarks/devices.py      # or tensorflow

On a CPU the two devices are virtual and share the same cores: the figures show that the
multi-device path runs, not a speed-up. Prints milliseconds per step, the median of 3 epochs of
16 steps after one epoch of warm-up (compilation).
"""

from __future__ import annotations

import statistics
import time

from cgan_lib.backends.devices import data_parallel, device_names, fit_callbacks
from cgan_lib.backends.runtime import keras
from cgan_lib.backends.seeding import set_seed
from cgan_lib.data.mnist import load_mnist
from cgan_lib.data.pipeline import make_dataset, to_tanh_range
from cgan_lib.recipes.named import LAPTOP_RECIPE
from cgan_lib.training.build import build_gan


class EpochTimes(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)


def milliseconds_per_step(devices: int) -> float:
    recipe = LAPTOP_RECIPE.changed(training_images=2048)
    (x_train, y_train), _ = load_mnist(verbose=False)
    dataset = make_dataset(to_tanh_range(x_train[:2048]), y_train[:2048],
                           batch_size=recipe.run.batch_size, seed=0)
    times = EpochTimes()
    times.seconds = []
    with data_parallel(devices, recipe):
        set_seed(0)
        gan = build_gan(recipe)
        gan.fit(dataset, epochs=4, callbacks=[times, *fit_callbacks(devices)], verbose=0)
    return 1000 * statistics.median(times.seconds[1:]) / recipe.run.steps_per_epoch


if __name__ == "__main__":
    print(f"devices: {', '.join(device_names())}")
    for count in (1, 2):
        print(f"{count} device(s): {milliseconds_per_step(count):.0f} ms per step "
              f"(batch {LAPTOP_RECIPE.run.batch_size}, laptop recipe)")
