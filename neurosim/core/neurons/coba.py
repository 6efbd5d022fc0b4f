r"""Conductance-based LIF (COBA): synaptic input changes a conductance, not a current.

:math:`\tau_m \dot v = (v_\mathrm{rest} - v) + g_e (E_e - v) + g_i (E_i - v) + R\,I`, with conductances
:math:`g_e, g_i` in units of the leak conductance (dimensionless), as in the COBA benchmark of Brette et al. (2007)
and BrainPy's ``COBA`` output. With the conductances held over a step the equation is linear in :math:`v`, so the
exact update is

.. math:: G = 1 + g_e + g_i,\quad v_\infty = (v_\mathrm{rest} + g_e E_e + g_i E_i + R I)/G,\quad
          v_t = v_\infty + (v_{t-1} - v_\infty)\, e^{-G\Delta t/\tau_m}.

(BrainPy's ``LifRef`` with ``exp_auto`` instead freezes the synaptic *current* :math:`g(E - v)` over the step and
decays with :math:`\tau_m`; both converge as :math:`\Delta t \to 0`.) A spike is ``v > v_th`` (BrainPy uses
``>=``); then ``v`` is reset to ``v_reset`` and held there for the refractory period, as in the benchmark.

Inputs: a dict with any of ``"exc"`` (:math:`g_e`), ``"inh"`` (:math:`g_i`), ``"current"`` (:math:`I`).
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.core.neurons import membrane
from neurosim.core.neurons.group import NeuronGroup
from neurosim.core.surrogate import as_surrogate
from neurosim.errors import ValidationError


class CobaLIFState(NamedTuple):
    v: jax.Array
    spike: jax.Array
    ref: jax.Array


class CobaLIF(NeuronGroup):
    """Conductance-based LIF group (defaults: the COBA benchmark neuron of Brette et al. 2007, in mV and ms)."""

    learnable = ("v_th",)
    receptors = ("exc", "inh", "current")

    def __init__(self, size: int, *, tau_mem=20.0, v_rest=-60.0, v_th=-50.0, v_reset=-60.0, e_exc=0.0,
                 e_inh=-80.0, r=1.0, t_ref=5.0, dt: float | None = None, surrogate="fast_sigmoid",
                 learn: Iterable[str] = (), name: str | None = None):
        super().__init__(size, learn=learn, name=name)
        self._set_dt(dt, default=0.1)
        self._dt_derived = True  # dt/tau_mem and the refractory steps always use it
        tau = validate.positive("tau_mem", tau_mem)
        membrane.decay_factor("tau_mem", tau, self.dt, "exact")  # validates and warns on dt > tau
        membrane.check_threshold(v_th, v_reset, "value")
        n_ref = membrane.refractory_steps(t_ref, self.dt)
        self.rule = membrane.SpikeRule("value", False, True, n_ref, as_surrogate(surrogate))
        self._set_const(dt_over_tau=self.dt / tau, v_rest=v_rest, v_th=v_th, v_reset=v_reset, e_exc=e_exc,
                        e_inh=e_inh, r=r)

    def init_state(self, batch_shape=()):
        shape = tuple(batch_shape) + (self.size,)
        v0 = jnp.broadcast_to(self.const["v_rest"], shape).astype(jnp.float32)
        return CobaLIFState(v0, jnp.zeros(shape, jnp.float32), jnp.zeros(shape, jnp.int32))

    def step(self, params, state: CobaLIFState, x):
        p = self.merged(params)
        if not isinstance(x, dict):
            x = {"current": x}
        unknown = set(x) - set(self.receptors)
        if unknown:
            raise ValidationError(f"input: CobaLIF receptors are {self.receptors}, got {sorted(unknown)}")
        zero = jnp.zeros_like(state.v)
        ge = self.check_input(x["exc"], "input['exc']") if "exc" in x else zero
        gi = self.check_input(x["inh"], "input['inh']") if "inh" in x else zero
        cur = self.check_input(x["current"], "input['current']") if "current" in x else zero
        g_tot = 1.0 + ge + gi
        v_inf = (p["v_rest"] + ge * p["e_exc"] + gi * p["e_inh"] + p["r"] * cur) / g_tot
        # exact update for frozen conductances = leaky integration towards v_inf with decay exp(-G dt / tau)
        v, s, ref = membrane.integrate_and_fire(state.v, 1.0, state.spike, state.ref,
                                                jnp.exp(-g_tot * p["dt_over_tau"]), 0.0, v_inf, p["v_th"],
                                                p["v_reset"], self.rule)
        return CobaLIFState(v, s, ref), s
