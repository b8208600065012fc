"""Shared pytest fixtures: the real MNIST arrays (loaded once) and a private outputs folder."""

from __future__ import annotations

import pytest

from cgan_lib.mnist import load_mnist


@pytest.fixture(scope="session")
def mnist():
    """The verified MNIST arrays, `((x_train, y_train), (x_test, y_test))`."""
    return load_mnist(verbose=False)


@pytest.fixture
def outputs(tmp_path, monkeypatch):
    """Point cgan_lib's outputs at a temporary folder for one test."""
    folder = tmp_path / "outputs"
    monkeypatch.setenv("CGAN_OUTPUTS", str(folder))
    return folder


@pytest.fixture(scope="session")
def studio_generator():
    """The digit studio's generator: the laptop recipe's, committed under outputs/models/."""
    from cgan_lib.persistence import load_generator, shipped_model_folder

    return load_generator(shipped_model_folder("laptop"))
