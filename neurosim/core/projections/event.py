"""Event-driven sparse projection: only the CSR rows of presynaptic neurons that spiked are touched.

Uses an event CSR kernel (a homogeneous weight on CPU: neurosim's Numba FFI kernel, bit for bit BrainPy's;
otherwise BrainPy's ``brainpy.math.event.csrmv``, numba on CPU, CUDA on GPU), so silent neurons cost nothing: ``macs_executed = synaptic_events``. Inputs are treated as events where nonzero (binary
spikes); the weights may be homogeneous (a scalar) or one per synapse (trainable; the kernel has a JVP in the weights).
"""

from __future__ import annotations

import brainpy.math as bm
import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.core import numba_ffi
from neurosim.core.connectivity import CSR
from neurosim.core.projections.sparse import _connectivity
from neurosim.core.projections.base import Projection
from neurosim.errors import ValidationError


def event_matvec(w, conn_indices, conn_indptr, shape, x):
    """The event CSR product ``(x > 0) @ A`` (``A`` of ``shape`` (n_in, n_out), rows = presynaptic neurons) for
    ``x`` of shape (..., n_in). A homogeneous weight (a Python number) takes neurosim's Numba kernel on CPU
    (:func:`homogeneous_events`: one call for the whole batch, ~µs of fixed cost); per-synapse weights, and other
    platforms, take BrainPy's ``brainpy.math.event.csrmv`` (one call per sample)."""
    if isinstance(w, (int, float)) and numba_ffi.available():
        return homogeneous_events(float(w), conn_indices, conn_indptr, shape, x)
    return _brainpy_events(w, conn_indices, conn_indptr, shape, x)


def _brainpy_events(w, conn_indices, conn_indptr, shape, x):
    def mv(e):
        return bm.event.csrmv(w, conn_indices, conn_indptr, e, shape=shape, transpose=True)

    if x.ndim == 1:
        return mv(x)
    y = jax.vmap(mv)(x.reshape((-1, shape[0])))
    return y.reshape(x.shape[:-1] + (shape[1],))


def homogeneous_events(w: float, conn_indices, conn_indptr, shape, x):
    """``w * (x > 0) @ A``, bit for bit BrainPy's event kernel (the same additions in the same order), through
    neurosim's Numba FFI kernel on CPU and BrainPy's elsewhere. Differentiable in ``x`` as BrainPy's is (the
    tangent of the events is the dense product ``w * x_dot @ A``). The connectivity is closed over, not traced
    (BrainPy's kernel reads it on the host)."""
    def cpu(x):
        rows = x.reshape((-1, shape[0])).astype(jnp.float32)
        y = numba_ffi.call("csr_events", jax.ShapeDtypeStruct((rows.shape[0], shape[1]), jnp.float32), rows,
                           jnp.asarray(conn_indptr, jnp.int32), jnp.asarray(conn_indices, jnp.int32),
                           jnp.full((1,), w, jnp.float32))
        return y.reshape(x.shape[:-1] + (shape[1],))

    @jax.custom_jvp
    def events(x):
        return jax.lax.platform_dependent(
            x, cpu=cpu, default=lambda x: _brainpy_events(w, conn_indices, conn_indptr, shape, x))

    @events.defjvp
    def events_jvp(primals, tangents):
        (x,), (x_dot,) = primals, tangents
        rows = np.repeat(np.arange(shape[0]), np.diff(np.asarray(conn_indptr)))
        contrib = x_dot[..., rows] * w  # (..., nnz): each synapse carries its presynaptic tangent
        y = events(x)
        dy = jnp.zeros(x_dot.shape[:-1] + (shape[1],), y.dtype).at[..., conn_indices].add(contrib.astype(y.dtype))
        return y, dy

    return events(x)


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

    def apply(self, params, x):
        w = self.weight if self.homogeneous else params["w"]
        return event_matvec(w, self._indices, self._indptr, self.conn.shape, x)


class FusedEventCSR:
    """Several homogeneous :class:`EventCSR` projections from one source with the same weight, run as one kernel call.

    The rows of presynaptic neuron ``i`` of every member are laid side by side (member ``k``'s targets shifted by
    the sizes of the members before it), so one event CSR product gives every member's output as a slice. Each
    output entry receives the same additions in the same (presynaptic) order as the member's own call, so the
    result is bit for bit the member's; what is saved is the fixed cost of a kernel call (about 30 µs through
    BrainPy's bridge, most of a step of a 4,000-neuron network; a few µs through neurosim's FFI kernel).
    """

    def __init__(self, projections):
        projections = list(projections)
        first = projections[0]
        if any(not (isinstance(p, EventCSR) and p.homogeneous and p.weight == first.weight and p.n_in == first.n_in)
               for p in projections):
            raise ValidationError("FusedEventCSR: members must be homogeneous EventCSR projections with one weight "
                                  "and one source size")
        self.n_in, self.weight = first.n_in, first.weight
        self.sizes = [p.n_out for p in projections]
        offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        fan = np.stack([p.conn.fan_out for p in projections], axis=1)  # (n_in, members)
        indptr = np.concatenate([[0], np.cumsum(fan.sum(axis=1))]).astype(np.int64)
        indices = np.empty(int(indptr[-1]), np.int32)
        pos = indptr[:-1].copy()
        for k, p in enumerate(projections):  # member k's row i lands after members < k's row i
            rows = p.conn.rows()
            within = np.arange(p.conn.nnz) - p.conn.indptr[rows]
            indices[pos[rows] + within] = p.conn.indices + offsets[k]
            pos += fan[:, k]
        if indptr[-1] >= 2**31:
            raise ValidationError("FusedEventCSR: more than 2**31 synapses from one source")
        self.shape = (self.n_in, int(offsets[-1]))
        with jax.ensure_compile_time_eval():  # concrete even when first built inside a trace (BrainPy's kernel
            self._indptr = jnp.asarray(indptr.astype(np.int32))  # reads indptr on the host)
            self._indices = jnp.asarray(indices)
        self._offsets = [int(o) for o in offsets]

    def apply(self, x) -> list[jax.Array]:
        """The output of every member, in order."""
        y = event_matvec(self.weight, self._indices, self._indptr, self.shape, x)
        return [y[..., a:b] for a, b in zip(self._offsets[:-1], self._offsets[1:])]
