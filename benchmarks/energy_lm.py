"""Energy/latency/memory of the zoo EGRU language model (SpiNNaker 2 LM paper's network) on every shipped target,
IMC energy per 8-bit MAC with its breakdown, and an event-driven reservoir on IMC vs the same network dense.

Every figure comes from the profile constants (each cites its source in ``hardware_profiles/*.toml``); nothing is
tuned to a published system result. Run:  python benchmarks/energy_lm.py [--activity 0.2]
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--activity", type=float, default=None, help="EGRU activity fraction (default: zoo entry's 0.2)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import numpy as np

    import neurosim as ns
    import neurosim.hardware as hw
    from neurosim.hardware.estimate import fmt_energy, fmt_time
    from neurosim.hardware.imc import energy_per_mac
    from neurosim.zoo import load_description

    desc = load_description("egru-lm-wikitext2")
    wl = hw.resolve_workload(desc, rate=args.activity)
    print(f"{desc.name}: {desc.source}")
    print(f"activity {wl.layers[0].activity:.2f} (sparsity {1 - wl.layers[0].activity:.0%}), batch 1, per token")
    rows = []
    print(wl.assumptions[0])
    for target, opts in [("spinnaker2", {"dvfs": "pl4"}), ("spinnaker2", {"dvfs": "pl1"}),
                         ("spinnaker2", {"dvfs": "pl4", "pes": 150}), ("imc-rram-40nm", {}), ("imc-rram-22nm", {}),
                         ("cpu-45nm-core", {}),
                         ("cpu-45nm-horowitz", {}), ("gpu-a100", {"batch": 1}), ("gpu-a100", {"batch": 64})]:
        est = hw.estimate(wl, target, **opts)
        label = target + "".join(f" {k}={v}" for k, v in opts.items())
        rows.append((label, est))
        print(f"  {label:30s} kernel-bound {fmt_energy(est.kernel_energy):>9} in {fmt_time(est.kernel_latency):>8};"
              f" as deployed {fmt_energy(est.energy_per_inference):>9} in {fmt_time(est.latency):>8} per token, "
              f"memory {est.memory_bytes / 1e6:6.2f} MB")
    s2 = rows[0][1]
    print(f"SpiNNaker 2 mapping: {s2.resources['PEs']} PEs on {s2.resources['chips']} chip(s), "
          f"max {s2.resources['max_bytes_per_pe']:,} B per PE (published: 150 PEs, 88.3 kB/PE)")
    for label, est in rows[1:]:
        print(f"  as-deployed energy ratio {label} / spinnaker2 (pl4): "
              f"{est.energy_per_inference / s2.energy_per_inference:.2f}")

    for name in ("imc-rram-40nm", "imc-rram-22nm"):
        e = energy_per_mac(hw.load_profile(name), 128)
        parts = ", ".join(f"{k} {v * 1e12:.3f}" for k, v in e["components_J"].items())
        print(f"IMC {name}, dense 128x128 layer, 8-bit weights and uniform random 8-bit inputs: "
              f"{e['energy_per_mac_J'] * 1e12:.3f} pJ per MAC ({parts} pJ); macro "
              f"{e['macro_energy_per_mac_J'] * 1e12:.3f} pJ = {e['macro_tops_per_w']:.2f} TOPS/W, "
              f"system {e['system_tops_per_w']:.2f} TOPS/W, {e['tops_per_mm2']:.2f} TOPS/mm2")
    imc = hw.load_profile("imc-rram-40nm")

    net = ns.Network(dt=1.0)
    net.add_input("in", 64)
    net.add("reservoir", ns.LIF(1000, beta=0.8, v_th=1.0))
    net.connect("in", "reservoir", ns.EventCSR(64, 1000, p=0.2, weight=0.6, seed=0))
    net.connect("reservoir", "reservoir", ns.EventCSR(1000, 1000, p=0.01, weight=0.1, seed=1))
    for rate in (0.01, 0.05, 0.2):
        x = (np.random.default_rng(0).random((200, 64)) < rate).astype(np.float32)
        w = hw.from_activity(net, ns.simulate(net, x, record=()).activity)
        ev, dense = hw.estimate(w, imc, event_driven=True), hw.estimate(w, imc, event_driven=False)
        print(f"LSM-like reservoir (1,000 LIF) on IMC, input rate {rate:.2f}: event-driven "
              f"{fmt_energy(ev.kernel_energy)}, dense {fmt_energy(dense.kernel_energy)} (kernel-bound), ratio "
              f"{ev.kernel_energy / dense.kernel_energy:.3f} (input density "
              f"{w.layers[0].input_density:.3f})")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
