"""The library on Keras's other backends, JAX and PyTorch: every kind of GAN step trains, the
CLI draws a digit from a shipped generator, and a missing or unknown backend is named in one
line. Keras reads `KERAS_BACKEND` once, at import, so each check runs in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

BACKEND_STEPS = Path(__file__).parent / "data" / "backend_steps.py"
OTHER_BACKENDS = ("jax", "torch")
# Run from the default backend: the other two start in processes of their own.
pytestmark = pytest.mark.tensorflow_only


def run(backend: str, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    environment = {**os.environ, "KERAS_BACKEND": backend}
    return subprocess.run([sys.executable, *arguments], env=environment, check=check,
                          capture_output=True, text=True)


@pytest.fixture(scope="module", params=OTHER_BACKENDS)
def trained(request) -> dict:
    return json.loads(run(request.param, str(BACKEND_STEPS)).stdout.strip().splitlines()[-1])


def test_every_recipe_updates_both_networks_and_the_weight_average(trained):
    # 64 images in batches of 16: 4 G steps, or 2 for WGAN-GP with 2 critic steps per G step.
    for name, generator_steps in (("reference", 4), ("laptop", 4), ("wgan-gp", 2)):
        result = trained[name]
        assert result["losses_finite"], name
        # Every weight of both networks moves, BatchNorm's moving statistics included; but the
        # critic's last bias cancels in mean(fake) - mean(real) and gets no gradient in WGAN-GP.
        unmoved = 1 if name == "wgan-gp" else 0
        assert result["generator_moved"] == result["generator_weights"], name
        assert result["discriminator_moved"] == result["discriminator_weights"] - unmoved, name
        assert result["generator_steps"] == generator_steps, name
    assert trained["laptop"]["average_moved"] > 0
    assert trained["wgan-gp"]["average_moved"] > 0


def test_the_schedules_take_their_turns(trained):
    assert trained["simultaneous"]["generator_steps"] == 4
    assert trained["discriminator_steps"]["generator_steps"] == 2  # every second D step
    discriminator_epoch = trained["phased_discriminator_epoch"]
    assert discriminator_epoch["generator_moved"] == 0
    assert discriminator_epoch["discriminator_moved"] > 0
    generator_epoch = trained["phased_generator_epoch"]
    assert generator_epoch["generator_moved"] > 0 and generator_epoch["discriminator_moved"] == 0
    assert np.isnan(generator_epoch["history"]["d_loss"][0])


def test_diagnostics_measure_without_changing_weights(trained):
    assert trained["diagnostics"]["g_gradient_norm"] > 0
    assert trained["diagnostics_moved"] == 0


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_the_cli_draws_a_digit_from_the_shipped_generator(backend, tmp_path):
    out = tmp_path / "three.png"
    run(backend, "-m", "cgan_lib", "generate", "--digit", "3", "--out", str(out))
    assert Image.open(out).size[0] > 28


def test_an_unknown_backend_is_named_in_one_line(tmp_path):
    result = run("mxnet", "-m", "cgan_lib", "generate", "--digit", "3",
                 "--out", str(tmp_path / "x.png"), check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "python -m cgan_lib generate: error: KERAS_BACKEND='mxnet' is not a backend of this "
        "project: use one of tensorflow, jax, torch"]


def test_a_backend_that_is_not_installed_names_the_install_to_run(tmp_path):
    # sys.modules["jax"] = None makes JAX look uninstalled to this process.
    code = ("import sys; sys.modules['jax'] = None; from cgan_lib.cli import main; "
            f"sys.exit(main(['generate', '--digit', '3', '--out', {str(tmp_path / 'x.png')!r}]))")
    result = run("jax", "-c", code, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "python -m cgan_lib generate: error: KERAS_BACKEND=jax needs the jax package, which is not "
        "installed: run pip install -e \".[jax]\" in the project's folder"]
