"""``Chain``: projections applied one after another before a neuron group, e.g. conv → max-pool (the order of the
snnTorch tutorials) or conv → batch norm.

The first projection sees the layer's input, so the chain's synaptic events are input events × the first
projection's fan-out; the later stages act on dense currents and add their dense work to the static counts.
The hardware mappers price the chain as its first projection (they map convolutions and matrices, not the
max/normalisation over currents).
"""

from __future__ import annotations

import jax

from neurosim.core.projections.base import Projection
from neurosim.errors import ValidationError


class Chain(Projection):
    """``projections[0]`` then ``projections[1]`` ...; sizes must agree."""

    def __init__(self, *projections: Projection, name: str | None = None):
        if len(projections) == 1 and isinstance(projections[0], (list, tuple)):
            projections = tuple(projections[0])
        if not projections:
            raise ValidationError("Chain: needs at least one projection")
        for i, p in enumerate(projections):
            if not isinstance(p, Projection):
                raise ValidationError(f"Chain[{i}]: expected a projection, got {type(p).__name__}")
            if i and p.n_in != projections[i - 1].n_out:
                raise ValidationError(f"Chain[{i}]: n_in={p.n_in} does not match Chain[{i - 1}] n_out="
                                      f"{projections[i - 1].n_out}")
        self.stages = tuple(projections)
        super().__init__(projections[0].n_in, projections[-1].n_out, name=name)
        self.event_driven = projections[0].event_driven

    @property
    def first(self) -> Projection:
        return self.stages[0]

    def _param_children(self):
        return {str(i): p for i, p in enumerate(self.stages)}

    def init(self, key):
        keys = jax.random.split(key, len(self.stages))
        return {str(i): p.init(k) for i, (p, k) in enumerate(zip(self.stages, keys))}

    def apply(self, params, x):
        for i, p in enumerate(self.stages):
            x = p.apply(params[str(i)], x)
        return x

    @property
    def nnz(self) -> int:
        return self.first.nnz

    @property
    def fan_out(self):
        return self.first.fan_out

    @property
    def macs_dense(self) -> int:
        return sum(p.macs_dense for p in self.stages)

    @property
    def macs_static(self) -> int:
        return self.first.macs_static + sum(p.macs_dense for p in self.stages[1:])

    def weight_bytes(self, bytes_per_weight: int = 4) -> int:
        return sum(p.weight_bytes(bytes_per_weight) for p in self.stages)

    def spec(self, *, source: str = "input", recurrent: bool = False):
        return self.first.spec(source=source, recurrent=recurrent)

    def __repr__(self):
        return "Chain(" + ", ".join(repr(p) for p in self.stages) + ")"
