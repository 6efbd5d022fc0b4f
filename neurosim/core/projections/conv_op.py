"""The convolution operator of :class:`Conv1d`/`Conv2d`: XLA's convolution forward and input gradient, and the
weight gradient as a batched matrix product over im2col columns.

Why: on XLA's CPU backend the weight gradient of ``lax.conv_general_dilated`` is lowered to a convolution in a
(spatial, batch, channel) layout; its operand transposes and the convolution itself took 60 % of a spiking-CNN
train step (2×34×34 input, 16/32 channels, 960 folded time×batch samples). Written as ``Σ_n g[n] · cols[n]ᵀ``
(per-sample matmuls batched over n, with no transposes of the channel-major maps), the same train step ran in
450-540 ms instead of 810 ms here (2 CPU threads). Small convolutions (under :data:`MM_MIN_FLOPS` for the weight
gradient) keep XLA's gradient, which was as fast or faster for them. The result is the same gradient (tested against
``torch.nn.functional`` to 1e-5).

The columns hold ∏kernel copies of the input; to bound memory they are built for chunks of the folded batch
(at most ``COLS_BUDGET`` bytes at a time) and the chunk gradients summed in a ``lax.scan``.

Only reverse mode is defined (``jax.custom_vjp``): ``jax.jvp``/``jacfwd`` through a convolution are not supported.
"""

from __future__ import annotations

import itertools
import math
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp

COLS_BUDGET = 256 * 2**20  # bytes of im2col columns built at once for the weight gradient
MM_MIN_FLOPS = 5e8  # below this the matmul path measured no faster than XLA's (18×18 maps, 8/16 channels)


class ConvConfig(NamedTuple):
    """Static (hashable) description of one convolution."""

    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    dims: tuple[str, str, str]


def xla_conv(x, w, cfg: ConvConfig):
    return jax.lax.conv_general_dilated(
        x, w, window_strides=cfg.stride, padding=[(p, p) for p in cfg.padding], rhs_dilation=cfg.dilation,
        feature_group_count=cfg.groups, dimension_numbers=cfg.dims, precision=jax.lax.Precision.HIGHEST)


def conv(x, w, cfg: ConvConfig):
    """``x`` (N, C, *spatial), ``w`` (O, C/groups, *kernel) → (N, O, *spatial_out); the weight gradient by
    matmul when it costs at least :data:`MM_MIN_FLOPS`, else XLA's own."""
    out_spatial = math.prod(_out_spatial(x.shape[2:], w.shape[2:], cfg))
    flops = 2 * x.shape[0] * out_spatial * math.prod(w.shape)
    return _conv_mm(x, w, cfg) if flops >= MM_MIN_FLOPS else xla_conv(x, w, cfg)


def _out_spatial(spatial, kernel, cfg: ConvConfig):
    return tuple((n + 2 * p - d * (k - 1) - 1) // s + 1
                 for n, k, s, p, d in zip(spatial, kernel, cfg.stride, cfg.padding, cfg.dilation))


@partial(jax.custom_vjp, nondiff_argnums=(2,))
def _conv_mm(x, w, cfg: ConvConfig):
    return xla_conv(x, w, cfg)


def _fwd(x, w, cfg):
    return xla_conv(x, w, cfg), (x, w)


def _columns(x, kernel, out_spatial, cfg: ConvConfig):
    """(n, C, *spatial) → (n, C, ∏kernel, ∏out_spatial): the input under every kernel offset."""
    xp = jnp.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in cfg.padding))
    n, c = x.shape[:2]
    cols = []
    for off in itertools.product(*(range(k) for k in kernel)):
        start = (0, 0) + tuple(o * d for o, d in zip(off, cfg.dilation))
        limit = (n, c) + tuple(st + (m - 1) * s + 1 for st, m, s in zip(start[2:], out_spatial, cfg.stride))
        cols.append(jax.lax.slice(xp, start, limit, (1, 1) + cfg.stride))
    return jnp.stack(cols, axis=2).reshape(n, c, math.prod(kernel), math.prod(out_spatial))


def _weight_grad_chunk(x, g, w_shape, cfg: ConvConfig):
    n, c = x.shape[:2]
    o, kernel, out_spatial = w_shape[0], w_shape[2:], g.shape[2:]
    gr, k, p = cfg.groups, math.prod(kernel), math.prod(out_spatial)
    cols = _columns(x, kernel, out_spatial, cfg).reshape(n, gr, (c // gr) * k, p)
    gg = g.reshape(n, gr, o // gr, p)
    dw = jax.lax.dot_general(gg, cols, (((3,), (3,)), ((0, 1), (0, 1))), precision=jax.lax.Precision.HIGHEST)
    return dw.sum(0).reshape(w_shape)


def weight_grad(x, g, w_shape, cfg: ConvConfig):
    """∂L/∂w for cotangent ``g`` of ``conv(x, w)``, over batch chunks of at most :data:`COLS_BUDGET` bytes."""
    n = x.shape[0]
    per_sample = x.shape[1] * math.prod(w_shape[2:]) * math.prod(g.shape[2:]) * x.dtype.itemsize
    chunk = max(1, min(n, COLS_BUDGET // max(per_sample, 1)))
    if chunk >= n:
        return _weight_grad_chunk(x, g, w_shape, cfg)
    steps = -(-n // chunk)
    pad = steps * chunk - n  # zero samples add nothing to the gradient
    xs = jnp.pad(x, ((0, pad),) + ((0, 0),) * (x.ndim - 1)).reshape((steps, chunk) + x.shape[1:])
    gs = jnp.pad(g, ((0, pad),) + ((0, 0),) * (g.ndim - 1)).reshape((steps, chunk) + g.shape[1:])

    def body(acc, xg):
        return acc + _weight_grad_chunk(xg[0], xg[1], w_shape, cfg), None

    dw, _ = jax.lax.scan(body, jnp.zeros(w_shape, jnp.result_type(x, g)), (xs, gs))
    return dw


def _bwd(cfg, res, g):
    x, w = res
    _, vjp_x = jax.vjp(lambda xx: xla_conv(xx, w, cfg), x)  # dead code (removed by XLA) when x needs no gradient
    return vjp_x(g)[0], weight_grad(x, g, w.shape, cfg).astype(w.dtype)


_conv_mm.defvjp(_fwd, _bwd)
