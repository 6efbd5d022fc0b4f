"""Sparse projection with fixed connectivity (CSR) and one trainable weight per synapse.

:math:`y_j = \\sum_{i \\to j} x_i w_{ij}` computed as a gather of presynaptic values and a segment sum over the
postsynaptic index: every stored synapse is touched each step (``macs_executed = nnz``), silent or not.
Differentiable in ``w`` and ``x``. For inference on binary spikes, :class:`~neurosim.core.projections.event.EventCSR`
touches only the synapses of neurons that spiked.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.core.connectivity import CSR, fixed_probability
from neurosim.core.projections.base import Projection


class SparseLinear(Projection):
    """Fixed-probability (or given) sparse connectivity with per-synapse weights ~ N(mean, std)."""

    def __init__(self, n_in: int, n_out: int, *, p: float | None = None, conn: CSR | None = None,
                 mean: float = 0.0, std: float | None = None, seed: int = 0, name: str | None = None):
        super().__init__(n_in, n_out, name=name)
        self.conn = _connectivity(n_in, n_out, p, conn, seed)
        self.mean = float(validate.finite("mean", mean))
        fan_in = max(self.conn.nnz / n_out, 1.0)
        self.std = float(validate.positive("std", std, allow_zero=True)) if std is not None else (2.0 / fan_in) ** 0.5
        self._rows = jnp.asarray(self.conn.rows())
        self._cols = jnp.asarray(self.conn.indices)

    def init(self, key):
        w = self.mean + self.std * jax.random.normal(key, (self.conn.nnz,), jnp.float32)
        return {"w": w}

    def apply(self, params, x):
        contrib = x[..., self._rows] * params["w"]
        moved = jnp.moveaxis(contrib, -1, 0)
        y = jax.ops.segment_sum(moved, self._cols, num_segments=self.n_out, indices_are_sorted=False)
        return jnp.moveaxis(y, 0, -1)


def _connectivity(n_in, n_out, p, conn, seed) -> CSR:
    if (p is None) == (conn is None):
        raise validate.ValidationError("p/conn: give exactly one of a connection probability or a CSR connectivity")
    if conn is None:
        return fixed_probability(n_in, n_out, p, seed)
    if tuple(conn.shape) != (n_in, n_out):
        raise validate.ValidationError(f"conn: shape {tuple(conn.shape)} does not match (n_in, n_out)=({n_in}, {n_out})")
    return CSR(np.asarray(conn.indptr, np.int32), np.asarray(conn.indices, np.int32), (n_in, n_out))
