"""Structural description of a layer — the static half of the workload interface read by the hardware mappers.

A mapper never inspects model internals: it reads ``layer.describe() -> LayerSpec`` (what is stored and what one
neuron update involves) and an :class:`~neurosim.core.activity.Activity` (what happened in a run).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProjectionSpec:
    """Synapses feeding a layer: an ``n_in`` x ``n_out`` matrix with ``nnz`` stored weights."""

    n_in: int
    n_out: int
    nnz: int
    recurrent: bool = False
    source: str = "input"

    @property
    def density(self) -> float:
        return self.nnz / (self.n_in * self.n_out)


@dataclass(frozen=True)
class LayerSpec:
    """What a layer stores and computes per step.

    ``update``: ``"lif"`` (a few FP ops per neuron), ``"gated"`` (EGRU/GRU: gate nonlinearities per unit) or
    ``"readout"`` (non-spiking integrator); ``graded``: events carry a value (EGRU) rather than being binary;
    ``state_vars``: state variables stored per neuron; ``weights_per_synapse``: weight values per stored synapse
    (3 for gated units: one per gate).
    """

    name: str
    n_neurons: int
    update: str
    projections: tuple[ProjectionSpec, ...] = field(default_factory=tuple)
    graded: bool = False
    spiking: bool = True
    state_vars: int = 1
    weights_per_synapse: int = 1

    @property
    def synapses(self) -> int:
        return sum(p.nnz for p in self.projections) * self.weights_per_synapse

    @property
    def dense_synapses(self) -> int:
        return sum(p.n_in * p.n_out for p in self.projections) * self.weights_per_synapse
