"""Benchmark: milliseconds to render the digit studio's 10×10 grid (100 samples of one digit,
tiled, enlarged ×2 and PNG-encoded: what `DigitPicker` sends to the browser) after warm-up, with
the studio's generator (the laptop recipe's) or the one given with --model. Prints the median and
the spread, and the generator's share; asserts nothing. Run it with `make benchmark`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from cgan_lib.drawing.pictures import digit_grid_picture, png_bytes
from cgan_lib.gan.sampling import generate
from cgan_lib.storage.generators import load_generator

COUNT = 100


def milliseconds(task, repeats: int) -> np.ndarray:
    times = []
    for index in range(repeats):
        started = time.perf_counter()
        task(index)
        times.append(1000 * (time.perf_counter() - started))
    return np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=50, help="timed renders")
    parser.add_argument("--warmup", type=int, default=5, help="untimed renders first")
    parser.add_argument("--model", type=Path,
                        help="generator .keras file or folder (default: the studio's, "
                             "the shipped laptop generator)")
    arguments = parser.parse_args()

    generator = load_generator(arguments.model or "laptop")
    print(f"{generator.name}, {generator.count_params():,} parameters")

    def render(index: int) -> bytes:  # a new digit and seed every time, as a user would ask
        return png_bytes(digit_grid_picture(generator, index % 10, COUNT, seed=index), zoom=2)

    def generator_only(index: int) -> np.ndarray:
        return generate(generator, index % 10, COUNT, seed=index)

    milliseconds(render, arguments.warmup)
    for name, task in (("render 10×10 grid (generator + tiling + PNG)", render),
                       ("generator alone, 100 images", generator_only)):
        times = milliseconds(task, arguments.repeats)
        print(f"{name}: median {np.median(times):.1f} ms, "
              f"10th–90th percentile {np.percentile(times, 10):.1f}–"
              f"{np.percentile(times, 90):.1f} ms ({arguments.repeats} runs)")


if __name__ == "__main__":
    main()
