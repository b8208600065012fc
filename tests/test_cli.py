"""Tests for `python -m cgan_lib`: clear errors for bad arguments, image generation, and a
training that is killed mid-run and resumed by running the same command again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image

from cgan_lib.cli import main
from cgan_lib.models import build_dcgan_generator
from cgan_lib.persistence import save_generator


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
