r"""Postsynaptic filters applied to a projection's output before it reaches a neuron's receptor.

``Delta``: the input acts within the step (no state). ``Exponential``: a conductance/current trace
:math:`g_t = e^{-\Delta t/\tau} g_{t-1} + y_t` — each presynaptic event adds its weight, then the trace decays
(the ``Expon`` synapse of BrainPy, the exponential synapse of the COBA benchmark).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.core.neurons.membrane import decay_factor


class ExpState(NamedTuple):
    g: jax.Array


class Delta:
    """No filtering: the projection output is the input of this step."""

    def time_step(self) -> float | None:
        return None

    def init_state(self, shape):
        return ()

    def step(self, state, y):
        return state, y

    def __repr__(self):
        return "Delta()"


class Exponential:
    """Exponentially decaying trace with time constant ``tau`` (ms) on step ``dt`` (ms)."""

    def __init__(self, tau: float, dt: float):
        self.tau = float(validate.positive("tau", tau))
        self.dt = float(validate.positive("dt", dt))
        self.decay = float(decay_factor("tau", self.tau, self.dt, "exact"))

    def time_step(self) -> float:
        """The dt (ms) the decay was derived for."""
        return self.dt

    def init_state(self, shape):
        return ExpState(jnp.zeros(shape, jnp.float32))

    def step(self, state: ExpState, y):
        g = self.decay * state.g + y
        return ExpState(g), g

    def __repr__(self):
        return f"Exponential(tau={self.tau:g}, dt={self.dt:g})"
