"""Tests for scaling to [-1, 1] and the tf.data pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.data.pipeline import from_tanh_range, make_dataset, to_tanh_range


def test_scaling_round_trip_is_exact(mnist):
    images = mnist[0][0][:500]
    scaled = to_tanh_range(images)
    assert scaled.shape == (500, 28, 28, 1) and scaled.dtype == np.float32
    assert scaled.min() == -1.0 and scaled.max() == 1.0
    np.testing.assert_array_equal(from_tanh_range(scaled)[..., 0], images)


def test_scaling_refuses_float_input():
    with pytest.raises(ValueError, match="uint8"):
        to_tanh_range(np.zeros((2, 28, 28), dtype=np.float32))


def first_labels(dataset):
    return np.concatenate([labels.numpy() for _, labels in dataset])


def test_pipeline_batches_and_keeps_the_short_last_batch(mnist):
    (images, labels), _ = mnist
    dataset = make_dataset(to_tanh_range(images[:300]), labels[:300], batch_size=128, seed=1)
    shapes = [(tuple(x.shape), tuple(y.shape)) for x, y in dataset]
    assert shapes == [((128, 28, 28, 1), (128,))] * 2 + [((44, 28, 28, 1), (44,))]


def test_pipeline_order_follows_the_seed(mnist):
    (images, labels), _ = mnist
    scaled = to_tanh_range(images[:256])

    def order(seed):
        return first_labels(make_dataset(scaled, labels[:256], batch_size=64, seed=seed))

    np.testing.assert_array_equal(order(7), order(7))
    assert not np.array_equal(order(7), order(8))
    assert sorted(order(7).tolist()) == sorted(labels[:256].tolist())


def test_pipeline_refuses_mismatched_labels():
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        make_dataset(np.zeros((3, 28, 28, 1), np.float32), np.zeros(2))
