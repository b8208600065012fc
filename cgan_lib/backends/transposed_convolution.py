"""On JAX, a transposed convolution whose kernel gradient XLA's CPU compiler computes fast.

Keras's `Conv2DTranspose` runs `jax.lax.conv_transpose` on JAX: a convolution of the input
*dilated* by the stride. XLA's CPU kernel for the gradient of such a convolution with respect to
its kernel is slow: 468 ms for the laptop generator's first transposed convolution, against 7 ms
on TensorFlow (`benchmarks/transposed_convolution.py`). This is a known XLA limitation (openxla/xla
issue 34273; jax-ml/jax issues 23783 and 31662). Rewriting the dilation as explicit zero padding
followed by a stride-1 convolution, the fix reported there, cut it only to 282 ms on this CPU: the
kernel gradient is then a convolution with a 14×14 window, which XLA's CPU kernels also handle
slowly.

`fast_conv_transpose` keeps JAX's forward pass and input gradient, and computes the kernel
gradient as one matrix product per kernel position (`kernel_gradient`), which XLA runs as fast
GEMMs. `use_fast_transposed_convolution(True)` puts it in the place of `jax.lax.conv_transpose`,
which Keras's JAX backend calls, so the layer, its saved config and its weights stay as they are.
`cgan_lib.backends.runtime` switches it on when JAX computes on a CPU (on a GPU, JAX's own kernels
are used); `CGAN_MATMUL_KERNEL_GRADIENT=0` leaves it off. This module is imported on JAX only.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence

import jax
import jax.numpy as jnp

SWITCH_VARIABLE = "CGAN_MATMUL_KERNEL_GRADIENT"
JAX_CONV_TRANSPOSE = jax.lax.conv_transpose


def fast_conv_transpose(lhs, rhs, strides: Sequence[int], padding, rhs_dilation=None,
                        dimension_numbers=None, transpose_kernel: bool = False,
                        precision=None, preferred_element_type=None, **options):
    """`jax.lax.conv_transpose`, whose gradient with respect to the kernel is computed by
    `kernel_gradient` (its forward pass and input gradient are JAX's own). Calls with a padding
    given by name ("SAME", "VALID") or without dimension numbers (Keras gives both explicitly)
    go to JAX's own function whole."""
    if isinstance(padding, str) or dimension_numbers is None or options:
        return JAX_CONV_TRANSPOSE(lhs, rhs, strides, padding, rhs_dilation, dimension_numbers,
                                  transpose_kernel, precision, preferred_element_type, **options)
    spatial = len(strides)
    dilation = tuple(rhs_dilation or (1,) * spatial)

    def own(inputs, kernel):
        return JAX_CONV_TRANSPOSE(inputs, kernel, strides, padding, dilation, dimension_numbers,
                                  transpose_kernel, precision, preferred_element_type)

    @jax.custom_vjp
    def transposed_convolution(inputs, kernel):
        return own(inputs, kernel)

    def forward(inputs, kernel):
        return own(inputs, kernel), (inputs, kernel)

    def backward(saved, output_gradient):
        inputs, kernel = saved
        _, input_vjp = jax.vjp(lambda values: own(values, kernel), inputs)
        (input_gradient,) = input_vjp(output_gradient)
        numbers = jax.lax.conv_dimension_numbers(inputs.shape, kernel.shape, dimension_numbers)
        return input_gradient, kernel_gradient(inputs, output_gradient, kernel, numbers, strides,
                                               padding, dilation, transpose_kernel)

    transposed_convolution.defvjp(forward, backward)
    return transposed_convolution(lhs, rhs)


def kernel_gradient(inputs, output_gradient, kernel, numbers, strides, padding, dilation,
                    transpose_kernel: bool):
    """The gradient of `<conv_transpose(inputs, kernel), output_gradient>` with respect to the
    kernel, as one matrix product per kernel position.

    JAX computes the transposed convolution as a stride-1 convolution of the dilated, padded
    input x̃ with the kernel K̃ (K flipped and its channels swapped when `transpose_kernel`):
    y[h] = Σ_a x̃[h + a·d] K̃[a]. The dilated input is x at h = low + s·i and zero elsewhere, so
    dK̃[a] = Σ_i x[i] ⊗ g[low + s·i − a·d]: for each kernel position, the output gradient at a
    strided grid of positions, multiplied with the input over the batch and the positions."""
    spatial = len(strides)
    # Batch, then spatial axes, then channels (NHWC for 2-d).
    x = jnp.transpose(inputs, (numbers.lhs_spec[0], *numbers.lhs_spec[2:], numbers.lhs_spec[1]))
    g = jnp.transpose(output_gradient,
                      (numbers.out_spec[0], *numbers.out_spec[2:], numbers.out_spec[1]))
    kernel_size = [kernel.shape[axis] for axis in numbers.rhs_spec[2:]]
    in_size, out_size = x.shape[1:-1], g.shape[1:-1]
    # Zeros around g, so that every strided grid below lies inside it.
    margins = []
    for axis in range(spatial):
        low = padding[axis][0]
        first = low - (kernel_size[axis] - 1) * dilation[axis]
        last = low + strides[axis] * (in_size[axis] - 1)
        margins.append((max(0, -first), max(0, last - (out_size[axis] - 1))))
    g = jax.lax.pad(g, jnp.zeros((), g.dtype),
                    [(0, 0, 0), *[(before, after, 0) for before, after in margins], (0, 0, 0)])
    blocks = []
    for position in itertools.product(*[range(size) for size in kernel_size]):
        starts = [padding[axis][0] - position[axis] * dilation[axis] + margins[axis][0]
                  for axis in range(spatial)]
        grid = jax.lax.slice(
            g, (0, *starts, 0),
            (g.shape[0], *[start + strides[axis] * (in_size[axis] - 1) + 1
                           for axis, start in enumerate(starts)], g.shape[-1]),
            (1, *strides, 1))
        blocks.append(jnp.einsum("n...i,n...o->io", x, grid,
                                 preferred_element_type=jnp.float32))
    # (kernel positions..., in, out) for K̃, laid out as the kernel is.
    gradient = jnp.stack(blocks).reshape(*kernel_size, x.shape[-1], g.shape[-1])
    order = [0] * kernel.ndim
    for index, axis in enumerate(numbers.rhs_spec[2:]):
        order[axis] = index
    order[numbers.rhs_spec[1]], order[numbers.rhs_spec[0]] = spatial, spatial + 1
    gradient = jnp.transpose(gradient, order)
    if transpose_kernel:  # K̃ is K flipped with its channel axes swapped: undo both
        gradient = jnp.swapaxes(gradient, numbers.rhs_spec[0], numbers.rhs_spec[1])
        gradient = jnp.flip(gradient, axis=tuple(numbers.rhs_spec[2:]))
    return gradient.astype(kernel.dtype)


def use_fast_transposed_convolution(enabled: bool) -> None:
    """Make `jax.lax.conv_transpose` (and so Keras's transposed convolutions on JAX) the one with
    the fast kernel gradient, or JAX's own again."""
    jax.lax.conv_transpose = fast_conv_transpose if enabled else JAX_CONV_TRANSPOSE


def fast_transposed_convolution_in_use() -> bool:
    """Whether `jax.lax.conv_transpose` is `fast_conv_transpose`."""
    return jax.lax.conv_transpose is fast_conv_transpose


def helps_here() -> bool:
    """True when JAX computes on a CPU, unless `CGAN_MATMUL_KERNEL_GRADIENT=0`."""
    return (os.environ.get(SWITCH_VARIABLE, "1").strip() != "0"
            and jax.devices()[0].platform == "cpu")
