"""The model zoo (``models/`` at the repository root, shipped inside the wheel; user folders through
``NEUROSIM_ZOO_PATH`` or ``search_path=``, see :mod:`neurosim.resources`): entries are TOML files read with ``tomllib`` — data only,
never code — plus, for trained entries, HDF5 weights (neurosim checkpoints) and a Markdown card.

* ``kind = "description"``: structure and activity only (no weights) → :class:`Description` → a
  :class:`~neurosim.hardware.workload.Workload` for ``neurosim energy``.
* ``kind = "architecture"``: an architecture (``[[layers]]`` as below) without weights, with the activity it is
  priced at stated in ``[activity]`` (with its source) and the input in ``[input]``: :func:`architecture` builds
  the untrained network (train it on your own data with :class:`~neurosim.learn.Trainer`), and
  :func:`load_description` describes it for pricing (``neurosim energy NAME``).
* ``kind = "trained"``: an architecture (``[[layers]]`` of whitelisted layer types with keyword arguments), the
  input preparation, the readout, the weights file and the results the card reports. :func:`load` builds the model
  and loads its parameters (shapes checked against the architecture).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from neurosim import resources
from neurosim.errors import DataFormatError, ValidationError

#: the shipped zoo folder (inside the installed package, or ``models/`` of a source checkout)
ZOO_DIR = resources.shipped_dir("zoo") or Path(__file__).resolve().parents[1] / "models"
SCHEMA = "neurosim-model"


@dataclass
class Description:
    name: str
    specs: list
    steps: int
    activity: dict
    input_activity: float
    precision: str = "fp32"
    task: str = ""
    source: str = ""
    notes: list = field(default_factory=list)
    recorded: dict | None = None  # measured workload of a trained entry ([results.workload])
    recorded_on: str = "its test set"  # what that workload was measured on ([results] measured_on)
    stated_activity: bool = False  # the entry's file states an [activity] table
    activity_source: str = ""
    input_graded: bool = False

    def workload(self, activity: float | dict | None = None):
        """The workload at ``activity`` (a fraction or ``{layer: fraction}``), or, when None, the recorded measured
        workload of a trained entry, else the activity the entry states."""
        from neurosim.hardware.workload import from_rates, from_record

        if activity is None and self.recorded is not None:
            wl = from_record(self.specs, self.recorded)
            wl.notes.extend(self.notes)
            return wl
        act = self.activity if activity is None else activity
        if isinstance(act, dict) and "default" in act:
            default = act["default"]
            act = {s.name: act.get(s.name, default) for s in self.specs}
        wl = from_rates(self.specs, steps=self.steps, activity=act, input_activity=self.input_activity,
                        input_graded=self.input_graded)
        wl.notes.extend(self.notes)
        return wl


@dataclass
class ZooModel:
    name: str
    model: object
    params: dict
    config: dict
    path: Path

    @property
    def results(self) -> dict:
        return self.config.get("results", {})


def list_models(search_path=None) -> list[str]:
    """Names of the zoo entries in the user folders (``search_path``, ``NEUROSIM_ZOO_PATH``) and the shipped zoo."""
    return resources.names("zoo", ".toml", search_path)


def _read(name_or_path, search_path=None) -> tuple[dict, Path]:
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = resources.find("zoo", str(name_or_path), ".toml", search_path)
    if path is None or not path.exists():
        known = ", ".join(list_models(search_path)) or "empty: no zoo folder found"
        raise ValidationError(f"model: no zoo entry or file {name_or_path!r} (zoo: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{path}: not valid TOML: {exc}") from exc
    if data.get("schema") != SCHEMA or data.get("schema_version") != 1:
        raise DataFormatError(f"{path}: not a neurosim model file (schema {data.get('schema')!r}, version "
                              f"{data.get('schema_version')!r})")
    return data, path


def load_description(name_or_path: str | Path, search_path=None) -> Description:
    """A description entry, or the structure of a trained entry (its layers' specs, with default activity)."""
    from neurosim.hardware.workload import describe_layer

    data, path = _read(name_or_path, search_path)
    if data.get("kind") == "trained":
        zm = load(path)
        specs = zm.model.describe()
        return Description(zm.name, specs, int(data.get("input", {}).get("n_steps", 1)),
                           {"default": zm.results.get("activity", 1.0)}, float(zm.results.get("input_activity", 1.0)),
                           "fp32", data.get("task", ""), data.get("source", ""), list(data.get("notes", [])),
                           recorded=zm.results.get("workload"), input_graded=bool(data.get("input_graded", False)),
                           recorded_on=str(zm.results.get("measured_on", "its test set")))
    if data.get("kind") == "architecture":
        model = build(data, str(path))
        stated = dict(data.get("activity", {}))
        source = str(stated.pop("source", ""))
        if not stated:
            raise DataFormatError(f"{path}: an architecture entry states the activity it is priced at ([activity])")
        inp = data.get("input", {})
        return Description(data["name"], model.describe(), int(inp.get("n_steps", 1)), stated,
                           float(inp.get("activity", 1.0)), data.get("precision", "fp32"), data.get("task", ""),
                           data.get("source", ""), list(data.get("notes", [])), stated_activity=True,
                           activity_source=source, input_graded=bool(data.get("input_graded", False)))
    if data.get("kind") != "description":
        raise DataFormatError(f"{path}: kind {data.get('kind')!r} is not 'description', 'architecture' or "
                              "'trained'")
    try:
        specs = [describe_layer(l["name"], l["n_neurons"], update=l.get("update", "lif"),
                                inputs=[tuple(i) for i in l.get("inputs", [])], graded=l.get("graded", False),
                                spiking=l.get("spiking", True), state_vars=l.get("state_vars", 1),
                                weights_per_synapse=l.get("weights_per_synapse", 1))
                 for l in data["layers"]]
    except KeyError as exc:
        raise DataFormatError(f"{path}: a layer lacks the field {exc}") from exc
    except ValidationError as exc:
        raise DataFormatError(f"{path}: {exc}") from exc
    stated = dict(data.get("activity", {}))
    source = str(stated.pop("source", ""))
    return Description(data["name"], specs, int(data.get("steps", 1)), stated or {"default": 1.0},
                       float(data.get("input_activity", 1.0)), data.get("precision", "fp32"), data.get("task", ""),
                       data.get("source", ""), list(data.get("notes", [])), stated_activity=bool(stated),
                       activity_source=source, input_graded=bool(data.get("input_graded", False)))


def _component(spec: dict, where: str):
    """Build a whitelisted component from ``{type = "...", ...kwargs}`` (no code is evaluated)."""
    import neurosim as ns
    from neurosim.models import EGRU, GRU

    types = {"Dense": ns.Dense, "SparseLinear": ns.SparseLinear, "LIF": ns.LIF, "LI": ns.LI, "IF": ns.IF,
             "CubaLIF": ns.CubaLIF, "ALIF": ns.ALIF, "EGRU": EGRU, "GRU": GRU, "Conv1d": ns.Conv1d,
             "Conv2d": ns.Conv2d, "SumPool2d": ns.SumPool2d, "AvgPool2d": ns.AvgPool2d, "MaxPool2d": ns.MaxPool2d,
             "Flatten": ns.Flatten}
    if not isinstance(spec, dict) or spec.get("type") not in types and spec.get("type") != "Layer":
        raise DataFormatError(f"{where}: unknown layer type {spec.get('type') if isinstance(spec, dict) else spec!r}"
                              f" (known: Layer, {', '.join(types)})")
    kwargs = {k: v for k, v in spec.items() if k != "type"}
    try:
        if spec["type"] == "Layer":
            proj = _component(kwargs["proj"], f"{where}.proj") if "proj" in kwargs else None
            rec = _component(kwargs["recurrent"], f"{where}.recurrent") if "recurrent" in kwargs else None
            return ns.Layer(proj, _component(kwargs["neuron"], f"{where}.neuron"), recurrent=rec)
        return types[spec["type"]](**kwargs)
    except (TypeError, KeyError, ValidationError) as exc:
        raise DataFormatError(f"{where}: cannot build {spec['type']}: {exc}") from exc


def build(config: dict, where: str = "model"):
    import neurosim as ns

    layers = config.get("layers")
    if not layers:
        raise DataFormatError(f"{where}: no [[layers]]")
    names = [l.get("name") if isinstance(l, dict) else None for l in layers]
    built = [_component({k: v for k, v in l.items() if k != "name"} if isinstance(l, dict) else l,
                        f"{where}.layers[{i}]") for i, l in enumerate(layers)]
    if all(n is None for n in names):
        return ns.Sequential(built)
    if any(n is None for n in names) or len(set(names)) != len(names):
        raise DataFormatError(f"{where}: give every layer a unique name, or none (got {names})")
    try:
        return ns.Sequential(built, names=names)
    except ValidationError as exc:  # e.g. consecutive shapes that do not chain
        raise DataFormatError(f"{where}: {exc}") from exc


def architecture(name_or_path, search_path=None):
    """The untrained network of a zoo entry (``architecture`` or ``trained`` kind), with fresh parameters to be
    drawn by ``model.init(key)``: e.g. to train the entry's architecture on your own data."""
    data, path = _read(name_or_path, search_path)
    if data.get("kind") not in ("architecture", "trained"):
        raise ValidationError(f"{path}: {data.get('name')!r} is a {data.get('kind')!r} entry, not a buildable "
                              "architecture")
    return build(data, str(path))


def load(name_or_path, search_path=None) -> ZooModel:
    """Build a trained zoo entry and load its weights (``neurosim.models.load``); ``search_path``: extra zoo
    folders searched first (see :mod:`neurosim.resources`)."""
    import jax

    from neurosim.io.checkpoint import load_checkpoint

    data, path = _read(name_or_path, search_path)
    if data.get("kind") != "trained":
        raise ValidationError(f"{path}: {data.get('name')!r} is a {data.get('kind')!r} entry without weights; "
                              "use neurosim.zoo.load_description for energy estimates"
                              + (" or neurosim.zoo.architecture to train it" if data.get("kind") == "architecture"
                                 else ""))
    model = build(data, str(path))
    template = model.init(jax.random.PRNGKey(0))
    weights = path.parent / data.get("weights", f"{path.stem}.h5")
    trees, _, _ = load_checkpoint(weights, {"params": template})
    return ZooModel(data["name"], model, trees["params"], data, path)
