"""Data-parallel training (`cgan_lib.backends.devices`) on two virtual CPU devices, with JAX's
`DataParallel` and TensorFlow's `MirroredStrategy`: a few steps on two devices, resumed from
their checkpoint, end with the weights, BatchNorm statistics and weight average of one device;
a long quiet fit on JAX runs to its end; and bad numbers of devices are one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from cgan_lib.backends.devices import check_devices
from cgan_lib.backends.runtime import BACKEND
from cgan_lib.recipes.named import LAPTOP_RECIPE

MULTI_DEVICE_BACKENDS = ["jax", "tensorflow"]


def two_devices(backend: str) -> dict[str, str]:
    return {**os.environ, "KERAS_BACKEND": backend, "CGAN_CPU_DEVICES": "2"}


# In a process with two virtual CPU devices: trains the laptop recipe (narrow, and in float32,
# so that the runs can agree to float tolerance) on one device and on two, for 4 epochs of one
# batch, the same 128 images (so that the order tf.data shuffles them in does not matter), each
# first to epoch 2 and then, resumed from its checkpoint, to epoch 4. Saves the initial weights
# and both runs' trained weights, and prints, for each run, how many devices hold its weights,
# G's updates and the epochs of its history. The twin classifier is off: with it, TensorFlow's
# two devices ended 2.4% of the distance moved apart from one device after 4 updates (10% of one
# G kernel's elements a whole Adam step apart), JAX's within this test's tolerance; not yet
# explained, so not yet a guarantee of the library.
TRAIN_AND_RESUME = """
import json, sys
import numpy as np
from cgan_lib.backends.seeding import set_seed
from cgan_lib.recipes.named import LAPTOP_RECIPE
from cgan_lib.training.build import build_gan
from cgan_lib.training.run import train_recipe
folder = sys.argv[1]
recipe = LAPTOP_RECIPE.changed(mixed_precision=False, generator_width=32,
                               discriminator_width=16, training_images=128,
                               twin_classifier=False)

def weights(gan):
    return {f"{name}/{index}": np.asarray(variable.numpy())
            for name, model in (("generator", gan.generator),
                                ("discriminator", gan.discriminator),
                                ("average", gan.average_generator))
            for index, variable in enumerate(model.weights)}

set_seed(recipe.seed)
np.savez(folder + "/initial.npz", **weights(build_gan(recipe)))
report = {}
for devices in (1, 2):
    run_folder = f"{folder}/on_{devices}"
    train_recipe(recipe, run_folder, epochs=2, devices=devices, quality_per_digit=10, verbose=0)
    run = train_recipe(recipe, run_folder, epochs=4, devices=devices, quality_per_digit=10,
                       verbose=0)
    np.savez(f"{folder}/trained_on_{devices}.npz", **weights(run.gan))
    value = run.gan.generator.weights[1].value
    # JAX: the devices its array is sharded over; TensorFlow: a MirroredVariable's copies.
    holders = (value.sharding.device_set if hasattr(value, "sharding")
               else getattr(value, "values", [value]))
    report[devices] = {"holders": len(holders),
                       "generator_updates": int(run.gan.generator_optimizer.iterations.numpy()),
                       "epochs": [entry["epoch"] for entry in run.history]}
