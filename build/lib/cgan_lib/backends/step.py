"""How a training step takes gradients and updates state on each Keras backend.

`GAN`'s step is written once, as ordinary Keras code: it calls the networks, assigns variables
and calls `optimizer.apply`. Four things need each backend's own mechanism:
- `losses_and_gradients(model, compute, variable_groups)` runs `compute()`, which returns a tuple
  whose first items are losses, and returns it with the gradient of loss i with respect to
  variable group i. TensorFlow records `compute` on a `tf.GradientTape`; PyTorch builds its
  autograd graph while `compute` runs, and `torch.autograd.grad` walks it back. JAX
  differentiates pure functions: `compute` runs in a `keras.StatelessScope` that maps every
  variable to a value (the differentiated ones to JAX's tracers), and the values it assigned
  (BatchNorm statistics, random seeds, a network updated inside the step) are assigned after.
- `input_gradients(function, inputs)` is the gradient of `sum(function(inputs))` with respect
  to `inputs`, itself differentiable (WGAN-GP penalizes it): a nested `tf.GradientTape` on
  TensorFlow, `torch.autograd.grad(..., create_graph=True)` on PyTorch, `jax.grad` on JAX.
- `run_if(model, condition, if_true, if_false)` runs one of two stateful functions, chosen by a
  tensor inside a compiled step: `ops.cond` on TensorFlow, a Python `if` on PyTorch (which runs
  eagerly), and `jax.lax.cond` over the values of all variables on JAX.
- `StepModel.train_step` is what `fit` calls: `train_step(data)` on TensorFlow and PyTorch, whose
  steps change variables in place, and `train_step(state, data)` on JAX, whose compiled step gets
  the values of all the model's variables and returns their new values.

Several devices add a fifth difference, in `cgan_lib.backends.replicas`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cgan_lib.backends.replicas import replicas_in_sync
from cgan_lib.backends.runtime import BACKEND, keras, tf


def step_variables(model: keras.Model) -> tuple[list, list, list, list]:
    """The model's variables in the four groups that Keras's JAX trainer passes to a step."""
    return (model.trainable_variables, model.non_trainable_variables, model.optimizer.variables,
            model.metrics_variables)


def _all_variables(model: keras.Model) -> list:
    return [variable for group in step_variables(model) for variable in group]


def losses_and_gradients(model: keras.Model, compute: Callable[[], tuple],
                         variable_groups: Sequence[Sequence]) -> tuple[tuple, list[list]]:
    """`compute()`'s outputs and, for each i, the gradients of output i (a scalar loss) with
    respect to `variable_groups[i]`."""
    if BACKEND == "tensorflow":
        with tf.GradientTape(persistent=len(variable_groups) > 1) as tape:
            outputs = compute()
        gradients = [tape.gradient(outputs[index], list(group))
                     for index, group in enumerate(variable_groups)]
        if replicas_in_sync() > 1:  # this device's share of the sum that Keras takes
            gradients = [[None if gradient is None else
                          tf.math.scalar_mul(1.0 / replicas_in_sync(), gradient)
                          for gradient in group] for group in gradients]
        del tape
        return outputs, gradients
    if BACKEND == "torch":
        import torch

        outputs = compute()
        gradients = []
        for index, group in enumerate(variable_groups):
            values = [variable.value for variable in group]
            found = torch.autograd.grad(outputs[index], values, allow_unused=True,
                                        retain_graph=index < len(variable_groups) - 1)
            gradients.append([torch.zeros_like(value) if gradient is None else gradient
                              for gradient, value in zip(found, values, strict=True)])
        return outputs, gradients
    if BACKEND == "jax":
        return _jax_losses_and_gradients(model, compute, variable_groups)
    raise ValueError(f"the Keras backend {BACKEND!r} is not supported: use tensorflow, jax or "
                     "torch (the KERAS_BACKEND environment variable)")


def input_gradients(function: Callable[[object], object], inputs):
    """The gradient of `sum(function(inputs))` with respect to `inputs` (same shape), which a
    surrounding `losses_and_gradients` can differentiate again. `function` must not change any
    variable."""
    if BACKEND == "tensorflow":
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            total = keras.ops.sum(function(inputs))
        return tape.gradient(total, inputs)
    if BACKEND == "torch":
        import torch

        inputs = inputs.detach().requires_grad_(True)
        (gradient,) = torch.autograd.grad(keras.ops.sum(function(inputs)), inputs,
                                          create_graph=True)
        return gradient
    import jax

    return jax.grad(lambda values: keras.ops.sum(function(values)))(inputs)


def _run_stateless(model: keras.Model, function: Callable[[], object], overrides=()):
    """Run `function` in a stateless scope mapping all of `model`'s variables to their current
    values (or to `overrides`, pairs of variable and value); return its result and the new value
    of every variable, in `_all_variables` order."""
    variables = _all_variables(model)
    mapping = {id(variable): (variable, variable.value) for variable in variables}
    for variable, value in overrides:
        mapping[id(variable)] = (variable, value)
    with keras.StatelessScope(state_mapping=list(mapping.values())) as scope:
        result = function()
    return result, [scope.get_current_value(variable) for variable in variables]


def _assign_all(model: keras.Model, values: Sequence) -> None:
    for variable, value in zip(_all_variables(model), values, strict=True):
        variable.assign(value)


def _jax_losses_and_gradients(model, compute, variable_groups):
    import jax

    groups = [list(group) for group in variable_groups]
    flat = [variable for group in groups for variable in group]

    def forward(*values):
        outputs, new_values = _run_stateless(model, compute, zip(flat, values, strict=True))
        losses = tuple(outputs[index] for index in range(len(groups)))
        return losses, (outputs, new_values)

    losses, pullback, (outputs, new_values) = jax.vjp(
        forward, *[variable.value for variable in flat], has_aux=True)
    gradients, start = [], 0
    for index, group in enumerate(groups):
        cotangents = tuple(jax.numpy.ones_like(loss) if other == index else
                           jax.numpy.zeros_like(loss) for other, loss in enumerate(losses))
        everything = pullback(cotangents)
        gradients.append(list(everything[start:start + len(group)]))
        start += len(group)
    _assign_all(model, new_values)
    return outputs, gradients


def run_if(model: keras.Model, condition, if_true: Callable[[], object],
           if_false: Callable[[], object]) -> None:
    """Run `if_true()` or `if_false()`, stateful functions whose results are ignored, as the
    boolean tensor `condition` says."""
    if BACKEND == "torch":
        (if_true if bool(condition) else if_false)()
    elif BACKEND == "jax":
        import jax

        def branch(function):
            return lambda values: _run_stateless(
                model, function, zip(_all_variables(model), values, strict=True))[1]

        values = [variable.value for variable in _all_variables(model)]
        _assign_all(model, jax.lax.cond(condition, branch(if_true), branch(if_false), values))
    else:
        def branch(function):
            return lambda: (function(), keras.ops.zeros((), "float32"))[1]

        keras.ops.cond(condition, branch(if_true), branch(if_false))


class StepModel(keras.Model):
    """A `keras.Model` whose training step is `step(data)`, stateful code that updates the model
    and returns the logs, on every backend."""

    def step(self, data) -> dict:
        raise NotImplementedError

    if BACKEND == "jax":
        def train_step(self, state, data):
            groups = step_variables(self)
            mapping = [(variable, value) for group, values in zip(groups, state, strict=True)
                       for variable, value in zip(group, values, strict=True)]
            with keras.StatelessScope(state_mapping=mapping) as scope:
                logs = self.step(data)
            return logs, tuple([scope.get_current_value(variable) for variable in group]
                               for group in groups)
    else:
        def train_step(self, data):
            return self.step(data)


class OptimizerPair(keras.optimizers.Optimizer):
    """The generator's and the discriminator's optimizers seen as one, so that `fit` carries the
    state of both (Keras's JAX trainer passes `model.optimizer.variables` to every step). It
    applies nothing itself: the step calls each optimizer on its own network."""

    def __init__(self, generator_optimizer: keras.optimizers.Optimizer,
                 discriminator_optimizer: keras.optimizers.Optimizer) -> None:
        super().__init__(learning_rate=0.0, name="optimizer_pair")
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer

    @property
    def variables(self) -> list:
        return [*self.generator_optimizer.variables, *self.discriminator_optimizer.variables]

    def build(self, variables) -> None:
        self.built = True

    def apply(self, grads, trainable_variables=None):
        raise TypeError("OptimizerPair applies nothing: call the generator's or the "
                        "discriminator's optimizer")


