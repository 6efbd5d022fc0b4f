"""``BatchNorm``: per-channel batch normalisation of currents, for training convolutional (or dense) SNNs.

Placed after a projection in a :class:`~neurosim.core.projections.chain.Chain` (``Chain(conv, BatchNorm(shape))``
→ neurons), it normalises each channel of the (..., C·∏spatial) channel-major map. In training the statistics are
those of the batch, taken over every folded time step, sample and position (one mean and variance per channel,
the "threshold-dependent" batch norm of SNN training, Zheng et al. 2021); outside training the running
statistics are used. Running statistics follow PyTorch's ``BatchNorm`` exactly: ``running = (1 − momentum) ·
running + momentum · batch``, with the unbiased batch variance, while the batch itself is normalised with the
biased one. :class:`~neurosim.learn.Trainer` updates them after every step (they are parameters with no gradient).

On hardware a batch norm is folded into the preceding weights and the threshold, so it adds no work of its own:
its per-neuron multiply-add is counted as static work of the chain, and the mappers price the chain as its
first projection. NIR has no batch-norm node: fold it before export.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.core.projections.base import Projection
from neurosim.errors import ValidationError


class BatchNorm(Projection):
    """Batch norm over channel-major maps of ``shape`` = (C, *spatial), or over ``n`` features (``shape = n``)."""

    def __init__(self, shape, *, momentum: float = 0.1, eps: float = 1e-5, name: str | None = None):
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        if not shape:
            raise ValidationError("BatchNorm: shape must be (channels, *spatial) or a feature count")
        self.shape = tuple(validate.positive_int("shape", int(s)) for s in shape)
        self.momentum = float(validate.in_range("momentum", momentum, 0.0, 1.0))
        self.eps = float(validate.positive("eps", eps))
        n = math.prod(self.shape)
        super().__init__(n, n, name=name)

    @property
    def channels(self) -> int:
        return self.shape[0]

    frozen_params = ("mean", "var")  # running statistics: updated from batches, not trained

    def init(self, key):
        c = self.channels
        return {"scale": jnp.ones((c,), jnp.float32), "shift": jnp.zeros((c,), jnp.float32),
                "mean": jnp.zeros((c,), jnp.float32), "var": jnp.ones((c,), jnp.float32)}

    def _fold(self, x):
        if x.shape[-1] != self.n_in:
            raise ValidationError(f"BatchNorm: expected last dimension {self.n_in} = {self.shape}, got {x.shape}")
        return x.reshape(-1, self.channels, self.n_in // self.channels), x.shape

    def _normalise(self, params, x3, mean, var):
        inv = jax.lax.rsqrt(var + self.eps) * params["scale"]
        return (x3 - mean[:, None]) * inv[:, None] + params["shift"][:, None]

    def apply(self, params, x):
        """Inference: the running statistics."""
        x3, shape = self._fold(x)
        mean, var = jax.lax.stop_gradient(params["mean"]), jax.lax.stop_gradient(params["var"])
        return self._normalise(params, x3, mean, var).reshape(shape)

    def apply_train(self, params, x):
        """Training: ``(output, batch statistics)`` — normalised with the batch's mean and biased variance."""
        x3, shape = self._fold(x)
        mean = jnp.mean(x3, axis=(0, 2))
        var = jnp.mean(jnp.square(x3 - mean[:, None]), axis=(0, 2))
        count = x3.shape[0] * x3.shape[2]
        stats = {"mean": jax.lax.stop_gradient(mean),
                 "var": jax.lax.stop_gradient(var * (count / max(count - 1, 1)))}
        return self._normalise(params, x3, mean, var).reshape(shape), stats

    def update(self, params, stats, previous=None):
        """``params`` with the running statistics of ``previous`` (default ``params``) moved towards the batch
        ``stats``."""
        m, prev = self.momentum, params if previous is None else previous
        return {**params, "mean": (1 - m) * prev["mean"] + m * stats["mean"],
                "var": (1 - m) * prev["var"] + m * stats["var"]}

    @property
    def nnz(self) -> int:
        return self.n_in

    @property
    def fan_out(self) -> np.ndarray:
        return np.ones(self.n_in, np.int64)

    @property
    def macs_dense(self) -> int:
        return self.n_in

    def weight_bytes(self, bytes_per_weight: int = 4) -> int:
        return 4 * self.channels * bytes_per_weight

    def __repr__(self):
        return f"BatchNorm({self.shape}, momentum={self.momentum:g})"


