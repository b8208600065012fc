"""Recipes: every hyperparameter of a training run, in validated parts, as a value that is
saved with the run it made (`recipe.json`)."""
