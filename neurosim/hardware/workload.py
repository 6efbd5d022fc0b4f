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
    """Per-inference actions of every layer, plus the external I/O a deployed system moves over its host link:
    ``input_values_per_step`` nonzero external input values per step (spike events, or graded values when
    ``input_graded``), and the last layer's outputs read back once per inference."""

    layers: list[LayerWorkload]
    steps: int
    source: str = "measured"
    notes: list[str] = field(default_factory=list)
    input_values_per_step: float = 0.0
    input_graded: bool = False
    n_inputs: int = 0  # width of the external input vector
    assumptions: list[str] = field(default_factory=list)  # where the activity came from (printed with estimates)

    def input_bytes_per_inference(self) -> float:
        """Host → chip bytes: 4 B per spike event (32-bit key); graded inputs 4 B per value when the vector is at
        least half dense (sent whole), else 8 B per nonzero (value + index)."""
        if not self.input_graded:
            return 4.0 * self.input_values_per_step * self.steps
        dense = self.n_inputs and self.input_values_per_step >= 0.5 * self.n_inputs
        per_step = 4.0 * self.n_inputs if dense else 8.0 * self.input_values_per_step
        return per_step * self.steps

    def output_bytes_per_inference(self) -> float:
        """Chip → host bytes: the last layer's values (FP32) once per inference."""
        return 4.0 * self.layers[-1].spec.n_neurons if self.layers else 0.0

    def __iter__(self):
        return iter(self.layers)

    def total_events(self) -> float:
        return sum(l.events_per_step * l.steps for l in self.layers)

    def total_dense_macs(self) -> float:
        return sum(l.spec.dense_synapses * l.steps for l in self.layers)

    def as_dict(self) -> dict:
        return {"steps": self.steps, "source": self.source, "layers": [l.as_dict() for l in self.layers],
                "notes": self.notes, "input_values_per_step": self.input_values_per_step,
                "input_graded": self.input_graded, "n_inputs": self.n_inputs}

    def record(self) -> dict:
        """The measured counts (not the structure) as plain data, for :func:`from_record`."""
        return {"steps": self.steps, "input_values_per_step": self.input_values_per_step,
                "input_graded": self.input_graded,
                "layers": [{"name": l.name, "steps": l.steps, "events_per_step": l.events_per_step,
                            "spikes_per_step": l.spikes_per_step} for l in self.layers]}

    def with_layers(self, *layers: LayerWorkload) -> "Workload":
        """A new workload with ``layers`` appended (e.g. a readout evaluated once per inference)."""
        names = {l.name for l in self.layers}
        for l in layers:
            if not isinstance(l, LayerWorkload):
                raise ValidationError(f"with_layers: expected LayerWorkload, got {type(l).__name__}")
            if l.name in names:
                raise ValidationError(f"with_layers: a layer named {l.name!r} already exists")
            names.add(l.name)
        return Workload(list(self.layers) + list(layers), self.steps, self.source, list(self.notes),
                        self.input_values_per_step, self.input_graded, self.n_inputs, list(self.assumptions))


def check_workload(workload, name: str = "workload") -> "Workload":
    """Refuse a workload a mapper cannot price sensibly — no layers, a zero-length time axis, negative or
    non-finite (NaN/inf) activity — with a :class:`~neurosim.errors.ValidationError` naming the item."""
    import math
    import numbers

    if not isinstance(workload, Workload):
        raise ValidationError(f"{name}: expected a Workload, got {type(workload).__name__}; build one with "
                              "hw.from_activity(model, result.activity) or hw.from_rates(model, steps=..., "
                              "activity=...), or price a model directly with hw.price(model, target, activity=...)")
    steps = workload.steps
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValidationError(f"{name}: steps must be a positive integer (steps per inference), got {steps!r}")
    if steps == 0:
        raise ValidationError(f"{name}: zero-length time axis (steps = 0); a workload needs at least one step per "
                              "inference")
    if not workload.layers:
        raise ValidationError(f"{name}: no layers to price")

    def number(item: str, value) -> None:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{name}: {item} must be a number, got {value!r}") from None
        if not math.isfinite(v):
            raise ValidationError(f"{name}: {item} is {'NaN' if math.isnan(v) else 'inf'}; activity must be finite "
                                  "(a NaN usually comes from averaging over an empty batch or a diverged run)")
        if v < 0:
            raise ValidationError(f"{name}: {item} must be >= 0, got {v:g}")

    number("input_values_per_step", workload.input_values_per_step)
    for layer in workload.layers:
        if not isinstance(layer, LayerWorkload):
            raise ValidationError(f"{name}: expected LayerWorkload entries, got {type(layer).__name__}")
        number(f"layer {layer.name!r} steps", layer.steps)
        number(f"layer {layer.name!r} events_per_step", layer.events_per_step)
        number(f"layer {layer.name!r} spikes_per_step", layer.spikes_per_step)
    return workload


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


