"""The result of pricing a workload on a target: energy, latency, throughput, memory and resources, in two figures
side by side — **kernel-bound** (what the silicon does while it computes) and **as deployed** (plus host-link
transfers, per-inference orchestration and the idle/static power over the whole wall-clock latency) — with every
energy term kept as ``count × unit cost`` and the profile field it came from, so ``explain()`` can print it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

KERNEL, SYSTEM = "kernel", "system"


@dataclass(frozen=True)
class Term:
    """One energy term of an inference: ``count`` actions (or seconds, for a power) × ``unit_cost`` J (or W)."""

    layer: str  # layer name, or "system" for whole-chip terms (static power, host link)
    component: str  # e.g. "arm_cores", "adc", "static", "host_link"
    count: float  # per inference
    unit_cost: float  # J per action, or W for a power charged over ``count`` seconds
    field: str  # the profile field(s) the unit cost comes from
    source: str = ""  # the citation of that field
    scope: str = KERNEL  # KERNEL: part of the kernel-bound figure; SYSTEM: deployed only
    unit: str = "action"  # what ``count`` counts ("s" for power × time)

    @property
    def energy(self) -> float:
        return self.count * self.unit_cost

    def as_dict(self) -> dict:
        return {"layer": self.layer, "component": self.component, "count": self.count, "count_unit": self.unit,
                "unit_cost": self.unit_cost, "energy_J": self.energy, "field": self.field, "source": self.source,
                "scope": self.scope}


@dataclass(frozen=True)
class LatencyPart:
    name: str  # "compute", "pipeline_fill", "noc", "dram", "host_link", "orchestration", ...
    seconds: float
    basis: str  # how it was computed (profile fields)
    scope: str = KERNEL


@dataclass
class Estimate:
    target: str
    energy_per_inference: float  # J, as deployed
    latency: float  # s per inference (or per batch on digital targets), as deployed
    throughput: float  # inferences per s, as deployed
    memory_bytes: int
    components: dict[str, float]  # J per inference by component, as deployed
    layers: dict[str, dict[str, float]]  # J per inference by layer and component (dynamic, kernel scope)
    resources: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    kernel_energy: float = 0.0  # J per inference, kernel-bound
    kernel_latency: float = 0.0  # s, kernel-bound
    kernel_components: dict[str, float] = field(default_factory=dict)
    latency_parts: list[LatencyPart] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"target": self.target, "energy_per_inference_J": self.energy_per_inference, "latency_s": self.latency,
                "throughput_per_s": self.throughput, "memory_bytes": self.memory_bytes,
                "energy_by_component_J": self.components, "energy_by_layer_J": self.layers,
                "kernel_bound": {"energy_per_inference_J": self.kernel_energy, "latency_s": self.kernel_latency,
                                 "energy_by_component_J": self.kernel_components},
                "as_deployed": {"energy_per_inference_J": self.energy_per_inference, "latency_s": self.latency,
                                "energy_by_component_J": self.components},
                "latency_parts_s": [{"part": p.name, "seconds": p.seconds, "basis": p.basis, "scope": p.scope}
                                    for p in self.latency_parts],
                "terms": [t.as_dict() for t in self.terms],
                "resources": self.resources, "notes": self.notes, "assumptions": self.assumptions}

    def __repr__(self):
        comps = sorted(((k, v) for k, v in self.components.items() if v > 0), key=lambda kv: -kv[1])[:3]
        top = ", ".join(f"{k} {fmt_energy(v)}" for k, v in comps)
        rate = f"{self.throughput:,.0f}" if self.throughput >= 10 else f"{self.throughput:.3g}"
        return (f"Estimate({self.target!r}: {fmt_energy(self.energy_per_inference)} in {fmt_time(self.latency)} per "
                f"inference as deployed, kernel-bound {fmt_energy(self.kernel_energy)} in "
                f"{fmt_time(self.kernel_latency)}; {rate} inferences/s, memory {fmt_bytes(self.memory_bytes)};"
                f"\n  top components: {top or 'none'}; {len(self.layers)} layer(s), {len(self.terms)} terms "
                f"(.table(), .explain()))")

    def to_json(self, **kw) -> str:
        return json.dumps(self.as_dict(), indent=2, **kw)

    def plot(self, ax=None):
        """Stacked bar of the energy by component (see :func:`neurosim.plot.energy_breakdown`)."""
        from neurosim.plot import energy_breakdown

        return energy_breakdown([self], ax=ax, title=f"{self.target}: energy per inference")

    def headline(self) -> str:
        return (f"target {self.target}: kernel-bound {fmt_energy(self.kernel_energy)} in "
                f"{fmt_time(self.kernel_latency)}; as deployed {fmt_energy(self.energy_per_inference)} in "
                f"{fmt_time(self.latency)} per inference")

    def table(self) -> str:
        lines = [self.headline(), f"throughput {self.throughput:,.1f}/s, memory {fmt_bytes(self.memory_bytes)}"]
        lines += [f"assumption: {a}" for a in self.assumptions]
        if self.resources:
            lines.append("resources: " + ", ".join(f"{k} {v}" for k, v in self.resources.items()))
        comps = sorted(self.components)
        width = max([len(k) for k in self.layers] + [14])
        lines.append(f"{'layer':<{width}}  " + "  ".join(f"{c:>11}" for c in comps) + f"  {'total':>11}")
        for name, parts in self.layers.items():
            lines.append(f"{name:<{width}}  " + "  ".join(f"{fmt_energy(parts.get(c, 0.0)):>11}" for c in comps)
                         + f"  {fmt_energy(sum(parts.values())):>11}")
        for label, src in (("kernel-bound", self.kernel_components), ("as deployed", self.components)):
            lines.append(f"{label:<{width}}  " + "  ".join(f"{fmt_energy(src.get(c, 0.0)):>11}" for c in comps)
                         + f"  {fmt_energy(sum(src.values())):>11}")
        lines.append("latency: " + " + ".join(f"{p.name} {fmt_time(p.seconds)}" for p in self.latency_parts
                                                if p.seconds > 0) + f" = {fmt_time(self.latency)}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def explain(self) -> str:
        """Every energy term as ``count × unit cost = energy`` with its profile field and source, then the
        latency parts; the kernel-bound and as-deployed totals they add up to."""
        lines = [self.headline(), "", "energy terms (per inference):"]
        for t in self.terms:
            lines.append(f"  [{t.scope:6s}] {t.layer:>10s} {t.component:<12s} {t.count:14,.4g} {t.unit:<6s} x "
                         f"{t.unit_cost:.4g} {'W' if t.unit == 's' else 'J'} = {fmt_energy(t.energy):>10}   "
                         f"{t.field}")
            if t.source:
                lines.append(f"{'':23s}source: {t.source}")
        lines += [f"  kernel-bound total {fmt_energy(self.kernel_energy)}; as-deployed total "
                  f"{fmt_energy(self.energy_per_inference)}", "", "latency parts:"]
        for p in self.latency_parts:
            lines.append(f"  [{p.scope:6s}] {p.name:<14s} {fmt_time(p.seconds):>10}   {p.basis}")
        lines.append(f"  kernel-bound {fmt_time(self.kernel_latency)}; as deployed {fmt_time(self.latency)}")
        lines += [f"assumption: {a}" for a in self.assumptions]
        return "\n".join(lines)


def build_estimate(target: str, terms: list[Term], parts: list[LatencyPart], *, memory: int, resources: dict,
                   notes: list[str], batch: int = 1) -> Estimate:
    """Sum the terms into the two figures. ``parts`` are per batch; energies are per inference (already divided by
    the batch where shared). Throughput = ``batch`` / deployed latency."""
    def by(scope_ok):
        comps: dict[str, float] = {}
        for t in terms:
            if scope_ok(t.scope):
                comps[t.component] = comps.get(t.component, 0.0) + t.energy
        return comps

    kernel_components = by(lambda s: s == KERNEL)
    components = by(lambda s: True)
    layers: dict[str, dict[str, float]] = {}
    for t in terms:
        if t.layer != "system" and t.scope == KERNEL:
            layers.setdefault(t.layer, {})
            layers[t.layer][t.component] = layers[t.layer].get(t.component, 0.0) + t.energy
    k_lat = sum(p.seconds for p in parts if p.scope == KERNEL)
    lat = sum(p.seconds for p in parts)
    return Estimate(target, sum(components.values()), lat, batch / lat if lat else float("inf"), int(memory),
                    components, layers, resources, notes, sum(kernel_components.values()), k_lat,
                    kernel_components, list(parts), list(terms))


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
