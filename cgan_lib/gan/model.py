"""The GAN as a `keras.Model` whose `train_step` updates the discriminator, then the generator.

One class serves unconditional and conditional, MLP and convolutional networks. The losses are
`cgan_lib.gan.losses`'; the step follows an `Objective` (`cgan_lib.recipes.parts`): the loss, a
gradient penalty between real and generated images of one digit (WGAN-GP), n_critic D steps per G
step, label smoothing, AC-GAN's digit classifier in D (and TAC-GAN's twin), and mode seeking.

Two switches of the constructor change how the step runs, not what it minimizes:
- `reuse_generator_pass`: one fake batch per step serves both updates (D on it, then G through
  the updated D): one generator pass fewer (`check_generator_pass_reuse` says when it cannot);
- `weight_average`: a moving average of G's weights (and BatchNorm statistics) is kept in
  `average_generator`, updated after every G step; sampling, grids, scores and saving use it
  (`sampling_generator`).
"""

from __future__ import annotations

from cgan_lib.backends.replicas import replica_share, replicas_in_sync, sum_over_replicas
from cgan_lib.backends.runtime import keras, tf
from cgan_lib.backends.step import (
    OptimizerPair,
    StepModel,
    input_gradients,
    losses_and_gradients,
    run_if,
)
from cgan_lib.gan.losses import (
    ADVERSARIAL_LOSSES,
    digit_loss,
    global_norm,
    gradient_penalty,
    mode_seeking_penalty,
)
from cgan_lib.gan.networks import check_classifier_heads
from cgan_lib.recipes.parts import Objective, check_generator_pass_reuse

ops = keras.ops
# d_adversarial_loss: D's loss without its penalty and classifier terms (for WGAN, minus the
# critic's estimate of the Wasserstein distance).
TRACKED = ("d_loss", "d_adversarial_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy",
           "g_gradient_norm")


