"""Convolutions ``Conv1d`` and ``Conv2d`` on flat channel-major feature maps (see :mod:`.window`).

Weights have PyTorch's/NIR's layout (C_out, C_in/groups, *kernel); the operator is
``lax.conv_general_dilated`` with symmetric zero padding, so forward pass and gradients equal
``torch.nn.functional.conv{1,2}d`` (tested to 1e-5). ``init="kaiming"`` draws He-normal weights over the fan-in
C_in/groups × ∏kernel (``"uniform"``: PyTorch's default U(±1/√fan_in) for weights and bias).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.core.projections.window import Windowed


class _ConvNd(Windowed):
    op = "conv"

    def __init__(self, in_shape, out_channels: int, kernel_size, *, stride=1, padding=0, dilation=1, groups: int = 1,
                 bias: bool = True, init: str = "kaiming", scale: float = 1.0, name: str | None = None, ndim: int):
        self.bias = bool(bias)
        self.init_name = validate.choice("init", init, ("kaiming", "xavier", "uniform"))
        self.scale = float(validate.positive("scale", scale))
        self._setup(in_shape, out_channels, kernel_size, stride, padding, dilation, groups, ndim, name)

    @property
    def weight_shape(self) -> tuple[int, ...]:
        return (self.out_shape[0], self.in_shape[0] // self.groups) + self.kernel_size

    def init(self, key):
        kw, kb = jax.random.split(key)
        fan_in = math.prod(self.weight_shape[1:])
        fan_out = self.out_shape[0] // self.groups * math.prod(self.kernel_size)
        if self.init_name == "uniform":
            bound = 1.0 / math.sqrt(fan_in)
            w = jax.random.uniform(kw, self.weight_shape, jnp.float32, -bound, bound)
        else:
            std = math.sqrt(2.0 / fan_in) if self.init_name == "kaiming" else math.sqrt(2.0 / (fan_in + fan_out))
            w = std * jax.random.normal(kw, self.weight_shape, jnp.float32)
        params = {"w": self.scale * w}
        if self.bias:
            params["b"] = (jax.random.uniform(kb, (self.out_shape[0],), jnp.float32, -1 / math.sqrt(fan_in),
                                              1 / math.sqrt(fan_in)) if self.init_name == "uniform"
                           else jnp.zeros((self.out_shape[0],), jnp.float32))
        return params

    def apply(self, params, x):
        x4, lead = self._fold(x)
        y = self._conv(x4.astype(params["w"].dtype), params["w"], self.groups)
        if self.bias:
            y = y + params["b"].reshape((-1,) + (1,) * self.ndim)
        return self._unfold(y, lead)

    def __repr__(self):
        extra = f", groups={self.groups}" if self.groups > 1 else ""
        return f"{type(self).__name__}({self._shape_repr()}{extra})"


class Conv2d(_ConvNd):
    """2-D convolution: ``in_shape = (C, H, W)``, input (..., C·H·W) → (..., C_out·H_out·W_out)."""

    def __init__(self, in_shape, out_channels: int, kernel_size, *, stride=1, padding=0, dilation=1, groups: int = 1,
                 bias: bool = True, init: str = "kaiming", scale: float = 1.0, name: str | None = None):
        super().__init__(in_shape, out_channels, kernel_size, stride=stride, padding=padding, dilation=dilation,
                         groups=groups, bias=bias, init=init, scale=scale, name=name, ndim=2)


class Conv1d(_ConvNd):
    """1-D convolution: ``in_shape = (C, L)``, input (..., C·L) → (..., C_out·L_out)."""

    def __init__(self, in_shape, out_channels: int, kernel_size, *, stride=1, padding=0, dilation=1, groups: int = 1,
                 bias: bool = True, init: str = "kaiming", scale: float = 1.0, name: str | None = None):
        super().__init__(in_shape, out_channels, kernel_size, stride=stride, padding=padding, dilation=dilation,
                         groups=groups, bias=bias, init=init, scale=scale, name=name, ndim=1)
