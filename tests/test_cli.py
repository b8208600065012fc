"""Tests for `python -m cgan_lib`: clear errors for bad arguments, image generation, and, in
processes of their own, a training that is killed mid-run and resumed by running the same
command again, and the end-to-end `train` then `evaluate`. The other commands run in-process
(the `cli` fixture), as a shell would see them: an exit code, stdout and stderr."""

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

from cgan_lib.backends.runtime import keras
from cgan_lib.gan.networks import build_dcgan_generator
from cgan_lib.storage.generators import (
    generator_file,
    load_generator,
    save_generator,
    shipped_generator_folder,
    shipped_run_folder,
)


def run_cli(*arguments, **kwargs) -> subprocess.CompletedProcess:
    """`python -m cgan_lib ARGUMENTS` in a process of its own, in fast mode."""
    return subprocess.run([sys.executable, "-m", "cgan_lib", *map(str, arguments)],
                          capture_output=True, text=True, env={**os.environ, "CGAN_FAST": "1"},
                          **kwargs)


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
def test_bad_arguments_give_a_message_and_exit_code_2(arguments, message, cli):
    result = cli("generate", *arguments)
    assert result.code == 2
    assert message in result.err


def test_a_missing_model_gives_a_one_line_error(tmp_path, cli):
    result = cli("generate", "--digit", "3", "--model", tmp_path / "none.keras")
    assert result.code == 1
    assert len(result.error_lines) == 1 and "make train" in result.err


@pytest.mark.parametrize("case", ["out_is_a_folder", "out_is_inside_a_file"])
def test_an_unwritable_out_gives_a_one_line_error(tmp_path, case, cli):
    save_generator(build_dcgan_generator(), tmp_path / "model")
    if case == "out_is_a_folder":
        out = tmp_path / "folder.png"
        out.mkdir()
    else:
        (tmp_path / "a_file").write_text("")
        out = tmp_path / "a_file" / "seven.png"
    result = cli("generate", "--digit", "3", "--out", out, "--model", tmp_path / "model")
    assert result.code == 1
    assert len(result.error_lines) == 1 and str(out) in result.err


@pytest.mark.backend
def test_generate_writes_the_requested_image(tmp_path, cli):
    out = tmp_path / "seven.png"
    result = cli("generate", "--digit", "7", "--count", "16", "--seed", "1", "--out", out)
    assert (result.code, result.out.strip()) == (0, f"wrote {out}")
    assert Image.open(out).size[0] > 100
    result = cli("generate", "--digit", "all", "--count", "3", "--out", tmp_path / "a.png",
                 "--model", "reference")
    assert result.code == 0 and Image.open(tmp_path / "a.png").size[0] > 100


def test_the_laptop_generator_is_the_default_and_the_reference_is_one_name_away(cli):
    """No --model means the laptop generator, the better-scoring one; a shipped generator's name
    picks it, and the seed-compatible JSON + weights pair of each rebuilds the same network."""
    laptop = shipped_generator_folder("laptop") / "generator.keras"
    assert generator_file(None) == generator_file("laptop") == laptop
    default = load_generator()
    for a, b in zip(default.get_weights(), load_generator(laptop).get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert default.count_params() != load_generator("reference").count_params()
    noise = np.random.default_rng(0).normal(size=(4, 100)).astype(np.float32)
    labels = np.arange(4, dtype=np.int32).reshape(-1, 1)
    for name in ("laptop", "reference"):  # the run folder's pair, and the package's .keras file
        folder = shipped_run_folder(name)
        original = keras.models.model_from_json((folder / "generator.json").read_text())
        original.load_weights(folder / "generator.weights.h5")
        np.testing.assert_allclose(keras.ops.convert_to_numpy(original([noise, labels])),
                                   keras.ops.convert_to_numpy(load_generator(name)(
                                       [noise, labels])), atol=1e-6)
    help_text = cli("generate", "--help")
    assert help_text.code == 0 and "default: laptop" in " ".join(help_text.out.split())


def test_an_unknown_generator_name_is_one_line(tmp_path, cli):
    result = cli("generate", "--digit", "3", "--model", "nonesuch", "--out", tmp_path / "3.png")
    assert result.code == 1 and len(result.error_lines) == 1
    assert "no generator file at nonesuch" in result.err


@pytest.mark.slow
def test_training_killed_mid_run_resumes_without_losing_or_repeating_epochs(tmp_path):
    folder = tmp_path / "run"
    command = [sys.executable, "-m", "cgan_lib", "train", "--epochs", "3", "--output",
               str(folder)]
    process = subprocess.Popen(command, env={**os.environ, "CGAN_FAST": "1"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    metadata = folder / "checkpoint" / "training_metadata.json"
    deadline = time.monotonic() + 300
    while not metadata.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert metadata.exists(), "the first epoch never finished"
    process.send_signal(signal.SIGKILL)
    process.wait()
    completed_before_kill = json.loads(metadata.read_text())["epoch"]
    assert completed_before_kill < 3, "the run finished before it could be killed"

    result = run_cli("train", "--epochs", "3", "--output", folder, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    history = json.loads((folder / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == [1, 2, 3]
    grids = sorted(path.name for path in (folder / "epochs").iterdir())
    assert grids == [f"generated_epoch_0{n}.png" for n in (1, 2, 3)]
    for name in ("generator.keras", "generator.json", "generator.weights.h5", "loss_plot.png",
                 "final_grid.png"):
        assert (folder / name).is_file(), name


@pytest.mark.slow
def test_train_then_evaluate_end_to_end(tmp_path):
    """The two commands a user runs after a clone, each in a process of its own as at a shell:
    WGAN-GP's critic takes five steps per generator step (fast mode: one epoch of 2,048
    images, 16 batches of 128), and `evaluate` scores the generator that `train` saved."""
    folder = tmp_path / "wgan-gp"
    result = run_cli("train", "--recipe", "wgan-gp", "--output", folder, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "trained wgan-gp to epoch 1" in result.stdout
    history = json.loads((folder / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == [1]
    # A critic without sigmoid: its adversarial loss is mean(fake) - mean(real), any real number.
    assert np.isfinite(history[0]["d_adversarial_loss"])
    evaluation = tmp_path / "evaluation"
    result = run_cli("evaluate", "--model", folder, "--per-digit", "10", "--output", evaluation,
                     timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((evaluation / "metrics.json").read_text())
    assert metrics["generated"]["count"] == 100
    assert 0 <= metrics["generated"]["accuracy"] <= 1
    assert (evaluation / "z_eval.npy").is_file() and (evaluation / "labels_eval.npy").is_file()