def _external_inputs(specs) -> int:
    """Width of the external input: the largest ``n_in`` of a projection fed by ``"input"``."""
    return max([p.n_in for s in specs for p in s.projections if p.source == "input"] or [0])


def _input_values_measured(specs, layers: list[LayerWorkload]) -> float:
    """Nonzero external inputs per step, recovered from the measured synaptic events of the layers fed by
    ``"input"``: their events minus those caused by internal sources (source spikes × mean fan-out), divided by
    the mean fan-out of the input projections."""
    by = {l.name: l for l in layers}
    best = 0.0
    for l in layers:
        ins = [p for p in l.spec.projections if p.source == "input"]
        if not ins:
            continue
        wps = l.spec.weights_per_synapse
        internal = sum(by[p.source].spikes_per_step * p.nnz / p.n_in * wps if p.source in by else 0.0
                       for p in l.spec.projections if p.source != "input")
        fan = sum(p.nnz / p.n_in for p in ins) * wps / len(ins)
        best = max(best, max(l.events_per_step - internal, 0.0) / fan if fan else 0.0)
    return best


def from_activity(model, activity, *, input_graded: bool = False) -> Workload:
    """Per-sample, per-step averages of a measured :class:`~neurosim.core.activity.Activity`; ``input_graded``:
    the external input carries values (e.g. log event counts), not binary spikes (sets host-link bytes)."""
    specs = _specs(model)
    if activity.steps <= 0:
        raise ValidationError(f"activity: zero-length time axis ({activity.steps} steps recorded); simulate at "
                              "least one step")
    if activity.batch <= 0:
        raise ValidationError(f"activity: empty batch (batch = {activity.batch}: the run had no samples to average "
                              "over); simulate at least one sample, inputs (T, batch >= 1, n)")
    per = activity.steps * activity.batch
    layers = []
    for spec in specs:
        if spec.name not in activity.layers:
            raise ValidationError(f"activity: no record for layer {spec.name!r} (has {sorted(activity.layers)})")
        la = activity.layers[spec.name]
        layers.append(LayerWorkload(spec, activity.steps, la.synaptic_events / per, la.spikes / per))
    wl = Workload(layers, activity.steps, "measured", input_values_per_step=_input_values_measured(specs, layers),
                  input_graded=bool(input_graded), n_inputs=_external_inputs(specs))
    return check_workload(wl, "activity")


def from_rates(model, *, steps: int, activity, input_activity: float = 1.0, input_graded: bool = False) -> Workload:
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
        if spec.update == "pool":  # a window emits when any of its inputs does
            src = rates.get(spec.projections[0].source, input_activity) if spec.projections else 1.0
            rates[spec.name] = 1.0 - (1.0 - src) ** spec.projections[0].conv.window
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
    n_in = _external_inputs(specs)
    return Workload(layers, steps, "rates", input_values_per_step=input_activity * n_in,
                    input_graded=bool(input_graded), n_inputs=n_in)


def from_record(model, record: dict) -> Workload:
    """Rebuild a measured workload from its recorded per-layer counts (``Workload.record()``, e.g. a zoo entry's
    ``[results.workload]``): the layer structure comes from ``model``, the activity from the record."""
    specs = _specs(model)
    try:
        rows = {r["name"]: r for r in record["layers"]}
        layers = [LayerWorkload(s, int(rows[s.name].get("steps", record["steps"])),
                                float(rows[s.name]["events_per_step"]), float(rows[s.name]["spikes_per_step"]))
                  for s in specs]
        wl = Workload(layers, int(record["steps"]), "measured", [],
                      float(record.get("input_values_per_step", 0.0)), bool(record.get("input_graded", False)),
                      _external_inputs(specs))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"workload record: missing or bad field {exc}") from exc
    return check_workload(wl, "workload record")


def describe_layer(name: str, n_neurons: int, *, update: str = "lif", inputs: list[tuple] = (), graded=False,
                   spiking=True, state_vars: int = 1, weights_per_synapse: int = 1) -> LayerSpec:
    """Build a :class:`LayerSpec` from a description: ``inputs`` is a list of ``(source, n_in, density)`` where
    ``source`` is ``"input"``, a previous layer's name, or this layer's name (recurrent)."""
    validate.choice("update", update, ("lif", "gated", "readout", "pool"))
    projs = []
    for source, n_in, density in inputs:
        n_in = validate.positive_int(f"{name}: n_in", n_in)
        d = float(validate.in_range(f"{name}: density", density, 0.0, 1.0, lo_open=True))
        projs.append(ProjectionSpec(n_in, n_neurons, int(round(d * n_in * n_neurons)), recurrent=source == name,
                                    source=source))
    return LayerSpec(name, validate.positive_int("n_neurons", n_neurons), update, tuple(projs), graded=graded,
                     spiking=spiking, state_vars=state_vars, weights_per_synapse=weights_per_synapse)
