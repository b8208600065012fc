"""Tests for fast mode, explicit seeding and the outputs folder."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backend import keras
from cgan_lib.config import fast_or_full, outputs_dir, repository_root, set_seed


def test_fast_or_full_follows_the_environment(monkeypatch):
    monkeypatch.setenv("CGAN_FAST", "1")
    assert fast_or_full(1, 30) == 1
    monkeypatch.setenv("CGAN_FAST", "0")
    assert fast_or_full(1, 30) == 30


def test_set_seed_makes_random_draws_repeat():
    set_seed(504)
    first = keras.random.normal((4,)).numpy()
    set_seed(504)
    np.testing.assert_array_equal(keras.random.normal((4,)).numpy(), first)


def test_set_seed_refuses_a_negative_seed():
    with pytest.raises(ValueError, match="-1"):
        set_seed(-1)


def test_outputs_dir_honours_the_override(tmp_path, monkeypatch):
    monkeypatch.setenv("CGAN_OUTPUTS", str(tmp_path / "elsewhere"))
    assert outputs_dir("01_data") == tmp_path / "elsewhere" / "01_data"
    assert (tmp_path / "elsewhere" / "01_data").is_dir()


def test_outputs_dir_defaults_to_the_repository(monkeypatch):
    monkeypatch.delenv("CGAN_OUTPUTS", raising=False)
    assert outputs_dir() == repository_root() / "outputs"
