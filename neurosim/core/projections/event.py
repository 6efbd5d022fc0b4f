"""Event-driven sparse projection: only the CSR rows of presynaptic neurons that spiked are touched.

Uses BrainPy's event CSR kernel (``brainpy.math.event.csrmv``, a numba kernel on CPU, CUDA on GPU), so silent
neurons cost nothing: ``macs_executed = synaptic_events``. Inputs are treated as events where nonzero (binary
spikes); the weights may be homogeneous (a scalar) or one per synapse (trainable; the kernel has a JVP in the weights).
"""

from __future__ import annotations

import brainpy.math as bm
import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.core.connectivity import CSR
from neurosim.core.projections.sparse import _connectivity
from neurosim.core.projections.base import Projection


class EventCSR(Projection):
    """Event-driven CSR projection with homogeneous ``weight`` or per-synapse weights ~ N(mean, std)."""

    event_driven = True

    def __init__(self, n_in: int, n_out: int, *, p: float | None = None, conn: CSR | None = None,
                 weight: float | None = None, mean: float = 0.0, std: float = 0.0, seed: int = 0,
                 name: str | None = None):
        super().__init__(n_in, n_out, name=name)
        self.conn = _connectivity(n_in, n_out, p, conn, seed)
        self.homogeneous = weight is not None
        self.weight = float(validate.finite("weight", weight)) if weight is not None else None
        self.mean = float(validate.finite("mean", mean))
        self.std = float(validate.positive("std", std, allow_zero=True))
        self._indptr = jnp.asarray(self.conn.indptr)
        self._indices = jnp.asarray(self.conn.indices)

    def init(self, key):
        if self.homogeneous:
            return {}
        return {"w": self.mean + self.std * jax.random.normal(key, (self.conn.nnz,), jnp.float32)}

    def _matvec(self, w, events):
        return bm.event.csrmv(w, self._indices, self._indptr, events, shape=self.conn.shape, transpose=True)

    def apply(self, params, x):
        w = self.weight if self.homogeneous else params["w"]
        flat = x.reshape((-1, self.n_in))
        if flat.shape[0] == 1 and x.ndim == 1:
            return self._matvec(w, x)
        y = jax.vmap(lambda e: self._matvec(w, e))(flat)
        return y.reshape(x.shape[:-1] + (self.n_out,))
