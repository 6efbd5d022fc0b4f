"""Hardware profiles: what each action costs on a target, as validated data files (TOML, schema-versioned).

A profile file names a ``kind`` (the mapper that reads it: ``spinnaker2``, ``imc`` or ``digital``) and gives every
constant as ``{ value = ..., unit = "...", source = "..." }``. Loading checks the schema version, that every
required field is present, that no unknown field is there (typos), that units match and values are finite and
non-negative (positive where zero makes no sense), and that each constant cites a source. Errors are
:class:`~neurosim.errors.ProfileError` naming the file and the field. TOML is parsed with ``tomllib`` — data only,
nothing is executed.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neurosim import resources
from neurosim.errors import ProfileError

SCHEMA = "neurosim-hardware-profile"
SCHEMA_VERSION = 1
#: the shipped profile folder (inside the installed package, or ``hardware_profiles/`` of a source checkout)
PROFILE_DIR = resources.shipped_dir("profiles") or Path(__file__).resolve().parents[2] / "hardware_profiles"

# field -> (unit, must be > 0).  Sections are TOML tables; "dvfs" holds one table per performance level.
_SPINNAKER2 = {
    "chip": {
        "pes_per_chip": ("count", True), "pes_usable": ("count", True), "sram_data_per_pe": ("B", True),
        "sram_code_per_pe": ("B", True), "dram_per_chip": ("B", True), "dram_bandwidth": ("B/s", True),
        "dram_energy_per_byte": ("J", True), "chips_per_board": ("count", True), "router_entries": ("count", True),
        "chip_base_power": ("W", False), "qpes_per_chip": ("count", True),
    },
    "dvfs": {
        "frequency": ("Hz", True), "voltage": ("V", True), "energy_per_cycle": ("J", True),
        "pe_sleep_power": ("W", False), "mac_energy": ("J", True),
    },
    "mac_array": {"macs_per_cycle": ("count", True), "utilization": ("fraction", True)},
    "arm": {
        "cycles_per_sparse_mac": ("cycles", True), "cycles_per_dense_mac": ("cycles", True),
        "cycles_per_synaptic_event": ("cycles", True), "cycles_per_neuron_update": ("cycles", True),
        "cycles_per_gated_unit_update": ("cycles", True), "cycles_per_packet_send": ("cycles", True),
        "cycles_per_packet_receive": ("cycles", True), "cycles_per_step_overhead": ("cycles", False),
    },
    "noc": {
        "packet_bits": ("bit", True), "payload_bits": ("bit", False), "hop_cycles": ("cycles", True),
        "energy_per_bit_hop": ("J", False), "mean_hops": ("count", False), "chip_link_bandwidth": ("bit/s", True),
        "chip_link_energy_per_bit": ("J", False),
    },
    "memory": {
        "bytes_per_weight_fp32": ("B", True), "bytes_per_weight_int8": ("B", True), "bytes_per_index": ("B", True),
        "bytes_per_row_pointer": ("B", True), "bytes_per_state_fp32": ("B", True), "buffer_bytes_per_pe": ("B", False),
    },
}
_IMC = {
    "crossbar": {
        "rows": ("count", True), "cols": ("count", True), "cell_bits": ("bit", True), "weight_bits": ("bit", True),
        "input_bits": ("bit", True), "cell_read_energy": ("J", True), "cycle_time": ("s", True),
        "leakage_power_per_tile": ("W", False), "tile_area": ("mm2", True),
    },
    "periphery": {
        "dac_energy_per_row": ("J", True), "input_bits_per_cycle": ("bit", True), "adc_bits": ("bit", True),
        "adc_energy": ("J", True), "columns_per_adc": ("count", True), "adc_sample_rate": ("Hz", True),
        "shift_add_energy": ("J", True), "buffer_energy_per_byte": ("J", True), "digital_add_energy": ("J", True),
        "digital_neuron_update_energy": ("J", True),
    },
}
_DIGITAL = {
    "compute": {
        "mac_energy": ("J", True), "add_energy": ("J", True), "nonlinearity_energy": ("J", True),
        "op_overhead_energy": ("J", False), "throughput": ("MAC/s", True), "utilization": ("fraction", True),
        "static_power": ("W", False), "launch_overhead": ("s", False), "kernels_per_layer_step": ("count", False),
    },
    "memory": {
        "on_chip_bytes": ("B", True), "on_chip_energy_per_byte": ("J", True), "on_chip_bandwidth": ("B/s", True),
        "dram_energy_per_byte": ("J", True), "dram_bandwidth": ("B/s", True), "bytes_per_weight": ("B", True),
    },
}
# What a deployed system adds around the kernel (every kind): the host link, per-inference orchestration, and what
# the chip draws while it waits (0 = sleeps at static power, 1 = busy-waits at its average active power).
_SYSTEM = {
    "host_link_bandwidth": ("B/s", True), "host_link_latency": ("s", False),
    "host_link_energy_per_byte": ("J", False), "transactions_per_inference": ("count", False),
    "orchestration_time": ("s", False), "idle_active_fraction": ("fraction", False),
}
for _schema in (_SPINNAKER2, _IMC, _DIGITAL):
    _schema["system"] = _SYSTEM
SCHEMAS = {"spinnaker2": _SPINNAKER2, "imc": _IMC, "digital": _DIGITAL}
# Options each mapper takes a default for from the profile's optional [defaults] table ({ value, source }).
DEFAULTS = {"spinnaker2": {"dvfs": str}, "imc": {"input_bit_density": float},
            "digital": {"execution": str, "batch": int}}
_META = {"schema", "schema_version", "name", "kind", "description", "defaults"}


@dataclass(frozen=True)
class Constant:
    value: float
    unit: str
    source: str


@dataclass
class Profile:
    """A validated profile: ``profile["chip"]["pes_per_chip"]`` is a float; ``profile.sources`` keeps citations."""

    name: str
    kind: str
    description: str
    sections: dict[str, dict[str, Any]]
    path: Path | None = None
    constants: dict[str, Constant] = field(default_factory=dict)
    defaults: dict[str, Constant] = field(default_factory=dict)  # mapper option -> (value, source)

    def default(self, option: str, given=None):
        """``given`` if not None, else the profile's sourced default for ``option`` (None if it has none)."""
        if given is not None:
            return given
        c = self.defaults.get(option)
        return None if c is None else c.value

    def source(self, key: str) -> str:
        """The citation of constant ``key`` (``"section.field"``), or ``""``."""
        c = self.constants.get(key)
        return c.source if c else ""

    def __getitem__(self, section: str):
        return self.sections[section]

    def dvfs(self, level: str | None = None) -> dict[str, float]:
        levels = self.sections.get("dvfs", {})
        if not levels:
            raise ProfileError(f"{self.name}: profile has no DVFS levels")
        level = self.default("dvfs", level)
        if level is None:
            raise ProfileError(f"{self.name}: give a DVFS level ({sorted(levels)}); the profile sets no default")
        if level not in levels:
            raise ProfileError(f"{self.name}: unknown DVFS level {level!r}; levels are {sorted(levels)}")
        return levels[level]


