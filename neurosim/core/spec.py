"""Structural description of a layer — the static half of the workload interface read by the hardware mappers.

A mapper never inspects model internals: it reads ``layer.describe() -> LayerSpec`` (what is stored and what one
neuron update involves) and an :class:`~neurosim.core.activity.Activity` (what happened in a run).

Three numbers describe a projection's synapses, and for a matrix they coincide up to density:

* ``nnz`` — **connections**: (input, output) pairs that exist; an input event causes ``fan_out`` of them, so
  synaptic events = active inputs × fan-out. For a convolution this is the kernel applied at every output
  position, borders excluded (a zero-padded tap is not a connection);
* ``stored`` — **weights in memory**: ``nnz`` for a matrix, the kernel (C_out × C_in/groups × K) for a
  convolution, 0 for pooling;
* ``dense_macs`` — what a dense implementation computes per step: ``n_in × n_out`` for a matrix, every output
  position × kernel (padding included) for a convolution, window × outputs for pooling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ConvGeometry:
    """Shape of a convolution or pooling window over a (C, *spatial) feature map (channel-major, as NIR/PyTorch).

    ``op``: ``"conv"`` (weighted), ``"sum"``, ``"avg"`` or ``"max"`` (pooling: one window per channel)."""

    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int = 1
    op: str = "conv"

    @property
    def window(self) -> int:
        return math.prod(self.kernel)

    @property
    def positions(self) -> int:
        """Output positions per channel."""
        return math.prod(self.out_shape[1:])

    @property
    def kernel_rows(self) -> int:
        """Inputs of one output (the im2col row count of one group): C_in/groups × window (window for pooling)."""
        return self.in_shape[0] // self.groups * self.window if self.op == "conv" else self.window

    @property
    def kernel_cols(self) -> int:
        """Outputs sharing one kernel matrix per position (C_out/groups; 1 for pooling, per channel)."""
        return self.out_shape[0] // self.groups if self.op == "conv" else 1

    @property
    def weights(self) -> int:
        return self.out_shape[0] * self.kernel_rows if self.op == "conv" else 0

    @property
    def macs(self) -> int:
        """Dense work per sample and step, padding included."""
        return self.positions * self.out_shape[0] * self.kernel_rows


@dataclass(frozen=True)
class ProjectionSpec:
    """Synapses feeding a layer: an ``n_in`` x ``n_out`` map with ``nnz`` connections (see module docstring);
    ``conv`` holds the geometry of a convolution or pooling stage."""

    n_in: int
    n_out: int
    nnz: int
    recurrent: bool = False
    source: str = "input"
    conv: ConvGeometry | None = None

    @property
    def density(self) -> float:
        """Stored weights per dense slot: a convolution kernel is dense (1.0), a matrix nnz / (n_in n_out)."""
        return 1.0 if self.conv is not None else self.nnz / (self.n_in * self.n_out)

    @property
    def stored(self) -> int:
        return self.conv.weights if self.conv is not None else self.nnz

    @property
    def dense_stored(self) -> int:
        """Weights a dense implementation stores (pruned matrix entries included)."""
        return self.conv.weights if self.conv is not None else self.n_in * self.n_out

    @property
    def dense_macs(self) -> int:
        return self.conv.macs if self.conv is not None else self.n_in * self.n_out


@dataclass(frozen=True)
class LayerSpec:
    """What a layer stores and computes per step.

    ``update``: ``"lif"`` (a few FP ops per neuron), ``"gated"`` (EGRU/GRU: gate nonlinearities per unit),
    ``"readout"`` (non-spiking integrator) or ``"pool"`` (a pooling stage: one accumulator per output, no weights);
    ``graded``: events carry a value (EGRU, sum pooling) rather than being binary; ``state_vars``: state variables
    stored per neuron; ``weights_per_synapse``: weight values per stored synapse (3 for gated units: one per gate).
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
        """Connections (what input events reach), over all projections."""
        return sum(p.nnz for p in self.projections) * self.weights_per_synapse

    @property
    def stored_weights(self) -> int:
        """Weight values in memory (a convolution stores its kernel once)."""
        return sum(p.stored for p in self.projections) * self.weights_per_synapse

    @property
    def dense_stored_weights(self) -> int:
        return sum(p.dense_stored for p in self.projections) * self.weights_per_synapse

    @property
    def dense_synapses(self) -> int:
        """Dense-equivalent MACs per step."""
        return sum(p.dense_macs for p in self.projections) * self.weights_per_synapse

    @property
    def conv(self) -> ConvGeometry | None:
        """Geometry of the layer's (first) convolution or pooling projection, if any."""
        return next((p.conv for p in self.projections if p.conv is not None), None)
