r"""Discretisation of leaky membranes, threshold, reset and refractoriness — shared by every spiking neuron.

Continuous-time model (the NIR ``LIF`` node): :math:`\tau\,\dot v = (v_\mathrm{leak} - v) + R\,I`, spike when
:math:`v > \vartheta`, then reset. neurosim integrates it on a fixed step :math:`\Delta t` with the input held
constant over the step:

* ``method="exact"`` (exponential Euler, exact for piecewise-constant input):
  :math:`\beta = e^{-\Delta t/\tau}`, :math:`v_t = v_\mathrm{leak} + \beta (v_{t-1} - v_\mathrm{leak}) + (1-\beta) R I_t`.
* ``method="euler"`` (forward Euler): :math:`\beta = 1 - \Delta t/\tau`, same update form.
* discrete parameters (``beta=`` given instead of ``tau``): :math:`v_t = \beta v_{t-1} + I_t` — the snnTorch
  ``Leaky`` convention; it equals the Euler form with :math:`R = \tau/\Delta t` (this is how snnTorch writes NIR).

Reset (``reset=``): ``"subtract"`` :math:`v \leftarrow v - (\vartheta - v_\mathrm{reset})`; ``"value"``
:math:`v \leftarrow v_\mathrm{reset}`; ``"none"``. Timing (``reset_delay=``):

* ``False`` (default): the reset acts in the step that spiked, before the next decay — the exact discretisation of
  NIR's "on spike, :math:`v \leftarrow v_\mathrm{reset}`".
* ``True``: the spike of step :math:`t-1` resets the membrane at step :math:`t` — snnTorch's default
  (``reset_delay=True``), reproduced exactly: reset by subtraction removes :math:`\vartheta - v_\mathrm{reset}`
  from the new (already decayed) membrane, reset to a value sets the old membrane to :math:`v_\mathrm{reset}`
  before it decays. The recorded ``v`` is the pre-reset value, as snnTorch returns it.

A refractory period of :math:`n_\mathrm{ref} = \mathrm{round}(t_\mathrm{ref}/\Delta t)` steps clamps the membrane
at its post-reset value and blocks spikes.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.core.surrogate import Surrogate, spike
from neurosim.errors import ValidationError

RESET_MODES = ("subtract", "value", "none")
METHODS = ("exact", "euler")


def decay_factor(name: str, tau, dt: float, method: str) -> np.ndarray:
    """β for time constant(s) ``tau`` (ms) and step ``dt`` (ms), checked (see module docstring)."""
    validate.choice("method", method, METHODS)
    tau = validate.positive(name, tau)
    dt = float(validate.positive("dt", dt))
    if method == "euler":
        if np.any(dt >= tau):
            raise ValidationError(
                f"{name}: forward Euler needs dt < {name}; dt={dt:g} >= {float(np.min(tau)):g} "
                "(use method='exact', which is stable for any dt)"
            )
        return 1.0 - dt / tau
    if np.any(dt > tau):
        warnings.warn(
            f"{name}: dt={dt:g} exceeds the time constant {float(np.min(tau)):g}; the exact update stays stable "
            "but the neuron forgets its input within one step",
            RuntimeWarning,
            stacklevel=3,
        )
    return np.exp(-dt / tau)


def refractory_steps(t_ref, dt: float) -> int:
    t_ref = float(validate.positive("t_ref", t_ref, allow_zero=True))
    return int(round(t_ref / dt))


class SpikeRule(NamedTuple):
    """Static (hashable) choices of threshold, reset and surrogate for a neuron group."""

    reset: str = "subtract"
    reset_delay: bool = False
    detach_reset: bool = True
    n_ref: int = 0
    surrogate: Surrogate = Surrogate()


def check_rule(reset: str, reset_delay: bool, n_ref: int) -> None:
    validate.choice("reset", reset, RESET_MODES)
    if reset_delay and n_ref:
        raise ValidationError("t_ref: a refractory period needs reset_delay=False (reset in the spiking step)")


def check_threshold(v_th, v_reset, reset: str) -> None:
    v_th = validate.finite("v_th", v_th)
    v_reset = validate.finite("v_reset", v_reset)
    if reset != "none" and np.any(v_th <= v_reset):
        raise ValidationError(
            f"v_th: the threshold must lie above v_reset (got v_th={np.min(v_th):g} <= v_reset={np.max(v_reset):g})"
        )


def apply_reset(v, s, v_th, v_reset, rule: SpikeRule):
    """Reset membrane ``v`` where spike ``s`` (0/1, float) is set."""
    if rule.detach_reset:
        s = jax.lax.stop_gradient(s)
    if rule.reset == "subtract":
        return v - s * (v_th - v_reset)
    if rule.reset == "value":
        return v * (1.0 - s) + s * v_reset
    return v


def integrate_and_fire(v, x, prev_spike, ref, decay, gain, v_leak, v_th, v_reset, rule: SpikeRule):
    """Leaky integration of input ``x``, threshold, reset and refractoriness.

    Returns ``(v, s, ref)``: the membrane to store, the spikes, the remaining refractory steps.
    """
    if rule.reset_delay:
        if rule.reset == "value":
            v = apply_reset(v, prev_spike, v_th, v_reset, rule)
        v = leaky_integrate(v, x, decay, gain, v_leak)
        if rule.reset == "subtract":
            v = apply_reset(v, prev_spike, v_th, v_reset, rule)
        return v, spike(v - v_th, rule.surrogate), ref
    v = leaky_integrate(v, x, decay, gain, v_leak)
    if rule.n_ref:
        refractory = ref > 0
        v = jnp.where(refractory, v_reset, v)
        s = spike(v - v_th, rule.surrogate) * (~refractory).astype(v.dtype)
        ref = jnp.where(s > 0, rule.n_ref, jnp.maximum(ref - 1, 0)).astype(ref.dtype)
    else:
        s = spike(v - v_th, rule.surrogate)
    return apply_reset(v, s, v_th, v_reset, rule), s, ref


def leaky_integrate(v, x, decay, gain, v_leak):
    """One step of the discretised leaky membrane."""
    return v_leak + decay * (v - v_leak) + gain * x



__all__ = [
    "decay_factor",
    "refractory_steps",
    "SpikeRule",
    "apply_reset",
    "integrate_and_fire",
    "leaky_integrate",
    "RESET_MODES",
    "METHODS",
]
