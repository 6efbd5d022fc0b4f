r"""Leaky integrate-and-fire neurons: :class:`LIF` (delta-current input), :class:`IF` (no leak) and
:class:`CubaLIF` (current-based: an exponential synaptic current drives the membrane).

``LIF``: :math:`v_t = v_\mathrm{leak} + \beta (v_{t-1} - v_\mathrm{leak}) + g\,x_t`, :math:`s_t = H(v_t - \vartheta)`,
then reset (see :mod:`neurosim.core.neurons.membrane` for β, the gain :math:`g=(1-\beta)R` and reset timing).
NIR ``LIF(tau, r, v_leak, v_threshold, v_reset)`` is the continuous-time version.

``CubaLIF`` adds :math:`i_t = \alpha\, i_{t-1} + w_\mathrm{in} x_t` with :math:`\alpha = e^{-\Delta t/\tau_\mathrm{syn}}`
(or ``alpha=`` given directly, snnTorch ``Synaptic``), and the membrane integrates :math:`i_t` instead of :math:`x_t`.
NIR ``CubaLIF(tau_syn, tau_mem, r, v_leak, v_threshold, v_reset, w_in)``.

``IF``: :math:`\beta = 1`, :math:`v_t = v_{t-1} + R\,x_t` (NIR ``IF(r, v_threshold, v_reset)``).
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.core.neurons import membrane
from neurosim.core.neurons.sequence import eligible, lif_sequence
from neurosim.core.neurons.group import NeuronGroup
from neurosim.core.surrogate import as_surrogate


class LIFState(NamedTuple):
    v: jax.Array
    spike: jax.Array
    ref: jax.Array


class CubaLIFState(NamedTuple):
    i: jax.Array
    v: jax.Array
    spike: jax.Array
    ref: jax.Array


class LIF(NeuronGroup):
    """Leaky integrate-and-fire group.

    Args:
      size: number of neurons.
      tau_mem: membrane time constant in ms (scalar or per neuron). Give either ``tau_mem`` or ``beta``.
      beta: discrete decay per step in [0, 1] (snnTorch convention: input gain 1).
      dt: time step in ms (default 1; given explicitly, it pins the group's time step: see
        :mod:`neurosim.core.timestep`). method: ``"exact"`` or ``"euler"``. r: input resistance (gain = (1-β)·r).
      v_leak, v_th, v_reset: resting, threshold and reset potentials (same unit as the input).
      reset: ``"subtract"``, ``"value"`` or ``"none"``; reset_delay: snnTorch-style delayed reset.
      detach_reset: no gradient through the reset (snnTorch default). t_ref: refractory period in ms.
      surrogate: surrogate-gradient family name, ``(name, scale)`` or a :class:`Surrogate`.
      learn: parameters to train: any of ``"decay"``, ``"v_th"``.
    """

    learnable = ("decay", "v_th")

    def __init__(
        self,
        size: int,
        tau_mem=None,
        *,
        beta=None,
        dt: float | None = None,
        method: str = "exact",
        r=1.0,
        v_leak=0.0,
        v_th=1.0,
        v_reset=0.0,
        reset: str = "subtract",
        reset_delay: bool = False,
        detach_reset: bool = True,
        t_ref: float = 0.0,
        surrogate="fast_sigmoid",
        learn: Iterable[str] = (),
        name: str | None = None,
    ):
        super().__init__(size, learn=learn, name=name)
        self._set_dt(dt)
        decay, gain = _decay_and_gain(tau_mem, beta, self.dt, method, r, "tau_mem")
        membrane.check_threshold(v_th, v_reset, reset)
        n_ref = membrane.refractory_steps(t_ref, self.dt)
        self._dt_derived = tau_mem is not None or n_ref > 0
        membrane.check_rule(reset, reset_delay, n_ref)
        self.rule = membrane.SpikeRule(reset, bool(reset_delay), bool(detach_reset), n_ref, as_surrogate(surrogate))
        self._set_const(decay=decay, gain=gain, v_leak=v_leak, v_th=v_th, v_reset=v_reset)

    def init_state(self, batch_shape=()):
        shape = tuple(batch_shape) + (self.size,)
        v0 = jnp.broadcast_to(self.const["v_leak"], shape).astype(jnp.float32)
        return LIFState(v0, jnp.zeros(shape, jnp.float32), jnp.zeros(shape, jnp.int32))

    def step(self, params, state: LIFState, x):
        p = self.merged(params)
        x = self.check_input(x)
        v, s, ref = membrane.integrate_and_fire(state.v, x, state.spike, state.ref, jnp.clip(p["decay"], 0.0, 1.0),
                                                p["gain"], p["v_leak"], p["v_th"], p["v_reset"], self.rule)
        return LIFState(v, s, ref), s

    def run_currents(self, params, state: LIFState, currents):
        """All steps for time-major ``currents``; returns ``(state, spikes)``. Uses the scan-free backward pass
        of :mod:`~neurosim.core.neurons.sequence` when the configuration allows, else scans :meth:`step`."""
        if params or not eligible(self.rule):
            def body(st, c):
                st, s = self.step(params, st, c)
                return st, s

            return jax.lax.scan(body, state, currents)
        p = self.const
        shape = currents.shape[1:]
        spikes, v = lif_sequence(self.rule, currents, state.v, *(jnp.broadcast_to(p[k], shape) for k in
                                                                 ("decay", "gain", "v_leak", "v_th", "v_reset")))
        return LIFState(v, spikes[-1], state.ref), spikes


class IF(LIF):
    """Integrate-and-fire (no leak): :math:`v_t = v_{t-1} + R x_t`, then threshold and reset."""

    learnable = ("v_th",)

    def __init__(self, size: int, *, r=1.0, v_th=1.0, v_reset=0.0, reset: str = "subtract", **kwargs):
        super().__init__(size, beta=1.0, r=r, v_th=v_th, v_reset=v_reset, reset=reset, **kwargs)


class CubaLIF(NeuronGroup):
    """Current-based LIF: exponential synaptic current :math:`i` feeding a LIF membrane.

    Takes the arguments of :class:`LIF` plus ``tau_syn`` (ms) or ``alpha`` (discrete synaptic decay) and ``w_in``.
    """

    learnable = ("decay", "alpha", "v_th")

    def __init__(self, size: int, tau_syn=None, tau_mem=None, *, alpha=None, beta=None, w_in=1.0, dt: float | None = None,
                 method: str = "exact", r=1.0, v_leak=0.0, v_th=1.0, v_reset=0.0, reset: str = "subtract",
                 reset_delay: bool = False, detach_reset: bool = True, t_ref: float = 0.0, surrogate="fast_sigmoid",
                 learn: Iterable[str] = (), name: str | None = None):
        super().__init__(size, learn=learn, name=name)
        self._set_dt(dt)
        syn_decay, _ = _decay_and_gain(tau_syn, alpha, self.dt, method, 1.0, "tau_syn", alpha_name="alpha")
        decay, gain = _decay_and_gain(tau_mem, beta, self.dt, method, r, "tau_mem")
        membrane.check_threshold(v_th, v_reset, reset)
        n_ref = membrane.refractory_steps(t_ref, self.dt)
        self._dt_derived = tau_syn is not None or tau_mem is not None or n_ref > 0
        membrane.check_rule(reset, reset_delay, n_ref)
        self.rule = membrane.SpikeRule(reset, bool(reset_delay), bool(detach_reset), n_ref, as_surrogate(surrogate))
        self._set_const(alpha=syn_decay, w_in=w_in, decay=decay, gain=gain, v_leak=v_leak, v_th=v_th, v_reset=v_reset)

    def init_state(self, batch_shape=()):
        shape = tuple(batch_shape) + (self.size,)
        zeros = jnp.zeros(shape, jnp.float32)
        v0 = jnp.broadcast_to(self.const["v_leak"], shape).astype(jnp.float32)
        return CubaLIFState(zeros, v0, zeros, jnp.zeros(shape, jnp.int32))

    def step(self, params, state: CubaLIFState, x):
        p = self.merged(params)
        x = self.check_input(x)
        i = jnp.clip(p["alpha"], 0.0, 1.0) * state.i + p["w_in"] * x
        v, s, ref = membrane.integrate_and_fire(state.v, i, state.spike, state.ref, jnp.clip(p["decay"], 0.0, 1.0),
                                                p["gain"], p["v_leak"], p["v_th"], p["v_reset"], self.rule)
        return CubaLIFState(i, v, s, ref), s


def _decay_and_gain(tau, beta, dt, method, r, tau_name, alpha_name="beta"):
    """(decay, gain) from a time constant or a discrete decay; exactly one must be given."""
    if (tau is None) == (beta is None):
        raise validate.ValidationError(f"{tau_name}/{alpha_name}: give exactly one of them")
    if beta is not None:
        return validate.in_range(alpha_name, beta, 0.0, 1.0), validate.finite("r", r)
    decay = membrane.decay_factor(tau_name, tau, dt, method)
    return decay, (1.0 - decay) * validate.finite("r", r)
