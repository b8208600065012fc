"""Benchmark: the seconds an epoch loses before its first training step, with Keras's own `fit`
(a new dataset iterator at every epoch) against `GAN.fit` (the dataset repeated, one iterator for
the whole run, `steps_per_epoch` = its length).

Trains the laptop recipe's GAN on the first `--batches` batches of MNIST for `--epochs` epochs
each way and prints, per epoch, its seconds and the wait before its first step. Asserts nothing.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cgan_lib.backends.runtime import keras
from cgan_lib.backends.seeding import set_seed
from cgan_lib.data.mnist import load_mnist
from cgan_lib.data.pipeline import make_dataset, to_tanh_range
from cgan_lib.gan.model import GAN
from cgan_lib.recipes.named import RECIPES
from cgan_lib.training.build import build_gan


class EpochStartTimer(keras.callbacks.Callback):
    """Records each epoch's seconds, and the seconds from its start to its first step."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch_seconds: list[float] = []
        self.wait_seconds: list[float] = []

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self.epoch_started = time.perf_counter()
        self.first_step_seen = False

    def on_train_batch_begin(self, batch: int, logs=None) -> None:
        if not self.first_step_seen:
            self.first_step_seen = True
            self.wait_seconds.append(time.perf_counter() - self.epoch_started)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.epoch_seconds.append(time.perf_counter() - self.epoch_started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=100, help="batches of 128 per epoch")
    parser.add_argument("--epochs", type=int, default=5)
    arguments = parser.parse_args()

    recipe = RECIPES["laptop"]
    (images, labels), _ = load_mnist(verbose=False)
    count = arguments.batches * recipe.run.batch_size
    for name, fit in [("keras.Model.fit (new iterator per epoch)", keras.Model.fit),
                      ("GAN.fit (one repeated iterator)", GAN.fit)]:
        set_seed(recipe.seed)
        dataset = make_dataset(to_tanh_range(images[:count]), labels[:count],
                               batch_size=recipe.run.batch_size, seed=recipe.seed)
        gan = build_gan(recipe)
        timer = EpochStartTimer()
        fit(gan, dataset, epochs=arguments.epochs, verbose=0, callbacks=[timer], shuffle=False)
        print(f"{name}: {sum(timer.epoch_seconds):.1f} s in all")
        for epoch, (seconds, wait) in enumerate(zip(timer.epoch_seconds, timer.wait_seconds,
                                                    strict=True), start=1):
            print(f"  epoch {epoch}: {seconds:5.1f} s, {wait:5.2f} s of them before its first step")
        print(f"  median wait after epoch 1: {np.median(timer.wait_seconds[1:]):.2f} s, "
              f"longest: {max(timer.wait_seconds[1:]):.2f} s")


if __name__ == "__main__":
    main()
