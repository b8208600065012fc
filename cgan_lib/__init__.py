"""cgan_lib: conditional GANs for MNIST digits, the library of the GAN-on-MNIST course.

The names below are the library's public API: recipes and settings, MNIST, the networks and
`GAN`, training, loading and generating, evaluating, plots and the studios. For example:

    from cgan_lib import LAPTOP_RECIPE, generate, load_generator, train_recipe

    generator = load_generator()              # the shipped laptop generator
    sevens = generate(generator, digit=7, count=16, seed=0)
    run = train_recipe(LAPTOP_RECIPE.changed(epochs=2), "outputs/models/two-epochs")

Each name is imported from its module the first time it is used, so `import cgan_lib` (and
`python -m cgan_lib --help`) stays instant; TensorFlow, JAX or PyTorch loads with the first name
that needs Keras. The modules behind the names, in folders by role, are drawn in
docs/architecture.md; the notebooks' lesson helpers are in `cgan_lib.lessons`.
"""

from __future__ import annotations

import importlib

# Public name → the module that defines it.
_API = {
    # Recipes and run settings.
    **dict.fromkeys(("Recipe", "read_recipe"), "recipes.recipe"),
    **dict.fromkeys(("Run", "Architecture", "Objective", "Optimization", "Speed"), "recipes.parts"),
    **dict.fromkeys(("REFERENCE_RECIPE", "LAPTOP_RECIPE", "WGAN_GP_RECIPE", "RECIPES"),
                    "recipes.named"),
    **dict.fromkeys(("fast_mode", "fast_or_full", "outputs_dir", "repository_root"), "settings"),
    "set_seed": "backends.seeding",
    **dict.fromkeys(("machine_description", "recipe_policy"), "backends.precision"),
    # Keras and TensorFlow, imported without TensorFlow's log lines.
    **dict.fromkeys(("keras", "tf"), "backends.runtime"),
    # Data.
    "load_mnist": "data.mnist",
    **dict.fromkeys(("to_tanh_range", "from_tanh_range", "make_dataset", "first_of_each_class"),
                    "data.pipeline"),
    # The GAN.
    **dict.fromkeys(("build_mlp_generator", "build_mlp_discriminator", "build_dcgan_generator",
                     "build_dcgan_discriminator"), "gan.networks"),
    "GAN": "gan.model",
    # Training.
    **dict.fromkeys(("build_gan", "build_generator", "build_discriminator"), "training.build"),
    **dict.fromkeys(("fit_recipe", "FittedGAN"), "training.fit"),
    **dict.fromkeys(("train_recipe", "TrainingRun", "load_epoch_grids"), "training.run"),
    **dict.fromkeys(("SampleGrid", "TrainingMonitor", "EpochHistory", "QualityPerEpoch",
                     "read_epoch_history", "as_columns", "with_elapsed_seconds"),
                    "training.callbacks"),
    # Loading and generating.
    **dict.fromkeys(("load_generator", "load_generator_from_json", "save_generator",
                     "shipped_generator_folder", "shipped_run_folder"), "storage.generators"),
    **dict.fromkeys(("generate", "generate_digit_rows", "run_generator", "sample_noise",
                     "digit_rows_inputs", "LabelMixer", "latent_walk", "slerp"), "gan.sampling"),
    "generate_image": "drawing.image_files",
    # Evaluating.
    **dict.fromkeys(("Scores", "score_generator", "score_images", "score_real_data", "classify",
                     "frechet_distance_to_test_set"), "evaluation.metrics"),
    **dict.fromkeys(("Diversity", "diversity_of_images", "diversity_of_real_data",
                     "precision_and_recall"), "evaluation.diversity"),
    **dict.fromkeys(("Report", "evaluate_folder"), "evaluation.report"),
    # Plots and pictures.
    **dict.fromkeys(("plot_grid", "plot_curves", "plot_snapshots", "plot_histograms",
                     "plot_dot_chart", "tile_images", "DIGIT_NAMES"), "drawing.plots"),
    # The studios.
    **dict.fromkeys(("DigitPicker", "DigitMorph", "LatentWalk", "Studio"), "studio.widgets"),
    "StudioPage": "studio.page",
    "export_onnx": "studio.onnx_file",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use."""
    if name not in _API:
        raise AttributeError(f"module 'cgan_lib' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cgan_lib.{_API[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
