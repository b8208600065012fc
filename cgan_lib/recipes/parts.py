"""The parts of a recipe, each a small frozen dataclass that checks its own fields.

- `Run`: how many training images, in batches of how many, for how many epochs;
- `Architecture`: the generator's and the discriminator's shapes;
- `Objective`: what each training step minimizes, and how often D and G take turns;
- `Optimization`: Adam's settings, the learning-rate schedule and the average of G's weights;
- `Speed`: options that make a step cheaper.

The defaults are the reference design's, so each part built without arguments is the reference's
part. A field that is not allowed raises a `ValueError` naming the part, the field, its value and
what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

MNIST_TRAINING_IMAGES = 60_000
# The adversarial losses that `cgan_lib.gan.losses.ADVERSARIAL_LOSSES` implements.
ADVERSARIAL_LOSSES = ("non_saturating", "minimax", "hinge", "least_squares", "wasserstein")
# The losses whose D target for real images is fixed at 1 (no label smoothing).
UNSMOOTHED_LOSSES = ("hinge", "wasserstein")
# How the discriminator sees the digit (see `cgan_lib.gan.networks.build_dcgan_discriminator`).
LABEL_CONDITIONINGS = ("mask_channel", "projection")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


POSITIVE_INTEGER = (lambda value: _is_int(value) and value >= 1, "a positive integer")
FRACTION = (lambda value: _is_number(value) and 0 <= value < 1, "a number in [0, 1)")
WEIGHT = (lambda value: _is_number(value) and value >= 0, "a number ≥ 0 (0 turns it off)")
SWITCH = (lambda value: isinstance(value, bool), "True or False")


def check_fields(part: object, rules: dict[str, tuple[Callable[[object], object], str]]) -> None:
    """Raise a `ValueError` for the first field of `part` that its rule does not allow."""
    for name, (is_allowed, allowed) in rules.items():
        value = getattr(part, name)
        if not is_allowed(value):
            raise ValueError(f"{type(part).__name__.lower()}.{name}={value!r} is not allowed: it "
                             f"must be {allowed}")


def field_names(part_class: type) -> tuple[str, ...]:
    """The names of a part's fields, in order."""
    return tuple(field.name for field in fields(part_class))


