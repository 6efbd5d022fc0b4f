"""Vowel classification (Hillenbrand: women, 7 vowels, 12 formants) with a physical network of two coupled
nonlinear-oscillator blocks, trained three ways over several seeds in one run:

* PhyLL   — physical local learning (Momeni et al. 2023): no gradient of the physics, no model of it;
* PAT     — physics-aware training (Wright et al. 2022): physical forward pass, backward through the digital twin;
* BP      — plain backprop on the noise-free twin (in silico), then deployed on the physical system.

Each seed draws its own train/test split (80/20, stratified) and initialisation; the physical system (a 20-mass
Duffing/FPU chain, 1 % read-out noise) is the same device for all. Prints mean ± s.d. test accuracy, training
digital MACs, physical evaluations and wall time per method.

``--train-physical``: PAT and BP also train the chain's couplings (its control parameters), set on the system
before every measurement. ``--no-skip``: blocks without the skip copy.

``--system metasurface``: the paper's microwave experiment instead — three blocks of the metasurface-programmable
cavity (20 values → 40 elements with the paper script's 2-bit coding → |S21| at 20 frequencies), skip copies
``[P(h), h]`` as in its ``FNet([40,20,40,20,40,20])``, PhyLL at the script's Adam lr 2.5e-4 (θ 4, 10 inner steps).

Run:  python benchmarks/physical_vowels.py [--system oscillators|metasurface] [--seeds 10] [--epochs 100]
          [--methods phyll pat bp] [--no-progress]
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--system", choices=("oscillators", "metasurface"), default="oscillators")
    ap.add_argument("--train-physical", action="store_true",
                    help="PAT/BP also train the physical control parameters (the chain's couplings)")
    ap.add_argument("--no-skip", action="store_true", help="blocks without the skip copy [P(h), h] (all through "
                                                            "the physics, as in benchmarks/physical_drift.py)")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--methods", nargs="+", default=["phyll", "pat", "bp"], choices=["phyll", "pat", "bp"])
    ap.add_argument("--data", default=None, help="vowdata.dat or the shared data folder (default: NEUROSIM_SHARED_DATA)")
    ap.add_argument("--json", default=None, help="also write the results to this JSON file")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    from tqdm.auto import tqdm

    from neurosim.data.vowels import load_vowels
    from neurosim.learn.local import PhyLLConfig, PhysicalLocalLearning, summarize_reports
    from neurosim.learn.pat import BackpropTrainer
    from neurosim.physical import Metasurface, OscillatorChain

    if args.system == "metasurface":
        osc = Metasurface(20, 20, seed=0)
        blocks, phyll_lr = [osc, osc, osc], 2.5e-4
        print(f"physical system: {osc!r}, {osc.n_elements} elements ({osc.coding} 2-bit coding), noise {osc.noise:g}")
    else:
        osc = OscillatorChain(20, seed=0)
        blocks, phyll_lr = [osc, osc], PhyLLConfig().lr
        print(f"physical system: {osc!r}, {osc.n_steps} RK4 steps, noise {osc.noise:g}")
    results = {m: [] for m in args.methods}
    for seed in tqdm(range(args.seeds), desc="seeds", disable=args.no_progress):
        d = load_vowels(args.data, seed=seed)
        key = jax.random.PRNGKey(seed)
        for m in args.methods:
            if m == "phyll":
                tr = PhysicalLocalLearning(blocks, 12, 7, config=PhyLLConfig(epochs=args.epochs, lr=phyll_lr,
                                                                             skip=not args.no_skip))
            else:
                tr = BackpropTrainer(blocks, 12, 7, mode="pat" if m == "pat" else "insilico", lr=1e-2,
                                     epochs=args.epochs, skip=not args.no_skip, train_physical=args.train_physical)
            rep = tr.fit(d.x_train, d.y_train, d.x_test, d.y_test, key=key, progress=not args.no_progress)
            results[m].append(rep.as_dict())
            if not args.no_progress:
                tqdm.write(f"seed {seed} {m:6s} test {rep.test_accuracy:.3f} train {rep.train_accuracy:.3f} "
                           f"({rep.wall_time_s:.1f} s)")
    print(f"\nVowels (women, 7 vowels, 12 formants; {d.x_train.shape[0]} train / {d.x_test.shape[0]} test per split), "
          f"{args.seeds} seeds, {args.epochs} epochs, {len(blocks)} {args.system} blocks")
    hdr = f"{'method':8s} {'test acc (mean ± s.d.)':>24s} {'train acc':>10s} {'digital MACs':>14s} " \
          f"{'phys. evals':>12s} {'wall time/run':>14s}"
    print(hdr)
    print("-" * len(hdr))
    names = {"phyll": "PhyLL", "pat": "PAT", "bp": "BP"}
    for m, runs in results.items():
        sm = summarize_reports(runs)
        print(f"{names[m]:8s} {sm['test_mean'] * 100:17.1f} ± {sm['test_std'] * 100:4.1f} % "
              f"{sm['train_accuracy'] * 100:8.1f} % {sm['digital_macs']:14.3g} {sm['physical_evals']:12.3g} "
              f"{sm['wall_time_s']:12.1f} s")
    print("digital MACs: training only (PAT and BP include the digital twin's forward and backward passes); "
          "phys. evals: single-sample passes through a physical block during training")
    if args.json:
        from neurosim.io.atomic import write_text

        write_text(args.json, json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    sys.exit(main() and 0)
