"""Helpers of one notebook's lesson each: notebook 3's schedule experiment (`schedules`) and
notebook 7's runs on a budget of generator updates (`budget`). The notebooks import them from
here."""

from cgan_lib.lessons.budget import BudgetRun, comparison_table, rank_correlation, train_for_updates
from cgan_lib.lessons.schedules import (
    SCHEDULES,
    PhasedGAN,
    ScheduleRun,
    SimultaneousGAN,
    initial_weights,
    run_schedule,
    schedule_recipe,
    summarize,
)

__all__ = ["SCHEDULES", "BudgetRun", "PhasedGAN", "ScheduleRun", "SimultaneousGAN",
           "comparison_table", "initial_weights", "rank_correlation", "run_schedule",
           "schedule_recipe", "summarize", "train_for_updates"]
