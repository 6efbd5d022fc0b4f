"""Projections map presynaptic activity ``x`` (..., n_in) to postsynaptic input (..., n_out).

Every projection also describes *what it does* (the workload the hardware estimators price):

* ``synaptic_events``: pairs (nonzero input, existing synapse) = :math:`\\sum_i [x_i \\ne 0]\\,\\mathrm{fan}_i` —
  what an event-driven machine processes (dynamic, from the activity);
* ``macs_dense``: ``n_in * n_out`` per sample and step — what a dense implementation computes (static);
* ``macs_executed``: what this implementation computes — dense: ``n_in*n_out``, CSR: ``nnz`` (static), event
  CSR: ``synaptic_events`` (dynamic; ``event_driven = True``).

``fan_out`` is a static per-input vector, so the dynamic counts cost one dot product per step.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from neurosim import validate
from neurosim.core.dynamics import Component
from neurosim.core.spec import ProjectionSpec


class NoState(NamedTuple):
    pass


class Projection(Component):
    """Stateless map from ``n_in`` to ``n_out`` that describes its own workload."""

    #: True when only the synapses of nonzero inputs are processed
    event_driven: bool = False

    def __init__(self, n_in: int, n_out: int, name: str | None = None):
        super().__init__(name=name)
        self.n_in = validate.positive_int("n_in", n_in)
        self.n_out = validate.positive_int("n_out", n_out)

    def init_state(self, batch_shape=()):
        return NoState()

    def apply(self, params, x):  # pragma: no cover - abstract
        raise NotImplementedError

    def step(self, params, state, x):
        return state, self.apply(params, x)

    # -- workload -------------------------------------------------------------------------------------------------
    @property
    def nnz(self) -> int:
        """Number of stored synapses (of the ``conn`` CSR structure when the projection has one)."""
        conn = self.__dict__.get("conn")
        return conn.nnz if conn is not None else self.n_in * self.n_out

    @property
    def fan_out(self) -> np.ndarray:
        """Targets per input (int64, shape (n_in,))."""
        conn = self.__dict__.get("conn")
        return conn.fan_out.astype("int64") if conn is not None else np.full(self.n_in, self.n_out, dtype=np.int64)

    @property
    def macs_dense(self) -> int:
        """Dense-equivalent MACs per sample and step."""
        return self.n_in * self.n_out

    @property
    def macs_static(self) -> int:
        """MACs this implementation executes per sample and step regardless of activity (0 if event-driven)."""
        return 0 if self.event_driven else self.nnz

    def weight_bytes(self, bytes_per_weight: int = 4) -> int:
        return self.nnz * bytes_per_weight

    def spec(self, *, source: str = "input", recurrent: bool = False) -> ProjectionSpec:
        """The structural description the hardware mappers read."""
        return ProjectionSpec(self.n_in, self.n_out, self.nnz, recurrent=recurrent, source=source)
