"""Pins the first 20 training steps of the reference and laptop recipes on TensorFlow, so that a
refactor of the library cannot change what the notebooks show without a test saying so.

Each recipe trains 20 steps from its seed on the first batches of its shuffled MNIST, as
`train_recipe` would, and the test compares the running D and G losses after every step, and a
digest of the generator's weights after the last, with the values recorded in
`tests/data/pinned_steps.json`. Rounding depends on the CPU's instructions, on the precision the
recipe trains in here (`cgan_lib.backends.precision`: the laptop recipe trains in bfloat16 on a CPU
with bfloat16 instructions, in float32 on one without), and on the TensorFlow and Keras versions,
so the values are recorded per recipe under such a key. With a pin of the same key, they must agree
to 1e-6. Otherwise they are compared with the pins of the same precision on other machines: to 3e-2
(relative) in float32 (the laptop recipe drifted by 1.3% within 20 steps when oneDNN was limited
to AVX2 on an AVX-512 machine, `ONEDNN_MAX_CPU_ISA=AVX2`), or in bfloat16, whose 8-bit mantissa
makes CPUs that round it differently (or emulate it) drift apart, to 1e-1 (relative) plus 0.5
(absolute). Between a 2-core AMD EPYC with AVX-512 BF16 and an Intel Xeon with AMX, the losses of
the laptop recipe without its twin classifier drifted apart by up to 4.7% (0.26 at most); on the
Xeon with oneDNN held to AVX-512 BF16 (`ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16`), by 4.5% (0.29) for
that recipe and by 0.19 for the laptop recipe, 12.8% of its G loss: a difference of the AC-GAN
and twin classifiers' terms, small beside either, hence the absolute part.
`python tests/test_pinned_steps.py [--cpu-bfloat16 yes|no]` records this machine's values (only do
that with code whose numbers are known to be right)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cgan_lib.backends.precision import machine_description, recipe_policy
from cgan_lib.backends.runtime import BACKEND, keras
from cgan_lib.recipes.named import RECIPES
from cgan_lib.recipes.recipe import Recipe
from cgan_lib.training.fit import fit_recipe

# TensorFlow's numbers; 40 training steps in all.
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(BACKEND != "tensorflow", reason="the pins are TensorFlow's")]
PINS_FILE = Path(__file__).parent / "data" / "pinned_steps.json"
STEPS = 20
SAME_MACHINE_TOLERANCE = 1e-6
# Relative, and in bfloat16 also absolute (np.testing.assert_allclose's rtol and atol).
OTHER_MACHINE_TOLERANCE = {"float32": {"rtol": 3e-2},
                           "mixed_bfloat16": {"rtol": 1e-1, "atol": 0.5}}
# The recipes whose runs the notebooks and the shipped generators show.
PINNED_RECIPES = ("laptop", "reference")


def pin_key(recipe: Recipe) -> str:
    """What the recipe's rounding depends on here: the kind of CPU (with its bfloat16
    instructions), the precision the recipe trains in, and the TensorFlow and Keras versions."""
    import tensorflow as tf

    return (f"{machine_description()}, {recipe_policy(recipe.speed.mixed_precision)}, "
            f"TensorFlow {tf.__version__}, Keras {keras.__version__}")


class StepLosses(keras.callbacks.Callback):
    """Records the running D and G losses after every training step."""

    def __init__(self) -> None:
        super().__init__()
        self.losses: dict[str, list[float]] = {"d_loss": [], "g_loss": []}

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        for name, values in self.losses.items():
            values.append(float(logs[name]))


def first_steps(recipe: Recipe) -> dict:
    """The running losses of the recipe's first `STEPS` steps, and the sum and the sum of squares
    of its sampling generator's weights after them."""
    recorder = StepLosses()
    gan = fit_recipe(recipe, [recorder], epochs=1, steps_per_epoch=STEPS).gan
    weights = [np.asarray(weight, dtype=np.float64)
               for weight in gan.sampling_generator.get_weights()]
    return {**recorder.losses,
            "weights_sum": float(sum(weight.sum() for weight in weights)),
            "weights_sum_of_squares": float(sum((weight ** 2).sum() for weight in weights))}


def pinned_values() -> dict:
    return json.loads(PINS_FILE.read_text())


@pytest.mark.parametrize("recipe_name", PINNED_RECIPES)
def test_first_steps_match_the_pinned_values(recipe_name):
    recipe = RECIPES[recipe_name]
    pins = pinned_values()[recipe_name]
    policy = recipe_policy(recipe.speed.mixed_precision)
    if pin_key(recipe) in pins:
        expected, tolerance = [pins[pin_key(recipe)]], {"rtol": 0, "atol": SAME_MACHINE_TOLERANCE}
    else:  # another kind of machine: every pin of the same precision, to a looser tolerance
        expected = [values for other, values in pins.items() if f", {policy}, " in other]
        tolerance = OTHER_MACHINE_TOLERANCE[policy]
    assert expected, f"no pin of {recipe_name} in {policy}: record one (see the docstring)"
    measured = first_steps(recipe)
    for values in expected:
        for name, pinned in values.items():
            np.testing.assert_allclose(measured[name], pinned, err_msg=name, **tolerance)


if __name__ == "__main__":
    import argparse

    from conftest import cpu_flags_as_told

    from cgan_lib.backends import precision

    parser = argparse.ArgumentParser(description="record this machine's pins")
    parser.add_argument("--cpu-bfloat16", choices=("yes", "no"),
                        help="as the tests' option of that name")
    answer = parser.parse_args().cpu_bfloat16
    if answer is not None:
        flags = cpu_flags_as_told(answer)
        precision.cpu_flags = lambda: flags
    recorded = pinned_values() if PINS_FILE.is_file() else {}
    for name in PINNED_RECIPES:
        recorded.setdefault(name, {})[pin_key(RECIPES[name])] = first_steps(RECIPES[name])
        print(f"recorded {name} under {pin_key(RECIPES[name])}")
    PINS_FILE.write_text(json.dumps(recorded, indent=1) + "\n")
