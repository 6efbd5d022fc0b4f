"""The convolution operator of :class:`Conv1d`/`Conv2d`: XLA's convolution forward and input gradient, and the
weight gradient as a batched matrix product over im2col columns; a direct (fused multiply-add) forward for
convolutions with few taps per output.

Why the direct forward: a convolution with few input channels (an event camera's 2 ON/OFF planes) is a handful of
taps per output, C_in/groups × ∏kernel, and XLA's CPU convolution ran it at ~1 GB/s of output (2 → 8 channels,
3×3, 960 folded 18×18 maps: 11-20 ms). Written as a sum of ∏kernel·C_in shifted input slices, each scaled by one
weight column, XLA fuses the whole sum into one pass over the output (1.2-2.4 ms alone; 2 → 16 channels at 34×34:
24 ms instead of 90-150 ms). Inside a network, where the result is reshaped to flat (T, batch, C·H·W) vectors,
XLA fuses that reshape into the loop and it loses its vectorised inner dimension: ~7 ms instead of ~11 ms for
XLA's convolution with the same reshape. Above :data:`DIRECT_MAX_TAPS` taps XLA's convolution (a GEMM inside) is
faster.

Why the matmul weight gradient: on XLA's CPU backend the weight gradient of ``lax.conv_general_dilated`` is lowered
to a convolution in a (spatial, batch, channel) layout; its operand transposes and the convolution itself took 60 %
of a spiking-CNN train step (2×34×34 input, 16/32 channels, 960 folded time×batch samples). Written as
``Σ_n g[n] · cols[n]ᵀ`` (per-sample matmuls batched over n, with no transposes of the channel-major maps), the same
train step ran in 450-540 ms instead of 810 ms here (2 CPU threads). Small convolutions (under :data:`MM_MIN_FLOPS` for the weight
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
DIRECT_MAX_TAPS = 32  # at most this many taps per output (C_in/groups × ∏kernel): the direct forward
DIRECT_MAX_SLICES = 64  # and at most this many shifted slices in all (C_in × ∏kernel), to bound the fused graph
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


def direct_conv(x, w, cfg: ConvConfig):
    """The convolution as Σ over (input channel, kernel offset) of a shifted, strided input slice times one weight
    column: elementwise work that XLA fuses into one pass over the output. Same result as :func:`xla_conv`."""
    kernel, c = w.shape[2:], x.shape[1]
    # materialised once: otherwise XLA folds slices of the padding back onto ``x`` and fuses whatever produced
    # ``x`` (e.g. a (batch, time) transpose) into every tap, a strided read per output
    xp = jax.lax.optimization_barrier(_pad(x, cfg))
    taps = list(_taps(xp, kernel, _out_spatial(x.shape[2:], kernel, cfg), cfg))
    c_g, o_g = c // cfg.groups, w.shape[0] // cfg.groups
    bshape = (1, o_g) + (1,) * len(kernel)
    groups = []
    for gi in range(cfg.groups):
        y = None
        for ci in range(c_g):
            ch = gi * c_g + ci
            for off, tap in taps:
                term = tap[:, ch:ch + 1] * w[(slice(gi * o_g, (gi + 1) * o_g), ci) + off].reshape(bshape)
                y = term if y is None else y + term
        groups.append(y)
    return groups[0] if cfg.groups == 1 else jnp.concatenate(groups, axis=1)


def conv(x, w, cfg: ConvConfig):
    """``x`` (N, C, *spatial), ``w`` (O, C/groups, *kernel) → (N, O, *spatial_out). Forward: the direct sum
    when there are at most :data:`DIRECT_MAX_TAPS` taps per output, else XLA's convolution. Weight gradient by
    matmul when it costs at least :data:`MM_MIN_FLOPS`, else XLA's own. Input gradient: XLA's."""
    out_spatial = math.prod(_out_spatial(x.shape[2:], w.shape[2:], cfg))
    flops = 2 * x.shape[0] * out_spatial * math.prod(w.shape)
    taps = math.prod(w.shape[1:])
    direct = taps <= DIRECT_MAX_TAPS and x.shape[1] * math.prod(w.shape[2:]) <= DIRECT_MAX_SLICES
    if not direct and flops < MM_MIN_FLOPS:
        return xla_conv(x, w, cfg)
    return _conv_custom(x, w, cfg, direct, flops >= MM_MIN_FLOPS)


def _out_spatial(spatial, kernel, cfg: ConvConfig):
    return tuple((n + 2 * p - d * (k - 1) - 1) // s + 1
                 for n, k, s, p, d in zip(spatial, kernel, cfg.stride, cfg.padding, cfg.dilation))


@partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4))
def _conv_custom(x, w, cfg: ConvConfig, direct: bool, mm_grad: bool):
    return direct_conv(x, w, cfg) if direct else xla_conv(x, w, cfg)


def _fwd(x, w, cfg, direct, mm_grad):
    return _conv_custom(x, w, cfg, direct, mm_grad), (x, w)


def _pad(x, cfg: ConvConfig):
    return jnp.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in cfg.padding))


def _taps(xp, kernel, out_spatial, cfg: ConvConfig):
    """(offset, slice) for every kernel offset (row-major): the padded input ``xp`` (n, C, *spatial) under that
    offset, strided and dilated, (n, C, *out_spatial)."""
    n, c = xp.shape[:2]
    for off in itertools.product(*(range(k) for k in kernel)):
        start = (0, 0) + tuple(o * d for o, d in zip(off, cfg.dilation))
        limit = (n, c) + tuple(st + (m - 1) * s + 1 for st, m, s in zip(start[2:], out_spatial, cfg.stride))
        yield off, jax.lax.slice(xp, start, limit, (1, 1) + cfg.stride)


def _columns(x, kernel, out_spatial, cfg: ConvConfig):
    """(n, C, *spatial) → (n, C, ∏kernel, ∏out_spatial): the input under every kernel offset."""
    n, c = x.shape[:2]
    cols = [tap for _, tap in _taps(_pad(x, cfg), kernel, out_spatial, cfg)]
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


def _bwd(cfg, direct, mm_grad, res, g):
    x, w = res
    _, vjp_xla = jax.vjp(lambda xx, ww: xla_conv(xx, ww, cfg), x, w)
    gx, gw_xla = vjp_xla(g)  # gx is dead code (removed by XLA) when x needs no gradient; so is gw_xla under mm_grad
    return gx, (weight_grad(x, g, w.shape, cfg).astype(w.dtype) if mm_grad else gw_xla)


_conv_custom.defvjp(_fwd, _bwd)
