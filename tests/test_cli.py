"""Tests for `python -m cgan_lib`: clear errors for bad arguments, image generation, and a
training that is killed mid-run and resumed by running the same command again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from cgan_lib.backend import keras
from cgan_lib.cli import main
from cgan_lib.models import build_dcgan_generator
from cgan_lib.persistence import (
    generator_folder,
    load_generator,
    save_generator,
    shipped_model_folder,
)


def run_cli(*arguments, env=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "cgan_lib", *arguments], capture_output=True,
                          text=True, env=env, **kwargs)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--digit", "12"], "expected a digit from 0 to 9 or 'all', got '12'"),
        (["--digit", "seven"], "got 'seven'"),
        (["--digit", "7", "--count", "0"], "at least 1, got '0'"),
        (["--digit", "7", "--seed", "-1"], "at least 0, got '-1'"),
        (["--digit", "7", "--out", "seven.txt"], "ending in .png"),
    ],
)
def test_bad_arguments_give_a_message_and_exit_code_2(arguments, message, capsys):
    with pytest.raises(SystemExit) as raised:
        main(["generate", *arguments])
    assert raised.value.code == 2
    assert message in capsys.readouterr().err


def test_a_missing_model_gives_a_one_line_error_without_traceback(tmp_path):
    result = run_cli("generate", "--digit", "3", "--model", str(tmp_path / "none.keras"))
    assert result.returncode == 1
    assert "make train" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("case", ["out_is_a_folder", "out_is_inside_a_file"])
def test_an_unwritable_out_gives_a_one_line_error_without_traceback(tmp_path, case):
    save_generator(build_dcgan_generator(), tmp_path / "model")
    if case == "out_is_a_folder":
        out = tmp_path / "folder.png"
        out.mkdir()
    else:
        (tmp_path / "a_file").write_text("")
        out = tmp_path / "a_file" / "seven.png"
    result = run_cli("generate", "--digit", "3", "--out", str(out),
                     "--model", str(tmp_path / "model"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(out) in result.stderr


def test_generate_writes_the_requested_image(tmp_path, capsys):
    save_generator(build_dcgan_generator(), tmp_path / "model")
    out = tmp_path / "seven.png"
    assert main(["generate", "--digit", "7", "--count", "16", "--seed", "1", "--out", str(out),
                 "--model", str(tmp_path / "model")]) == 0
    assert Image.open(out).size[0] > 100
    assert main(["generate", "--digit", "all", "--count", "3", "--out", str(tmp_path / "a.png"),
                 "--model", str(tmp_path / "model")]) == 0
    assert "wrote" in capsys.readouterr().out


def test_the_laptop_generator_is_the_default_and_the_reference_is_one_name_away():
    """No --model means the laptop generator, the better-scoring one; a shipped generator's name
    picks it, and the seed-compatible JSON + weights pair of each rebuilds the same network."""
    laptop, reference = (shipped_model_folder(name) for name in ("laptop", "reference"))
    assert generator_folder() == laptop and generator_folder("reference") == reference
    default = load_generator()
    for a, b in zip(default.get_weights(), load_generator(laptop).get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert default.count_params() != load_generator("reference").count_params()
    noise = np.random.default_rng(0).normal(size=(4, 100)).astype(np.float32)
    labels = np.arange(4, dtype=np.int32).reshape(-1, 1)
    for folder in (laptop, reference):
        original = keras.models.model_from_json((folder / "generator.json").read_text())
        original.load_weights(folder / "generator.weights.h5")
        np.testing.assert_allclose(keras.ops.convert_to_numpy(original([noise, labels])),
                                   keras.ops.convert_to_numpy(load_generator(folder)(
                                       [noise, labels])), atol=1e-6)
    assert "default: laptop" in " ".join(run_cli("generate", "--help").stdout.split())


def test_generate_with_a_shipped_generators_name(tmp_path, capsys):
    out = tmp_path / "three.png"
    assert main(["generate", "--digit", "3", "--model", "reference", "--out", str(out)]) == 0
    assert Image.open(out).size[0] > 100
    assert main(["generate", "--digit", "3", "--model", "nonesuch", "--out", str(out)]) == 1
    assert "no generator file at nonesuch" in capsys.readouterr().err


def test_training_killed_mid_run_resumes_without_losing_or_repeating_epochs(tmp_path):
    folder = tmp_path / "run"
    env = {**os.environ, "CGAN_FAST": "1"}
    command = [sys.executable, "-m", "cgan_lib", "train", "--epochs", "3", "--output",
               str(folder)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    metadata = folder / "checkpoint" / "training_metadata.json"
    deadline = time.monotonic() + 300
    while not metadata.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert metadata.exists(), "the first epoch never finished"
    process.send_signal(signal.SIGKILL)
    process.wait()
    completed_before_kill = json.loads(metadata.read_text())["epoch"]
    assert completed_before_kill < 3, "the run finished before it could be killed"

    result = run_cli("train", "--epochs", "3", "--output", str(folder), env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    history = json.loads((folder / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == [1, 2, 3]
    grids = sorted(path.name for path in (folder / "epochs").iterdir())
    assert grids == [f"generated_epoch_0{n}.png" for n in (1, 2, 3)]
    for name in ("generator.keras", "generator.json", "generator.weights.h5", "loss_plot.png",
                 "final_grid.png"):
        assert (folder / name).is_file(), name


def test_train_recipe_wgan_gp_trains_a_critic_with_five_steps_per_generator_step(tmp_path):
    folder = tmp_path / "wgan-gp"
    env = {**os.environ, "CGAN_FAST": "1"}  # one epoch of 2,048 images: 16 batches of 128
    result = run_cli("train", "--recipe", "wgan-gp", "--output", str(folder), env=env,
                     timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "trained wgan-gp to epoch 1" in result.stdout
    history = json.loads((folder / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == [1]
    # A critic without sigmoid: its adversarial loss is mean(fake) - mean(real), any real number.
    assert np.isfinite(history[0]["d_adversarial_loss"])
    assert load_generator(folder).name == "dcgan_generator"
