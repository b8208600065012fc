"""The package as a user installs it, away from the repository: a wheel built from this project
and installed into a folder of its own (its dependencies are this environment's), run from a
folder outside the clone. It holds the shipped generators and the classifier's weights, so that
generating digits works there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the built wheel, the folder it is installed into), built without reaching the network,
    from a copy of what the package is made of (setuptools writes its build files beside the
    source)."""
    folder = tmp_path_factory.mktemp("install")
    source = folder / "source"
    shutil.copytree(ROOT / "cgan_lib", source / "cgan_lib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--wheel-dir", folder / "wheel", source], check=True, cwd=folder)
    (wheel,) = (folder / "wheel").glob("cgan_lib-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
                    folder / "site", wheel], check=True, cwd=folder)
    return wheel, folder / "site"


def run_outside_the_clone(site: Path, cwd: Path, *arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(site), "HOME": str(cwd)}
    environment.pop("CGAN_OUTPUTS", None)
    return subprocess.run([sys.executable, *arguments], capture_output=True, text=True, cwd=cwd,
                          env=environment, timeout=300)


def test_the_wheel_holds_the_shipped_generators_and_the_classifier(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("laptop", "reference"):
        for file in ("generator.keras", "recipe.json"):
            assert f"cgan_lib/storage/shipped/{name}/{file}" in names
    assert "cgan_lib/evaluation/assets/mnist_classifier.weights.h5" in names


@pytest.mark.slow  # a Python process of its own, which imports Keras
def test_outside_a_clone_the_installed_package_generates_digits(installed, tmp_path):
    _, site = installed
    result = run_outside_the_clone(site, tmp_path, "-m", "cgan_lib", "generate", "--digit", "7",
                                   "--out", "seven.png")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wrote seven.png"
    assert Image.open(tmp_path / "seven.png").size[0] > 100
    result = run_outside_the_clone(site, tmp_path, "-c", (
        "import cgan_lib; from pathlib import Path; "
        "print(Path(cgan_lib.__file__).parent); "
        "print(cgan_lib.load_generator().count_params(), "
        "cgan_lib.load_generator('reference').count_params())"))
    assert result.returncode == 0, result.stderr
    package, counts = result.stdout.split("\n")[:2]
    assert Path(package) == site / "cgan_lib"  # the installed copy, not the clone's
    laptop, reference = map(int, counts.split())
    assert reference == 2_459_125 and laptop < reference
