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

**Convolutions** are placed by output channels: a PE holds whole feature maps and the kernels feeding them (weights
shared by every position, no index), or, when one map does not fit, a spatial tile of one map and a copy of its
kernel; the binding limit names the constraint that set the cut. An input event costs its exact (border-aware)
kernel fan-out on the ARM event-driven kernel, or the layer runs as a dense convolution on the int8 MAC array
(``execution="mac"``, dense MACs with padding). Pooling stages are accumulators on the ARM cores (one add per
input event, one update per output); ``Flatten`` is free.

**Execution per step and PE (ARM cycles).** synaptic work: binary spike × synapse → ``cycles_per_synaptic_event``,
graded event × synapse (EGRU, dense real inputs) → ``cycles_per_sparse_mac`` (sparse weights) or
``cycles_per_dense_mac``; or, with ``execution="mac"`` for dense layers, the int8 MAC array at its measured
utilisation; neuron updates (``cycles_per_neuron_update`` / ``..._gated_unit_update``); packets sent (own events)
and received (an event of a source layer reaches each PE of the target that holds one of its targets: every PE
of a dense layer; for convolution and pooling, the PEs of its channel group and, for spatial tiles, the tiles its
window footprint overlaps); a fixed per-step overhead.
The slowest PE sets the step time; layers run concurrently (pipelined over steps).

