"""Pins the first 20 training steps of the reference and laptop recipes on TensorFlow, so that a
refactor of the library cannot change what the notebooks show without a test saying so.

Each recipe trains 20 steps from its seed on the first batches of its shuffled MNIST, as
`train_recipe` would, and the test compares the running D and G losses after every step, and a
digest of the generator's weights after the last, with the values recorded in
`tests/data/pinned_steps.json`. Floating-point rounding depends on the CPU and on the
TensorFlow and Keras versions, so the values are recorded per machine: on a machine of the file
they must agree to 1e-6; on another, to 1e-2 (relative), a looser check for CPUs that round
differently, or to 1e-1 for a recipe in bfloat16, whose 8-bit mantissa makes CPUs that round it
differently drift apart by a few percent within 20 steps (4.7% at most between the machines of
the file). `PYTHONPATH=benchmarks python tests/test_pinned_steps.py` records the current
machine's values (only do that with code whose numbers are known to be right).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cgan_lib.backend import keras
from cgan_lib.config import RECIPES, Recipe, set_seed
from cgan_lib.data import make_dataset, to_tanh_range
from cgan_lib.mnist import load_mnist
from cgan_lib.training import build_gan
from measurements import machine

pytestmark = pytest.mark.tensorflow_only  # the pins are TensorFlow's numbers
PINS_FILE = Path(__file__).parent / "data" / "pinned_steps.json"
STEPS = 20
SAME_MACHINE_TOLERANCE = 1e-6
OTHER_MACHINE_RELATIVE_TOLERANCE = {"float32": 1e-2, "bfloat16": 1e-1}
# The recipes whose runs the notebooks and the shipped generators show.
PINNED_RECIPES = ("laptop", "reference")


def machine_key() -> str:
    """The kind of CPU (with its bfloat16 instructions) and the TensorFlow and Keras versions:
    what rounding depends on."""
    import tensorflow as tf

    return f"{machine()}, TensorFlow {tf.__version__}, Keras {keras.__version__}"


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
    set_seed(recipe.seed)
    (x_train, y_train), _ = load_mnist(verbose=False)
    dataset = make_dataset(to_tanh_range(x_train), y_train, batch_size=recipe.batch_size,
                           seed=recipe.seed)
    gan = build_gan(recipe)
    recorder = StepLosses()
    gan.fit(dataset, epochs=1, steps_per_epoch=STEPS, callbacks=[recorder], verbose=0)
    weights = [np.asarray(weight, dtype=np.float64)
               for weight in gan.sampling_generator.get_weights()]
    return {**recorder.losses,
            "weights_sum": float(sum(weight.sum() for weight in weights)),
            "weights_sum_of_squares": float(sum((weight ** 2).sum() for weight in weights))}


def pinned_values() -> dict:
    return json.loads(PINS_FILE.read_text())


@pytest.mark.parametrize("recipe_name", PINNED_RECIPES)
def test_first_steps_match_the_pinned_values(recipe_name):
    pins = pinned_values()
    key = machine_key()
    same_machine = key in pins
    expected = (pins[key] if same_machine else next(iter(pins.values())))[recipe_name]
    measured = first_steps(RECIPES[recipe_name])
    precision = "bfloat16" if RECIPES[recipe_name].mixed_precision else "float32"
    for name, values in expected.items():
        if same_machine:
            np.testing.assert_allclose(measured[name], values, rtol=0,
                                       atol=SAME_MACHINE_TOLERANCE, err_msg=name)
        else:
            np.testing.assert_allclose(measured[name], values,
                                       rtol=OTHER_MACHINE_RELATIVE_TOLERANCE[precision],
                                       err_msg=name)


if __name__ == "__main__":
    recorded = pinned_values() if PINS_FILE.is_file() else {}
    recorded[machine_key()] = {name: first_steps(RECIPES[name]) for name in PINNED_RECIPES}
    PINS_FILE.parent.mkdir(exist_ok=True)
    PINS_FILE.write_text(json.dumps(recorded, indent=1) + "\n")
    print(f"recorded {machine_key()} in {PINS_FILE}")
