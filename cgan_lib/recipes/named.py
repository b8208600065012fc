"""The named recipes: the reference design, the laptop recipe, and the laptop recipe with the
WGAN-GP objective."""

from __future__ import annotations

from pathlib import Path

from cgan_lib.recipes.recipe import Recipe, read_recipe

REFERENCE_RECIPE = Recipe()
# A recipe that trains and scores in under 10 minutes on 2 CPU cores: see
# notebooks/06_training_faster.ipynb and docs/laptop-recipe.md for what each change buys, measured
# by benchmarks/laptop_recipe.py (outputs/benchmarks/laptop_recipe.json). The twin classifier
# gives back the variety that the AC-GAN head (classifier_weight) takes (docs/laptop-recipe.md).
LAPTOP_RECIPE = REFERENCE_RECIPE.changed(
    name="laptop",
    epochs=10,
    mixed_precision=True,
    conditional_batch_norm=True,
    learning_rate=2e-3,
    linear_decay=True,
    generator_width=128,
    discriminator_width=32,
    discriminator_dropout=0.0,
    weight_average=True,
    reuse_generator_pass=True,
    classifier_weight=3.0,
    real_label_smoothing=0.2,
    label_conditioning="projection",
    mode_seeking_weight=0.05,
    twin_classifier=True,
)
# The laptop recipe with the WGAN-GP objective and the optimizer settings of its paper
# (Gulrajani et al. 2017, Algorithm 1): a critic without sigmoid, λ = 10, 5 critic steps per G
# step, Adam with learning rate 1e-4, beta_1 = 0, beta_2 = 0.9. Notebook 7 applies the same
# settings to a constant-rate laptop recipe without the AC-GAN head. It keeps the AC-GAN head
# without the twin classifier, whose effect was measured with the non-saturating loss only.
WGAN_GP_RECIPE = LAPTOP_RECIPE.changed(
    name="wgan-gp",
    adversarial_loss="wasserstein",
    real_label_smoothing=0.0,
    gradient_penalty_weight=10.0,
    discriminator_steps=5,
    reuse_generator_pass=False,
    learning_rate=1e-4,
    beta_1=0.0,
    beta_2=0.9,
    twin_classifier=False,
)
RECIPES = {"reference": REFERENCE_RECIPE, "laptop": LAPTOP_RECIPE, "wgan-gp": WGAN_GP_RECIPE}


def find_recipe(name_or_path: str | Path) -> Recipe:
    """A named recipe ("reference", "laptop", "wgan-gp"), or the recipe in a JSON file (a path
    ending in .json, such as a run folder's recipe.json)."""
    if str(name_or_path) in RECIPES:
        return RECIPES[str(name_or_path)]
    if str(name_or_path).endswith(".json") or Path(name_or_path).expanduser().is_file():
        return read_recipe(name_or_path)
    raise ValueError(f"unknown recipe {str(name_or_path)!r}: choose one of {sorted(RECIPES)}, or "
                     "give the path of a JSON recipe (a run folder's recipe.json)")