**Energy per inference.** ARM cycles × ``energy_per_cycle`` (active increment over sleep, derived from the chip's
CoreMark vs sleep power); MAC-array MACs × ``mac_energy``; packets × bits × ``mean_hops`` × ``energy_per_bit_hop``
(+ chip links for packets crossing chips); DRAM bytes × ``dram_energy_per_byte``; static = (chip base power ×
chips + PE sleep power × PEs allocated) × the kernel latency (compute, DRAM, NoC, pipeline fill). External input
values arrive as packets at every PE of the layers they feed. ``pes`` allocates more PEs than the placer packs
(a deployment's choice: less work per PE, more sleep power). Host link, orchestration and idle power over them are
added for the as-deployed figure by :mod:`neurosim.hardware.system`.
"""

from __future__ import annotations

import math

from neurosim import validate
from neurosim.errors import MappingError
from neurosim.hardware.estimate import Estimate, LatencyPart, Term, build_estimate
from neurosim.hardware.profile import Profile
from neurosim.hardware.system import deployed_parts, static_term
from neurosim.hardware.workload import LayerWorkload, Workload


def _bytes_per_synapse(profile: Profile, layer: LayerWorkload, precision: str) -> float:
    mem = profile["memory"]
    value = mem["bytes_per_weight_fp32"] if precision == "fp32" else mem["bytes_per_weight_int8"]
    dense = all(p.density >= 0.5 for p in layer.spec.projections)
    return value if dense else value + mem["bytes_per_index"]


def _chunks_hit(geo, chunk: int) -> float:
    """Expected number of ``chunk``-neuron pieces of one output map that an input event's window footprint
    (ceil(k/s) output rows, a contiguous run of positions in the flat map) overlaps."""
    width = math.prod(geo.out_shape[2:]) if len(geo.out_shape) > 2 else 1
    span = math.ceil(geo.kernel[0] / geo.stride[0]) * width
    return 1.0 + (span - 1) / chunk  # a run of L positions over chunks of N starts at a uniform offset


def place_layer(profile: Profile, layer: LayerWorkload, *, precision: str, max_neurons_per_pe: int,
                allow_dram: bool, first_pe: int) -> dict:
    """Neurons per PE, PEs used, bytes per PE, and whether weights spill to DRAM."""
    if layer.spec.conv is not None and layer.spec.conv.op == "conv":
        return _place_conv(profile, layer, precision=precision, max_neurons_per_pe=max_neurons_per_pe,
                           allow_dram=allow_dram, first_pe=first_pe)
    mem = profile["memory"]
    budget = profile["chip"]["sram_data_per_pe"] - mem["buffer_bytes_per_pe"]
    spec = layer.spec
    syn_per_neuron = spec.stored_weights / spec.n_neurons
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
    placed = {}
    if spec.conv is not None and pes > 1:  # pooling: an event reaches the PE(s) holding its own channel's window
        placed["receive_fraction"] = min(pes, _chunks_hit(spec.conv, n_per_pe)) / pes
    return {**placed, "neurons_per_pe": n_per_pe, "pes": pes, "bytes_per_pe": bytes_per_pe, "dram": dram,
            "binding": "DRAM spill" if dram else binding, "weight_bytes": spec.stored_weights * b_syn,
            "bytes_per_synapse": b_syn, "fixed_bytes": fixed}


def _place_conv(profile: Profile, layer: LayerWorkload, *, precision: str, max_neurons_per_pe: int,
                allow_dram: bool, first_pe: int) -> dict:
    """A convolution is placed by output channels: a PE holds ``m`` whole feature maps (their neurons' state) and
    the ``m`` kernels that feed them (C_in/groups × K weights each, shared by every position, no index). When one
    channel does not fit, channels are cut into spatial tiles, each PE holding one tile and a copy of its kernel.
    The binding limit says which constraint set the cut (data memory or neurons per PE)."""
    mem = profile["memory"]
    budget = profile["chip"]["sram_data_per_pe"] - mem["buffer_bytes_per_pe"]
    spec, geo = layer.spec, layer.spec.conv
    b_w = mem["bytes_per_weight_fp32"] if precision == "fp32" else mem["bytes_per_weight_int8"]
    c_out = geo.out_shape[0]
    per_ch_neurons = max(1, spec.n_neurons // c_out)  # conv -> pool chains: the pooled map
    state = spec.state_vars * mem["bytes_per_state_fp32"]
    kernel = geo.kernel_rows * spec.weights_per_synapse * b_w
    per_channel = per_ch_neurons * state + kernel
    by_memory = math.floor(budget / per_channel)
    by_neurons = math.floor(max_neurons_per_pe / per_ch_neurons)
    m = min(by_memory, by_neurons, c_out)
    dram = False
    if m >= 1:
        binding = ("memory (kernels + feature maps)" if by_memory <= by_neurons else "neurons per PE") \
            if m < c_out else "whole layer on one PE"
        n_per_pe, pes, bytes_per_pe = m * per_ch_neurons, math.ceil(c_out / m), m * per_channel
        bytes_kernel = m * kernel
    else:
        tile_mem = math.floor((budget - kernel) / state) if budget > kernel else 0
        if tile_mem < 1:
            if not allow_dram:
                raise MappingError(
                    f"PE {first_pe} (layer {spec.name!r}): one kernel needs {kernel:,.0f} B "
                    f"({geo.kernel_rows:,} weights x {b_w:g} B) + {state:g} B of state, limit {budget:,.0f} B, "
                    f"overflow {kernel + state - budget:,.0f} B; use int8, fewer input channels, or allow_dram=True")
            dram, kernel, tile_mem = True, 0.0, math.floor(budget / state)
        tile = min(tile_mem, max_neurons_per_pe, per_ch_neurons)
        binding = "DRAM spill" if dram else (
            "memory (kernel + feature-map tile)" if tile_mem <= max_neurons_per_pe else "neurons per PE")
        tiles = math.ceil(per_ch_neurons / tile)
        n_per_pe, pes, bytes_per_pe, bytes_kernel = tile, c_out * tiles, kernel + tile * state, kernel
    # PEs one source event reaches (multicast routes only to PEs holding its targets): the output channels of its
    # group, and within a channel the tiles its window footprint (ceil(k/s) output rows) overlaps
    per_group = c_out // geo.groups
    if m >= 1:
        receivers = min(pes, math.ceil(per_group / m))
    else:
        receivers = per_group * min(tiles, _chunks_hit(geo, tile))
    return {"neurons_per_pe": n_per_pe, "pes": pes, "bytes_per_pe": bytes_per_pe, "dram": dram,
            "receive_fraction": receivers / pes,
            "binding": binding, "weight_bytes": geo.weights * spec.weights_per_synapse * b_w,
            "bytes_per_synapse": b_w, "fixed_bytes": 0.0, "kernel_bytes_per_pe": bytes_kernel}


def _allocate(placements: dict, workload: Workload, pes: int | None) -> int:
    """Spread the layers over ``pes`` allocated PEs (at least what the placer packs): each layer gets a share
    proportional to its packed PEs, its neurons split evenly. Returns the PEs allocated."""
    packed = sum(p["pes"] for p in placements.values())
    if pes is None:
        return packed
    pes = validate.positive_int("pes", pes)
    if pes < packed:
        raise MappingError(f"pes={pes}: the network needs at least {packed} PEs (data memory per PE), "
                           f"{packed - pes} more than allocated")
    for layer in workload:
        pl = placements[layer.name]
        share = max(pl["pes"], math.floor(pes * pl["pes"] / packed))
        npp = math.ceil(layer.spec.n_neurons / share)
        per_neuron = (pl["bytes_per_pe"] - pl["fixed_bytes"]) / pl["neurons_per_pe"]
        pl.update(neurons_per_pe=npp, pes=math.ceil(layer.spec.n_neurons / npp),
                  bytes_per_pe=pl["fixed_bytes"] + npp * per_neuron)
    return max(pes, sum(p["pes"] for p in placements.values()))


def estimate_spinnaker2(workload: Workload, profile: Profile, *, dvfs: str | None = None, precision: str = "fp32",
                        execution: str = "arm", max_neurons_per_pe: int = 1000, allow_dram: bool = False,
                        max_chips: int | None = None, pes: int | None = None) -> Estimate:
    """Place and price ``workload`` on SpiNNaker 2 (see module docstring). ``execution``: ``"arm"`` (FP32 on
    the cores, event-driven) or ``"mac"`` (dense layers on the int8 MAC array); ``dvfs`` defaults to the
    profile's sourced ``[defaults] dvfs``; ``pes``: PEs the deployment allocates (default: what the placer packs)."""
    validate.choice("precision", precision, ("fp32", "int8"))
    validate.choice("execution", execution, ("arm", "mac"))
    max_neurons_per_pe = validate.positive_int("max_neurons_per_pe", max_neurons_per_pe)
    chip, arm, noc = profile["chip"], profile["arm"], profile["noc"]
    dvfs = profile.default("dvfs", dvfs)
    level = profile.dvfs(dvfs)
    f = level["frequency"]
    src = profile.source
    lvl = f"dvfs.{dvfs}"
    by_name = {l.name: l for l in workload}
    placements, pe_cursor = {}, 0
    for layer in workload:
        placements[layer.name] = place_layer(profile, layer, precision=precision,
                                             max_neurons_per_pe=max_neurons_per_pe, allow_dram=allow_dram,
                                             first_pe=pe_cursor)
        pe_cursor += placements[layer.name]["pes"]
    total_pes = _allocate(placements, workload, pes)
    pes_per_chip = int(chip["pes_usable"])
    chips = math.ceil(total_pes / pes_per_chip)
    boards = math.ceil(chips / chip["chips_per_board"])
    if max_chips is not None and chips > max_chips:
        raise MappingError(f"network needs {total_pes} PEs = {chips} chips ({pes_per_chip} usable PEs each), "
                           f"limit {max_chips} chip(s): over by {chips - max_chips} chip(s) / "
                           f"{total_pes - max_chips * pes_per_chip} PEs")

    terms: list[Term] = []
    step_cycles, dram_time_per_step, once_cycles = 0.0, 0.0, 0.0
    ext_in = workload.input_values_per_step
    for layer in workload:
        pl, spec = placements[layer.name], layer.spec
        share = pl["neurons_per_pe"] / spec.n_neurons  # fraction of the layer's work on its busiest PE
        graded_input = spec.update == "gated" or any(
            by_name.get(p.source) is not None and by_name[p.source].spec.graded for p in spec.projections)
        dense_layer = all(p.density >= 0.5 for p in spec.projections)
        mac_array = execution == "mac" and dense_layer and spec.update != "pool"
        if mac_array:
            macs = spec.dense_synapses
            cycles_syn = macs * share / (profile["mac_array"]["macs_per_cycle"] * profile["mac_array"]["utilization"])
            syn_key = None
        else:
            if graded_input:
                syn_key = "arm.cycles_per_dense_mac" if dense_layer else "arm.cycles_per_sparse_mac"
            else:
                syn_key = "arm.cycles_per_synaptic_event"
            per_event = arm[syn_key.split(".")[1]]
            cycles_syn = layer.events_per_step * share * per_event
        # a pooling stage's "neurons" are accumulators: read, send and clear, priced as a neuron update
        upd_key = "arm.cycles_per_gated_unit_update" if spec.update == "gated" else "arm.cycles_per_neuron_update"
        upd = arm[upd_key.split(".")[1]]
        # packets in: every event of a source layer (and every external input value) reaches each PE of the layer
        # that holds one of its targets: all of them for dense layers, the PEs of its channel group and window
        # footprint for convolutions and pooling (``receive_fraction`` of the layer's PEs)
        incoming = sum(by_name[p.source].spikes_per_step for p in spec.projections if p.source in by_name)
        external = ext_in if any(p.source == "input" for p in spec.projections) else 0.0
        rx_frac = pl.get("receive_fraction", 1.0)
        receivers = max(1.0, rx_frac * pl["pes"])
        cycles_rx = (incoming + external) * receivers / pl["pes"] * arm["cycles_per_packet_receive"]
        cycles_tx = layer.spikes_per_step * share * arm["cycles_per_packet_send"]
        busiest = cycles_syn + pl["neurons_per_pe"] * upd + cycles_rx + cycles_tx + arm["cycles_per_step_overhead"]
        if layer.steps < workload.steps:  # e.g. a readout evaluated once per inference: adds time once
            once_cycles += busiest * layer.steps
        else:
            step_cycles = max(step_cycles, busiest)
        steps, n, e_cyc = layer.steps, spec.name, level["energy_per_cycle"]
        cyc_src = src(f"{lvl}.energy_per_cycle")
        if mac_array:
            terms.append(Term(n, "mac_array", macs * steps, level["mac_energy"], f"{lvl}.mac_energy",
                              src(f"{lvl}.mac_energy")))
        else:
            terms.append(Term(n, "arm_cores", layer.events_per_step * per_event * steps, e_cyc,
                              f"{lvl}.energy_per_cycle ({syn_key} = {per_event:g})", cyc_src, unit="cycle"))
        terms += [
            Term(n, "arm_cores", spec.n_neurons * upd * steps, e_cyc, f"{lvl}.energy_per_cycle ({upd_key} = {upd:g})",
                 cyc_src, unit="cycle"),
            Term(n, "arm_cores", (incoming + external) * receivers * arm["cycles_per_packet_receive"] * steps, e_cyc,
                 f"{lvl}.energy_per_cycle (arm.cycles_per_packet_receive, x {receivers:g} receiving PEs of "
                 f"{pl['pes']})", cyc_src, unit="cycle"),
            Term(n, "arm_cores", layer.spikes_per_step * arm["cycles_per_packet_send"] * steps, e_cyc,
                 f"{lvl}.energy_per_cycle (arm.cycles_per_packet_send)", cyc_src, unit="cycle"),
            Term(n, "arm_cores", arm["cycles_per_step_overhead"] * pl["pes"] * steps, e_cyc,
                 f"{lvl}.energy_per_cycle (arm.cycles_per_step_overhead, x {pl['pes']} PEs)", cyc_src, unit="cycle"),
        ]
        bits = noc["packet_bits"] + (noc["payload_bits"] if spec.graded else 0)
        in_bits = noc["packet_bits"] + (noc["payload_bits"] if workload.input_graded else 0)
        noc_bits = (layer.spikes_per_step * bits + external * in_bits) * noc["mean_hops"]
        terms.append(Term(n, "noc", noc_bits * steps, noc["energy_per_bit_hop"],
                          "noc.energy_per_bit_hop (packets x bits x noc.mean_hops)", src("noc.energy_per_bit_hop"),
                          unit="bit-hop"))
        targets_pes = sum(placements[t.name]["pes"] for t in workload
                          if any(p.source == layer.name for p in t.spec.projections))
        cross = 0.0 if chips <= 1 else layer.spikes_per_step * bits * min(1.0, targets_pes / pes_per_chip)
        if cross:
            terms.append(Term(n, "noc", cross * steps, noc["chip_link_energy_per_bit"],
                              "noc.chip_link_energy_per_bit", src("noc.chip_link_energy_per_bit"), unit="bit"))
        dram_bytes = layer.events_per_step * pl["bytes_per_synapse"] if pl["dram"] else 0.0
        layer_chips = math.ceil(pl["pes"] / pes_per_chip)  # each chip streams its own slice from its own DRAM
        dram_time_per_step = max(dram_time_per_step, dram_bytes / (chip["dram_bandwidth"] * layer_chips))
        if dram_bytes:
            terms.append(Term(n, "dram", dram_bytes * steps, chip["dram_energy_per_byte"], "chip.dram_energy_per_byte",
                              src("chip.dram_energy_per_byte"), unit="B"))
    steps = workload.steps
    t_cycles = step_cycles / f
    t_noc = noc["mean_hops"] * noc["hop_cycles"] / f
    step_time = max(t_cycles, dram_time_per_step) + t_noc
    parts = [LatencyPart("compute", steps * t_cycles + once_cycles / f,
                         f"slowest PE's cycles per step / {lvl}.frequency x steps"),
             LatencyPart("dram", steps * max(0.0, dram_time_per_step - t_cycles),
                         "DRAM bytes / chip.dram_bandwidth beyond compute"),
             LatencyPart("noc", steps * t_noc, "noc.mean_hops x noc.hop_cycles per step"),
             LatencyPart("pipeline_fill", (len(workload.layers) - 1) * step_time, "one step per further layer")]
    kernel_s = sum(p.seconds for p in parts)
    static_power = chip["chip_base_power"] * chips + level["pe_sleep_power"] * total_pes
    static_field = f"chip.chip_base_power x {chips} chip(s) + {lvl}.pe_sleep_power x {total_pes} PEs"
    terms.append(static_term(profile, kernel_s, static_power, static_field,
                             f"{src('chip.chip_base_power')}; {src(f'{lvl}.pe_sleep_power')}"))
    sys_terms, sys_parts = deployed_parts(profile, workload, static_power=static_power, static_field=static_field,
                                          kernel_terms=terms, kernel_seconds=kernel_s)
    memory = sum(p["bytes_per_pe"] * p["pes"] for p in placements.values())
    dram_bytes = sum(p["weight_bytes"] for p in placements.values() if p["dram"])
    resources = {"PEs": total_pes, "chips": chips, "boards": boards,
                 "binding_limit": {k: v["binding"] for k, v in placements.items()},
                 "neurons_per_pe": {k: v["neurons_per_pe"] for k, v in placements.items()},
                 "pes_per_layer": {k: v["pes"] for k, v in placements.items()},
                 "max_bytes_per_pe": int(max(p["bytes_per_pe"] for p in placements.values())),
                 "dram_weight_bytes": int(dram_bytes), "dvfs": dvfs, "clock_hz": f, "step_time_s": step_time,
                 "pe_allocation": "placer (packed)" if pes is None else f"{total_pes} allocated"}
    notes = []
    if chips > 1:
        notes.append(f"network spans {chips} chips ({boards} board(s)); packets between chips use chip links")
    if dram_bytes:
        notes.append(f"{dram_bytes:,.0f} B of weights stream from DRAM every step (layers: "
                     + ", ".join(k for k, v in placements.items() if v["dram"]) + ")")
    return build_estimate("spinnaker2", terms + sys_terms, parts + sys_parts, memory=memory + dram_bytes,
                          resources=resources, notes=notes)
