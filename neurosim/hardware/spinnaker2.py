r"""Mapping a workload onto SpiNNaker 2 and pricing it (constants: ``hardware_profiles/spinnaker2.toml``).

**Placement.** Synapses live with their target neuron (as in sPyNNaker/py-spinnaker2). A layer's neurons are cut
into slices, one per PE, as large as the PE's data memory allows:

.. math:: B(n) = n\,(b_\mathrm{state} + s\,b_\mathrm{syn}) + \sum_p (n^{(p)}_\mathrm{in}+1)\,b_\mathrm{ptr}
          \le M_\mathrm{PE} - M_\mathrm{buffers}

with :math:`s` stored synapses per neuron (``weights_per_synapse`` × fan-in × density) and :math:`b_\mathrm{syn}`
= value (+ 16-bit index when the matrix is sparse). Slices are also capped at ``max_neurons_per_pe``. A neuron whose
synapses alone overflow a PE is refused (``MappingError`` naming the PE, the limit and the overflow in bytes) unless
``allow_dram``: its weights then stay in DRAM and every step streams the rows it touches. PEs fill chips
(``pes_usable`` each), chips fill 48-chip boards; ``max_chips`` makes a larger network an error that says so.

**Execution per step and PE (ARM cycles).** synaptic work: binary spike × synapse → ``cycles_per_synaptic_event``,
graded event × synapse (EGRU, dense real inputs) → ``cycles_per_sparse_mac`` (sparse weights) or
``cycles_per_dense_mac``; or, with ``execution="mac"`` for dense layers, the int8 MAC array at its measured
utilisation; neuron updates (``cycles_per_neuron_update`` / ``..._gated_unit_update``); packets sent (own events)
and received (every event of a source layer reaches each PE of the target); a fixed per-step overhead.
The slowest PE sets the step time; layers run concurrently (pipelined over steps).

**Energy per inference.** ARM cycles × ``energy_per_cycle`` (active increment over sleep, derived from the chip's
CoreMark vs sleep power); MAC-array MACs × ``mac_energy``; packets × bits × ``mean_hops`` × ``energy_per_bit_hop``
(+ chip links for packets crossing chips); DRAM bytes × ``dram_energy_per_byte``; static = (chip base power ×
chips + PE sleep power × PEs used) × time per inference.
"""

from __future__ import annotations

import math

from neurosim import validate
from neurosim.errors import MappingError
from neurosim.hardware.estimate import Estimate, combine
from neurosim.hardware.profile import Profile
from neurosim.hardware.workload import LayerWorkload, Workload


def _bytes_per_synapse(profile: Profile, layer: LayerWorkload, precision: str) -> float:
    mem = profile["memory"]
    value = mem["bytes_per_weight_fp32"] if precision == "fp32" else mem["bytes_per_weight_int8"]
    dense = all(p.density >= 0.5 for p in layer.spec.projections)
    return value if dense else value + mem["bytes_per_index"]


