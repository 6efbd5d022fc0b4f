r"""Leaky integrator (LI) readout: the membrane without threshold, :math:`v_t = v_\mathrm{leak} + \beta(v_{t-1} -
v_\mathrm{leak}) + g\,x_t`; its output is :math:`v_t`. NIR ``LI(tau, r, v_leak)``; snnTorch ``Leaky`` with
``reset_mechanism="none"`` when given ``beta``.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.core.neurons import membrane
from neurosim.core.neurons.group import NeuronGroup
from neurosim.core.neurons.lif import _decay_and_gain


class LIState(NamedTuple):
    v: jax.Array


class LI(NeuronGroup):
    """Non-spiking leaky integrator; give ``tau_mem`` (ms) or ``beta``."""

    learnable = ("decay",)
    spiking = False
    output_field = "v"

    def __init__(self, size: int, tau_mem=None, *, beta=None, dt: float | None = None, method: str = "exact", r=1.0,
                 v_leak=0.0, learn: Iterable[str] = (), name: str | None = None):
        super().__init__(size, learn=learn, name=name)
        self._set_dt(dt)
        self._dt_derived = tau_mem is not None
        decay, gain = _decay_and_gain(tau_mem, beta, self.dt, method, r, "tau_mem")
        self._set_const(decay=decay, gain=gain, v_leak=v_leak)

    def init_state(self, batch_shape=()):
        shape = tuple(batch_shape) + (self.size,)
        return LIState(jnp.broadcast_to(self.const["v_leak"], shape).astype(jnp.float32))

    def step(self, params, state: LIState, x):
        p = self.merged(params)
        x = self.check_input(x)
        v = membrane.leaky_integrate(state.v, x, jnp.clip(p["decay"], 0.0, 1.0), p["gain"], p["v_leak"])
        return LIState(v), v
