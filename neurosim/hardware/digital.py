r"""Pricing a workload on a conventional digital processor (CPU or GPU profile, ``kind = "digital"``): a roofline at
the actual batch.

Per layer and step, for a batch of ``b`` samples:

* **operations**: ``execution="dense"`` multiplies every dense-equivalent weight (what a GPU kernel does);
  ``"event"`` processes only synaptic events (binary spike inputs → accumulates, graded inputs → MACs). Neuron
  updates: LIF ≈ 2 MACs, gated unit ≈ 6 MACs + 3 nonlinearities. Every executed operation also pays
  ``op_overhead_energy`` (instruction fetch/decode/issue amortised over the SIMD width; 0 in the arithmetic-only
  lower bound);
* **weights**: stored dense (dense execution) or as the nonzeros (event execution); a convolution stores its
  kernel once and reuses it at every position (dense work = every position × kernel, padding included); pooling
  stages are adds and store nothing. They are read once per step
  for the whole batch — all of them (dense) or the rows events touch (event) — from on-chip memory (L2/cache) when
  the stored weights fit in ``on_chip_bytes``, else streamed from DRAM/HBM;
* **time** = ``max(ops / (throughput × utilization), weight bytes / bandwidth)`` + ``kernels_per_layer_step`` ×
  ``launch_overhead`` (kernel launch / framework dispatch per layer per step).

Energies are per inference (a batch shares the weight reads); static power is charged over the kernel latency,
and :mod:`neurosim.hardware.system` adds the host link and orchestration for the as-deployed figure.
"""

from __future__ import annotations

from neurosim import validate
from neurosim.errors import ValidationError
from neurosim.hardware.estimate import Estimate, LatencyPart, Term, build_estimate
from neurosim.hardware.profile import Profile
from neurosim.hardware.system import deployed_parts, static_term
from neurosim.hardware.workload import Workload


def _binary_input(layer, by_name) -> bool:
    spec = layer.spec
    return spec.update != "gated" and not any(
        by_name.get(p.source) is not None and by_name[p.source].spec.graded for p in spec.projections) and any(
        p.source in by_name or p.recurrent for p in spec.projections)


def estimate_digital(workload: Workload, profile: Profile, *, execution: str | None = None,
                     batch: int | None = None) -> Estimate:
    """Kernel-bound and as-deployed energy and latency at batch ``batch`` (see module docstring). ``execution``
    and ``batch`` default to the profile's ``[defaults]``."""
    execution = profile.default("execution", execution) or "dense"
    batch = profile.default("batch", batch)
    validate.choice("execution", execution, ("event", "dense"))
    batch = validate.positive_int("batch", 1 if batch is None else batch, allow_zero=True)
    if batch == 0:
        raise ValidationError(f"batch: empty batch (batch = 0) on {profile.name}; a batch holds at least one sample")
    comp, mem = profile["compute"], profile["memory"]
    src = profile.source
    by_name = {l.name: l for l in workload}
    stored = sum((l.spec.dense_stored_weights if execution == "dense" else l.spec.stored_weights) for l in workload)
    weight_bytes = stored * mem["bytes_per_weight"]
    fits = weight_bytes <= mem["on_chip_bytes"]
    mem_field = "memory.on_chip_energy_per_byte" if fits else "memory.dram_energy_per_byte"
    e_byte = mem[mem_field.split(".")[1]]
    bandwidth = mem["on_chip_bandwidth"] if fits else mem["dram_bandwidth"]
    rate = comp["throughput"] * comp["utilization"]
    terms: list[Term] = []
    t_compute = t_memory = t_launch = 0.0
    for layer in workload:
        spec, s = layer.spec, layer.steps
        binary = _binary_input(layer, by_name) and execution == "event"
        ops = layer.events_per_step if execution == "event" else float(spec.dense_synapses)
        if spec.update == "gated":
            upd_macs, nonlin = 6 * spec.n_neurons, 3 * spec.n_neurons
        elif spec.update == "pool":  # adds only (counted in ops), no neuron state to update
            upd_macs, nonlin = 0, 0
            binary = True
        else:
            upd_macs, nonlin = 2 * spec.n_neurons, 0
        key = "compute.add_energy" if binary else "compute.mac_energy"
        terms.append(Term(spec.name, "compute", ops * s, comp[key.split(".")[1]], key, src(key)))
        terms.append(Term(spec.name, "compute", upd_macs * s, comp["mac_energy"], "compute.mac_energy (updates)",
                          src("compute.mac_energy")))
        if nonlin:
            terms.append(Term(spec.name, "compute", nonlin * s, comp["nonlinearity_energy"],
                              "compute.nonlinearity_energy", src("compute.nonlinearity_energy")))
        if comp["op_overhead_energy"]:
            terms.append(Term(spec.name, "instructions", (ops + upd_macs + nonlin) * s, comp["op_overhead_energy"],
                              "compute.op_overhead_energy", src("compute.op_overhead_energy")))
        layer_stored = spec.dense_stored_weights if execution == "dense" else spec.stored_weights
        traffic = min(ops * batch, float(layer_stored)) * mem["bytes_per_weight"]  # per step, whole batch
        terms.append(Term(spec.name, "memory", traffic / batch * s, e_byte, mem_field, src(mem_field), unit="B"))
        tc = batch * (ops + upd_macs + nonlin) / rate
        tm = traffic / bandwidth
        t_compute += s * tc
        t_memory += s * max(0.0, tm - tc)
        t_launch += s * comp["kernels_per_layer_step"] * comp["launch_overhead"]
    parts = [LatencyPart("compute", t_compute, "ops / (compute.throughput x compute.utilization)"),
             LatencyPart("memory", t_memory, f"weight bytes / memory.{'on_chip' if fits else 'dram'}_bandwidth "
                                             "beyond compute (memory-bound steps)"),
             LatencyPart("launch", t_launch, "steps x layers x compute.kernels_per_layer_step x "
                                             "compute.launch_overhead")]
    kernel_s = t_compute + t_memory + t_launch
    terms.append(static_term(profile, kernel_s / batch, comp["static_power"], "compute.static_power",
                             src("compute.static_power")))
    sys_terms, sys_parts = deployed_parts(profile, workload, static_power=comp["static_power"],
                                          static_field="compute.static_power", kernel_terms=terms,
                                          kernel_seconds=kernel_s, batch=batch)
    notes = [f"weights ({weight_bytes:,.0f} B, {execution} storage) "
             f"{'fit on chip' if fits else 'stream from DRAM/HBM every step'}",
             f"execution: {execution}, batch {batch}; latency is per batch, energy per inference"]
    resources = {"execution": execution, "weights_on_chip": fits, "batch": batch,
                 "weight_bytes": int(weight_bytes)}
    return build_estimate(profile.name, terms + sys_terms, parts + sys_parts, memory=weight_bytes,
                          resources=resources, notes=notes, batch=batch)
