r"""Mapping a workload onto analog in-memory-computing crossbars and pricing it
(constants: ``hardware_profiles/imc-rram-40nm.toml``).

**Tiling.** A signed weight is a differential pair (:math:`w \propto G^+ - G^-`, two columns) sliced into
:math:`\lceil b_w / b_\mathrm{cell} \rceil` cells of ``cell_bits`` each, so an output neuron takes
:math:`2\lceil b_w/b_\mathrm{cell}\rceil` columns and a crossbar holds ``rows`` inputs × ``cols / that`` outputs.
Each projection is stored dense (pruned weights still occupy cells); gated layers store three matrices.

**Input encoding.** Graded/real inputs of ``input_bits`` are applied ``input_bits_per_cycle`` bits per cycle
(1 = bit-serial as in ISAAC; more = a multi-level DAC), i.e. :math:`\lceil b_x / b_\mathrm{cycle}\rceil`
cycles; binary spikes take one cycle. A row is pulsed in a cycle only when its input bit (slice) is nonzero: a
fraction ``input_bit_density`` of the bit-serial cycles of a graded input (option, default from the profile's
``[defaults]``: 0.5, the mean over uniform random codes; a spike is one pulse). Event-driven operation drives
only the rows of nonzero inputs:

* row drives = active inputs × column tiles × cycles × bit density → × ``dac_energy_per_row`` × bits per cycle;
* cell reads = row drives × ``cols`` → × ``cell_read_energy`` (per cell per 1-bit input pulse) × bits per cycle;
* ADC conversions: every column of every crossbar that has a pulsed row, per cycle
  (:math:`P(\text{tile active}) = 1-(1-a d)^{\text{rows}}` for input activity :math:`a` and bit density
  :math:`d`) → × ``adc_energy`` at
  ``adc_bits``; ``columns_per_adc`` columns share one ADC (time, not energy); each conversion is shifted and added
  (× ``shift_add_energy``).

These four are the **macro** (what published CIM macro efficiencies count). The **system** adds the digital
periphery: partial sums across row tiles (× ``digital_add_energy``), neuron updates
(× ``digital_neuron_update_energy``), input/output buffers (× ``buffer_energy_per_byte``), then host link and
orchestration (:mod:`neurosim.hardware.system`).

Latency per step = cycles × max(``cycle_time``, ``columns_per_adc`` / ADC rate); crossbars work in parallel.

**Convolutions** are unrolled by im2col: per group, a (C_in/groups × K) × (C_out/groups) kernel matrix on its own
tiles, evaluated once per output position. ``conv_copies=1`` (time multiplexing) stores the kernel once and runs
the positions in sequence (latency × positions); ``conv_copies="all"`` duplicates it per position (one round per
step, area and leakage × positions); an integer sits in between. Event-driven, an input event drives one row per
position it reaches (``events / (C_out/groups)`` row drives); the ADC converts the columns of every evaluation
with an active row. Pooling stages run in the digital periphery (one add per input event).
Device non-idealities (accuracy under noise) come from :mod:`neurosim.devices`, not from this file.
"""

from __future__ import annotations

import math

from neurosim import validate
from neurosim.hardware.estimate import Estimate, LatencyPart, Term, build_estimate
from neurosim.hardware.profile import Profile
from neurosim.hardware.system import deployed_parts, static_term
from neurosim.hardware.workload import Workload

MACRO = ("dac", "crossbar", "adc", "shift_add")  # components a CIM macro figure of merit counts


