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

from cgan_lib.backends.devices import device_names
from cgan_lib.backends.runtime import keras
from cgan_lib.recipes.named import LAPTOP_RECIPE
from cgan_lib.training.fit import fit_recipe


class EpochTimes(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)


def milliseconds_per_step(devices: int) -> float:
    recipe = LAPTOP_RECIPE.changed(training_images=2048, epochs=4)
    times = EpochTimes()
    times.seconds = []
    fit_recipe(recipe, [times], devices=devices)
    return 1000 * statistics.median(times.seconds[1:]) / recipe.run.steps_per_epoch


if __name__ == "__main__":
    print(f"devices: {', '.join(device_names())}")
    for count in (1, 2):
        print(f"{count} device(s): {milliseconds_per_step(count):.0f} ms per step "
              f"(batch {LAPTOP_RECIPE.run.batch_size}, laptop recipe)")
