r"""Pricing a workload on a conventional digital processor (CPU or GPU profile, ``kind = "digital"``).

Per step and layer: executed operations × their energy, plus weight traffic. ``execution="event"`` processes only
synaptic events (binary spike inputs → accumulates, graded inputs → MACs); ``"dense"`` multiplies every stored
weight every step (what a GPU kernel does). Every executed synapse reads its weight once: from on-chip memory when
all weights fit in ``on_chip_bytes``, else from DRAM. Neuron updates: LIF ≈ 2 MACs; gated unit ≈ 6 MACs + 3
nonlinearities. Latency = operations / ``throughput`` + ``step_overhead`` per step (or DRAM-bandwidth bound);
static energy = ``static_power`` × latency.
"""

from __future__ import annotations

from neurosim import validate
from neurosim.hardware.estimate import Estimate, combine
from neurosim.hardware.profile import Profile
from neurosim.hardware.workload import Workload


def estimate_digital(workload: Workload, profile: Profile, *, execution: str = "event", batch: int = 1) -> Estimate:
    """Per-inference energy and latency at batch size ``batch``: a batch shares each step's weight reads and the
    per-step overhead, so memory energy and overhead time are divided by ``batch`` per inference, while compute
    scales with it; latency is that of a whole batch, throughput counts inferences."""
    validate.choice("execution", execution, ("event", "dense"))
    batch = validate.positive_int("batch", batch)
    comp, mem = profile["compute"], profile["memory"]
    by_name = {l.name: l for l in workload}
    weight_bytes = sum(l.spec.synapses for l in workload) * mem["bytes_per_weight"]
    fits = weight_bytes <= mem["on_chip_bytes"]
    e_byte = mem["on_chip_energy_per_byte"] if fits else mem["dram_energy_per_byte"]
    per_layer, time_per_inference = {}, 0.0
    for layer in workload:
        spec = layer.spec
        binary_input = not spec.update == "gated" and not any(
            by_name.get(p.source) is not None and by_name[p.source].spec.graded for p in spec.projections) and any(
            p.source in by_name or p.recurrent for p in spec.projections)
        ops = layer.events_per_step if execution == "event" else float(spec.dense_synapses)
        syn_energy = ops * (comp["add_energy"] if (binary_input and execution == "event") else comp["mac_energy"])
        if spec.update == "gated":
            upd = spec.n_neurons * (6 * comp["mac_energy"] + 3 * comp["nonlinearity_energy"])
            upd_ops = spec.n_neurons * 9
        else:
            upd = spec.n_neurons * 2 * comp["mac_energy"]
            upd_ops = spec.n_neurons * 2
        # weights read once per step for the whole batch (dense: all; event: the union of active rows, bounded
        # by the weights stored)
        traffic = min(ops * batch, float(spec.synapses)) * mem["bytes_per_weight"]
        t_step = max(batch * (ops + upd_ops) / comp["throughput"], 0 if fits else traffic / mem["dram_bandwidth"])
        time_per_inference += layer.steps * (t_step + comp["step_overhead"])
        s = layer.steps
        per_layer[layer.name] = {"compute": (syn_energy + upd) * s, "memory": traffic / batch * e_byte * s}
    notes = [f"weights ({weight_bytes:,.0f} B) {'fit on chip' if fits else 'stream from DRAM'}",
             f"execution: {execution}, batch {batch}"]
    resources = {"execution": execution, "weights_on_chip": fits, "batch": batch}
    return combine(profile.name, per_layer, comp["static_power"] * time_per_inference / batch, time_per_inference,
                   batch / time_per_inference if time_per_inference else float("inf"), weight_bytes, resources, notes)
