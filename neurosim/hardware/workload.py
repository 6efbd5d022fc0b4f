"""Workload: the actions a network performs per inference, per layer — from a measured run or from rates.

``LayerWorkload`` combines a layer's structure (:class:`~neurosim.core.spec.LayerSpec`) with its activity:
synaptic events per step (nonzero input × stored synapse, i.e. the multiply-accumulates an event-driven machine
executes), output events per step, and the steps per inference. Mappers turn these into costs on a profile.

Two sources:

* :func:`from_activity` — counts measured by ``simulate``/``Trainer.evaluate`` (``Activity``), averaged per sample;
* :func:`from_rates` — a description plus activity fractions the user supplies (e.g. "80 % sparsity"), so a
  network can be priced without running it (model-zoo descriptions, 10⁶-neuron networks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from neurosim import validate
from neurosim.core.spec import LayerSpec, ProjectionSpec
from neurosim.errors import ValidationError


@dataclass
class LayerWorkload:
    spec: LayerSpec
    steps: int
    events_per_step: float  # synaptic events (MACs on nonzero inputs) per sample and step
    spikes_per_step: float  # output events per sample and step

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def input_density(self) -> float:
        """Fraction of stored synapses that see a nonzero input per step."""
        return self.events_per_step / self.spec.synapses if self.spec.synapses else 0.0

    @property
    def activity(self) -> float:
        return self.spikes_per_step / self.spec.n_neurons

    def as_dict(self) -> dict:
        return {"name": self.name, "n_neurons": self.spec.n_neurons, "update": self.spec.update,
                "synapses": self.spec.synapses, "dense_synapses": self.spec.dense_synapses, "steps": self.steps,
                "events_per_step": self.events_per_step, "spikes_per_step": self.spikes_per_step,
                "activity": self.activity, "input_density": self.input_density}


@dataclass
class Workload:
    layers: list[LayerWorkload]
    steps: int
    source: str = "measured"
    notes: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter(self.layers)

    def total_events(self) -> float:
        return sum(l.events_per_step * l.steps for l in self.layers)

    def total_dense_macs(self) -> float:
        return sum(l.spec.dense_synapses * l.steps for l in self.layers)

    def as_dict(self) -> dict:
        return {"steps": self.steps, "source": self.source, "layers": [l.as_dict() for l in self.layers],
                "notes": self.notes}

    def with_layers(self, *layers: LayerWorkload) -> "Workload":
        """A new workload with ``layers`` appended (e.g. a readout evaluated once per inference)."""
        names = {l.name for l in self.layers}
        for l in layers:
            if not isinstance(l, LayerWorkload):
                raise ValidationError(f"with_layers: expected LayerWorkload, got {type(l).__name__}")
            if l.name in names:
                raise ValidationError(f"with_layers: a layer named {l.name!r} already exists")
            names.add(l.name)
        return Workload(list(self.layers) + list(layers), self.steps, self.source, list(self.notes))


def readout_workload(n_features: int, n_classes: int, *, name: str = "readout", evaluations: int = 1) -> LayerWorkload:
    """A dense readout on real-valued features (closed-form ridge/logistic or an ANN head's linear layer, e.g. on an
    LSM's spike rates), evaluated ``evaluations`` times per inference: ``n_features × n_classes`` MACs each time,
    features arriving as graded external inputs."""
    n_features = validate.positive_int("n_features", n_features)
    n_classes = validate.positive_int("n_classes", n_classes)
    evaluations = validate.positive_int("evaluations", evaluations)
    spec = describe_layer(name, n_classes, update="readout", inputs=[("features", n_features, 1.0)], spiking=False,
                          graded=True)
    return LayerWorkload(spec, evaluations, float(n_features * n_classes), 0.0)


def _specs(model) -> list[LayerSpec]:
    if isinstance(model, (list, tuple)) and all(isinstance(s, LayerSpec) for s in model):
        return list(model)
    if not hasattr(model, "describe"):
        raise ValidationError(f"model: {type(model).__name__} has no describe(); cannot derive a workload")
    return list(model.describe())


def from_activity(model, activity) -> Workload:
    """Per-sample, per-step averages of a measured :class:`~neurosim.core.activity.Activity`."""
    specs = _specs(model)
    if activity.steps <= 0:
        raise ValidationError("activity: no steps were recorded")
    per = activity.steps * activity.batch
    layers = []
    for spec in specs:
        if spec.name not in activity.layers:
            raise ValidationError(f"activity: no record for layer {spec.name!r} (has {sorted(activity.layers)})")
        la = activity.layers[spec.name]
        layers.append(LayerWorkload(spec, activity.steps, la.synaptic_events / per, la.spikes / per))
    return Workload(layers, activity.steps, "measured")


def from_rates(model, *, steps: int, activity, input_activity: float = 1.0) -> Workload:
    """Workload from activity fractions: ``activity`` is one fraction for every spiking layer or a dict by layer
    name (fraction of neurons emitting an event per step); ``input_activity`` is the fraction of nonzero external
    inputs per step. Feed-forward projections see their source's activity, recurrent ones the layer's own."""
    specs = _specs(model)
    steps = validate.positive_int("steps", steps)
    validate.in_range("input_activity", input_activity, 0.0, 1.0)
    rates = {}
    for spec in specs:
        a = activity.get(spec.name, 1.0) if isinstance(activity, dict) else activity
        rates[spec.name] = float(validate.in_range(f"activity[{spec.name}]", a, 0.0, 1.0)) if spec.spiking else 1.0
    layers, prev = [], None
    for spec in specs:
        events = 0.0
        for p in spec.projections:
            if p.recurrent:
                a_src = rates[p.source] if p.source in rates else rates[spec.name]
            elif p.source in rates:
                a_src = rates[p.source]
            else:
                a_src = rates[prev] if prev is not None else input_activity
            events += a_src * p.nnz * spec.weights_per_synapse
        layers.append(LayerWorkload(spec, steps, events, rates[spec.name] * spec.n_neurons))
        prev = spec.name
    return Workload(layers, steps, "rates")


def describe_layer(name: str, n_neurons: int, *, update: str = "lif", inputs: list[tuple] = (), graded=False,
                   spiking=True, state_vars: int = 1, weights_per_synapse: int = 1) -> LayerSpec:
    """Build a :class:`LayerSpec` from a description: ``inputs`` is a list of ``(source, n_in, density)`` where
    ``source`` is ``"input"``, a previous layer's name, or this layer's name (recurrent)."""
    validate.choice("update", update, ("lif", "gated", "readout"))
    projs = []
    for source, n_in, density in inputs:
        n_in = validate.positive_int(f"{name}: n_in", n_in)
        d = float(validate.in_range(f"{name}: density", density, 0.0, 1.0, lo_open=True))
        projs.append(ProjectionSpec(n_in, n_neurons, int(round(d * n_in * n_neurons)), recurrent=source == name,
                                    source=source))
    return LayerSpec(name, validate.positive_int("n_neurons", n_neurons), update, tuple(projs), graded=graded,
                     spiking=spiking, state_vars=state_vars, weights_per_synapse=weights_per_synapse)
