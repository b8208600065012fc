"""Tests for validated generation: bad inputs are refused with a message naming them."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.generate import generate, generate_digit_rows, run_generator
from cgan_lib.models import build_mlp_generator


@pytest.fixture(scope="module")
def conditional_generator():
    return build_mlp_generator(latent_dim=8, hidden_units=(16,), conditional=True)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"digit": 12}, "from 0 to 9, got 12"),
        ({"digit": -1}, "got -1"),
        ({"digit": 3.5}, "integer from 0 to 9, got 3.5"),
        ({"digit": "7"}, "got '7'"),
        ({"digit": True}, "got True"),
        ({"digit": None}, "conditional"),
        ({"digit": 1, "count": 0}, "count must be from 1 to 10000, got 0"),
        ({"digit": 1, "count": 10**7}, "got 10000000"),
        ({"digit": 1, "count": 2.0}, "integer"),
        ({"digit": 1, "seed": -1}, "seed must be a non-negative integer, got -1"),
        ({"digit": 1, "seed": "abc"}, "'abc'"),
    ],
)
def test_bad_inputs_raise_a_value_error_naming_the_value(conditional_generator, arguments,
                                                         message):
    with pytest.raises(ValueError, match=message):
        generate(conditional_generator, **arguments)


def test_wrong_noise_shape_is_refused(conditional_generator):
    with pytest.raises(ValueError, match=r"shape \(count, 8\), got \(4, 5\)"):
        run_generator(conditional_generator, np.zeros((4, 5)), np.zeros(4))


def test_an_unconditional_generator_takes_no_digit():
    generator = build_mlp_generator(latent_dim=8, hidden_units=(16,))
    assert generate(generator, count=3).shape == (3, 28, 28, 1)
    with pytest.raises(ValueError, match="unconditional"):
        generate(generator, digit=3)


def test_the_same_seed_gives_the_same_images(conditional_generator):
    first = generate(conditional_generator, digit=2, count=4, seed=9)
    np.testing.assert_array_equal(first, generate(conditional_generator, digit=2, count=4, seed=9))
    assert not np.array_equal(first, generate(conditional_generator, digit=2, count=4, seed=10))


def test_digit_rows_hold_one_row_per_digit(conditional_generator):
    rows = generate_digit_rows(conditional_generator, per_digit=3, seed=0)
    assert rows.shape == (30, 28, 28, 1)
    single = generate(conditional_generator, digit=0, count=3, seed=0)
    assert not np.array_equal(rows[:3], rows[3:6])  # different digits, same structure
    assert single.shape == rows[:3].shape
