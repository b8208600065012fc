"""Benchmark: images per second of the reference conditional DCGAN training step on this machine,
compiled as a plain TensorFlow graph or with XLA (`jit_compile=True`), each with TensorFlow's
oneDNN kernels on and off, and the implied seconds per 60,000-image epoch; then the ratio of the
fastest of these faithful steps (all run the same algorithm) to the plain graph step, which is
TensorFlow's default here. Each variant runs in its own process, because `TF_ENABLE_ONEDNN_OPTS`
is read when TensorFlow loads. Prints figures; asserts nothing. Run it with `make benchmark`.

`--laptop` measures instead the laptop recipe's step and variants of it (milliseconds per step
of the compiled `train_step` on one fixed batch, median of several repeats), which is how
notebook 06 compares the cost of its options.

`--precision` measures the reference's and the laptop recipe's steps with and without
`mixed_precision`, in the same way: on a CPU with bfloat16 instructions the ratio of the two is
how the notebooks derive their run times on a CPU without them, which trains in float32.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from cgan_lib.backends.precision import machine_description as machine
from cgan_lib.recipes.named import LAPTOP_RECIPE, REFERENCE_RECIPE
from cgan_lib.settings import outputs_dir
from measurements import ablation_undos

VARIANTS = {  # name: (jit_compile, TF_ENABLE_ONEDNN_OPTS)
    "graph, oneDNN off": (False, "0"),
    "graph, oneDNN on": (False, "1"),
    "XLA, oneDNN off": (True, "0"),
    "XLA, oneDNN on": (True, "1"),
}
# TensorFlow's own default on some CPUs: a graph step without oneDNN's kernels.
PLAIN_GRAPH_STEP = "graph, oneDNN off"
# The laptop recipe's step with each of its changes undone, as in its ablation
# (benchmarks/laptop_recipe.py --ablation).
LAPTOP_VARIANTS = {"laptop recipe": {}} | {
    f"without {name}": undo for name, undo in ablation_undos(LAPTOP_RECIPE).items()}


def images_per_second(jit_compile: bool, steps: int, repeats: int) -> list[float]:
    from cgan_lib.data.pipeline import make_dataset
    from cgan_lib.training.build import build_gan

    recipe = REFERENCE_RECIPE
    rng = np.random.default_rng(0)
    count = recipe.run.batch_size * steps
    images = rng.uniform(-1, 1, (count, 28, 28, 1)).astype(np.float32)
    labels = rng.integers(0, 10, count)
    dataset = make_dataset(images, labels, batch_size=recipe.run.batch_size, shuffle=False).cache()
    gan = build_gan(recipe)
    gan.jit_compile = jit_compile
    gan.fit(dataset.take(2), epochs=1, verbose=0)  # trace and compile
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        gan.fit(dataset, epochs=1, verbose=0)
        rates.append(count / (time.perf_counter() - started))
    return rates


def compiled_step(recipe):
    """`recipe`'s compiled `train_step`, bound to one fixed batch, after two warm-up steps that
    trace and compile it."""
    from cgan_lib.backends.runtime import tf
    from cgan_lib.training.build import build_gan

    rng = np.random.default_rng(0)
    batch = (tf.constant(rng.uniform(-1, 1, (recipe.run.batch_size, 28, 28, 1)), tf.float32),
             tf.constant(rng.integers(0, 10, recipe.run.batch_size), tf.int32))
    step = tf.function(build_gan(recipe).train_step)
    for _ in range(2):
        float(step(batch)["d_loss"])
    return lambda: step(batch)


def step_milliseconds(step, steps: int) -> float:
    """Mean milliseconds per call of `step` over `steps` calls, waiting for the last one."""
    started = time.perf_counter()
    for _ in range(steps):
        logs = step()
    float(logs["d_loss"])
    return 1000 * (time.perf_counter() - started) / steps


def milliseconds_in_turns(recipes: dict, steps: int, repeats: int) -> dict[str, list[float]]:
    """Milliseconds per step of each recipe's compiled step: all are compiled first, then
    measured in turns (one repeat of each, then the next)."""
    compiled = {name: compiled_step(recipe) for name, recipe in recipes.items()}
    times = {name: [] for name in compiled}
    for _ in range(repeats):
        for name, step in compiled.items():
            times[name].append(step_milliseconds(step, steps))
    return times


def measure_precision(steps: int, repeats: int) -> None:
    """Print the reference's and the laptop recipe's step times in bfloat16 and in float32, and
    their ratio, and write them to outputs/benchmarks/precision_steps.json."""
    recipes = {f"{recipe.name}, {kind}": recipe.changed(mixed_precision=mixed)
               for recipe in (REFERENCE_RECIPE, LAPTOP_RECIPE)
               for kind, mixed in (("mixed_precision", True), ("float32", False))}
    times = milliseconds_in_turns(recipes, steps, repeats)
    medians = {name: float(np.median(values)) for name, values in times.items()}
    results = {"machine": machine(), "cpu_cores": os.cpu_count(), "steps": steps,
               "repeats": repeats, "milliseconds": times, "median_milliseconds": medians,
               "float32_over_mixed_precision": {}}
    print(f"{machine()}: {steps} steps × {repeats} repeats, in turns (median ms per step)")
    for recipe in (REFERENCE_RECIPE, LAPTOP_RECIPE):
        mixed, plain = (medians[f"{recipe.name}, {kind}"]
                        for kind in ("mixed_precision", "float32"))
        results["float32_over_mixed_precision"][recipe.name] = plain / mixed
        print(f"{recipe.name:10s} mixed precision {mixed:6.1f} ms, float32 {plain:6.1f} ms: "
              f"float32 takes {plain / mixed:.2f}×")
    path = outputs_dir("benchmarks") / "precision_steps.json"
    path.write_text(json.dumps(results, indent=1))
    print(f"written to {path}")


def measure_laptop_variants(steps: int, repeats: int) -> None:
    """Print each variant's step time and write them all to outputs/benchmarks/laptop_steps.json,
    which notebook 06 reads. All variants are compiled first, then measured in turns (one repeat
    of each, then the next), so that a machine that speeds up or slows down over the minutes
    shifts every variant alike instead of the one measured first."""
    print(f"laptop recipe step, batch {LAPTOP_RECIPE.run.batch_size}; {steps} steps × {repeats} "
          "repeats per variant, in turns (ms per step)")
    times = milliseconds_in_turns({name: LAPTOP_RECIPE.changed(**changes)
                                   for name, changes in LAPTOP_VARIANTS.items()}, steps, repeats)
    results = {"machine": machine(), "cpu_cores": os.cpu_count(), "steps": steps,
               "repeats": repeats, "variants": {}}
    for name, changes in LAPTOP_VARIANTS.items():
        results["variants"][name] = {"changes": changes, "milliseconds": times[name],
                                     "median_milliseconds": float(np.median(times[name]))}
        print(f"{name:45s} median {np.median(times[name]):6.1f} ms, best {min(times[name]):6.1f} "
              f"ms (runs: {', '.join(f'{value:.0f}' for value in times[name])})")
    path = outputs_dir("benchmarks") / "laptop_steps.json"
    path.write_text(json.dumps(results, indent=1))
    print(f"written to {path}")


def measure_in_a_new_process(name: str, steps: int, repeats: int) -> list[float]:
    jit_compile, onednn = VARIANTS[name]
    environment = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": onednn}
    command = [sys.executable, __file__, "--steps", str(steps), "--repeats", str(repeats),
               "--child-jit", str(int(jit_compile))]
    output = subprocess.run(command, env=environment, check=True, capture_output=True,
                            text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=40, help="training steps per measurement")
    parser.add_argument("--repeats", type=int, default=5, help="measurements per variant")
    parser.add_argument("--laptop", action="store_true",
                        help="measure the laptop recipe's step and variants of it instead")
    parser.add_argument("--precision", action="store_true",
                        help="measure the reference's and the laptop recipe's steps in bfloat16 "
                             "and in float32 instead")
    parser.add_argument("--child-jit", type=int, choices=(0, 1), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.laptop:
        measure_laptop_variants(arguments.steps, arguments.repeats)
        return
    if arguments.precision:
        measure_precision(arguments.steps, arguments.repeats)
        return
    if arguments.child_jit is not None:  # one variant, in the process started for it
        print(json.dumps(images_per_second(bool(arguments.child_jit), arguments.steps,
                                           arguments.repeats)))
        return
    print(f"CPU cores visible: {os.cpu_count()}; batch {REFERENCE_RECIPE.run.batch_size}; "
          f"{arguments.steps} steps × {arguments.repeats} repeats per variant")
    medians = {}
    for name in VARIANTS:
        rates = measure_in_a_new_process(name, arguments.steps, arguments.repeats)
        medians[name] = float(np.median(rates))
        print(f"{name:18s} images/s: median {medians[name]:7.1f}, best {max(rates):7.1f} "
              f"(runs: {', '.join(f'{rate:.1f}' for rate in rates)}) → "
              f"{60000 / medians[name]:6.1f} s per 60,000-image epoch at the median", flush=True)
    plain, fastest = PLAIN_GRAPH_STEP, max(medians, key=medians.get)
    print(f"reference step, fastest faithful ({fastest}) / plain graph ({plain}): "
          f"{medians[fastest]:.1f} / {medians[plain]:.1f} images/s = "
          f"{medians[fastest] / medians[plain]:.2f}× (medians)")
    print("Timings on a shared or throttled machine vary between runs: compare medians of several.")


if __name__ == "__main__":
    main()
