"""Shared geometry of sliding-window projections (convolution, pooling) over flat channel-major feature maps.

A feature map of shape (C, *spatial) travels as a flat vector (..., C·∏spatial) in C-major order (what NIR's and
PyTorch's ``Flatten`` produce), so windowed projections compose with every neuron model and with ``Dense``. The
leading axes (time, batch) are folded into one batch axis, so :meth:`Layer.run` does *one* convolution over all
time steps.

Per-input fan-out (the targets one input event reaches) is computed once, exactly, as the transpose of the
all-ones window operator applied to ones: border inputs that fewer windows cover have a smaller fan-out.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.core.projections import conv_op
from neurosim.core.projections.base import Projection
from neurosim.core.projections.conv_op import ConvConfig
from neurosim.core.spec import ConvGeometry, ProjectionSpec
from neurosim.errors import ValidationError


def tuple_arg(name: str, value, ndim: int, *, allow_zero: bool = False) -> tuple[int, ...]:
    """An int or a length-``ndim`` sequence of ints, as a tuple."""
    vals = (value,) * ndim if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else tuple(value)
    if len(vals) != ndim:
        raise ValidationError(f"{name}: expected an int or {ndim} ints, got {value!r}")
    return tuple(validate.positive_int(name, int(v) if isinstance(v, np.integer) else v, allow_zero=allow_zero)
                 for v in vals)


def out_size(n: int, k: int, s: int, p: int, d: int) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


class Windowed(Projection):
    """Base of convolution and pooling projections (``in_shape`` = (C, *spatial))."""

    op = "conv"

    def _setup(self, in_shape, out_channels, kernel_size, stride, padding, dilation, groups, ndim, name):
        shape = tuple(in_shape) if not isinstance(in_shape, (int, np.integer)) else (in_shape,)
        if len(shape) != ndim + 1:
            raise ValidationError(f"in_shape: expected (channels, {', '.join('HW'[-ndim:] if ndim < 3 else 'DHW')}),"
                                  f" got {in_shape!r}")
        shape = tuple(validate.positive_int("in_shape", int(v)) for v in shape)
        k = tuple_arg("kernel_size", kernel_size, ndim)
        s = tuple_arg("stride", stride, ndim)
        p = tuple_arg("padding", padding, ndim, allow_zero=True)
        d = tuple_arg("dilation", dilation, ndim)
        groups = validate.positive_int("groups", groups)
        c_out = shape[0] if out_channels is None else validate.positive_int("out_channels", out_channels)
        if shape[0] % groups or c_out % groups:
            raise ValidationError(f"groups={groups} must divide in channels ({shape[0]}) and out channels ({c_out})")
        spatial = tuple(out_size(n, *a) for n, a in zip(shape[1:], zip(k, s, p, d)))
        if min(spatial) < 1:
            raise ValidationError(f"kernel {k} (dilation {d}, padding {p}) does not fit the input {shape[1:]}")
        self.in_shape, self.out_shape = shape, (c_out,) + spatial
        self.kernel_size, self.stride, self.padding, self.dilation, self.groups = k, s, p, d, groups
        super().__init__(math.prod(shape), math.prod(self.out_shape), name=name)
        self._fan = self._structural_fan_out()

    # -- the operator ---------------------------------------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.kernel_size)

    def _dims(self):
        sp = "HW"[-self.ndim:] if self.ndim <= 2 else "DHW"
        return ("NC" + sp, "OI" + sp, "NC" + sp)

    def _conv(self, x4, w, groups):
        cfg = ConvConfig(self.stride, self.padding, self.dilation, groups, self._dims())
        return conv_op.conv(x4, w, cfg)

    def _fold(self, x):
        if x.shape[-1] != self.n_in:
            raise ValidationError(f"input: expected last dimension {self.n_in} = {self.in_shape}, got shape {x.shape}")
        return x.reshape((-1,) + self.in_shape), x.shape[:-1]

    def _unfold(self, y, lead):
        return y.reshape(lead + (self.n_out,))

    # -- workload -------------------------------------------------------------------------------------------------
    def _ones_operator(self, x):
        """Structural operator: every existing (input, output) connection has weight 1."""
        if self.op == "conv":
            c_in_g = self.in_shape[0] // self.groups
            w = jnp.ones((self.out_shape[0], c_in_g) + self.kernel_size, jnp.float32)
            return self._conv(x, w, self.groups)
        c = self.in_shape[0]
        w = jnp.ones((c, 1) + self.kernel_size, jnp.float32)
        return self._conv(x, w, c)

    def _structural_fan_out(self) -> np.ndarray:
        x = jnp.zeros((1,) + self.in_shape, jnp.float32)
        y, vjp = jax.vjp(self._ones_operator, x)
        (fan,) = vjp(jnp.ones_like(y))
        return np.rint(np.asarray(fan, np.float64)).astype(np.int64).reshape(-1)

    @property
    def fan_out(self) -> np.ndarray:
        return self._fan

    @property
    def nnz(self) -> int:
        """Connections (kernel taps that land inside the input, over all output positions)."""
        return int(self._fan.sum())

    @property
    def geometry(self) -> ConvGeometry:
        return ConvGeometry(self.in_shape, self.out_shape, self.kernel_size, self.stride, self.padding,
                            self.dilation, self.groups if self.op == "conv" else self.in_shape[0], self.op)

    @property
    def macs_dense(self) -> int:
        return self.geometry.macs

    @property
    def macs_static(self) -> int:
        return 0 if self.event_driven else self.macs_dense

    def weight_bytes(self, bytes_per_weight: int = 4) -> int:
        return self.geometry.weights * bytes_per_weight

    def spec(self, *, source: str = "input", recurrent: bool = False) -> ProjectionSpec:
        return ProjectionSpec(self.n_in, self.n_out, self.nnz, recurrent=recurrent, source=source, conv=self.geometry)

    def _shape_repr(self) -> str:
        return f"{self.in_shape}->{self.out_shape}, kernel={self.kernel_size}, stride={self.stride}"
