"""The GAN losses and penalties, as plain functions written once with `keras.ops`.

Conventions: the discriminator D outputs logits, real = 1 and fake = 0. An adversarial loss is a
pair of functions (`ADVERSARIAL_LOSSES`): D's loss from its logits on real and on generated
images, and the generator G's loss from D's logits on G's images.
- "non_saturating" (the default): D minimizes the binary cross-entropy; G makes D say 1 for its
  images, -log D(G(z)).
- "minimax" (the original objective): G minimizes log(1 - D(G(z))), the negative of D's loss on
  fakes; its gradient vanishes once D rejects the fakes confidently.
- "hinge": D minimizes mean(relu(1 - real logits)) + mean(relu(1 + fake logits)); G minimizes
  -mean(fake logits).
- "least_squares" (LSGAN, Mao et al. 2017): D's output is a score, not a probability; D
  minimizes ½ mean((real - 1)²) + ½ mean(fake²), and G ½ mean((fake - 1)²). Its gradient grows
  with the distance from the target, so it does not vanish when D is sure.
- "wasserstein" (WGAN, Arjovsky et al. 2017): D is a *critic* whose output estimates the
  Wasserstein distance between the real and generated images, mean(real) - mean(fake), if it is
  1-Lipschitz. The critic minimizes mean(fake) - mean(real) and G minimizes -mean(fake). The
  Lipschitz condition is enforced by the `gradient_penalty` (WGAN-GP, Gulrajani et al. 2017).

Each loss is a plain mean over the batch it is given: not a Keras `Loss` object, which under a
TensorFlow distribution strategy would also divide itself by the number of devices, when
`per_backend.losses_and_gradients` does so once for the whole step.
"""

from __future__ import annotations

from collections.abc import Callable

from cgan_lib.backends.replicas import mean_over_replicas
from cgan_lib.backends.runtime import keras

ops = keras.ops


def binary_cross_entropy(target: float, logits):
    """The mean binary cross-entropy of `logits` against the probability `target` (0 to 1)."""
    return ops.mean(keras.losses.binary_crossentropy(ops.full_like(logits, target), logits,
                                                     from_logits=True))


def cross_entropy_discriminator_loss(real_logits, fake_logits, real_target: float = 1.0):
    """D's binary cross-entropy: real images against `real_target` (1, or less with one-sided
    label smoothing), generated images against 0."""
    return binary_cross_entropy(real_target, real_logits) + binary_cross_entropy(0.0, fake_logits)


def non_saturating_generator_loss(fake_logits):
    """-log D(G(z)): G's images scored against the target 1."""
    return binary_cross_entropy(1.0, fake_logits)


def minimax_generator_loss(fake_logits):
    """log(1 - D(G(z))): minus D's cross-entropy on G's images."""
    return -binary_cross_entropy(0.0, fake_logits)


def hinge_discriminator_loss(real_logits, fake_logits, real_target: float = 1.0):
    """mean(relu(1 - real logits)) + mean(relu(1 + fake logits)). `real_target` is accepted so
    that every D loss has one signature, and must stay 1: label smoothing is for cross-entropy."""
    if real_target != 1.0:
        raise ValueError(f"the hinge loss has no label smoothing: real_target must be 1, "
                         f"got {real_target!r}")
    return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))


def hinge_generator_loss(fake_logits):
    """-mean(fake logits)."""
    return -ops.mean(fake_logits)


def least_squares_discriminator_loss(real_logits, fake_logits, real_target: float = 1.0):
    """½ mean((real - real_target)²) + ½ mean(fake²)."""
    return (0.5 * ops.mean(ops.square(real_logits - real_target))
            + 0.5 * ops.mean(ops.square(fake_logits)))


def least_squares_generator_loss(fake_logits):
    """½ mean((fake - 1)²)."""
    return 0.5 * ops.mean(ops.square(fake_logits - 1.0))


def wasserstein_critic_loss(real_logits, fake_logits, real_target: float = 1.0):
    """mean(fake) - mean(real): minus the critic's estimate of the Wasserstein distance.
    `real_target` must stay 1, as for the hinge loss."""
    if real_target != 1.0:
        raise ValueError(f"the Wasserstein loss has no label smoothing: real_target must be 1, "
                         f"got {real_target!r}")
    return ops.mean(fake_logits) - ops.mean(real_logits)


def wasserstein_generator_loss(fake_logits):
    """-mean(fake): G raises the critic's score of its images."""
    return -ops.mean(fake_logits)


def gradient_penalty(input_gradients):
    """WGAN-GP's penalty mean((‖g‖ - 1)²), with g the critic's gradient with respect to each
    image of a batch (N, …): it pulls the critic's slope towards 1 (the Lipschitz condition)."""
    flat = ops.reshape(input_gradients, (ops.shape(input_gradients)[0], -1))
    norms = ops.sqrt(ops.sum(ops.square(flat), axis=1) + 1e-12)
    return ops.mean(ops.square(norms - 1.0))


def digit_loss(labels, digit_logits):
    """The AC-GAN classifier's cross-entropy: digit logits (N, 10) against labels (N, 1)."""
    return ops.mean(keras.losses.sparse_categorical_crossentropy(labels, digit_logits,
                                                                 from_logits=True))


def mode_seeking_penalty(noise, images, weight: float):
    """MSGAN's penalty `weight` / (r + 1e-5) on a batch whose first and last halves are pairs
    that share a digit: r = mean |image gap| / mean |z gap| over the pairs (an odd middle row
    has no pair). It is large when two z give nearly the same image."""
    half = ops.shape(noise)[0] // 2
    second = ops.shape(noise)[0] - half
    image_gap = mean_over_replicas(ops.mean(ops.abs(images[:half] - images[second:])))
    noise_gap = mean_over_replicas(ops.mean(ops.abs(noise[:half] - noise[second:])))
    return weight / (image_gap / noise_gap + 1e-5)


def global_norm(tensors):
    """The Euclidean norm of all tensors taken together (None gradients are skipped)."""
    return ops.sqrt(sum(ops.sum(ops.square(t)) for t in tensors if t is not None))


DiscriminatorLoss = Callable[..., object]
GeneratorLoss = Callable[[object], object]
ADVERSARIAL_LOSSES: dict[str, tuple[DiscriminatorLoss, GeneratorLoss]] = {
    "non_saturating": (cross_entropy_discriminator_loss, non_saturating_generator_loss),
    "minimax": (cross_entropy_discriminator_loss, minimax_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
    "least_squares": (least_squares_discriminator_loss, least_squares_generator_loss),
    "wasserstein": (wasserstein_critic_loss, wasserstein_generator_loss),
}
