r"""Dense GRU baseline with the EGRU interface (same weights layout, same ``run``/``step`` and counts).

cuDNN/Haste form (GRU 1406.1078v1, the one EvNN's EGRU derives from)::

    z = σ(Wx_z + R_z h_{t-1} + b_z)   r = σ(Wx_r + R_r h_{t-1} + b_r)   g = tanh(Wx_g + r ⊙ (R_g h_{t-1} + b_rg))
    h_t = z ⊙ h_{t-1} + (1 − z) ⊙ g

Every unit communicates every step, so its activity sparsity is ~0 and every MAC is executed.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.core.activity import StaticCounts, StepCounts
from neurosim.core.run import Run
from neurosim.core.layer import SequenceLayer
from neurosim.core.spec import LayerSpec, ProjectionSpec
from neurosim.models import gates


class GRUState(NamedTuple):
    h: jax.Array


class GRU(SequenceLayer):
    """Dense GRU layer (``hidden`` units); ``zoneout``/``dropconnect`` as in :class:`~neurosim.models.egru.EGRU`."""

    spiking = True  # reports nonzero outputs as "events", so sparsity is comparable with EGRU

    def run_fields(self) -> dict[str, str]:
        return {"h": "output"}

    def __init__(self, n_in: int, hidden: int, *, zoneout: float = 0.0, dropconnect: float = 0.0,
                 name: str | None = None):
        super().__init__(name=name)
        self.n_in = validate.positive_int("n_in", n_in)
        self.hidden = self.n_out = validate.positive_int("hidden", hidden)
        gates.check_rates(dropconnect, zoneout)
        self.zoneout_p, self.dropconnect_p = float(zoneout), float(dropconnect)

    def init(self, key):
        return gates.init_gate_weights(key, self.n_in, self.hidden)

    def init_state(self, batch_shape=()):
        return GRUState(jnp.zeros(tuple(batch_shape) + (self.hidden,), jnp.float32))

    def _cell(self, params, R, state, wx, key, train):
        H = self.hidden
        rh = state.h @ R + params["b_r"]
        z = jax.nn.sigmoid(wx[..., :H] + rh[..., :H])
        r = jax.nn.sigmoid(wx[..., H:2 * H] + rh[..., H:2 * H])
        g = jnp.tanh(wx[..., 2 * H:] + r * rh[..., 2 * H:])
        h = z * state.h + (1.0 - z) * g
        return GRUState(gates.zoneout(key, state.h, h, self.zoneout_p, train))

    def step_with_counts(self, params, state, x):
        if x.shape[-1] != self.n_in:
            raise validate.ValidationError(f"input: expected last dimension {self.n_in}, got shape {x.shape}")
        new = self._cell(params, params["R"], state, x @ params["W"] + params["b_x"], None, False)
        return new, new.h, self._counts(x, state.h, new.h)

    def batch_separable(self) -> bool:
        """Separable unless dropconnect draws one weight mask for the whole batch (zoneout's masks are per
        example)."""
        return not self.dropconnect_p

    def run(self, params, state, xs, *, key=None, train=False):
        if xs.shape[-1] != self.n_in:
            raise validate.ValidationError(f"input: expected last dimension {self.n_in}, got shape {xs.shape}")
        wxs = gates.input_projection(params, xs)
        R = params["R"]
        if train and self.dropconnect_p > 0.0 and key is not None:
            R = gates.dropconnect(jax.random.fold_in(key, 1), R, self.dropconnect_p)
        keys = jax.random.split(key, xs.shape[0]) if key is not None else None

        def body(st, inp):
            wx, k = inp
            new = self._cell(params, R, st, wx, k, train)
            return new, (new.h, st.h)

        state, (outs, h_prev) = jax.lax.scan(body, state, (wxs, keys))
        return Run(state, outs, jax.vmap(self._counts)(xs, h_prev, outs), {"penalty": jnp.zeros((), jnp.float32)})

    def _counts(self, x, h_prev, h) -> StepCounts:
        fan = 3 * self.hidden
        events = (jnp.sum(x != 0, dtype=jnp.int32) + jnp.sum(h_prev != 0, dtype=jnp.int32)) * fan
        return StepCounts(jnp.sum(h != 0, dtype=jnp.int32), events, jnp.zeros((), jnp.int32))

    def describe(self, name: str = "gru") -> LayerSpec:
        """Gated units: three weights (z, r, g) per input and recurrent synapse; events carry values."""
        projs = (ProjectionSpec(self.n_in, self.hidden, self.n_in * self.hidden),
                 ProjectionSpec(self.hidden, self.hidden, self.hidden * self.hidden, recurrent=True, source=name))
        return LayerSpec(name, self.hidden, "gated", projs, graded=True, state_vars=1, weights_per_synapse=3)

    def static_counts(self) -> StaticCounts:
        dense = (self.n_in + self.hidden) * 3 * self.hidden
        return StaticCounts(dense, dense, self.hidden)

    def __repr__(self):
        return f"GRU({self.n_in}->{self.hidden})"
