"""Run by tests/test_backends.py in a process with KERAS_BACKEND set: train every kind of GAN
step of the library for a few steps on real MNIST, and print what the test checks, as JSON."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from cgan_lib.backend import keras
from cgan_lib.config import RECIPES, REFERENCE_RECIPE, set_seed
from cgan_lib.data import make_dataset, to_tanh_range
from cgan_lib.gan import GAN
from cgan_lib.mnist import load_mnist
from cgan_lib.models import build_mlp_discriminator, build_mlp_generator
from cgan_lib.schedules import PhasedGAN, SimultaneousGAN
from cgan_lib.training import build_gan

(images, labels), _ = load_mnist(verbose=False)
images, labels = to_tanh_range(images[:64]), labels[:64]


def weights(model):
    return [keras.ops.convert_to_numpy(weight) for weight in model.weights]


def moved(before, model):
    return sum(not np.array_equal(a, b) for a, b in zip(before, weights(model), strict=True))


def fit(gan, epochs=1, conditional=True, initial_epoch=0):
    data = (images, labels) if conditional else (images,)
    dataset = make_dataset(*data, batch_size=16, seed=0)
    generator, discriminator = weights(gan.generator), weights(gan.discriminator)
    history = gan.fit(dataset, epochs=epochs, initial_epoch=initial_epoch, verbose=0).history
    return {"losses_finite": all(np.isfinite(value[-1]) for name, value in history.items()
                                 if name in ("d_loss", "g_loss")),
            "generator_moved": moved(generator, gan.generator),
            "discriminator_moved": moved(discriminator, gan.discriminator),
            "generator_weights": len(generator), "discriminator_weights": len(discriminator),
            "history": {name: [float(v) for v in values] for name, values in history.items()}}


results = {"backend": keras.backend.backend()}
for name, recipe in RECIPES.items():
    set_seed(1)
    if recipe.discriminator_steps > 1:  # G's turn comes after every second of the 4 batches
        recipe = replace(recipe, discriminator_steps=2)
    gan = build_gan(replace(recipe, generator_width=16, discriminator_width=8, batch_size=16,
                            training_images=64))
    average = weights(gan.sampling_generator)
    results[name] = fit(gan)
    results[name]["average_moved"] = moved(average, gan.sampling_generator)
    results[name]["generator_steps"] = int(keras.ops.convert_to_numpy(
        gan.generator_optimizer.iterations))


def mlp_gan(gan_class, **options):
    set_seed(2)
    gan = gan_class(build_mlp_generator(latent_dim=8, hidden_units=(16,), conditional=False),
                    build_mlp_discriminator(hidden_units=(16,), conditional=False), seed=3,
                    **options)
    gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5))
    return gan


for name, gan_class, options in (("simultaneous", SimultaneousGAN, {}),
                                 ("discriminator_steps", GAN,
                                  {"recipe": replace(REFERENCE_RECIPE, discriminator_steps=2)})):
    gan = mlp_gan(gan_class, **options)
    results[name] = fit(gan, conditional=False)
    results[name]["generator_steps"] = int(keras.ops.convert_to_numpy(
        gan.generator_optimizer.iterations))
phased = mlp_gan(PhasedGAN)
results["phased_discriminator_epoch"] = fit(phased, conditional=False)
results["phased_generator_epoch"] = fit(phased, conditional=False, initial_epoch=1, epochs=2)
plain = mlp_gan(GAN)
noise = np.random.default_rng(0).normal(size=(16, 8)).astype(np.float32)
before = weights(plain.generator) + weights(plain.discriminator)
results["diagnostics"] = plain.diagnostics(images[:16], None, noise, None)
results["diagnostics_moved"] = (moved(before[:len(plain.generator.weights)], plain.generator)
                                + moved(before[len(plain.generator.weights):],
                                        plain.discriminator))
print(json.dumps(results))
