r"""Mapping a workload onto analog in-memory-computing crossbars and pricing it
(constants: ``hardware_profiles/imc-rram-40nm.toml``).

**Tiling.** A signed weight is a differential pair (:math:`w \propto G^+ - G^-`, two columns) sliced into
:math:`\lceil b_w / b_\mathrm{cell} \rceil` cells of ``cell_bits`` each, so an output neuron takes
:math:`2\lceil b_w/b_\mathrm{cell}\rceil` columns and a crossbar holds ``rows`` inputs × ``cols / that`` outputs.
Each projection is stored dense (pruned weights still occupy cells); gated layers store three matrices.

**One step.** Inputs are applied bit-serially: 1 cycle for binary spikes, ``input_bits`` cycles for graded/real
inputs. Event-driven operation drives only the rows of nonzero inputs:

* row drives = active inputs × column tiles × cycles → × ``dac_energy_per_row``;
* cell reads = row drives × ``cols`` cells → × :math:`V_\mathrm{read}^2\,\bar G\,t_\mathrm{pulse}`;
* ADC conversions: every column of every crossbar that has an active row, per cycle
  (:math:`P(\text{tile active}) = 1-(1-a)^{\text{rows}}` for input activity :math:`a`) → × ``adc_energy``;
  each conversion is shifted and added (× ``shift_add_energy``);
* digital periphery: partial sums across row tiles (× ``digital_add_energy``), neuron updates
  (× ``digital_neuron_update_energy``), input/output buffers (× ``buffer_energy_per_byte``).

Latency per step = cycles × max(``cycle_time``, columns / (ADC rate × ADCs per crossbar)); crossbars work in
parallel. Device non-idealities (accuracy under noise) come from :mod:`neurosim.devices`, not from this file.
"""

from __future__ import annotations

import math

from neurosim import validate
from neurosim.hardware.estimate import Estimate, combine
from neurosim.hardware.profile import Profile
from neurosim.hardware.workload import Workload


def tiles_for(profile: Profile, n_in: int, n_out: int) -> tuple[int, int, int]:
    """(row tiles, column tiles, outputs per crossbar) for an ``n_in`` x ``n_out`` signed matrix."""
    xb = profile["crossbar"]
    slices = math.ceil(xb["weight_bits"] / xb["cell_bits"])
    outs_per_xbar = max(1, int(xb["cols"]) // (2 * slices))
    return math.ceil(n_in / xb["rows"]), math.ceil(n_out / outs_per_xbar), outs_per_xbar


def estimate_imc(workload: Workload, profile: Profile, *, event_driven: bool = True) -> Estimate:
    """Tile and price ``workload`` (see module docstring); ``event_driven=False`` drives every row every step."""
    xb, per = profile["crossbar"], profile["periphery"]
    cell_energy = xb["read_voltage"] ** 2 * xb["mean_cell_conductance"] * 1e-6 * xb["read_pulse"]
    by_name = {l.name: l for l in workload}
    per_layer, total_tiles, step_time, memory, once_time = {}, 0, 0.0, 0, 0.0
    for layer in workload:
        spec = layer.spec
        graded_input = spec.update == "gated" or any(
            by_name.get(p.source) is not None and by_name[p.source].spec.graded for p in spec.projections)
        cycles = xb["input_bits"] if graded_input or (spec.projections and spec.projections[0].source == "input"
                                                      and not any(p.source in by_name for p in spec.projections)
                                                      and layer.input_density > 0.5) else 1
        dac = cells = conv = shift = adds = 0.0
        for p in spec.projections:
            n_out = p.n_out * spec.weights_per_synapse
            rt, ct, _ = tiles_for(profile, p.n_in, n_out)
            total_tiles += rt * ct
            memory += p.n_in * n_out * xb["weight_bits"] // 8
            a = layer.input_density if event_driven else 1.0
            active_rows = a * p.n_in if event_driven else p.n_in
            row_drives = active_rows * ct * cycles
            dac += row_drives
            cells += row_drives * xb["cols"]
            p_active = 1.0 - (1.0 - a) ** min(xb["rows"], p.n_in) if event_driven else 1.0
            conv_p = rt * ct * xb["cols"] * cycles * p_active
            conv += conv_p
            shift += conv_p
            adds += n_out * max(rt - 1, 0) * cycles * p_active
            t_layer = cycles * max(xb["cycle_time"], xb["cols"] / (per["adc_sample_rate"] * per["adcs_per_crossbar"]))
            if layer.steps < workload.steps:  # evaluated once per inference (a readout): adds its time once
                once_time += t_layer * layer.steps
            else:
                step_time = max(step_time, t_layer)
        buf_bytes = sum(p.n_in for p in spec.projections) + spec.n_neurons * 4
        s = layer.steps
        per_layer[layer.name] = {
            "dac": dac * per["dac_energy_per_row"] * s,
            "crossbar": cells * cell_energy * s,
            "adc": conv * per["adc_energy"] * s,
            "shift_add": shift * per["shift_add_energy"] * s,
            "digital": (adds * per["digital_add_energy"] + spec.n_neurons * per["digital_neuron_update_energy"]
                        + buf_bytes * per["buffer_energy_per_byte"]) * s,
        }
    time_per_inference = workload.steps * step_time + once_time
    static = xb["leakage_power_per_tile"] * total_tiles * time_per_inference
    resources = {"crossbars": total_tiles, "crossbar_size": f"{int(xb['rows'])}x{int(xb['cols'])}",
                 "event_driven": event_driven, "step_time_s": step_time}
    notes = ["pruned weights still occupy crossbar cells; leakage not modelled (see profile)"]
    return combine("imc-rram-40nm" if profile.name == "imc-rram-40nm" else profile.name, per_layer, static,
                   time_per_inference + step_time * (len(workload.layers) - 1), 1.0 / time_per_inference,
                   memory, resources, notes)


def energy_per_mac(profile: Profile, n: int = 128) -> dict:
    """Energy per 8-bit MAC of a dense ``n`` x ``n`` layer with 8-bit inputs, with its component breakdown."""
    from neurosim.core.spec import LayerSpec, ProjectionSpec
    from neurosim.hardware.workload import LayerWorkload

    n = validate.positive_int("n", n)
    spec = LayerSpec("dense", n, "readout", (ProjectionSpec(n, n, n * n, source="input"),), spiking=False)
    wl = Workload([LayerWorkload(spec, 1, float(n * n), 0.0)], 1, "rates")
    est = estimate_imc(wl, profile, event_driven=False)
    macs = n * n
    parts = {k: v / macs for k, v in est.layers["dense"].items()}
    return {"energy_per_mac_J": sum(parts.values()), "components_J": parts, "macs": macs}