def tiles_for(profile: Profile, n_in: int, n_out: int) -> tuple[int, int, int]:
    """(row tiles, column tiles, outputs per crossbar) for an ``n_in`` x ``n_out`` signed matrix."""
    xb = profile["crossbar"]
    slices = math.ceil(xb["weight_bits"] / xb["cell_bits"])
    outs_per_xbar = max(1, int(xb["cols"]) // (2 * slices))
    return math.ceil(n_in / xb["rows"]), math.ceil(n_out / outs_per_xbar), outs_per_xbar


def _cycles(profile: Profile, layer, by_name) -> int:
    xb, per = profile["crossbar"], profile["periphery"]
    spec = layer.spec
    graded_input = spec.update == "gated" or any(
        by_name.get(p.source) is not None and by_name[p.source].spec.graded for p in spec.projections)
    dense_external = (spec.projections and spec.projections[0].source == "input"
                      and not any(p.source in by_name for p in spec.projections) and layer.input_density > 0.5)
    if graded_input or dense_external:
        return math.ceil(xb["input_bits"] / per["input_bits_per_cycle"])
    return 1


def conv_copies_for(geo, conv_copies) -> int:
    """Kernel copies a convolution gets: ``1`` (time multiplexing: one crossbar set, positions in sequence),
    ``"all"`` (one copy per output position: one cycle per step) or an integer in between."""
    if conv_copies == "all":
        return geo.positions
    n = validate.positive_int("conv_copies", conv_copies)
    return min(n, geo.positions)


def _pool_terms(profile: Profile, layer, src) -> list[Term]:
    """Pooling between layers runs in the digital periphery: one add per input event, outputs buffered."""
    per, spec, s = profile["periphery"], layer.spec, layer.steps
    return [Term(spec.name, "digital", layer.events_per_step * s, per["digital_add_energy"],
                 "periphery.digital_add_energy (pooling adds)", src("periphery.digital_add_energy")),
            Term(spec.name, "buffers", spec.n_neurons * 4 * s, per["buffer_energy_per_byte"],
                 "periphery.buffer_energy_per_byte", src("periphery.buffer_energy_per_byte"), unit="B")]


def estimate_imc(workload: Workload, profile: Profile, *, event_driven: bool = True, conv_copies=1,
                 input_bit_density: float | None = None) -> Estimate:
    """Tile and price ``workload`` (see module docstring); ``event_driven=False`` drives every row every step;
    ``conv_copies``: kernel copies per convolution (:func:`conv_copies_for`); ``input_bit_density``: fraction of
    the bit-serial cycles of a graded input whose bit is set (default: the profile's, else 1)."""
    xb, per = profile["crossbar"], profile["periphery"]
    density = profile.default("input_bit_density", input_bit_density)
    density = 1.0 if density is None else float(validate.in_range("input_bit_density", density, 0.0, 1.0))
    src = profile.source
    by_name = {l.name: l for l in workload}
    bits_cycle = min(per["input_bits_per_cycle"], xb["input_bits"])
    t_cycle = max(xb["cycle_time"], per["columns_per_adc"] / per["adc_sample_rate"])
    terms: list[Term] = []
    total_tiles, step_time, memory, once_time = 0, 0.0, 0, 0.0
    conv_notes = []
    for layer in workload:
        spec, s = layer.spec, layer.steps
        if spec.update == "pool":
            terms += _pool_terms(profile, layer, src)
            continue
        cycles = _cycles(profile, layer, by_name)
        pulse_bits = bits_cycle if cycles > 1 else 1  # a spike is a 1-bit pulse
        d = density if cycles > 1 else 1.0  # fraction of cycles in which an active row's bit is set
        dac = cells = conv = adds = 0.0
        a = layer.input_density if event_driven else 1.0
        for p in spec.projections:
            geo = p.conv
            if geo is not None and geo.op == "conv":
                # im2col: one (C_in/g x K) x (C_out/g) matrix per group, evaluated once per output position
                rows, cols = geo.kernel_rows, geo.kernel_cols * spec.weights_per_synapse
                rt, ct, _ = tiles_for(profile, rows, cols)
                copies = conv_copies_for(geo, conv_copies)
                evals = geo.positions * geo.groups
                rounds = math.ceil(geo.positions / copies)
                total_tiles += rt * ct * geo.groups * copies
                memory += geo.weights * spec.weights_per_synapse * copies * xb["weight_bits"] // 8
                # active (input, position) pairs: each input event reaches kernel_cols outputs per position
                active_rows = (layer.events_per_step / cols if event_driven
                               else float(evals * rows))
                n_out_cols = geo.out_shape[0] * spec.weights_per_synapse
                conv_notes.append(f"{spec.name}: {geo.groups} x {rows}x{cols} im2col matrix on {rt * ct} "
                                  f"crossbar(s), {copies} cop{'y' if copies == 1 else 'ies'}, {rounds} "
                                  f"round(s) per step")
            else:
                rows, n_out_cols = p.n_in, p.n_out * spec.weights_per_synapse
                rt, ct, _ = tiles_for(profile, rows, n_out_cols)
                evals, rounds = 1, 1
                total_tiles += rt * ct
                memory += p.n_in * n_out_cols * xb["weight_bits"] // 8
                active_rows = a * p.n_in if event_driven else p.n_in
            row_drives = active_rows * ct * cycles * d
            dac += row_drives
            cells += row_drives * xb["cols"]
            p_active = 1.0 - (1.0 - a * d) ** min(xb["rows"], rows)
            conv += evals * rt * ct * xb["cols"] * cycles * p_active
            adds += evals * (n_out_cols if geo is None else geo.kernel_cols * spec.weights_per_synapse) \
                * max(rt - 1, 0) * cycles * p_active
            t_layer = rounds * cycles * t_cycle
            if layer.steps < workload.steps:  # evaluated once per inference (a readout): adds its time once
                once_time += t_layer * layer.steps
            else:
                step_time = max(step_time, t_layer)
        buf_bytes = sum(p.n_in for p in spec.projections) + spec.n_neurons * 4
        n = spec.name
        terms += [
            Term(n, "dac", dac * s, per["dac_energy_per_row"] * pulse_bits,
                 f"periphery.dac_energy_per_row x {pulse_bits:g} bit(s) per cycle", src("periphery.dac_energy_per_row")),
            Term(n, "crossbar", cells * s, xb["cell_read_energy"] * pulse_bits,
                 f"crossbar.cell_read_energy x {pulse_bits:g} bit(s) per cycle", src("crossbar.cell_read_energy")),
            Term(n, "adc", conv * s, per["adc_energy"], f"periphery.adc_energy ({per['adc_bits']:g}-bit)",
                 src("periphery.adc_energy")),
            Term(n, "shift_add", conv * s, per["shift_add_energy"], "periphery.shift_add_energy",
                 src("periphery.shift_add_energy")),
            Term(n, "digital", adds * s, per["digital_add_energy"], "periphery.digital_add_energy (partial sums)",
                 src("periphery.digital_add_energy")),
            Term(n, "digital", spec.n_neurons * s, per["digital_neuron_update_energy"],
                 "periphery.digital_neuron_update_energy", src("periphery.digital_neuron_update_energy")),
            Term(n, "buffers", buf_bytes * s, per["buffer_energy_per_byte"], "periphery.buffer_energy_per_byte",
                 src("periphery.buffer_energy_per_byte"), unit="B"),
        ]
    compute = workload.steps * step_time + once_time
    fill = step_time * (len(workload.layers) - 1)
    parts = [LatencyPart("compute", compute, "steps x rounds x cycles x max(crossbar.cycle_time, "
                                             "periphery.columns_per_adc / periphery.adc_sample_rate) "
                                             "(+ once-per-inference layers)"),
             LatencyPart("pipeline_fill", fill, "one step per further layer")]
    leak = xb["leakage_power_per_tile"] * total_tiles
    terms.append(static_term(profile, compute + fill, leak, "crossbar.leakage_power_per_tile x tiles",
                             src("crossbar.leakage_power_per_tile")))
    sys_terms, sys_parts = deployed_parts(profile, workload, static_power=leak,
                                          static_field="crossbar.leakage_power_per_tile x tiles", kernel_terms=terms,
                                          kernel_seconds=compute + fill)
    resources = {"crossbars": total_tiles, "crossbar_size": f"{int(xb['rows'])}x{int(xb['cols'])}",
                 "event_driven": event_driven, "step_time_s": step_time,
                 "area_mm2": total_tiles * xb["tile_area"]}
    if conv_notes:
        resources["conv_copies"] = conv_copies
    notes = ["pruned weights still occupy crossbar cells",
             f"graded inputs: {density:g} of bit-serial input cycles pulse a row (input_bit_density)",
             f"macro = {', '.join(MACRO)}; system adds digital periphery, buffers, host link"] + conv_notes
    return build_estimate(profile.name, terms + sys_terms, parts + sys_parts, memory=memory, resources=resources,
                          notes=notes)


def energy_per_mac(profile: Profile, n: int = 128, *, input_bit_density: float | None = None) -> dict:
    """Energy per MAC of a dense ``n`` x ``n`` layer at the profile's input and weight bits (8b/8b: the figure of
    merit CIM macros report), with its component breakdown; inputs are uniform random codes unless
    ``input_bit_density`` says otherwise (the profile's default)."""
    from neurosim.core.spec import LayerSpec, ProjectionSpec
    from neurosim.hardware.workload import LayerWorkload

    n = validate.positive_int("n", n)
    spec = LayerSpec("dense", n, "readout", (ProjectionSpec(n, n, n * n, source="input"),), spiking=False)
    wl = Workload([LayerWorkload(spec, 1, float(n * n), 0.0)], 1, "rates")
    est = estimate_imc(wl, profile, event_driven=False, input_bit_density=input_bit_density)
    macs = n * n
    parts = {k: v / macs for k, v in est.layers["dense"].items()}
    macro = sum(v for k, v in parts.items() if k in MACRO)
    system = sum(parts.values())
    t = est.resources["step_time_s"]
    area = est.resources["area_mm2"]
    return {"energy_per_mac_J": system, "macro_energy_per_mac_J": macro, "components_J": parts, "macs": macs,
            "macro_tops_per_w": 2e-12 / macro, "system_tops_per_w": 2e-12 / system,
            "tops_per_mm2": 2 * macs / t / area / 1e12, "step_time_s": t, "area_mm2": area}