class GAN(StepModel):
    """Train `generator` and `discriminator` against each other with `fit()`, minimizing
    `objective`. `fit` takes batches of images, or of (images, labels) when the generator is
    conditional (it has a second input, the digit). Generated batches use random digits, except
    D's under the gradient penalty (`discriminator_fake_inputs`)."""

    def __init__(self, generator: keras.Model, discriminator: keras.Model,
                 objective: Objective | None = None, *, seed: int | None = None,
                 weight_average: bool = False, reuse_generator_pass: bool = False,
                 num_classes: int = 10, **kwargs) -> None:
        super().__init__(**kwargs)
        if len(generator.inputs) != len(discriminator.inputs):
            raise ValueError(f"generator has {len(generator.inputs)} inputs and discriminator "
                             f"{len(discriminator.inputs)}: both must be conditional or neither")
        objective = Objective() if objective is None else objective
        check_generator_pass_reuse(objective, reuse_generator_pass,
                                   conditional=len(generator.inputs) == 2)
        check_classifier_heads(discriminator, objective, num_classes)
        self.generator, self.discriminator = generator, discriminator
        self.objective, self.reuse_generator_pass = objective, reuse_generator_pass
        self.conditional = len(generator.inputs) == 2
        self.latent_dim = int(generator.inputs[0].shape[-1])
        self.num_classes = num_classes
        self.discriminator_loss, self.generator_loss = ADVERSARIAL_LOSSES[
            objective.adversarial_loss]
        self.average_generator = None
        if weight_average:
            self.average_generator = keras.models.clone_model(generator)
            self.average_generator.set_weights(generator.get_weights())
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True  # both networks are built models
        self.trackers = {name: keras.metrics.Mean(name=name) for name in TRACKED}

    def compile(self, generator_optimizer: keras.optimizers.Optimizer,
                discriminator_optimizer: keras.optimizers.Optimizer, **kwargs) -> None:
        """Set one optimizer per network."""
        super().compile(optimizer=OptimizerPair(generator_optimizer, discriminator_optimizer),
                        **kwargs)
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        # Built now, so that no optimizer variable is created inside the compiled step.
        generator_optimizer.build(self.generator.trainable_variables)
        discriminator_optimizer.build(self.discriminator.trainable_variables)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return list(self.trackers.values())

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator to sample from: the weight average if there is one, else G itself."""
        return self.average_generator or self.generator

    def call(self, inputs, training: bool = False):
        """Generate images: `inputs` is z, or [z, labels] for a conditional generator."""
        return self.generator(inputs, training=training)

    def sample_inputs(self, batch_size, paired: bool = False):
        """Random generator inputs for a batch: z ~ N(0, 1) and, if conditional, random digits.

        `paired`: the batch's last half repeats the digits of its first half, in order (row i of
        the first half and row i of the last half are a pair; an odd middle row has none).
        """
        whole = batch_size * replicas_in_sync()  # the batch of all devices (see per_backend)
        noise = keras.random.normal((whole, self.latent_dim), seed=self.seed_generator)
        if not self.conditional:
            return replica_share(noise), None
        half = whole // 2 if paired else 0
        labels = keras.random.randint((whole - half, 1), 0, self.num_classes,
                                      seed=self.seed_generator, dtype="int32")
        if paired:
            labels = ops.concatenate([labels, labels[:half]])
        return replica_share(noise, paired), replica_share(labels, paired)

    def generate(self, noise, labels, training: bool):
        """G's images for `noise` (and `labels`, if conditional)."""
        return self.generator([noise, labels] if self.conditional else noise, training=training)

    def judge(self, images, labels, training: bool = True):
        """D's real/fake logits and digit logits (None without a head), in float32."""
        outputs = self.discriminator([images, labels] if self.conditional else images,
                                     training=training)
        if not self.objective.classifier_weight:
            outputs = (outputs, None)
        return tuple(None if output is None else ops.cast(output, "float32")
                     for output in outputs)

    def weighted_digit_loss(self, labels, digit_logits, twin: bool = False):
        """`classifier_weight` × the cross-entropy of the AC-GAN classifier (D's first ten digit
        logits) or, with `twin`, of TAC-GAN's twin (the last ten); 0 without that classifier."""
        if digit_logits is None or (twin and not self.objective.twin_classifier):
            return 0.0
        logits = digit_logits[:, self.num_classes:] if twin else digit_logits[:, :self.num_classes]
        return self.objective.classifier_weight * digit_loss(labels, logits)

    def adversarial_discriminator_loss(self, real_logits, fake_logits):
        """D's adversarial loss, with the recipe's one-sided label smoothing."""
        return self.discriminator_loss(real_logits, fake_logits,
                                       real_target=1.0 - self.objective.real_label_smoothing)

    def penalty_on_interpolates(self, real_images, real_labels, fake_images):
        """λ·`gradient_penalty` of D's logit at x̂ = ε·real + (1 - ε)·fake, ε ~ U(0, 1) per
        image, each x̂ judged as its real image's digit (`discriminator_fake_inputs`)."""
        epsilon = replica_share(keras.random.uniform(
            (ops.shape(real_images)[0] * replicas_in_sync(), 1, 1, 1), seed=self.seed_generator))
        interpolates = epsilon * real_images + (1.0 - epsilon) * fake_images
        gradients = input_gradients(lambda images: self.judge(images, real_labels)[0],
                                    interpolates)
        return self.objective.gradient_penalty_weight * gradient_penalty(gradients)

    def discriminator_update(self, real_images, real_labels, fake_images, fake_labels):
        """One D step on a real and a generated batch; returns D's loss."""
        fake_images = ops.stop_gradient(fake_images)  # D's step does not train G

        def compute():
            real_logits, real_digit_logits = self.judge(real_images, real_labels)
            fake_logits, fake_digit_logits = self.judge(fake_images, fake_labels)
            adversarial = self.adversarial_discriminator_loss(real_logits, fake_logits)
            loss = (adversarial + self.weighted_digit_loss(real_labels, real_digit_logits)
                    + self.weighted_digit_loss(fake_labels, fake_digit_logits, twin=True))
            if self.objective.gradient_penalty_weight:
                loss += self.penalty_on_interpolates(real_images, real_labels, fake_images)
            # Scaled up in float16 (a LossScaleOptimizer), so that small gradients survive.
            scaled = self.discriminator_optimizer.scale_loss(loss)
            return scaled, loss, adversarial, real_logits, fake_logits

        variables = self.discriminator.trainable_variables
        (_, loss, adversarial, real_logits, fake_logits), (gradients,) = losses_and_gradients(
            self, compute, [variables])
        self.discriminator_optimizer.apply(gradients, variables)
        self.track(d_loss=loss, d_adversarial_loss=adversarial,
                   d_real_accuracy=ops.mean(real_logits > 0),
                   d_fake_accuracy=ops.mean(fake_logits < 0))
        return loss

    def discriminator_fake_inputs(self, real_images, real_labels):
        """G's inputs for D's fakes: fresh noise and random digits, or the real batch's digits
        under a conditional GAN's gradient penalty (interpolates pair one digit)."""
        noise, fake_labels = self.sample_inputs(ops.shape(real_images)[0])
        if self.conditional and self.objective.gradient_penalty_weight:
            fake_labels = real_labels
        return noise, fake_labels

    def discriminator_update_on_fresh_fakes(self, real_images, real_labels,
                                            generator_training: bool = True):
        """One D step against a batch that G generates for it (`discriminator_fake_inputs`)."""
        noise, fake_labels = self.discriminator_fake_inputs(real_images, real_labels)
        fake_images = self.generate(noise, fake_labels, training=generator_training)
        return self.discriminator_update(real_images, real_labels, fake_images, fake_labels)

    def generator_update(self, batch_size, real_batch=None):
        """One G step on a fresh fake batch (first D's on it, given `real_batch`)."""
        mode_seeking_weight = self.objective.mode_seeking_weight
        noise, fake_labels = self.sample_inputs(batch_size, paired=bool(mode_seeking_weight))

        def compute():
            fake_images = self.generate(noise, fake_labels, training=True)
            if real_batch is not None:
                self.discriminator_update(*real_batch, fake_images, fake_labels)
            fake_logits, fake_digit_logits = self.judge(fake_images, fake_labels)
            loss = (self.generator_loss(fake_logits)
                    + self.weighted_digit_loss(fake_labels, fake_digit_logits)
                    - self.weighted_digit_loss(fake_labels, fake_digit_logits, twin=True))
            if mode_seeking_weight:
                loss += mode_seeking_penalty(noise, fake_images, mode_seeking_weight)
            return self.generator_optimizer.scale_loss(loss), loss

        variables = self.generator.trainable_variables
        (_, loss), (gradients,) = losses_and_gradients(self, compute, [variables])
        self.generator_optimizer.apply(gradients, variables)
        # The norm of the applied gradient (summed over devices), of the loss before scaling.
        norm = global_norm([sum_over_replicas(gradient) for gradient in gradients])
        self.track(g_loss=loss, g_gradient_norm=norm / self.generator_optimizer.scale_loss(1.0))
        return loss

    def update_average_generator(self):
        """Move the average towards G by 1 - decay, decay = (1 + t) / (10 + t) at G step t."""
        step = ops.cast(self.generator_optimizer.iterations, "float32")
        decay = (1.0 + step) / (10.0 + step)
        for average, current in zip(self.average_generator.weights, self.generator.weights,
                                    strict=True):
            average.assign(decay * average + (1.0 - decay) * current)

    def generator_turn(self, batch_size, real_batch=None) -> None:
        """`generator_update`, then the weight average's update if there is one."""
        self.generator_update(batch_size, real_batch)
        if self.average_generator is not None:
            self.update_average_generator()

    def step(self, data):
        """One training step (what `fit` runs on every batch); returns the running logs."""
        real_images, real_labels = self.split_batch(data)
        batch_size = ops.shape(real_images)[0]
        if self.reuse_generator_pass:
            self.generator_turn(batch_size, real_batch=(real_images, real_labels))
            return self.logs()
        self.discriminator_update_on_fresh_fakes(real_images, real_labels)
        steps = self.objective.discriminator_steps
        if steps == 1:
            self.generator_turn(batch_size)
        else:
            due = ops.equal(self.discriminator_optimizer.iterations % steps, 0)
            run_if(self, due, lambda: self.generator_turn(batch_size), lambda: None)
        return self.logs()

    def track(self, **values) -> None:
        """Add this step's values to the running means that `fit` logs."""
        for name, value in values.items():
            self.trackers[name].update_state(value)

    def logs(self) -> dict:
        """The running means of `TRACKED`, as `train_step` returns them."""
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def split_batch(self, data):
        """(images, labels (N, 1) int32 or None if unconditional) of a batch, as tensors."""
        if isinstance(data, (tuple, list)):
            images, labels = ops.convert_to_tensor(data[0]), ops.convert_to_tensor(data[1])
            return images, ops.reshape(ops.cast(labels, "int32"), (-1, 1))
        if self.conditional:
            raise ValueError("a conditional GAN needs (images, labels) batches, got images only")
        return ops.convert_to_tensor(data), None

    def diagnostics(self, real_images, real_labels, noise, fake_labels) -> dict[str, float]:
        """`TRACKED`'s values on the given batch, in inference mode, changing no weight."""
        real_images, noise = ops.convert_to_tensor(real_images), ops.convert_to_tensor(noise)
        if self.conditional:
            real_labels = ops.reshape(ops.convert_to_tensor(real_labels, "int32"), (-1, 1))
            fake_labels = ops.reshape(ops.convert_to_tensor(fake_labels, "int32"), (-1, 1))
        def compute():
            fake_logits, _ = self.judge(self.generate(noise, fake_labels, training=False),
                                        fake_labels, training=False)
            return self.generator_loss(fake_logits), fake_logits

        (generator_loss, fake_logits), (gradients,) = losses_and_gradients(
            self, compute, [self.generator.trainable_variables])
        real_logits, _ = self.judge(real_images, real_labels, training=False)
        values = {
            "d_loss": self.adversarial_discriminator_loss(real_logits, fake_logits),
            "g_loss": generator_loss,
            "d_real_accuracy": ops.mean(real_logits > 0),
            "d_fake_accuracy": ops.mean(fake_logits < 0),
            "g_gradient_norm": global_norm(gradients),
        }
        return {name: float(ops.convert_to_numpy(value)) for name, value in values.items()}

    def fit(self, x=None, *args, **kwargs):
        """`keras.Model.fit`. A finite `tf.data.Dataset` is repeated, with `steps_per_epoch`
        its length, so that one iterator serves the whole run: a new one per epoch can stall
        each epoch's start for seconds (`benchmarks/epoch_start.py`)."""
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
            batches = int(x.cardinality())
            if batches > 0 and kwargs.get("steps_per_epoch") is None:
                x, kwargs["steps_per_epoch"] = x.repeat(), batches
        return super().fit(x, *args, **kwargs)

