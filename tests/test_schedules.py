"""Tests for the schedule experiment: equal updates for both schedules, records per round."""

from __future__ import annotations

import numpy as np

from cgan_lib.data import make_dataset
from cgan_lib.models import build_mlp_discriminator, build_mlp_generator
from cgan_lib.schedules import initial_weights, run_schedule, summarize


def small_generator():
    return build_mlp_generator(latent_dim=8, hidden_units=(16,))


def small_discriminator():
    return build_mlp_discriminator(hidden_units=(16,))


def test_both_schedules_make_the_same_number_of_updates_and_record_every_round(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (64, 28, 28, 1)).astype(np.float32)
    dataset = make_dataset(images, batch_size=16, seed=0)
    weights = initial_weights(small_generator, small_discriminator, seed=1)
    runs = [run_schedule(schedule, rounds=2, dataset=dataset, probe_images=images[:8],
                         build_generator=small_generator,
                         build_discriminator=small_discriminator, weights=weights,
                         folder=tmp_path / schedule, monitor_every_steps=4)
            for schedule in ("alternating", "phased")]
    alternating, phased = runs
    # 4 batches per epoch: alternating does 8 steps of (D, G); phased 16 steps of D or G.
    assert alternating.monitor["step"][-1] == 8 and phased.monitor["step"][-1] == 16
    for run in runs:
        assert sorted(run.grids_by_round) == [1, 2] == sorted(run.frechet_by_round)
        assert all(np.isfinite(value) for value in run.frechet_by_round.values())
    assert alternating.monitor["g_loss"][0] == phased.monitor["g_loss"][0]  # same start
    assert "phased, non-saturating" in summarize(runs)
