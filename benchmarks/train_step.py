"""Benchmark: images per second of the reference conditional DCGAN training step on this machine,
compiled as a plain TensorFlow graph and with XLA (`jit_compile=True`), and the implied seconds
per 60,000-image epoch. Prints figures; asserts nothing. Run it with `make benchmark`.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

import numpy as np

from cgan_lib.config import REFERENCE_RECIPE
from cgan_lib.data import make_dataset
from cgan_lib.training import build_gan


def images_per_second(jit_compile: bool, steps: int, repeats: int) -> list[float]:
    recipe = replace(REFERENCE_RECIPE, jit_compile=jit_compile)
    rng = np.random.default_rng(0)
    count = recipe.batch_size * steps
    images = rng.uniform(-1, 1, (count, 28, 28, 1)).astype(np.float32)
    labels = rng.integers(0, 10, count)
    dataset = make_dataset(images, labels, batch_size=recipe.batch_size, shuffle=False).cache()
    gan = build_gan(recipe)
    gan.fit(dataset.take(2), epochs=1, verbose=0)  # trace and compile
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        gan.fit(dataset, epochs=1, verbose=0)
        rates.append(count / (time.perf_counter() - started))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=40, help="training steps per measurement")
    parser.add_argument("--repeats", type=int, default=5, help="measurements per variant")
    arguments = parser.parse_args()
    print(f"CPU cores visible: {os.cpu_count()}; batch {REFERENCE_RECIPE.batch_size}; "
          f"{arguments.steps} steps × {arguments.repeats} repeats per variant")
    results = {}
    for name, jit in (("graph", False), ("graph + XLA", True)):
        rates = images_per_second(jit, arguments.steps, arguments.repeats)
        results[name] = float(np.median(rates))
        print(f"{name:12s} images/s: median {results[name]:7.1f}, best {max(rates):7.1f} "
              f"(runs: {', '.join(f'{r:.1f}' for r in rates)}) → "
              f"{60000 / results[name]:6.1f} s per 60,000-image epoch at the median")
    print(f"XLA / graph speed ratio (medians): {results['graph + XLA'] / results['graph']:.2f}")
    print("Timings on a shared or throttled machine vary between runs: compare medians of several.")


if __name__ == "__main__":
    main()
