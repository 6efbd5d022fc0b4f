"""Robustness to a drifting physical system: the oscillator network of benchmarks/physical_vowels.py drifts in the
middle of training (every on-site frequency, Duffing coefficient and coupling of the chain detuned by ±10 %,
random signs). Three methods keep training on the same data:

* PhyLL — keeps learning on the (drifted) physical system; it never needed a model of it;
* PAT   — physical forward pass, backward through the *stale* digital twin (built before the drift);
* BP    — in-silico backprop on the stale twin, deployed on the physical system.

Blocks *without* the skip copy of the block input (``skip=False``, like the optics code of Momeni et al.), so that all
information passes through the physics: with the skip connection of benchmarks/physical_vowels.py the digital path
carries most of the information and a ±10 % drift barely matters to any method (``--skip`` to check).
Test accuracy is always measured on the physical system as it is at that epoch. Prints the curves (mean over seeds),
the number of epochs PhyLL needs to recover, and saves docs/figures/physical_drift.png.

Run:  python benchmarks/physical_drift.py [--seeds 3] [--epochs 100] [--drift-at 50] [--rel 0.1] [--no-progress]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--drift-at", type=int, default=50)
    ap.add_argument("--skip", action="store_true", help="use the skip connection [P(h), h] in every block")
    ap.add_argument("--phyll-lr", type=float, default=3e-3)
    ap.add_argument("--rel", type=float, default=0.1)
    ap.add_argument("--eval-every", type=int, default=2)
    ap.add_argument("--tolerance", type=float, default=0.02, help="recovered = within this of the pre-drift accuracy")
    ap.add_argument("--data", default=None)
    ap.add_argument("--figure", default=str(REPO / "docs" / "figures" / "physical_drift.png"))
    ap.add_argument("--json", default=None)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    os.environ.setdefault("MPLBACKEND", "Agg")
    import jax
    import numpy as np
    from tqdm.auto import tqdm

    from neurosim.data.vowels import load_vowels
    from neurosim.learn.local import PhyLLConfig, PhysicalLocalLearning
    from neurosim.learn.pat import BackpropTrainer
    from neurosim.physical import OscillatorChain

    osc = OscillatorChain(20, seed=0)
    drifted = osc.perturb(args.rel, seed=123)
    curves = {"phyll": [], "pat": [], "bp": []}
    at_drift = {m: [] for m in curves}       # accuracy on the drifted system before any further update
    for seed in tqdm(range(args.seeds), desc="seeds", disable=args.no_progress):
        d = load_vowels(args.data, seed=seed)

        def no_update_accuracy(t):
            macs, evals = t.macs, t.phys_evals
            acc = t.accuracy(t.state, d.x_test, d.y_test, jax.random.PRNGKey(10 ** 5 + seed))
            t.macs, t.phys_evals = macs, evals
            return acc

        for m in curves:
            if m == "phyll":
                cfg = PhyLLConfig(epochs=args.epochs, lr=args.phyll_lr, skip=args.skip)
                tr = PhysicalLocalLearning([osc, osc], 12, 7, config=cfg)

                def hook(epoch, t):
                    if epoch == args.drift_at:
                        t.layers = [drifted, drifted]
                        at_drift[m].append(no_update_accuracy(t))
            else:
                tr = BackpropTrainer([osc, osc], 12, 7, mode="pat" if m == "pat" else "insilico", lr=1e-2,
                                     epochs=args.epochs, skip=args.skip)

                def hook(epoch, t):
                    if epoch == args.drift_at:
                        t.set_layers([drifted, drifted])       # the twins stay as they were: stale
                        at_drift[m].append(no_update_accuracy(t))
            rep = tr.fit(d.x_train, d.y_train, d.x_test, d.y_test, key=jax.random.PRNGKey(seed),
                         eval_every=args.eval_every, progress=not args.no_progress, on_epoch=hook)
            curves[m].append([h["test_accuracy"] for h in rep.history])
    epochs = np.arange(args.eval_every, args.epochs + 1, args.eval_every)
    mean = {m: np.mean(np.array(c), axis=0) for m, c in curves.items()}
    pre = epochs <= args.drift_at
    post = epochs > args.drift_at
    names = {"phyll": "PhyLL", "pat": "PAT (stale twin)", "bp": "BP in silico (stale twin)"}
    print(f"\nDrift of the oscillator chain by ±{args.rel:.0%} at epoch {args.drift_at} "
          f"(test accuracy on the physical system, mean of {args.seeds} seeds)")
    print("epoch " + " ".join(f"{names[m]:>26s}" for m in mean))
    for i, e in enumerate(epochs):
        if e % 10 == 0 or abs(e - args.drift_at) <= 2 * args.eval_every:
            print(f"{e:5d} " + " ".join(f"{mean[m][i] * 100:25.1f}%" for m in mean))
    summary = {}
    for m in mean:
        before = float(np.mean(mean[m][pre][-5:]))
        first_after = float(mean[m][post][0])
        end = float(np.mean(mean[m][-5:]))
        rec = np.flatnonzero(mean[m][post] >= before - args.tolerance)
        rec_epochs = int(epochs[post][rec[0]] - args.drift_at) if rec.size else None
        no_update = float(np.mean(at_drift[m]))
        summary[m] = {"before": before, "no_update": no_update, "first_after": first_after, "end": end,
                      "recovery_epochs": rec_epochs}
        print(f"{names[m]:27s} before drift {before * 100:5.1f} %, drifted before any update {no_update * 100:5.1f} %, "
              f"first eval after {first_after * 100:5.1f} %, "
              f"last 5 evals {end * 100:5.1f} %, back within {args.tolerance:.0%} after "
              f"{rec_epochs if rec_epochs is not None else 'never (in this run)'} epochs")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for m, c in mean.items():
        sd = np.std(np.array(curves[m]), axis=0)
        ax.plot(epochs, c * 100, label=names[m])
        ax.fill_between(epochs, (c - sd) * 100, (c + sd) * 100, alpha=0.15)
    ax.axvline(args.drift_at, color="k", ls="--", lw=1)
    ax.text(args.drift_at + 1, ax.get_ylim()[0] + 2, f"±{args.rel:.0%} drift", fontsize=8)
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy on the physical system (%)")
    ax.set_title(f"Vowels, oscillator network (skip={args.skip}) drifting at epoch {args.drift_at}, "
                 f"{args.seeds} seeds", fontsize=9)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    from neurosim.plot import save

    save(fig, args.figure, dpi=120)
    print(f"saved {args.figure}")
    if args.json:
        from neurosim.io.atomic import write_text

        write_text(args.json, json.dumps({"epochs": epochs.tolist(), "curves": curves, "summary": summary}, indent=1))
    return summary


if __name__ == "__main__":
    sys.exit(main() and 0)
