"""The model zoo (``models/`` at the repository root): entries are TOML files read with ``tomllib`` (no code).

An entry of ``kind = "description"`` gives a network's structure and activity without weights; it turns into
:class:`~neurosim.core.spec.LayerSpec` objects and a :class:`~neurosim.hardware.workload.Workload`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from neurosim.errors import DataFormatError, ValidationError

ZOO_DIR = Path(__file__).resolve().parents[1] / "models"
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

    def workload(self, activity: float | dict | None = None):
        from neurosim.hardware.workload import from_rates

        act = self.activity if activity is None else activity
        if isinstance(act, dict) and "default" in act:
            default = act["default"]
            act = {s.name: act.get(s.name, default) for s in self.specs}
        wl = from_rates(self.specs, steps=self.steps, activity=act, input_activity=self.input_activity)
        wl.notes.extend(self.notes)
        return wl


def list_models() -> list[str]:
    return sorted(p.stem for p in ZOO_DIR.glob("*.toml"))


def load_description(name_or_path: str | Path) -> Description:
    from neurosim.hardware.workload import describe_layer

    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = ZOO_DIR / f"{name_or_path}.toml"
    if not path.exists():
        raise ValidationError(f"model: no zoo entry or file {name_or_path!r} (zoo: {', '.join(list_models())})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{path}: not valid TOML: {exc}") from exc
    if data.get("schema") != SCHEMA or data.get("schema_version") != 1:
        raise DataFormatError(f"{path}: not a neurosim model file (schema {data.get('schema')!r}, version "
                              f"{data.get('schema_version')!r})")
    if data.get("kind") != "description":
        raise DataFormatError(f"{path}: kind {data.get('kind')!r} is not a description")
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
    return Description(data["name"], specs, int(data.get("steps", 1)), dict(data.get("activity", {"default": 1.0})),
                       float(data.get("input_activity", 1.0)), data.get("precision", "fp32"), data.get("task", ""),
                       data.get("source", ""), list(data.get("notes", [])))
