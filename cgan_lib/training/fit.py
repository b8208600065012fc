"""Build and fit a recipe's GAN: the one path that the command line, the notebooks' helpers (the
schedules, the budgeted runs), and the benchmarks and tests that train a recipe go through.

`fit_recipe(recipe, callbacks)` seeds every random generator with the recipe's seed, batches the
recipe's share of the data (MNIST's training images by default), builds the GAN on the requested
devices, restores a checkpoint if one is given, and fits it for the recipe's epochs, unless its
arguments give other data (`data=`), other networks (`networks=`, `gan_class=`) or another
number of epochs (`epochs=`, `steps_per_epoch=`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from cgan_lib.backends.devices import data_parallel, fit_callbacks, synchronized_batch_norm
from cgan_lib.backends.runtime import keras, tf
from cgan_lib.backends.seeding import set_seed
from cgan_lib.data.mnist import load_mnist
from cgan_lib.data.pipeline import make_dataset, to_tanh_range
from cgan_lib.gan.model import GAN
from cgan_lib.recipes.recipe import Recipe
from cgan_lib.training.build import build_gan
from cgan_lib.training.checkpoints import Checkpoint

Networks = Callable[[], tuple[keras.Model, keras.Model]]


@dataclass
class FittedGAN:
    """What `fit_recipe` returns: the trained GAN, the logs of every epoch (columns such as
    "d_loss"), and the seconds `fit` took."""

    gan: GAN
    history: dict[str, list[float]]
    seconds: float


def recipe_dataset(recipe: Recipe, data: tuple[np.ndarray, np.ndarray] | None = None,
                   verbose: bool = False) -> tf.data.Dataset:
    """The recipe's first `training_images` of `data` (images in [-1, 1], labels; default:
    MNIST's training split), shuffled with the recipe's seed, in the recipe's batches, repeated
    without end (an epoch is `recipe.run.steps_per_epoch` batches)."""
    count = recipe.run.training_images
    if data is None:
        (images, labels), _ = load_mnist(verbose=verbose)
        images = to_tanh_range(images[:count])
    else:
        images, labels = data
    return make_dataset(images[:count], labels[:count], batch_size=recipe.run.batch_size,
                        seed=recipe.seed).repeat()


def fit_recipe(recipe: Recipe, callbacks: Sequence[keras.callbacks.Callback] = (), *,
               data: tuple[np.ndarray, np.ndarray] | tf.data.Dataset | None = None,
               networks: Networks | None = None, gan_class: type[GAN] = GAN,
               devices: int = 1, checkpoint: Checkpoint | None = None,
               epochs: int | None = None, steps_per_epoch: int | None = None,
               verbose: int | str = 0) -> FittedGAN:
    """Seed, batch the data, build the recipe's GAN and fit it for `recipe.run.epochs` epochs.

    - `data`: (images in [-1, 1], labels) to take the recipe's share of, or a ready dataset
      (used as it is); default: MNIST's training split.
    - `networks`: a function returning (generator, discriminator), called once seeded, instead of
      the recipe's conditional DCGAN; `gan_class`: the `GAN` subclass to train them in.
    - `devices`: train data parallel on that many devices (`cgan_lib.backends.devices`).
    - `checkpoint`: continue from its latest checkpoint, and save one after every epoch.
    - `epochs`, `steps_per_epoch`: fit that many epochs (default: the recipe's) of that many
      batches (default: one pass over the recipe's images). The learning-rate schedule follows
      the recipe's own epochs either way.
    """
    set_seed(recipe.seed)
    if not isinstance(data, tf.data.Dataset):
        data = recipe_dataset(recipe, data, verbose=verbose != 0)
        steps_per_epoch = steps_per_epoch or recipe.run.steps_per_epoch
    with data_parallel(devices, recipe):
        gan = build_gan(recipe, networks=networks() if networks else None, gan_class=gan_class)
        initial_epoch = checkpoint.restore(gan) if checkpoint is not None else 0
        # The checkpoint comes last, so that an epoch counts as done only once all of the other
        # callbacks' files are written.
        all_callbacks = [*fit_callbacks(devices), *callbacks,
                         *([checkpoint] if checkpoint is not None else [])]
        started = time.perf_counter()
        with synchronized_batch_norm(gan.generator):
            history = gan.fit(data, epochs=epochs or recipe.run.epochs, initial_epoch=initial_epoch,
                              steps_per_epoch=steps_per_epoch, callbacks=all_callbacks,
                              verbose=verbose)
    return FittedGAN(gan, history.history, time.perf_counter() - started)