print(json.dumps(report))
"""


# These start their backend with two virtual devices in a process of their own, whatever backend
# runs the tests: once per `make test` is enough.
@pytest.mark.slow
@pytest.mark.parametrize("backend", MULTI_DEVICE_BACKENDS)
def test_two_devices_train_and_resume_as_one_does(tmp_path, backend):
    result = subprocess.run([sys.executable, "-c", TRAIN_AND_RESUME, str(tmp_path)],
                            capture_output=True, text=True, env=two_devices(backend),
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for devices in ("1", "2"):
        # The weights really live on that many devices; both runs resumed at epoch 3.
        assert report[devices] == {"holders": int(devices), "generator_updates": 4,
                                   "epochs": [1, 2, 3, 4]}, report
    initial, one, two = (dict(np.load(tmp_path / f"{name}.npz"))
                         for name in ("initial", "trained_on_1", "trained_on_2"))
    for name in initial:
        moved = np.linalg.norm(one[name] - initial[name])
        apart = np.linalg.norm(two[name] - one[name])
        # Measured: at most 0.0009% of the distance moved (TensorFlow; JAX 0.0004%). BatchNorm
        # statistics taken per device instead of over the whole batch put them 107% apart.
        assert moved > 0 and apart <= 0.02 * moved, (name, moved, apart)


# Four epochs of 16 steps with nothing reading the logs, so that JAX queues the steps up: without
# `fit_callbacks`, XLA ended the JAX process after 40 s ("Termination timeout for all reduce").
QUIET_FIT = """
from cgan_lib.recipes.named import LAPTOP_RECIPE
from cgan_lib.training.fit import fit_recipe
gan = fit_recipe(LAPTOP_RECIPE.changed(training_images=2048, epochs=4), devices=2).gan
print(int(gan.generator_optimizer.iterations.numpy()))
"""


@pytest.mark.slow  # XLA's timeout is 40 s: the fit must run longer to show it is avoided
def test_a_long_fit_with_nothing_reading_its_logs_runs_to_the_end_on_jax():
    result = subprocess.run([sys.executable, "-c", QUIET_FIT], capture_output=True, text=True,
                            env=two_devices("jax"), timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["64"]


@pytest.mark.parametrize(("change", "message"), [
    ({"batch_size": 63}, "batch_size (63) does not divide into 2 devices"),
    ({"training_images": 1001}, "the last batch (105) does not divide into 2 devices"),
])
def test_a_batch_that_does_not_split_evenly_is_refused(change, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_devices(2, LAPTOP_RECIPE.changed(**change))


@pytest.mark.parametrize("devices", [0, -1, 1.5, True])
def test_a_number_of_devices_below_one_is_refused(devices):
    with pytest.raises(ValueError, match="devices must be a whole number of at least 1"):
        check_devices(devices, LAPTOP_RECIPE)


@pytest.mark.backend
@pytest.mark.parametrize("recipe", ["laptop", "wgan-gp"])
def test_devices_this_backend_cannot_train_on_are_one_line(recipe, cli):
    result = cli("train", "--recipe", recipe, "--devices", "2")
    assert result.code == 1 and len(result.error_lines) == 1, result.err[-2000:]
    line = result.error_lines[0]
    if BACKEND == "torch":
        assert line == ("python -m cgan_lib train: error: training on 2 devices is not "
                        "supported on the torch backend: Keras's distribution support covers "
                        "JAX (keras.distribution) and TensorFlow (tf.distribute), not "
                        "PyTorch; use KERAS_BACKEND=jax or tensorflow, or train on one "
                        "device (--devices 1)")
    elif BACKEND == "tensorflow" and recipe == "wgan-gp":
        assert line == ("python -m cgan_lib train: error: discriminator_steps=5 cannot train on "
                        "2 TensorFlow devices: G is updated inside a condition, across which "
                        "MirroredStrategy cannot synchronize the devices; use KERAS_BACKEND=jax "
                        "for this recipe, or one device (--devices 1)")
    else:  # one CPU device in this process (CGAN_CPU_DEVICES is unset)
        assert line.startswith("python -m cgan_lib train: error: 2 devices asked for, but "
                               "this machine has 1 (")
        assert "set CGAN_CPU_DEVICES=N" in line


def test_zero_devices_at_the_command_line_is_refused(cli):
    result = cli("train", "--devices", "0")
    assert result.code == 2
    assert result.error_lines[-1] == (
        "python -m cgan_lib train: error: argument --devices: expected a whole number of at "
        "least 1, got '0'")
