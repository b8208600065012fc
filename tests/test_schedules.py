"""Tests for the schedule experiment: G gets equal updates under all four schedules, D gets the
updates each schedule promises, and the simultaneous step takes G's gradient before D moves."""

from __future__ import annotations

import numpy as np
import pytest

from cgan_lib.backends.runtime import keras
from cgan_lib.data.pipeline import make_dataset
from cgan_lib.gan.networks import build_mlp_discriminator, build_mlp_generator
from cgan_lib.lessons.schedules import (
    GAN_CLASSES,
    SCHEDULES,
    initial_weights,
    run_schedule,
    schedule_recipe,
    summarize,
)
from cgan_lib.training.build import build_gan


def small_generator():
    return build_mlp_generator(latent_dim=8, hidden_units=(16,))


def small_discriminator():
    return build_mlp_discriminator(hidden_units=(16,))


def images(count=64):
    return np.random.default_rng(0).uniform(-1, 1, (count, 28, 28, 1)).astype(np.float32)


@pytest.mark.slow  # four schedules, two rounds each, scored after every round
def test_every_schedule_gives_g_the_same_updates_and_records_every_round(tmp_path):
    dataset = make_dataset(images(), batch_size=16, seed=0)  # 4 batches per epoch
    weights = initial_weights(small_generator, small_discriminator, seed=1)
    runs = {schedule: run_schedule(schedule, rounds=2, dataset=dataset, probe_images=images(8),
                                   build_generator=small_generator,
                                   build_discriminator=small_discriminator, weights=weights,
                                   folder=tmp_path / schedule, monitor_every_steps=4,
                                   discriminator_steps=3)
            for schedule in SCHEDULES}
    # Steps (batches seen): 2 rounds of 4 batches, times the epochs each round takes.
    expected_steps = {"alternating": 8, "simultaneous": 8, "discriminator_steps": 24, "phased": 16}
    for schedule, run in runs.items():
        assert run.monitor["step"][-1] == expected_steps[schedule], schedule
        assert run.monitor["generator_updates"][-1] == 8, schedule
        assert sorted(run.grids_by_round) == [1, 2] == sorted(run.frechet_by_round)
        assert all(np.isfinite(value) for value in run.frechet_by_round.values())
        assert run.monitor["g_loss"][0] == runs["alternating"].monitor["g_loss"][0]  # same start
    assert "3 D steps per G step, non-saturating" in summarize(list(runs.values()))


def one_step_generator_weights(schedule, discriminator_learning_rate):
    weights = initial_weights(small_generator, small_discriminator, seed=1)
    generator, discriminator = small_generator(), small_discriminator()
    generator.set_weights(weights[0])
    discriminator.set_weights(weights[1])
    gan = build_gan(schedule_recipe(schedule, seed=3, discriminator_steps=1),
                    networks=(generator, discriminator), gan_class=GAN_CLASSES[schedule])
    gan.compile(generator_optimizer=keras.optimizers.Adam(1e-2),
                discriminator_optimizer=keras.optimizers.Adam(discriminator_learning_rate))
    gan.fit(make_dataset(images(16), batch_size=16, shuffle=False), epochs=1, verbose=0)
    return np.concatenate([w.ravel() for w in generator.get_weights()])


@pytest.mark.backend
@pytest.mark.parametrize("schedule, g_depends_on_d_update", [("simultaneous", False),
                                                             ("alternating", True)])
def test_only_the_simultaneous_step_takes_g_gradient_before_d_moves(schedule,
                                                                   g_depends_on_d_update):
    slow_d = one_step_generator_weights(schedule, discriminator_learning_rate=1e-6)
    fast_d = one_step_generator_weights(schedule, discriminator_learning_rate=0.5)
    assert (not np.allclose(slow_d, fast_d, atol=1e-7)) == g_depends_on_d_update


def test_discriminator_steps_must_be_positive():
    with pytest.raises(ValueError, match="objective.discriminator_steps=0 is not allowed: it must "
                                         "be a positive integer"):
        schedule_recipe("discriminator_steps", discriminator_steps=0)
    with pytest.raises(ValueError, match="schedule must be one of"):
        schedule_recipe("sometimes")
