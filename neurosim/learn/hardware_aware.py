r"""Hardware-aware training for deployment on resistive memory (PCM/RRAM): device noise injected into the
forward pass, weights clipped to the range the devices represent well, drift compensated at inference.

:class:`DeviceNoiseInjection` is the ``weight_noise`` of :class:`~neurosim.learn.bptt.Trainer`. At every training
step each weight array (floating, ≥ 2 axes: dense, recurrent and convolution weights) is programmed onto the
device model and read back at a time :math:`t` drawn log-uniformly from the deployment window ``t_range`` — the
model's programming noise, stuck cells, quantisation, drift and read noise, drift-compensated as at inference —
and the forward pass uses

.. math:: \tilde w = w + s\,\mathrm{sg}\big(w_\mathrm{chip}(t) - w\big)

(``sg`` = stop-gradient, ``s`` = ``scale``): the loss is that of the noisy chip, the gradient is the straight-through
gradient taken at the noisy weights. After every optimiser update the weights are clipped to
``± clip_sigma`` standard deviations of their array (aihwkit's ``WeightClipType.LAYER_GAUSSIAN``), so that outliers
do not set ``w_max`` and waste the conductance range of every other weight.

This is the recipe of Rasch et al., "Hardware-aware training for large-scale and diverse deep learning inference
workloads using in-memory computing-based accelerators", Nat. Commun. 14, 5282 (2023) — noise injection, weight
clipping, global drift compensation — with the noise drawn from neurosim's own device model instead of aihwkit's
additive Gaussian, so training sees the noise the deployment will have (:mod:`neurosim.devices.deployment`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.devices.deployment import is_weight
from neurosim.devices.model import DeviceModel, _check_model, program_weights, read_weights
from neurosim.errors import ValidationError


def _model(model) -> DeviceModel:
    if isinstance(model, str):
        from neurosim.devices.presets import get_preset

        return get_preset(model)
    return _check_model(model)


@dataclass(frozen=True)
class DeviceNoiseInjection:
    """Weight perturbation of hardware-aware training (see the module docstring).

    Args:
      model: a :class:`DeviceModel` or preset name (``"pcm-aihwkit"``, ``"rram-wan2022"``, ...).
      t_range: (t_min, t_max) s after programming; each step draws one ``t`` log-uniformly in it (one ``t`` for
        all arrays of the step, as a chip is read at one time).
      compensate_drift: read with global drift compensation (do so at inference too).
      scale: multiplies the injected perturbation (1 = the device's noise; > 1 trains for more noise).
      clip_sigma: clip each array to ± this many of its standard deviations after every update (None: no clip).
      select: ``select(path, leaf)`` marks device-mapped weights (default: floating arrays with ≥ 2 axes).
    """

    model: DeviceModel | str = "pcm-aihwkit"
    t_range: tuple[float, float] = (1.0, 3.15e7)
    compensate_drift: bool = True
    scale: float = 1.0
    clip_sigma: float | None = 2.5
    select: Callable = field(default=is_weight, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "model", _model(self.model))
        t = tuple(float(v) for v in self.t_range)
        if len(t) != 2 or not (0.0 < t[0] <= t[1]) or not all(map(math.isfinite, t)):
            raise ValidationError(f"t_range: expected 0 < t_min <= t_max (s, finite), got {self.t_range}")
        object.__setattr__(self, "t_range", t)
        validate.positive("scale", self.scale, allow_zero=True)
        if self.clip_sigma is not None:
            validate.positive("clip_sigma", self.clip_sigma)

    def sample_time(self, key):
        lo, hi = (math.log(v) for v in self.t_range)
        return jnp.exp(jax.random.uniform(key, (), jnp.float32, lo, hi))

    def chip_weights(self, key, w, t):
        """One programming and one read of ``w`` at ``t`` (no gradient)."""
        kp, kr = jax.random.split(key)
        state = program_weights(kp, jax.lax.stop_gradient(w), self.model)
        return read_weights(kr, state, t, self.model, compensate_drift=self.compensate_drift)

    def perturb(self, key, params):
        """``params`` with every selected array replaced by its straight-through noisy version."""
        k_t, k_w = jax.random.split(key)
        t = self.sample_time(k_t)
        flat, treedef = jax.tree_util.tree_flatten_with_path(params)
        out = []
        for i, (path, w) in enumerate(flat):
            if self.select(path, w) and self.scale > 0:
                w_chip = self.chip_weights(jax.random.fold_in(k_w, i), w, t).astype(w.dtype)
                w = w + self.scale * jax.lax.stop_gradient(w_chip - w)
            out.append(w)
        return jax.tree_util.tree_unflatten(treedef, out)

    def project(self, params):
        """Clip every selected array to ± ``clip_sigma`` of its standard deviation (identity without a clip)."""
        if self.clip_sigma is None:
            return params
        flat, treedef = jax.tree_util.tree_flatten_with_path(params)
        out = []
        for path, w in flat:
            if self.select(path, w):
                c = self.clip_sigma * jnp.std(w)
                w = jnp.where(c > 0, jnp.clip(w, -c, c), w)
            out.append(w)
        return jax.tree_util.tree_unflatten(treedef, out)


__all__ = ["DeviceNoiseInjection"]