def place_layer(profile: Profile, layer: LayerWorkload, *, precision: str, max_neurons_per_pe: int,
                allow_dram: bool, first_pe: int) -> dict:
    """Neurons per PE, PEs used, bytes per PE, and whether weights spill to DRAM."""
    mem = profile["memory"]
    budget = profile["chip"]["sram_data_per_pe"] - mem["buffer_bytes_per_pe"]
    spec = layer.spec
    syn_per_neuron = spec.synapses / spec.n_neurons
    b_syn = _bytes_per_synapse(profile, layer, precision)
    per_neuron = spec.state_vars * mem["bytes_per_state_fp32"] + syn_per_neuron * b_syn
    fixed = sum((p.n_in + 1) * mem["bytes_per_row_pointer"] for p in spec.projections
                if p.density < 0.5)
    n_fit = math.floor((budget - fixed) / per_neuron) if budget > fixed else 0
    dram = False
    if n_fit < 1:
        need = fixed + per_neuron
        if not allow_dram:
            raise MappingError(
                f"PE {first_pe} (layer {spec.name!r}): one neuron needs {need:,.0f} B of data memory "
                f"({syn_per_neuron:,.0f} synapses x {b_syn:g} B + state + row pointers), limit {budget:,.0f} B, "
                f"overflow {need - budget:,.0f} B; prune the layer or pass allow_dram=True")
        dram = True
        per_neuron_sram = spec.state_vars * mem["bytes_per_state_fp32"]
        n_fit = math.floor(budget / per_neuron_sram)
        per_neuron = per_neuron_sram
        fixed = 0.0
    binding = "memory"
    if n_fit > max_neurons_per_pe:
        n_fit, binding = max_neurons_per_pe, "neurons per PE"
    n_per_pe = min(n_fit, spec.n_neurons)
    pes = math.ceil(spec.n_neurons / n_per_pe)
    bytes_per_pe = fixed + n_per_pe * per_neuron
    return {"neurons_per_pe": n_per_pe, "pes": pes, "bytes_per_pe": bytes_per_pe, "dram": dram,
            "binding": "DRAM spill" if dram else binding, "weight_bytes": spec.synapses * b_syn,
            "bytes_per_synapse": b_syn}


