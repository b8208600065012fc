"""The GAN as a `keras.Model` whose `train_step` updates the discriminator, then the generator.

One class serves unconditional and conditional generators, MLPs and convolutional networks.
Conventions: binary cross-entropy on logits, real = 1 and fake = 0. The generator loss is either
"non_saturating" (the default: make D say 1 for fakes, -log D(G(z))) or "minimax" (the original
objective: minimize log(1 - D(G(z))), whose gradient vanishes once D rejects the fakes confidently).
"hinge" replaces the losses of both networks: D minimizes mean(relu(1 - real logits)) +
mean(relu(1 + fake logits)), and G minimizes -mean(fake logits).

Two schedules share the same step code:
- "alternating" (the default, and the one that works): one D update, then one G update, on every
  mini-batch;
- "phased" (for the lesson of notebook 03): whole epochs of D updates with G frozen, then whole
  epochs of G updates with D frozen. `fit` switches the phase at every epoch boundary; even epochs
  train D, odd epochs train G. A frozen network gets no update at all (the generator also runs in
  inference mode, so its BatchNorm statistics stay put).

Options of the alternating schedule (all off by default, as in the reference design):
- `ema_decay`: keep an exponential moving average of the generator's weights (and BatchNorm
  statistics) in `average_generator`, updated after every G step; sampling, grids, scores and
  saving then use it (`sampling_generator`). Its decay ramps up as min(ema_decay, (1+t)/(10+t))
  at step t, so the early random weights are forgotten quickly.
- `reuse_generator_pass`: generate one fake batch per step and use it for both updates (D on it,
  then G through the updated D), instead of a fresh batch for each: one generator pass fewer.
- `classifier_weight` (AC-GAN, Odena et al. 2017): the discriminator has a second output, ten
  digit logits; D also learns to name the digit of real images, and G is also rewarded when D
  names the digit it was asked for. Both cross-entropies are weighted by `classifier_weight`.
- `mode_seeking_weight` (MSGAN, Mao et al. 2019): G's fake batch is made of pairs that share a
  digit but not their z, and G is also penalized by `mode_seeking_weight` / (r + 1e-5), where r is
  the mean pixel gap between the pair's images over the mean gap between their z: G is pushed to
  turn different z into different images of the same digit, against within-digit mode collapse.
  With `mode_seeking_steps` > 0 that weight falls linearly to 0 over as many G steps: diversity
  early, and the last steps left to the other losses.
- `r1_weight` (R1, Mescheder et al. 2018): D is also penalized by r1_weight / 2 times the mean
  squared norm of the gradient of its real/fake logit with respect to real images, which keeps D
  smooth around the data.
- `augment_shift` (DiffAugment's translation, Zhao et al. 2020): whenever D trains or judges for
  G's update, every image it sees, real or fake, is first shifted by a random whole number of
  pixels, up to `augment_shift` each way, the border filled with background. The shift is
  differentiable, so G learns through it, and D finds it harder to memorize the training digits'
  exact pixels.
- `real_label_smoothing` (one-sided label smoothing, Salimans et al. 2016): D's cross-entropy
  target for real images is 1 - real_label_smoothing instead of 1 (fakes keep 0), so that D is
  never pushed to be certain that an image is real. Binary cross-entropy losses only.
"""

from __future__ import annotations

from cgan_lib.backend import keras, tf

ops = keras.ops
SCHEDULES = ("alternating", "phased")
GENERATOR_LOSSES = ("non_saturating", "minimax", "hinge")
DISCRIMINATOR_PHASE, GENERATOR_PHASE = 0, 1


