"""Pooling over flat channel-major feature maps: ``SumPool2d``, ``AvgPool2d``, ``MaxPool2d`` (see :mod:`.window`).

Parameter-free. ``stride`` defaults to ``kernel_size`` (as in PyTorch/NIR). ``AvgPool2d`` divides by the full
window (PyTorch's ``count_include_pad=True``); ``MaxPool2d`` pads with −∞ (PyTorch's semantics), and on binary
spikes it is a logical OR per window. As a stage of a :class:`~neurosim.core.sequential.Sequential` (between a
spiking layer and the next projection) a pool's synaptic events are input spikes × windows they fall in, and its
output events are the nonzero pooled values; inside a :class:`~neurosim.core.projections.chain.Chain` (e.g. conv →
max-pool → neuron, the snnTorch tutorial order) it acts on dense currents.
"""

from __future__ import annotations

import jax
import numpy as np

from neurosim.core.projections.window import Windowed


class _Pool2d(Windowed):
    def __init__(self, in_shape, kernel_size, stride=None, padding=0, *, name: str | None = None):
        self._setup(in_shape, None, kernel_size, kernel_size if stride is None else stride, padding, 1, 1, 2, name)

    def init(self, key):
        return {}

    def _window(self, x4, init, fn):
        # ``init`` must be a concrete NumPy scalar so that JAX picks the differentiable reduce_window_{sum,max}
        # primitive (a traced init falls back to the generic, non-differentiable reduce_window)
        return jax.lax.reduce_window(x4, init, fn, (1, 1) + self.kernel_size, (1, 1) + self.stride,
                                     ((0, 0), (0, 0)) + tuple((p, p) for p in self.padding))

    def __repr__(self):
        return f"{type(self).__name__}({self._shape_repr()})"


class SumPool2d(_Pool2d):
    """Sum over each window."""

    op = "sum"

    def apply(self, params, x):
        x4, lead = self._fold(x)
        return self._unfold(self._window(x4, np.array(0, x4.dtype), jax.lax.add), lead)


class AvgPool2d(_Pool2d):
    """Mean over each window (zero padding counted)."""

    op = "avg"

    def apply(self, params, x):
        x4, lead = self._fold(x)
        s = self._window(x4, np.array(0, x4.dtype), jax.lax.add)
        return self._unfold(s / self.geometry.window, lead)


class MaxPool2d(_Pool2d):
    """Maximum over each window (−∞ padding)."""

    op = "max"

    def apply(self, params, x):
        x4, lead = self._fold(x)
        return self._unfold(self._window(x4, np.array(-np.inf, x4.dtype), jax.lax.max), lead)
