"""Choosing the Keras backend: `KERAS_BACKEND` is read once, when Keras is imported, so each of
these checks starts a process of its own. (The library's behaviour on JAX and PyTorch is tested
by the `backend` tests, which `make test` runs on all three backends: see CONTRIBUTING.md.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def run(backend: str, *arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "KERAS_BACKEND": backend}
    return subprocess.run([sys.executable, *arguments], env=environment, capture_output=True,
                          text=True, timeout=300)


def test_an_unknown_backend_is_named_in_one_line(tmp_path):
    result = run("mxnet", "-m", "cgan_lib", "generate", "--digit", "3",
                 "--out", str(tmp_path / "x.png"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "python -m cgan_lib generate: error: KERAS_BACKEND='mxnet' is not a backend of this "
        "project: use one of tensorflow, jax, torch"]


def test_a_backend_that_is_not_installed_names_the_install_to_run(tmp_path):
    # sys.modules["jax"] = None makes JAX look uninstalled to this process.
    code = ("import sys; sys.modules['jax'] = None; from cgan_lib.cli import main; "
            f"sys.exit(main(['generate', '--digit', '3', '--out', {str(tmp_path / 'x.png')!r}]))")
    result = run("jax", "-c", code)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "python -m cgan_lib generate: error: KERAS_BACKEND=jax needs the jax package, which is not "
        "installed: run pip install -e \".[jax]\" in the project's folder"]