class GAN(keras.Model):
    """Train `generator` and `discriminator` against each other with `fit()`.

    `fit` takes batches of images, or of (images, labels) when the generator is conditional
    (it has a second input, the digit). Generated batches use random digits.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        schedule: str = "alternating",
        generator_loss: str = "non_saturating",
        num_classes: int = 10,
        seed: int | None = None,
        ema_decay: float = 0.0,
        reuse_generator_pass: bool = False,
        classifier_weight: float = 0.0,
        mode_seeking_weight: float = 0.0,
        mode_seeking_steps: int = 0,
        r1_weight: float = 0.0,
        augment_shift: int = 0,
        real_label_smoothing: float = 0.0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1) (0 turns the average off), "
                             f"got {ema_decay!r}")
        if (ema_decay or reuse_generator_pass) and schedule != "alternating":
            raise ValueError("ema_decay and reuse_generator_pass work with the alternating "
                             f"schedule only, got schedule={schedule!r}")
        if classifier_weight < 0 or (classifier_weight > 0) != (len(discriminator.outputs) == 2):
            raise ValueError(
                f"classifier_weight={classifier_weight!r} needs a discriminator with "
                f"{'two outputs (logit, digit logits)' if classifier_weight else 'one output'}, "
                f"got {len(discriminator.outputs)} output(s); build it with "
                f"classifier_head={bool(classifier_weight)} and a weight ≥ 0")
        for name, weight in (("mode_seeking_weight", mode_seeking_weight),
                             ("mode_seeking_steps", mode_seeking_steps),
                             ("r1_weight", r1_weight), ("augment_shift", augment_shift)):
            if weight < 0:
                raise ValueError(f"{name} must be ≥ 0 (0 turns it off), got {weight!r}")
        if not 0.0 <= real_label_smoothing < 1.0:
            raise ValueError(f"real_label_smoothing must be in [0, 1) (0 turns it off), "
                             f"got {real_label_smoothing!r}")
        if real_label_smoothing and generator_loss == "hinge":
            raise ValueError("real_label_smoothing applies to the cross-entropy losses, not to "
                             "generator_loss='hinge': set one of them back")
        if schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(
                f"generator_loss must be one of {GENERATOR_LOSSES}, got {generator_loss!r}"
            )
        if len(generator.inputs) != len(discriminator.inputs):
            raise ValueError(
                f"generator has {len(generator.inputs)} inputs and discriminator "
                f"{len(discriminator.inputs)}: both must be conditional or neither"
            )
        self.generator = generator
        self.discriminator = discriminator
        self.schedule = schedule
        self.generator_loss = generator_loss
        self.conditional = len(generator.inputs) == 2
        self.latent_dim = int(generator.inputs[0].shape[-1])
        self.num_classes = num_classes
        self.ema_decay = ema_decay
        self.reuse_generator_pass = reuse_generator_pass
        self.classifier_weight = classifier_weight
        self.mode_seeking_weight = mode_seeking_weight
        self.mode_seeking_steps = mode_seeking_steps
        self.r1_weight = r1_weight
        self.augment_shift = int(augment_shift)
        self.real_label_smoothing = real_label_smoothing
        self.digit_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        self.average_generator = None
        if ema_decay:
            self.average_generator = keras.models.clone_model(generator)
            self.average_generator.set_weights(generator.get_weights())
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.phase = keras.Variable(DISCRIMINATOR_PHASE, dtype="int32", trainable=False,
                                    name="phase")
        self.built = True  # both networks are built models (BackupAndRestore checks this)
        self.trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy",
                         "g_gradient_norm")
        }

    def compile(
        self,
        generator_optimizer: keras.optimizers.Optimizer,
        discriminator_optimizer: keras.optimizers.Optimizer,
        loss: keras.losses.Loss | None = None,
        **kwargs,
    ) -> None:
        """Set both optimizers and the loss (default: binary cross-entropy on logits)."""
        super().compile(optimizer=None, **kwargs)  # the two optimizers below do the work
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        self.loss_function = loss or keras.losses.BinaryCrossentropy(from_logits=True)
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
        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        if not self.conditional:
            return noise, None
        half = batch_size // 2 if paired else 0
        labels = keras.random.randint((batch_size - half, 1), 0, self.num_classes,
                                      seed=self.seed_generator, dtype="int32")
        if paired:
            labels = ops.concatenate([labels, labels[:half]])
        return noise, labels

    def _generate(self, noise, labels, training: bool):
        inputs = [noise, labels] if self.conditional else noise
        return self.generator(inputs, training=training)

    def _judge(self, images, labels, training: bool = True):
        """D's real/fake logits, and its digit logits (None without a classifier head); when
        training, D sees the images randomly shifted (`augment_shift`)."""
        if training and self.augment_shift:
            images = random_shift(images, self.augment_shift, self.seed_generator)
        inputs = [images, labels] if self.conditional else images
        outputs = self.discriminator(inputs, training=training)
        if not self.classifier_weight:
            outputs = (outputs, None)
        # Losses in float32, also for a discriminator that computes in bfloat16 (mixed precision).
        return tuple(None if output is None else ops.cast(output, "float32")
                     for output in outputs)

    def _judge_real(self, images, labels):
        """`_judge` on real images, plus the R1 penalty (0 when `r1_weight` is 0)."""
        if not self.r1_weight:
            return (*self._judge(images, labels), 0.0)
        with tf.GradientTape() as tape:
            tape.watch(images)
            logits, digit_logits = self._judge(images, labels)
            # Per image, the sum's gradient is that of its own logit (minibatch_std aside).
            total = ops.sum(logits)
        gradients = tape.gradient(total, images)
        squared_norms = ops.sum(ops.square(gradients), axis=tuple(range(1, len(images.shape))))
        return logits, digit_logits, self.r1_weight / 2 * ops.mean(squared_norms)

    def _digit_loss(self, labels, digit_logits):
        """The weighted classifier cross-entropy (0 without a classifier head)."""
        if digit_logits is None:
            return 0.0
        return self.classifier_weight * self.digit_loss(labels, digit_logits)

    def _mode_seeking_loss(self, noise, images):
        """`mode_seeking_weight` / (r + 1e-5) over the batch's pairs (see `sample_inputs`), with
        r = mean |image gap| / mean |z gap|, the weight falling linearly over
        `mode_seeking_steps` when that is set; 0 when the weight is 0."""
        if not self.mode_seeking_weight:
            return 0.0
        half = ops.shape(noise)[0] // 2
        second = ops.shape(noise)[0] - half
        image_gap = ops.mean(ops.abs(images[:half] - images[second:]))
        noise_gap = ops.mean(ops.abs(noise[:half] - noise[second:]))
        weight = self.mode_seeking_weight
        if self.mode_seeking_steps:
            step = ops.cast(self.generator_optimizer.iterations, "float32")
            weight *= ops.maximum(0.0, 1.0 - step / self.mode_seeking_steps)
        return weight / (image_gap / noise_gap + 1e-5)

    def _discriminator_losses(self, real_logits, fake_logits):
        if self.generator_loss == "hinge":
            return (ops.mean(ops.relu(1.0 - real_logits))
                    + ops.mean(ops.relu(1.0 + fake_logits)))
        real_target = ops.full_like(real_logits, 1.0 - self.real_label_smoothing)
        real_loss = self.loss_function(real_target, real_logits)
        fake_loss = self.loss_function(ops.zeros_like(fake_logits), fake_logits)
        return real_loss + fake_loss

    def _generator_loss(self, fake_logits):
        if self.generator_loss == "hinge":
            return -ops.mean(fake_logits)
        if self.generator_loss == "minimax":
            return -self.loss_function(ops.zeros_like(fake_logits), fake_logits)
        return self.loss_function(ops.ones_like(fake_logits), fake_logits)

    def _discriminator_update(self, real_images, real_labels, fake_images, fake_labels):
        with tf.GradientTape() as tape:
            real_logits, real_digit_logits, penalty = self._judge_real(real_images, real_labels)
            fake_logits, _ = self._judge(fake_images, fake_labels)
            loss = (self._discriminator_losses(real_logits, fake_logits)
                    + self._digit_loss(real_labels, real_digit_logits) + penalty)
        variables = self.discriminator.trainable_variables
        self.discriminator_optimizer.apply(tape.gradient(loss, variables), variables)
        self.trackers["d_loss"].update_state(loss)
        self.trackers["d_real_accuracy"].update_state(ops.mean(real_logits > 0))
        self.trackers["d_fake_accuracy"].update_state(ops.mean(fake_logits < 0))
        return loss

    def _discriminator_update_on_fresh_fakes(self, real_images, real_labels,
                                             generator_training: bool):
        noise, fake_labels = self.sample_inputs(ops.shape(real_images)[0])
        fake_images = self._generate(noise, fake_labels, training=generator_training)
        return self._discriminator_update(real_images, real_labels, fake_images, fake_labels)

    def _generator_update(self, batch_size, real_batch=None):
        """One G step on a fresh fake batch. With `real_batch` (images, labels), D is first
        updated on that same fake batch (the `reuse_generator_pass` option)."""
        noise, fake_labels = self.sample_inputs(batch_size, paired=bool(self.mode_seeking_weight))
        with tf.GradientTape() as tape:
            fake_images = self._generate(noise, fake_labels, training=True)
            if real_batch is not None:
                with tape.stop_recording():
                    self._discriminator_update(*real_batch, fake_images, fake_labels)
            fake_logits, fake_digit_logits = self._judge(fake_images, fake_labels)
            loss = (self._generator_loss(fake_logits)
                    + self._digit_loss(fake_labels, fake_digit_logits)
                    + self._mode_seeking_loss(noise, fake_images))
        variables = self.generator.trainable_variables
        gradients = tape.gradient(loss, variables)
        self.generator_optimizer.apply(gradients, variables)
        self.trackers["g_loss"].update_state(loss)
        self.trackers["g_gradient_norm"].update_state(global_norm(gradients))
        return loss

    def _update_average_generator(self):
        step = ops.cast(self.generator_optimizer.iterations, "float32")
        decay = ops.minimum(self.ema_decay, (1.0 + step) / (10.0 + step))
        for average, current in zip(self.average_generator.weights, self.generator.weights,
                                    strict=True):
            average.assign(decay * average + (1.0 - decay) * current)

    def train_step(self, data):
        real_images, real_labels = self._split_batch(data)
        batch_size = ops.shape(real_images)[0]
        if self.schedule == "phased":
            ops.cond(
                ops.equal(self.phase, DISCRIMINATOR_PHASE),
                lambda: self._discriminator_update_on_fresh_fakes(real_images, real_labels,
                                                                  generator_training=False),
                lambda: self._generator_update(batch_size),
            )
        elif self.reuse_generator_pass:
            self._generator_update(batch_size, real_batch=(real_images, real_labels))
        else:
            self._discriminator_update_on_fresh_fakes(real_images, real_labels,
                                                      generator_training=True)
            self._generator_update(batch_size)
        if self.average_generator is not None:
            self._update_average_generator()
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def _split_batch(self, data):
        if isinstance(data, (tuple, list)):
            images, labels = data[0], data[1]
            return images, ops.reshape(ops.cast(labels, "int32"), (-1, 1))
        if self.conditional:
            raise ValueError("a conditional GAN needs (images, labels) batches, got images only")
        return data, None

    def diagnostics(self, real_images, real_labels, noise, fake_labels) -> dict[str, float]:
        """D and G losses, D's accuracy on real and fake, and the norm of G's gradient, measured on
        the given batch without changing any weight (networks in inference mode)."""
        real_images, noise = ops.convert_to_tensor(real_images), ops.convert_to_tensor(noise)
        if self.conditional:
            real_labels = ops.reshape(ops.convert_to_tensor(real_labels, "int32"), (-1, 1))
            fake_labels = ops.reshape(ops.convert_to_tensor(fake_labels, "int32"), (-1, 1))
        with tf.GradientTape() as tape:
            fake_logits, _ = self._judge(self._generate(noise, fake_labels, training=False),
                                         fake_labels, training=False)
            generator_loss = self._generator_loss(fake_logits)
        gradients = tape.gradient(generator_loss, self.generator.trainable_variables)
        real_logits, _ = self._judge(real_images, real_labels, training=False)
        return {
            "d_loss": float(self._discriminator_losses(real_logits, fake_logits)),
            "g_loss": float(generator_loss),
            "d_real_accuracy": float(ops.mean(real_logits > 0)),
            "d_fake_accuracy": float(ops.mean(fake_logits < 0)),
            "g_gradient_norm": float(global_norm(gradients)),
        }

    def fit(self, x=None, *args, callbacks=None, **kwargs):
        """`keras.Model.fit`; with the phased schedule, also switches the phase at each epoch.

        A `tf.data.Dataset` is expected to shuffle itself (see `make_dataset`). One of known,
        finite length is repeated, with `steps_per_epoch` set to its length, so that an epoch is
        still one pass over it: Keras then keeps one iterator for the whole run instead of making
        a new one at every epoch's start, which can stall an epoch's start for seconds
        (`benchmarks/epoch_start.py` measures it).
        """
        callbacks = list(callbacks or [])
        if self.schedule == "phased":
            callbacks.insert(0, PhaseSwitcher())
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
            batches = int(x.cardinality())
            if batches > 0 and kwargs.get("steps_per_epoch") is None:
                x, kwargs["steps_per_epoch"] = x.repeat(), batches
        return super().fit(x, *args, callbacks=callbacks, **kwargs)


class PhaseSwitcher(keras.callbacks.Callback):
    """Phased schedule: even epochs train the discriminator, odd epochs the generator.

    At the end of an epoch, the frozen network's metrics (not measured that epoch) are logged as
    NaN rather than as a misleading 0.
    """

    FROZEN_METRICS = {
        DISCRIMINATOR_PHASE: ("g_loss", "g_gradient_norm"),
        GENERATOR_PHASE: ("d_loss", "d_real_accuracy", "d_fake_accuracy"),
    }

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self.model.phase.assign(DISCRIMINATOR_PHASE if epoch % 2 == 0 else GENERATOR_PHASE)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        for name in self.FROZEN_METRICS[int(self.model.phase.numpy())]:
            if logs is not None and name in logs:
                logs[name] = float("nan")


def random_shift(images, max_shift: int, seed_generator: keras.random.SeedGenerator):
    """Each image (N, H, W, C) in [-1, 1] moved by its own random whole number of pixels, from
    -max_shift to max_shift down and across, the uncovered border set to -1 (background)."""
    height, width = images.shape[1], images.shape[2]
    padding = [[0, 0], [max_shift, max_shift], [max_shift, max_shift], [0, 0]]
    padded = ops.pad(images, padding, constant_values=-1.0)
    offsets = keras.random.randint((ops.shape(images)[0], 2), 0, 2 * max_shift + 1,
                                   seed=seed_generator, dtype="int32")
    rows = offsets[:, :1] + ops.arange(height, dtype="int32")
    columns = offsets[:, 1:] + ops.arange(width, dtype="int32")
    shifted = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(shifted, columns, axis=2, batch_dims=1)


def global_norm(tensors) -> keras.KerasTensor:
    """The Euclidean norm of all tensors taken together (None gradients are skipped)."""
    return ops.sqrt(sum(ops.sum(ops.square(t)) for t in tensors if t is not None))

