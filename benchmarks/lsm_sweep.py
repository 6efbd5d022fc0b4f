"""Robustness of the RRAM liquid state machine on spoken digits: accuracy vs read noise, stuck-at rate, drift time
and conductance levels (the same chip read under each non-ideality; 3 seeds vmapped per point).

A 300-neuron RRAM-weight LSM (same recipe as ``lsm_spoken_digits.py``: 5 ms bins, sqrt-rate features, channel-shift
augmentation) gets a ridge readout trained on features of the nominal chip (noise-free read, no faults). The test
set (theo, 500 recordings) is then run on the same chip read with: multiplicative read noise σ per cell, either
*static* (one read per seed, seen by the whole run: a frozen variation) or *live* (a fresh read at every time step,
``LiquidStateMachine.run_live``: cycle-to-cycle noise inside the scan, one read per step shared by the batch); stuck-at faults at a total rate p (half ON = g_max, half OFF = g_min; a new fault map per seed);
CMO-HfOx log-time relaxation after t seconds; conductances rounded to L uniform levels.

Writes docs/figures/lsm_sweep.png.   Run:  python benchmarks/lsm_sweep.py [--seeds 3] [--n-res 300]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-res", type=int, default=300)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs" / "figures" / "lsm_sweep.png"))
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import jax
    import matplotlib

    matplotlib.use("Agg")

    from lsm_spoken_digits import load
    from neurosim.learn.sweeps import lsm_device_sweep
    from neurosim.models.lsm import LiquidStateMachine
    from neurosim.models.readouts import fit_ridge
    from neurosim.plot import robustness_sweeps, save

    t0 = time.perf_counter()
    xtr, ytr, xte, yte = load()
    lsm = LiquidStateMachine(64, args.n_res, weights="rram-forming-random", in_gain=2.0, beta=0.95, dt=5.0)
    chip = jax.random.PRNGKey(0)
    params = lsm.init(chip)
    readout = fit_ridge(lsm.features(params, xtr, "rates", power=0.5), ytr, alpha=10.0)
    nominal = readout.accuracy(lsm.features(params, xte, "rates", power=0.5), yte)
    print(f"nominal chip: test accuracy {nominal:.3f} (theo)  [{time.perf_counter() - t0:.0f} s]", flush=True)
    grid = {
        "read_noise": ([0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5], "read-noise σ, one read per run (static)", "linear"),
        "read_noise_live": ([0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5], "read-noise σ, fresh read every step (live)",
                            "linear"),
        "stuck_rate": ([0.0, 0.01, 0.02, 0.05, 0.1, 0.2], "stuck-at rate (half ON, half OFF)", "linear"),
        "drift_time": ([1.0, 60.0, 3600.0, 86400.0, 2.6e6], "time since forming (s), CMO relaxation", "log"),
        "levels": ([2, 4, 8, 16, 32], "conductance levels", "log2"),
    }
    results = {}
    for knob, (values, label, _) in grid.items():
        t1 = time.perf_counter()
        live = knob.endswith("_live")
        acc = lsm_device_sweep(lsm, chip, readout, xte, yte, knob.removesuffix("_live"), values, seeds=args.seeds,
                               key=jax.random.PRNGKey(1), live=live)
        results[knob] = acc
        print(f"{knob:11s}: " + ", ".join(f"{v:g} -> {m:.3f}+-{s:.3f}" for v, m, s in
                                          zip(values, acc.mean(1), acc.std(1))) +
              f"  [{time.perf_counter() - t1:.0f} s]", flush=True)
    fig = robustness_sweeps({k: (grid[k][0], results[k]) for k in grid},
                            xlabels={k: grid[k][1] for k in grid}, xscales={k: grid[k][2] for k in grid},
                            chance=0.1, nominal=nominal,
                            title=f"RRAM LSM ({args.n_res} neurons), spoken digits, held-out speaker; "
                                  f"mean ± s.d. over {args.seeds} seeds")
    save(fig, args.out, dpi=120, bbox_inches="tight")
    print(f"wrote {args.out}; total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
