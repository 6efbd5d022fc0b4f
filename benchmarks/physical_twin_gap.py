"""Physics-aware training with a real twin gap: PhyLL vs PAT vs in-silico backprop when the digital twin is wrong by
0, 5 and 20 %, and with a twin fitted from measurements.

System and task as in benchmarks/physical_drift.py: two blocks of the 20-mass Duffing/FPU oscillator chain without
skip connections (all information passes through the physics), the Hillenbrand vowels (women, 7 vowels, 12
formant features), a new stratified train/test split per seed, fixed recipes (PhyLL lr 3e-3, PAT/BP lr 1e-2, 100
epochs; nothing chosen on the test split). Twins (``neurosim.physical.twin_fit``):

* *detuned* — the chain's own equations with every on-site frequency, Duffing coefficient and coupling scaled by
  1 ± r (seeded signs), r set by bisection so that the twin's relative RMS error against the noise-free system on
  512 Gaussian probe inputs is 0 %, 5 % or 20 %;
* *MLP* — a black-box twin (2 × 256 GELU) fitted to 4,096 noisy measurements (1 % output noise), its error and its
  residual on held-out measurements printed.

PhyLL never uses a twin, so it is run once per seed. Test accuracy is measured on the physical system (mean ± s.d.
over seeds). Saves docs/figures/physical_twin_gap.png.

Run:  python benchmarks/physical_twin_gap.py [--seeds 3] [--epochs 100] [--json FILE] [--no-progress]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--errors", type=float, nargs="+", default=[0.0, 0.05, 0.20])
    ap.add_argument("--mlp-measurements", type=int, default=4096)
    ap.add_argument("--data", default=None)
    ap.add_argument("--figure", default=str(REPO / "docs" / "figures" / "physical_twin_gap.png"))
    ap.add_argument("--json", default=None)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    os.environ.setdefault("MPLBACKEND", "Agg")
    import jax
    import numpy as np

    from neurosim.data.vowels import load_vowels
    from neurosim.learn.local import PhyLLConfig, PhysicalLocalLearning
    from neurosim.learn.pat import BackpropTrainer
    from neurosim.physical import OscillatorChain, fit_mlp_twin, twin_with_error

    t0 = time.perf_counter()
    osc = OscillatorChain(20, seed=0)
    twins = {f"detuned {100 * e:g} %": twin_with_error(osc, e, seed=1) for e in args.errors}
    twins["MLP (measured)"] = fit_mlp_twin(osc, key=jax.random.PRNGKey(0), n=args.mlp_measurements)
    print(f"twins ({time.perf_counter() - t0:.0f} s):")
    for name, tw in twins.items():
        extra = f", detuning ±{100 * tw.info['detuning']:.1f} %" if "detuning" in tw.info else ""
        res = "" if tw.measured_residual is None else f", residual on held-out measurements {100 * tw.measured_residual:.1f} %"
        print(f"  {name:16s}: error {100 * tw.error:.1f} % vs the noise-free chain{extra}{res}")
    acc = {"PhyLL (no twin)": []}
    for name in twins:
        acc[f"PAT, {name}"] = []
        acc[f"BP in silico, {name}"] = []
    for seed in range(args.seeds):
        d = load_vowels(args.data, seed=seed)
        key = jax.random.PRNGKey(seed)
        ph = PhysicalLocalLearning([osc, osc], 12, 7, config=PhyLLConfig(epochs=args.epochs, lr=3e-3, skip=False))
        acc["PhyLL (no twin)"].append(ph.fit(d.x_train, d.y_train, d.x_test, d.y_test, key=key,
                                             progress=not args.no_progress).test_accuracy)
        for name, tw in twins.items():
            for mode, label in (("pat", "PAT"), ("insilico", "BP in silico")):
                tr = BackpropTrainer([osc, osc], 12, 7, mode=mode, lr=1e-2, epochs=args.epochs, skip=False)
                tr.refresh_twins([tw, tw])
                rep = tr.fit(d.x_train, d.y_train, d.x_test, d.y_test, key=key, progress=not args.no_progress)
                acc[f"{label}, {name}"].append(rep.test_accuracy)
        print(f"seed {seed}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in acc.items())
              + f"  [{time.perf_counter() - t0:.0f} s]", flush=True)
    print(f"\ntest accuracy on the physical system, mean ± s.d. over {args.seeds} seeds ({args.epochs} epochs):")
    summary = {}
    for k, v in acc.items():
        summary[k] = (float(np.mean(v)), float(np.std(v)))
        print(f"  {k:34s} {100 * summary[k][0]:5.1f} ± {100 * summary[k][1]:4.1f} %")
    import matplotlib.pyplot as plt

    names = list(twins)
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    xs = np.arange(len(names))
    for i, (label, c) in enumerate((("PAT", "C0"), ("BP in silico", "C1"))):
        m = [summary[f"{label}, {n}"][0] * 100 for n in names]
        s = [summary[f"{label}, {n}"][1] * 100 for n in names]
        ax.bar(xs + (i - 0.5) * 0.38, m, 0.38, yerr=s, color=c, label=label, capsize=3)
    ph_m, ph_s = (v * 100 for v in summary["PhyLL (no twin)"])
    ax.axhspan(ph_m - ph_s, ph_m + ph_s, color="C2", alpha=0.2)
    ax.axhline(ph_m, color="C2", label="PhyLL (no twin)")
    ax.axhline(100 / 7, color="gray", ls="--", lw=1, label="chance")
    ax.set_xticks(xs, [f"{n}\n(error {100 * twins[n].error:.1f} %)" for n in names], fontsize=8)
    ax.set_ylabel("test accuracy on the physics (%)")
    ax.set_ylim(0, 100)
    ax.set_title(f"Oscillator-chain network, vowels: twin gap (mean ± s.d., {args.seeds} seeds)", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    from neurosim.plot import save

    save(fig, args.figure, dpi=120)
    print(f"wrote {args.figure}; total {time.perf_counter() - t0:.0f} s")
    if args.json:
        from neurosim.io.atomic import write_text

        write_text(args.json, json.dumps({"args": vars(args), "accuracy": acc, "summary": summary,
                                          "twins": {k: {"error": t.error, "residual": t.measured_residual,
                                                        "info": t.info} for k, t in twins.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
