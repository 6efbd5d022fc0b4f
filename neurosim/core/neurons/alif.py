r"""Adaptive LIF (ALIF, Bellec et al. 2018 "LSNN"): a LIF whose threshold rises after each spike.

:math:`a_t = \rho\, a_{t-1} + (1-\rho)\, s_{t-1}`, :math:`\vartheta_t = \vartheta_0 + \beta_a a_t`,
membrane and reset as in :class:`~neurosim.core.neurons.lif.LIF` with :math:`\vartheta_t` in place of ϑ
(reset by subtraction removes :math:`\vartheta_t - v_\mathrm{reset}`).
:math:`\rho = e^{-\Delta t/\tau_\mathrm{adapt}}`; Bellec et al. use τ_adapt ≈ 200–2000 ms and β_a ≈ 1.8.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.core.neurons import membrane
from neurosim.core.neurons.group import NeuronGroup
from neurosim.core.neurons.lif import _decay_and_gain
from neurosim.core.surrogate import as_surrogate


class ALIFState(NamedTuple):
    v: jax.Array
    a: jax.Array
    spike: jax.Array
    ref: jax.Array


class ALIF(NeuronGroup):
    """Adaptive-threshold LIF. Arguments as :class:`LIF` plus ``tau_adapt`` (ms) and ``beta_adapt``."""

    learnable = ("decay", "v_th", "beta_adapt")

    def __init__(self, size: int, tau_mem=None, *, beta=None, tau_adapt=200.0, beta_adapt=1.8, dt: float | None = None,
                 method: str = "exact", r=1.0, v_leak=0.0, v_th=1.0, v_reset=0.0, reset: str = "subtract",
                 detach_reset: bool = True, t_ref: float = 0.0, surrogate="fast_sigmoid",
                 learn: Iterable[str] = (), name: str | None = None):
        super().__init__(size, learn=learn, name=name)
        self._set_dt(dt)
        self._dt_derived = True  # the adaptation decay exp(-dt/tau_adapt) always uses it
        decay, gain = _decay_and_gain(tau_mem, beta, self.dt, method, r, "tau_mem")
        rho = membrane.decay_factor("tau_adapt", tau_adapt, self.dt, "exact")
        validate.finite("beta_adapt", beta_adapt)
        membrane.check_threshold(v_th, v_reset, reset)
        n_ref = membrane.refractory_steps(t_ref, self.dt)
        self.rule = membrane.SpikeRule(reset, False, bool(detach_reset), n_ref, as_surrogate(surrogate))
        membrane.check_rule(reset, False, n_ref)
        self._set_const(decay=decay, gain=gain, rho=rho, beta_adapt=beta_adapt, v_leak=v_leak, v_th=v_th,
                        v_reset=v_reset)

    def init_state(self, batch_shape=()):
        shape = tuple(batch_shape) + (self.size,)
        zeros = jnp.zeros(shape, jnp.float32)
        v0 = jnp.broadcast_to(self.const["v_leak"], shape).astype(jnp.float32)
        return ALIFState(v0, zeros, zeros, jnp.zeros(shape, jnp.int32))

    def step(self, params, state: ALIFState, x):
        p = self.merged(params)
        x = self.check_input(x)
        a = p["rho"] * state.a + (1.0 - p["rho"]) * jax.lax.stop_gradient(state.spike)
        threshold = p["v_th"] + p["beta_adapt"] * a
        v, s, ref = membrane.integrate_and_fire(state.v, x, state.spike, state.ref, jnp.clip(p["decay"], 0.0, 1.0),
                                                p["gain"], p["v_leak"], threshold, p["v_reset"], self.rule)
        return ALIFState(v, a, s, ref), s