def has_batch_norm(proj) -> bool:
    """Whether ``proj`` is or contains a :class:`BatchNorm`."""
    if isinstance(proj, BatchNorm):
        return True
    return any(has_batch_norm(p) for p in getattr(proj, "stages", ()))


def apply_train(proj, params, x):
    """``(output, stats)`` of ``proj`` in training mode: batch norms use batch statistics, returned in ``stats``
    (a pytree mirroring ``params``' batch-norm entries; ``None`` where there is none)."""
    if isinstance(proj, BatchNorm):
        return proj.apply_train(params, x)
    stages = getattr(proj, "stages", None)
    if stages is None:
        return proj.apply(params, x), None
    stats = {}
    for i, p in enumerate(stages):
        x, s = apply_train(p, params[str(i)], x)
        if s is not None:
            stats[str(i)] = s
    return x, stats or None


def update_running(proj, params, stats, previous=None):
    """``params`` of ``proj`` with every batch norm's running statistics updated from ``stats`` (moving from
    those in ``previous``, default ``params``)."""
    if stats is None:
        return params
    previous = params if previous is None else previous
    if isinstance(proj, BatchNorm):
        return proj.update(params, stats, previous)
    out = dict(params)
    for i, p in enumerate(getattr(proj, "stages", ())):
        if str(i) in stats:
            out[str(i)] = update_running(p, params[str(i)], stats[str(i)], previous[str(i)])
    return out


def fold_chain(chain, params):
    """``(projection, params)`` equal at inference to ``chain`` (a :class:`Chain`) with every batch norm folded
    into the convolution or dense projection right before it: ``w' = w·k``, ``b' = (b − mean)·k + shift`` with
    ``k = scale / √(var + eps)`` per output channel. What a deployment (and a NIR export) runs."""
    from neurosim.core.projections.conv import _ConvNd
    from neurosim.core.projections.dense import Dense

    stages, out = list(chain.stages), []
    for i, stage in enumerate(stages):
        p = params[str(i)]
        if not isinstance(stage, BatchNorm):
            out.append((stage, p))
            continue
        prev, pp = out[-1] if out else (None, None)
        if not isinstance(prev, (_ConvNd, Dense)):
            raise ValidationError(f"fold: BatchNorm at Chain[{i}] follows {type(prev).__name__ if prev else 'nothing'}"
                                  "; only a batch norm right after a convolution or dense projection can be folded")
        k = p["scale"] * jax.lax.rsqrt(p["var"] + stage.eps)
        bias = pp.get("b", jnp.zeros_like(k))
        if isinstance(prev, _ConvNd):
            w = pp["w"] * k.reshape((-1,) + (1,) * (pp["w"].ndim - 1))
            folded = type(prev)(prev.in_shape, prev.out_shape[0], prev.kernel_size, stride=prev.stride,
                                padding=prev.padding, dilation=prev.dilation, groups=prev.groups, bias=True,
                                init=prev.init_name)
        else:
            if stage.n_in != prev.n_out or stage.channels != prev.n_out:
                raise ValidationError(f"fold: BatchNorm{stage.shape} after Dense({prev.n_in}, {prev.n_out}) "
                                      "must normalise each of its outputs")
            w = pp["w"] * k[None, :]
            folded = Dense(prev.n_in, prev.n_out, bias=True)
        out[-1] = (folded, {"w": w, "b": (bias - p["mean"]) * k + p["shift"]})
    if len(out) == 1:
        return out[0]
    from neurosim.core.projections.chain import Chain

    return Chain(*[s for s, _ in out]), {str(i): p for i, (_, p) in enumerate(out)}


def fold_batch_norms(model, params):
    """``(model, params)`` of a :class:`~neurosim.core.sequential.Sequential` with every batch norm folded into
    the projection before it (:func:`fold_chain`); equal to ``model`` at inference. Export this to NIR."""
    from neurosim.core.layer import Layer
    from neurosim.core.sequential import Sequential

    layers, new_params = [], {}
    for name, layer in model.layers.items():
        if isinstance(layer, Layer) and layer.has_batch_norm:
            if isinstance(layer.proj, BatchNorm):
                raise ValidationError(f"fold: layer {name!r} is a batch norm alone; put it in a Chain after the "
                                      "projection it normalises")
            proj, pp = fold_chain(layer.proj, params[name]["proj"])
            layer = Layer(proj, layer.neuron, recurrent=layer.recurrent)
            new_params[name] = {**params[name], "proj": pp}
        else:
            new_params[name] = params[name]
        layers.append(layer)
    return Sequential(layers, names=list(model.layers), dt=model.dt), new_params
