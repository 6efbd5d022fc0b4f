"""The result of pricing a workload on a target: energy, latency, throughput, memory and resources, with a
per-layer and per-component breakdown, as a table, JSON or a plot."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass
class Estimate:
    target: str
    energy_per_inference: float  # J
    latency: float  # s per inference (batch 1)
    throughput: float  # inferences per s
    memory_bytes: int
    components: dict[str, float]  # J per inference by component
    layers: dict[str, dict[str, float]]  # J per inference by layer and component
    resources: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"target": self.target, "energy_per_inference_J": self.energy_per_inference, "latency_s": self.latency,
                "throughput_per_s": self.throughput, "memory_bytes": self.memory_bytes,
                "energy_by_component_J": self.components, "energy_by_layer_J": self.layers,
                "resources": self.resources, "notes": self.notes}

    def to_json(self, **kw) -> str:
        return json.dumps(self.as_dict(), indent=2, **kw)

    def plot(self, ax=None):
        """Stacked bar of the energy by component (see :func:`neurosim.plot.energy_breakdown`)."""
        from neurosim.plot import energy_breakdown

        return energy_breakdown([self], ax=ax, title=f"{self.target}: energy per inference")

    def table(self) -> str:
        lines = [f"target {self.target}: {fmt_energy(self.energy_per_inference)} per inference, latency "
                 f"{fmt_time(self.latency)}, throughput {self.throughput:,.1f}/s, memory {fmt_bytes(self.memory_bytes)}"]
        if self.resources:
            lines.append("resources: " + ", ".join(f"{k} {v}" for k, v in self.resources.items()))
        comps = sorted(self.components)
        width = max([len(k) for k in self.layers] + [5])
        lines.append(f"{'layer':<{width}}  " + "  ".join(f"{c:>12}" for c in comps) + f"  {'total':>12}")
        for name, parts in self.layers.items():
            lines.append(f"{name:<{width}}  " + "  ".join(f"{fmt_energy(parts.get(c, 0.0)):>12}" for c in comps)
                         + f"  {fmt_energy(sum(parts.values())):>12}")
        lines.append(f"{'total':<{width}}  " + "  ".join(f"{fmt_energy(self.components[c]):>12}" for c in comps)
                     + f"  {fmt_energy(self.energy_per_inference):>12}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def combine(target: str, per_layer: dict[str, dict[str, float]], static: float, latency: float, throughput: float,
            memory: int, resources: dict, notes: list[str]) -> Estimate:
    """Sum per-layer dynamic energies, add static energy, and build the :class:`Estimate`."""
    components: dict[str, float] = {}
    for parts in per_layer.values():
        for k, v in parts.items():
            components[k] = components.get(k, 0.0) + v
    components["static"] = components.get("static", 0.0) + static
    total = sum(components.values())
    return Estimate(target, total, latency, throughput, int(memory), components, per_layer, resources, notes)


def fmt_energy(j: float) -> str:
    for unit, scale in (("J", 1.0), ("mJ", 1e-3), ("uJ", 1e-6), ("nJ", 1e-9), ("pJ", 1e-12)):
        if abs(j) >= scale:
            return f"{j / scale:.3g} {unit}"
    return f"{j / 1e-15:.3g} fJ" if j else "0 J"


def fmt_time(s: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s:.3g} s"


def fmt_bytes(b: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= scale:
            return f"{b / scale:.3g} {unit}"
    return f"{int(b)} B"