def _where(path, *keys) -> str:
    return f"{path}: " + ".".join(str(k) for k in keys)


def _constant(path, keys, raw, unit: str, positive: bool) -> Constant:
    where = _where(path, *keys)
    if not isinstance(raw, dict):
        raise ProfileError(f"{where}: expected a table {{ value, unit, source }}, got {type(raw).__name__}")
    extra = set(raw) - {"value", "unit", "source", "confidence", "note"}
    if extra:
        raise ProfileError(f"{where}: unknown key(s) {sorted(extra)}")
    for key in ("value", "unit", "source"):
        if key not in raw:
            raise ProfileError(f"{where}: missing '{key}'")
    value = raw["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProfileError(f"{where}: value must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ProfileError(f"{where}: value must be finite, got {value!r}")
    if value < 0 or (positive and value == 0):
        raise ProfileError(f"{where}: value must be {'> 0' if positive else '>= 0'}, got {value!r}")
    if raw["unit"] != unit:
        raise ProfileError(f"{where}: unit must be {unit!r}, got {raw['unit']!r}")
    if not isinstance(raw["source"], str) or not raw["source"].strip():
        raise ProfileError(f"{where}: source must be a non-empty string citing where the number comes from")
    return Constant(float(value), unit, raw["source"])


def _section(path, name, raw, schema, constants, prefix=()) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise ProfileError(f"{_where(path, *prefix, name)}: expected a table")
    missing = sorted(set(schema) - set(raw))
    if missing:
        raise ProfileError(f"{_where(path, *prefix, name)}: missing field(s) {', '.join(missing)}")
    unknown = sorted(set(raw) - set(schema))
    if unknown:
        raise ProfileError(f"{_where(path, *prefix, name)}: unknown field(s) {', '.join(unknown)}")
    out = {}
    for key, (unit, positive) in schema.items():
        c = _constant(path, (*prefix, name, key), raw[key], unit, positive)
        constants[".".join((*prefix, name, key))] = c
        out[key] = c.value
    return out


def parse_profile(data: dict, path: str | Path = "<profile>") -> Profile:
    """Validate a parsed TOML document and build a :class:`Profile`."""
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: expected a TOML table at the top level")
    if data.get("schema") != SCHEMA:
        raise ProfileError(f"{path}: schema must be {SCHEMA!r}, got {data.get('schema')!r}")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ProfileError(f"{path}: schema_version must be {SCHEMA_VERSION}, got {data.get('schema_version')!r}")
    kind = data.get("kind")
    if kind not in SCHEMAS:
        raise ProfileError(f"{path}: kind must be one of {sorted(SCHEMAS)}, got {kind!r}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ProfileError(f"{path}: name must be a non-empty string")
    schema = SCHEMAS[kind]
    unknown = sorted(set(data) - _META - set(schema))
    if unknown:
        raise ProfileError(f"{path}: unknown section(s) {', '.join(unknown)}")
    sections: dict[str, Any] = {}
    constants: dict[str, Constant] = {}
    for sec, fields in schema.items():
        if sec not in data:
            raise ProfileError(f"{path}: missing section [{sec}]")
        if sec == "dvfs":
            levels = data[sec]
            if not isinstance(levels, dict) or not levels:
                raise ProfileError(f"{_where(path, 'dvfs')}: needs at least one performance level table")
            sections[sec] = {lvl: _section(path, lvl, raw, fields, constants, ("dvfs",)) for lvl, raw in levels.items()}
        else:
            sections[sec] = _section(path, sec, data[sec], fields, constants)
    defaults = _defaults(path, kind, data.get("defaults", {}))
    if kind == "spinnaker2" and "dvfs" in defaults and defaults["dvfs"].value not in sections["dvfs"]:
        raise ProfileError(f"{_where(path, 'defaults', 'dvfs')}: {defaults['dvfs'].value!r} is not a DVFS level "
                           f"({sorted(sections['dvfs'])})")
    return Profile(name, kind, str(data.get("description", "")), sections, Path(path) if path else None, constants,
                   defaults)


def _defaults(path, kind: str, raw) -> dict[str, Constant]:
    if not isinstance(raw, dict):
        raise ProfileError(f"{_where(path, 'defaults')}: expected a table")
    allowed = DEFAULTS[kind]
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ProfileError(f"{_where(path, 'defaults')}: unknown option(s) {', '.join(unknown)} (known: "
                           f"{', '.join(allowed) or 'none'})")
    out = {}
    for key, typ in allowed.items():
        if key not in raw:
            continue
        item = raw[key]
        where = _where(path, "defaults", key)
        if not isinstance(item, dict) or set(item) - {"value", "source"} or "value" not in item:
            raise ProfileError(f"{where}: expected {{ value, source }}")
        if not isinstance(item["value"], typ) or isinstance(item["value"], bool):
            raise ProfileError(f"{where}: value must be a {typ.__name__}, got {item['value']!r}")
        if not isinstance(item.get("source"), str) or not item["source"].strip():
            raise ProfileError(f"{where}: source must be a non-empty string")
        out[key] = Constant(item["value"], "", item["source"])
    return out


def load_profile(name_or_path: str | Path, search_path=None) -> Profile:
    """Load a profile by name (``"spinnaker2"``: searched in ``search_path``, ``NEUROSIM_PROFILE_PATH`` and the
    shipped profiles, see :mod:`neurosim.resources`) or any profile file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = resources.find("profiles", str(name_or_path), ".toml", search_path)
    if path is None or not path.exists():
        known = ", ".join(list_profiles(search_path)) or "none: no profile folder found"
        raise ProfileError(f"{name_or_path}: no such profile (known profiles: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from exc
    return parse_profile(data, path)


def list_profiles(search_path=None) -> list[str]:
    """Names of the profiles in the user folders (``search_path``, ``NEUROSIM_PROFILE_PATH``) and the shipped ones."""
    return resources.names("profiles", ".toml", search_path)