def estimate_spinnaker2(workload: Workload, profile: Profile, *, dvfs: str | None = None, precision: str = "fp32",
                        execution: str = "arm", max_neurons_per_pe: int = 1000, allow_dram: bool = False,
                        max_chips: int | None = None) -> Estimate:
    """Place and price ``workload`` on SpiNNaker 2 (see module docstring). ``execution``: ``"arm"`` (FP32 on
    the cores, event-driven) or ``"mac"`` (dense layers on the int8 MAC array)."""
    validate.choice("precision", precision, ("fp32", "int8"))
    validate.choice("execution", execution, ("arm", "mac"))
    max_neurons_per_pe = validate.positive_int("max_neurons_per_pe", max_neurons_per_pe)
    chip, arm, noc = profile["chip"], profile["arm"], profile["noc"]
    level = profile.dvfs(dvfs)
    f = level["frequency"]
    by_name = {l.name: l for l in workload}
    placements, pe_cursor = {}, 0
    for layer in workload:
        placements[layer.name] = place_layer(profile, layer, precision=precision,
                                             max_neurons_per_pe=max_neurons_per_pe, allow_dram=allow_dram,
                                             first_pe=pe_cursor)
        pe_cursor += placements[layer.name]["pes"]
    total_pes = pe_cursor
    pes_per_chip = int(chip["pes_usable"])
    chips = math.ceil(total_pes / pes_per_chip)
    boards = math.ceil(chips / chip["chips_per_board"])
    if max_chips is not None and chips > max_chips:
        raise MappingError(f"network needs {total_pes} PEs = {chips} chips ({pes_per_chip} usable PEs each), "
                           f"limit {max_chips} chip(s): over by {chips - max_chips} chip(s) / "
                           f"{total_pes - max_chips * pes_per_chip} PEs")

    per_layer, step_cycles, dram_time_per_step, once_cycles = {}, 0.0, 0.0, 0.0
    for layer in workload:
        pl, spec = placements[layer.name], layer.spec
        share = pl["neurons_per_pe"] / spec.n_neurons  # fraction of the layer's work on its busiest PE
        graded_input = spec.update == "gated" or any(
            by_name.get(p.source) is not None and by_name[p.source].spec.graded for p in spec.projections)
        dense_layer = all(p.density >= 0.5 for p in spec.projections)
        mac_array = execution == "mac" and dense_layer
        if mac_array:
            macs = spec.dense_synapses
            cycles_syn = macs * share / (profile["mac_array"]["macs_per_cycle"] * profile["mac_array"]["utilization"])
            mac_energy = macs * level["mac_energy"]
        else:
            if graded_input:
                per_event = arm["cycles_per_dense_mac"] if dense_layer else arm["cycles_per_sparse_mac"]
            else:
                per_event = arm["cycles_per_synaptic_event"]
            cycles_syn = layer.events_per_step * share * per_event
            mac_energy = 0.0
        upd = arm["cycles_per_gated_unit_update"] if spec.update == "gated" else arm["cycles_per_neuron_update"]
        cycles_upd = pl["neurons_per_pe"] * upd
        incoming = sum(by_name[p.source].spikes_per_step for p in spec.projections if p.source in by_name)
        cycles_rx = incoming * arm["cycles_per_packet_receive"]
        cycles_tx = layer.spikes_per_step * share * arm["cycles_per_packet_send"]
        busiest = cycles_syn + cycles_upd + cycles_rx + cycles_tx + arm["cycles_per_step_overhead"]
        if layer.steps < workload.steps:  # e.g. a readout evaluated once per inference: adds time once
            once_cycles += busiest * layer.steps
        else:
            step_cycles = max(step_cycles, busiest)
        # totals over all PEs of the layer (per step), for energy
        total_arm = ((0.0 if mac_array else layer.events_per_step * per_event) + spec.n_neurons * upd
                     + incoming * arm["cycles_per_packet_receive"] * pl["pes"]
                     + layer.spikes_per_step * arm["cycles_per_packet_send"] + arm["cycles_per_step_overhead"] * pl["pes"])
        bits = noc["packet_bits"] + (noc["payload_bits"] if spec.graded else 0)
        noc_j = layer.spikes_per_step * bits * noc["mean_hops"] * noc["energy_per_bit_hop"]
        targets_pes = sum(placements[t.name]["pes"] for t in workload
                          if any(p.source == layer.name for p in t.spec.projections))
        cross = 0.0 if chips <= 1 else layer.spikes_per_step * bits * min(1.0, targets_pes / pes_per_chip)
        link_j = cross * noc["chip_link_energy_per_bit"]
        dram_bytes = layer.events_per_step * pl["bytes_per_synapse"] if pl["dram"] else 0.0
        layer_chips = math.ceil(pl["pes"] / pes_per_chip)  # each chip streams its own slice from its own DRAM
        dram_time_per_step = max(dram_time_per_step, dram_bytes / (chip["dram_bandwidth"] * layer_chips))
        steps = layer.steps
        per_layer[layer.name] = {
            "arm_cores": total_arm * level["energy_per_cycle"] * steps,
            "mac_array": mac_energy * steps,
            "noc": (noc_j + link_j) * steps,
            "dram": dram_bytes * chip["dram_energy_per_byte"] * steps,
        }
    step_time = max(step_cycles / f, dram_time_per_step) + noc["mean_hops"] * noc["hop_cycles"] / f
    steps = workload.steps
    time_per_inference = steps * step_time + once_cycles / f
    latency = time_per_inference + (len(workload.layers) - 1) * step_time  # pipeline fill across layers
    static_power = chip["chip_base_power"] * chips + level["pe_sleep_power"] * total_pes
    memory = sum(p["bytes_per_pe"] * p["pes"] for p in placements.values())
    dram_bytes = sum(p["weight_bytes"] for p in placements.values() if p["dram"])
    resources = {"PEs": total_pes, "chips": chips, "boards": boards,
                 "binding_limit": {k: v["binding"] for k, v in placements.items()},
                 "neurons_per_pe": {k: v["neurons_per_pe"] for k, v in placements.items()},
                 "max_bytes_per_pe": int(max(p["bytes_per_pe"] for p in placements.values())),
                 "dram_weight_bytes": int(dram_bytes), "dvfs": dvfs or sorted(profile["dvfs"])[-1],
                 "clock_hz": f, "step_time_s": step_time}
    notes = []
    if chips > 1:
        notes.append(f"network spans {chips} chips ({boards} board(s)); packets between chips use chip links")
    if dram_bytes:
        notes.append(f"{dram_bytes:,.0f} B of weights stream from DRAM every step (layers: "
                     + ", ".join(k for k, v in placements.items() if v["dram"]) + ")")
    return combine("spinnaker2", per_layer, static_power * time_per_inference, latency, 1.0 / time_per_inference,
                   memory + dram_bytes, resources, notes)
