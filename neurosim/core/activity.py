"""Activity statistics recorded by every simulation and training run — the input of the workload model.

Per step and per layer the runner collects (summed over the batch): spikes emitted, synaptic events processed,
dense-equivalent MACs, MACs the implementation executed, and neuron state updates. :class:`Activity` holds the
totals (int64, accumulated on the host so long runs cannot overflow) and the per-step spike counts for plots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from neurosim.errors import ValidationError


class StepCounts(NamedTuple):
    """Activity-dependent counts of one layer in one step (int32 scalars, summed over the batch)."""

    spikes: jax.Array
    synaptic_events: jax.Array
    macs_event: jax.Array  # MACs executed by event-driven projections (= their synaptic events)


class StaticCounts(NamedTuple):
    """Activity-independent work of one layer per sample and step (Python ints)."""

    macs_dense: int
    macs_static: int  # MACs executed by non-event-driven projections
    neuron_updates: int


def fan_matrix(projections) -> np.ndarray:
    """(n_src, 2) int32 matrix [fan-out over all projections, fan-out over event-driven ones] of one source."""
    projections = list(projections)
    n = projections[0].n_in
    fan = np.zeros((n, 2), np.float64)
    for proj in projections:
        fan[:, 0] += proj.fan_out
        if proj.event_driven:
            fan[:, 1] += proj.fan_out
    if fan.size and (not np.all(np.isfinite(fan)) or fan.max() >= 2**31 or not np.array_equal(fan, np.rint(fan))):
        raise ValidationError("fan-out: every projection's fan_out must be a whole number of synapses below 2**31")
    return fan.astype(np.int32)


def event_counts(x, fan) -> tuple[jax.Array, jax.Array]:
    """(synaptic events, event-driven MACs) caused by the nonzero entries of ``x`` (..., n_src), batch-summed.

    Two fused select-and-add reductions in int32 (exact while a step's count stays below 2**31); one count of the
    active entries times the fan-out when every source has the same fan-out (a static numpy ``fan``). The matrix
    product with the (n_src, 2) fan matrix used before computed the same; with it, counting added 40 % to a
    64k-neuron COBA step on CPU (one measurement, ``simulate`` vs an uncounted scan).
    """
    active = x != 0
    if isinstance(fan, np.ndarray) and fan.size and np.all(fan == fan[:1]):  # uniform fan-out (dense projections):
        n = jnp.sum(active, dtype=jnp.int32)  # one count times the fan-out instead of two select-reductions
        return n * jnp.int32(fan[0, 0]), n * jnp.int32(fan[0, 1])
    fan = jnp.asarray(fan, jnp.int32)
    zero = jnp.zeros((), jnp.int32)
    events = jnp.sum(jnp.where(active, fan[:, 0], zero), dtype=jnp.int32)
    macs = jnp.sum(jnp.where(active, fan[:, 1], zero), dtype=jnp.int32)
    return events, macs


def static_counts(projections, n_neurons: int) -> StaticCounts:
    projections = list(projections)
    return StaticCounts(sum(p.macs_dense for p in projections), sum(p.macs_static for p in projections), n_neurons)


@dataclass
class LayerActivity:
    """Totals of one layer over a run."""

    n_neurons: int
    spiking: bool = True
    spikes: int = 0
    synaptic_events: int = 0
    macs_dense: int = 0
    macs_executed: int = 0
    neuron_updates: int = 0
    spikes_per_step: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def activity(self) -> float | None:
        """Fraction of (neuron, step, sample) slots with a spike (None for non-spiking readouts)."""
        if not self.spiking:
            return None
        return self.spikes / self.neuron_updates if self.neuron_updates else 0.0

    @property
    def sparsity(self) -> float | None:
        """1 − activity: the fraction of silent neuron-steps (None for non-spiking readouts)."""
        return None if not self.spiking else 1.0 - self.activity

    def rate_hz(self, dt_ms: float, batch: int = 1) -> float:
        """Mean firing rate in Hz given the step ``dt_ms`` (ms)."""
        steps = self.neuron_updates / max(self.n_neurons * batch, 1)
        if steps == 0:
            return 0.0
        return self.spikes / (self.n_neurons * batch) / (steps * dt_ms * 1e-3)

    def __repr__(self):
        if not self.spiking:
            return (f"LayerActivity({self.n_neurons} neurons, readout; {self.synaptic_events} syn. events, "
                    f"{self.macs_executed} MACs executed)")
        return (f"LayerActivity({self.n_neurons} neurons; {self.spikes} spikes, sparsity {self.sparsity:.3f}, "
                f"{self.synaptic_events} syn. events, {self.macs_executed} MACs executed over "
                f"{self.spikes_per_step.size} steps)")

    def as_dict(self) -> dict:
        return {
            "n_neurons": self.n_neurons,
            "spiking": self.spiking,
            "spikes": self.spikes,
            "synaptic_events": self.synaptic_events,
            "macs_dense": self.macs_dense,
            "macs_executed": self.macs_executed,
            "neuron_updates": self.neuron_updates,
            "activity": self.activity,
            "sparsity": self.sparsity,
        }


@dataclass
class Activity:
    """Activity of every layer of a run; ``steps`` simulated time steps of a batch of ``batch`` samples."""

    layers: dict[str, LayerActivity]
    steps: int = 0
    batch: int = 1
    dt: float = 1.0

    @classmethod
    def empty(cls, sizes: dict[str, tuple[int, bool]], batch: int, dt: float) -> "Activity":
        return cls({k: LayerActivity(n, spiking) for k, (n, spiking) in sizes.items()}, 0, batch, dt)

    def add(self, per_step: dict[str, StepCounts], static: dict[str, StaticCounts]) -> None:
        """Accumulate per-step counts (arrays with a leading time axis) on the host in int64."""
        steps = 0
        for name, counts in per_step.items():
            host = jax.device_get(counts)
            layer = self.layers[name]
            spikes = np.asarray(host.spikes, np.int64).reshape(-1)
            steps = spikes.shape[0]
            per_sample_steps = steps * self.batch
            st = static[name]
            layer.spikes += int(spikes.sum())
            layer.synaptic_events += int(np.asarray(host.synaptic_events, np.int64).sum())
            layer.macs_dense += st.macs_dense * per_sample_steps
            layer.macs_executed += int(np.asarray(host.macs_event, np.int64).sum()) + st.macs_static * per_sample_steps
            layer.neuron_updates += st.neuron_updates * per_sample_steps
            layer.spikes_per_step = np.concatenate([layer.spikes_per_step, spikes])
        self.steps += steps

    def merge_samples(self, other: "Activity") -> None:
        """Add the activity of *more samples over the same time window* (e.g. the next evaluation batch): counts
        add up, ``batch`` grows, ``steps`` stays (a workload is then per inference of ``steps`` steps)."""
        if self.steps and other.steps != self.steps:
            raise ValidationError(f"merge_samples: runs of {self.steps} and {other.steps} steps cover different "
                                  "time windows")
        if set(other.layers) != set(self.layers):
            raise ValidationError("merge_samples: the two runs have different layers")
        first = self.steps == 0
        for name, layer in self.layers.items():
            o = other.layers[name]
            layer.spikes += o.spikes
            layer.synaptic_events += o.synaptic_events
            layer.macs_dense += o.macs_dense
            layer.macs_executed += o.macs_executed
            layer.neuron_updates += o.neuron_updates
            layer.spikes_per_step = o.spikes_per_step.copy() if first else layer.spikes_per_step + o.spikes_per_step
        self.batch = other.batch if first else self.batch + other.batch
        self.steps = other.steps

    def rates_hz(self) -> dict[str, float]:
        return {k: v.rate_hz(self.dt, self.batch) for k, v in self.layers.items() if v.spiking}

    def summary(self) -> dict:
        return {"steps": self.steps, "batch": self.batch, "dt_ms": self.dt,
                "layers": {k: v.as_dict() for k, v in self.layers.items()}}

    def __repr__(self):
        parts = [f"{k}: {v.spikes} spikes, sparsity {v.sparsity:.3f}, {v.synaptic_events} syn. events"
                 if v.spiking else f"{k}: readout, {v.synaptic_events} syn. events" for k, v in self.layers.items()]
        return f"Activity(steps={self.steps}, batch={self.batch}; " + "; ".join(parts) + ")"
