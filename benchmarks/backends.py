"""Benchmark: the laptop recipe on each Keras backend (TensorFlow, JAX, PyTorch), side by side.

For each backend, in its own processes (`KERAS_BACKEND` is read when Keras loads):
- the step time: the median milliseconds per step of `fit` on real MNIST batches, after a
  warm-up that compiles the step;
- the full recipe from scratch, as a user runs it (`python -m cgan_lib train --recipe laptop`,
  then `python -m cgan_lib evaluate`): the seconds its epochs took, and the conditional accuracy
  and Fréchet distance at N = 10,000.
Prints one table and writes it to `outputs/benchmarks/backends.json`. Asserts nothing. Needs the
`[jax]` and `[torch]` extras; `--backends tensorflow jax` measures only some.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from cgan_lib.backends.precision import machine_description as machine
from cgan_lib.settings import outputs_dir

BACKENDS = ("tensorflow", "jax", "torch")


def step_milliseconds(steps: int, repeats: int) -> list[float]:
    """In this process's backend: milliseconds per step of the laptop recipe's `fit`, once per
    repeat of `steps` steps, after `steps` steps of warm-up."""
    from cgan_lib.backends.seeding import set_seed
    from cgan_lib.data.mnist import load_mnist
    from cgan_lib.data.pipeline import make_dataset, to_tanh_range
    from cgan_lib.recipes.named import LAPTOP_RECIPE
    from cgan_lib.training.build import build_gan

    set_seed(LAPTOP_RECIPE.seed)
    (images, labels), _ = load_mnist(verbose=False)
    count = LAPTOP_RECIPE.run.batch_size * steps
    dataset = make_dataset(to_tanh_range(images[:count]), labels[:count],
                           batch_size=LAPTOP_RECIPE.run.batch_size, seed=LAPTOP_RECIPE.seed).cache()
    gan = build_gan(LAPTOP_RECIPE)
    gan.fit(dataset, epochs=1, verbose=0)  # compiles the step
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        gan.fit(dataset, epochs=1, verbose=0)
        times.append(1000 * (time.perf_counter() - started) / steps)
    return times


def run(backend: str, *command: str) -> str:
    environment = {**os.environ, "KERAS_BACKEND": backend}
    return subprocess.run(command, env=environment, check=True, capture_output=True,
                          text=True).stdout


def measure(backend: str, folder: Path, steps: int, repeats: int) -> dict:
    """One backend's step time, and its full run's training seconds and scores."""
    output = run(backend, sys.executable, __file__, "--child-steps", str(steps),
                 "--repeats", str(repeats))
    times = json.loads(output.strip().splitlines()[-1])
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty: delete it to measure a run from scratch")
    cli = (sys.executable, "-m", "cgan_lib")
    run(backend, *cli, "train", "--recipe", "laptop", "--output", str(folder))
    run(backend, *cli, "evaluate", "--model", str(folder))
    history = json.loads((folder / "history.json").read_text())
    scores = json.loads((folder / "evaluation" / "metrics.json").read_text())["generated"]
    return {"backend": backend, "milliseconds": times,
            "median_milliseconds": sorted(times)[len(times) // 2],
            "training_seconds": sum(entry["seconds"] for entry in history),
            "accuracy": scores["accuracy"], "frechet_distance": scores["frechet_distance"]}


def table(results: list[dict]) -> str:
    lines = [f"{'backend':12s} {'ms per step':>12s} {'training s':>11s} {'accuracy':>9s} "
             f"{'FD':>6s}"]
    lines += [f"{entry['backend']:12s} {entry['median_milliseconds']:12.0f} "
              f"{entry['training_seconds']:11.0f} {entry['accuracy']:9.4f} "
              f"{entry['frechet_distance']:6.2f}" for entry in results]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--steps", type=int, default=40, help="training steps per timing")
    parser.add_argument("--repeats", type=int, default=5, help="timings per backend")
    parser.add_argument("--child-steps", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child_steps:  # one backend's step timing, in the process started for it
        print(json.dumps(step_milliseconds(arguments.child_steps, arguments.repeats)))
        return
    folder = outputs_dir("benchmarks", "backend_runs")
    path = folder.parent / "backends.json"
    # A backend measured again on the same machine replaces its row; the others stay.
    kept = json.loads(path.read_text()) if path.exists() else {}
    results = kept.get("results", []) if kept.get("machine") == machine() else []
    for backend in arguments.backends:
        result = measure(backend, folder / backend, arguments.steps, arguments.repeats)
        results = [entry for entry in results if entry["backend"] != backend] + [result]
        results.sort(key=lambda entry: BACKENDS.index(entry["backend"]))
        print(table([result]).splitlines()[-1], flush=True)
        path.write_text(json.dumps({"machine": machine(), "results": results}, indent=1))
    print(f"{machine()}\n{table(results)}\nwritten to {path}")


if __name__ == "__main__":
    main()