@dataclass(frozen=True)
class Run:
    """How much data, in batches of how many, for how many passes."""

    training_images: int = MNIST_TRAINING_IMAGES
    batch_size: int = 128
    epochs: int = 30

    def __post_init__(self) -> None:
        check_fields(self, {
            "training_images": (
                lambda value: _is_int(value) and 1 <= value <= MNIST_TRAINING_IMAGES,
                f"an integer from 1 to {MNIST_TRAINING_IMAGES:,} (MNIST's training images)"),
            "batch_size": POSITIVE_INTEGER, "epochs": POSITIVE_INTEGER})

    @property
    def steps_per_epoch(self) -> int:
        """Training steps per epoch (the last batch may be smaller)."""
        return -(-self.training_images // self.batch_size)

    @property
    def total_steps(self) -> int:
        """Training steps over all of the run's epochs."""
        return self.epochs * self.steps_per_epoch


@dataclass(frozen=True)
class Architecture:
    """The networks' shapes (see `cgan_lib.gan.networks`)."""

    latent_dim: int = 100
    embedding_dim: int = 50
    # Channels of the generator's 7×7 block (its 14×14 block has half as many).
    generator_width: int = 256
    # G's BatchNorms learn a scale and shift per digit (class-conditional BatchNorm).
    conditional_batch_norm: bool = False
    # Channels of the discriminator's first convolution (its second has twice as many).
    discriminator_width: int = 64
    discriminator_dropout: float = 0.3
    # How D sees the digit: "mask_channel" (a learned 28×28 mask stacked with the image) or
    # "projection" (an inner product of a label embedding with D's last features).
    label_conditioning: str = "mask_channel"

    def __post_init__(self) -> None:
        check_fields(self, {
            "latent_dim": POSITIVE_INTEGER, "embedding_dim": POSITIVE_INTEGER,
            "generator_width": (lambda value: _is_int(value) and value >= 2 and value % 2 == 0,
                                "an even number of channels ≥ 2"),
            "conditional_batch_norm": SWITCH, "discriminator_width": POSITIVE_INTEGER,
            "discriminator_dropout": FRACTION,
            "label_conditioning": (lambda value: value in LABEL_CONDITIONINGS,
                                   f"one of {LABEL_CONDITIONINGS}")})


@dataclass(frozen=True)
class Objective:
    """What D and G minimize at each step, and how often each is updated (see
    `cgan_lib.gan.losses` and `cgan_lib.gan.model`)."""

    # "non_saturating" (binary cross-entropy, as in the reference), "minimax", "hinge",
    # "least_squares" (LSGAN) or "wasserstein" (WGAN, with a gradient penalty for WGAN-GP).
    adversarial_loss: str = "non_saturating"
    # One-sided label smoothing: D's target for real images is 1 minus this (fakes stay 0).
    real_label_smoothing: float = 0.0
    # WGAN-GP: weight λ of the penalty on D's input-gradient norm; 0 = off.
    gradient_penalty_weight: float = 0.0
    # D updates per G update (n_critic): D learns on every batch, G on every n-th.
    discriminator_steps: int = 1
    # AC-GAN: weight of D's digit-classifier loss (on real images) and G's (on its fakes); 0 = off.
    classifier_weight: float = 0.0
    # MSGAN: weight of G's penalty for giving two z of the same digit similar images; 0 = off.
    mode_seeking_weight: float = 0.0
    # TAC-GAN (Gong et al. 2019): a twin digit classifier in D, trained on G's images, whose loss
    # G maximizes (at classifier_weight); by the paper's argument it cancels the AC-GAN term's pull
    # towards the digits that the classifier reads most surely. Needs classifier_weight > 0.
    twin_classifier: bool = False

    def __post_init__(self) -> None:
        check_fields(self, {
            "adversarial_loss": (lambda value: value in ADVERSARIAL_LOSSES,
                                 f"one of {ADVERSARIAL_LOSSES}"),
            "real_label_smoothing": FRACTION, "gradient_penalty_weight": WEIGHT,
            "discriminator_steps": POSITIVE_INTEGER, "classifier_weight": WEIGHT,
            "mode_seeking_weight": WEIGHT, "twin_classifier": SWITCH})
        if self.twin_classifier and not self.classifier_weight:
            raise ValueError("twin_classifier=True pairs a second classifier with the AC-GAN one: "
                             "set classifier_weight > 0 (or twin_classifier=False)")
        if self.real_label_smoothing and self.adversarial_loss in UNSMOOTHED_LOSSES:
            raise ValueError(f"real_label_smoothing={self.real_label_smoothing!r} does not apply "
                             f"to adversarial_loss={self.adversarial_loss!r}, whose real target "
                             "is fixed: set one of them back")


@dataclass(frozen=True)
class Optimization:
    """Adam for both networks, at one learning rate."""

    learning_rate: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    # Both learning rates fall linearly to 0 over the run's epochs when True.
    linear_decay: bool = False
    # Sample and save a moving average of G's weights instead of G itself (see
    # GAN.update_average_generator): its decay grows as (1 + t) / (10 + t) at step t, so that it
    # averages over roughly the last ninth of the steps so far.
    weight_average: bool = False

    def __post_init__(self) -> None:
        check_fields(self, {
            "learning_rate": (lambda value: _is_number(value) and value > 0, "a number > 0"),
            "beta_1": FRACTION, "beta_2": FRACTION, "linear_decay": SWITCH,
            "weight_average": SWITCH})


@dataclass(frozen=True)
class Speed:
    """Options that make a step cheaper."""

    # Compute in bfloat16, keeping float32 weights (Keras's "mixed_bfloat16" policy), where the
    # machine computes it fast (`cgan_lib.backends.precision`); the saved generator is float32.
    mixed_precision: bool = False
    # One fake batch per step for both the D and the G update (see cgan_lib/gan/model.py).
    reuse_generator_pass: bool = False

    def __post_init__(self) -> None:
        check_fields(self, {"mixed_precision": SWITCH, "reuse_generator_pass": SWITCH})


def check_generator_pass_reuse(objective: Objective, reuse_generator_pass: bool,
                               conditional: bool = True) -> None:
    """A `ValueError` if `reuse_generator_pass` is asked of an objective with more than one D
    step per G step, where most batches have no G pass to reuse, or, for a conditional GAN (as
    every recipe's is), with the gradient penalty, whose D step generates its fakes with the real
    batch's digits instead of G's random ones."""
    if objective.discriminator_steps > 1 and reuse_generator_pass:
        raise ValueError(f"discriminator_steps={objective.discriminator_steps} updates D without "
                         "G on most batches, so there is no G pass to reuse: set "
                         "reuse_generator_pass=False")
    if objective.gradient_penalty_weight and reuse_generator_pass and conditional:
        raise ValueError(f"gradient_penalty_weight={objective.gradient_penalty_weight!r} has D's "
                         "step generate its fakes with the real batch's digits, so they cannot be "
                         "the G pass of random digits that reuse_generator_pass shares: set "
                         "reuse_generator_pass=False (or gradient_penalty_weight=0)")
