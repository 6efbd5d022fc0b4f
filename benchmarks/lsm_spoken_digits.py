"""Spoken digits with a liquid state machine: RRAM-drawn vs Gaussian reservoir weights, closed-form readouts,
speaker-independent.

The FSDD set (64 cochlear channels) is binned at 5 ms (event counts, T = 120 = 600 ms), run through a fixed LIF
reservoir (600 neurons, Maass 3-D grid connectivity, 80/20 E/I with Dale's law) whose weights are drawn either
from electroformed RRAM differential pairs (``rram-forming-random``) or from a Gaussian; the same structure and
seeds are used for both. Features: square-root spike rates. Training inputs are augmented by shifting the channel
axis by -3..3 (a crude vocal-tract-length perturbation; the reservoir is run on every shifted copy).

``--protocol loso`` (default): leave one speaker out over the five speakers (``neurosim.data.leave_one_group_out``);
the ridge penalty (grid ``--alphas``) is chosen on a validation speaker drawn from the four training speakers
(readout fit on the other three), refit on all four and scored once on the test speaker; mean ± s.d. over folds ×
reservoir seeds. The reservoir is fixed, so its features are computed once per seed for every recording and shift.
``--protocol single`` reproduces the old theo-only split with logistic and MLP heads (not a reported figure).

Run:  python benchmarks/lsm_spoken_digits.py [--protocol loso] [--n-res 600] [--seeds 3] [--alphas 1 10 100]
"""

from __future__ import annotations

import argparse
import os
import time


def reservoir(weights: str, n_res: int, seed: int):
    """The recipe's reservoir (64 channels, 5 ms steps, β 0.95, input gain 2) and its parameters for ``seed``."""
    import jax

    from neurosim.models.lsm import LiquidStateMachine

    lsm = LiquidStateMachine(64, n_res, weights=weights, in_gain=2.0, rec_gain=1.0, beta=0.95, dt=5.0, seed=seed)
    return lsm, lsm.init(jax.random.PRNGKey(seed))


def shift_channels(x, s: int):
    """Time-major (T, B, C) inputs moved by ``s`` channels (zeros shifted in)."""
    import numpy as np

    out = np.roll(x, s, axis=-1)
    if s > 0:
        out[..., :s] = 0
    elif s < 0:
        out[..., s:] = 0
    return out


def load(dt_us: int = 5000, T: int = 120, shifts=(-3, -2, -1, 0, 1, 2, 3), test_speaker: str = "theo"):
    import numpy as np

    from neurosim.data.datasets import load_spoken_digits

    train, test = load_spoken_digits(test_speakers=(test_speaker,))
    xtr = np.swapaxes(train.to_dense(dt_us, T, binary=False), 0, 1)
    xte = np.swapaxes(test.to_dense(dt_us, T, binary=False), 0, 1)
    xaug = np.concatenate([shift_channels(xtr, s) for s in shifts], axis=1)
    return xaug, np.tile(train.labels, len(shifts)), xte, test.labels


def loso(args):
    import numpy as np

    from neurosim.data import leave_one_group_out, load_event_dataset
    from neurosim.data.datasets import EMBEDDED
    from neurosim.data.splits import mean_sd
    from neurosim.models.readouts import fit_ridge

    t0 = time.perf_counter()
    ds = load_event_dataset(EMBEDDED / "spoken_digits.h5")
    x = np.swapaxes(ds.to_dense(5000, 120, binary=False), 0, 1)  # (T, N, 64)
    y = ds.labels.astype(np.int64)
    shifts = (-3, -2, -1, 0, 1, 2, 3)
    folds = leave_one_group_out(ds.groups, seed=0)
    print(f"{len(y)} recordings, 5 speakers, T=120 x 5 ms; leave one speaker out, ridge alpha from {args.alphas} "
          f"chosen on a validation speaker", flush=True)
    summary = {}
    for weights in ("rram-forming-random", "gaussian"):
        rows = []
        for seed in range(args.seeds):
            lsm, params = reservoir(weights, args.n_res, seed)
            t1 = time.perf_counter()
            feats = {s: np.asarray(lsm.features(params, shift_channels(x, s), "rates", power=0.5)) for s in shifts}
            t_sim = time.perf_counter() - t1

            def fit(mask, alpha):
                X = np.concatenate([feats[s][mask] for s in shifts])
                return fit_ridge(X, np.tile(y[mask], len(shifts)), alpha=alpha)

            for fold in folds:
                val = {a: fit(fold.fit, a).accuracy(feats[0][fold.validation], y[fold.validation])
                       for a in args.alphas}
                alpha = max(args.alphas, key=lambda a: (val[a], a))
                acc = fit(fold.train, alpha).accuracy(feats[0][fold.test], y[fold.test])
                rows.append({"test_speaker": fold.test_group, "seed": seed, "alpha": alpha, "accuracy": float(acc)})
                print(f"  {weights:20s} seed {seed} test {fold.test_group:8s} (val {fold.validation_group}: alpha "
                      f"{alpha:g}; " + ", ".join(f"{a:g} -> {v:.3f}" for a, v in val.items())
                      + f"): ridge {acc:.3f}", flush=True)
            print(f"  [{weights} seed {seed}: reservoir on {len(shifts)} x {len(y)} sequences {t_sim:.0f} s]",
                  flush=True)
        m, sd = mean_sd([r["accuracy"] for r in rows])
        fold_means = {f.test_group: float(np.mean([r["accuracy"] for r in rows if r["test_speaker"] == f.test_group]))
                      for f in folds}
        summary[weights] = {"rows": rows, "accuracy_mean": m, "accuracy_sd": sd, "fold_means": fold_means}
        print(f"{weights:20s}: ridge accuracy {100 * m:.1f} % ± {100 * sd:.1f} over {len(folds)} folds x "
              f"{args.seeds} seeds; per test speaker " + ", ".join(f"{k} {100 * v:.1f}" for k, v in fold_means.items()),
              flush=True)
    d = summary["rram-forming-random"]["accuracy_mean"] - summary["gaussian"]["accuracy_mean"]
    print(f"RRAM - Gaussian reservoir (same structure, folds and seeds): {100 * d:+.1f} points; chance 10 %; total "
          f"{time.perf_counter() - t0:.0f} s")
    if args.json:
        import json

        from neurosim.io.atomic import write_text

        write_text(args.json, json.dumps(summary, indent=1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--protocol", choices=("loso", "single"), default="loso")
    ap.add_argument("--alphas", type=float, nargs="+", default=[1.0, 10.0, 100.0])
    ap.add_argument("--json", help="--protocol loso: write per-fold results as JSON (atomically)")
    ap.add_argument("--n-res", type=int, default=600)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--alpha", type=float, default=10.0)
    ap.add_argument("--no-heads", action="store_true", help="ridge only (skip logistic and MLP)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    if args.protocol == "loso":
        return loso(args)
    import jax
    import numpy as np

    from neurosim.models.readouts import fit_logistic, fit_mlp, fit_ridge

    t0 = time.perf_counter()
    xtr, ytr, xte, yte = load()
    print(f"data: train {xtr.shape[1]} sequences (4 speakers x 7 channel shifts), test {xte.shape[1]} (theo), "
          f"T={xte.shape[0]} x 5 ms, 64 channels  [{time.perf_counter() - t0:.1f} s]", flush=True)
    rows = {}
    for weights in ("rram-forming-random", "gaussian"):
        accs = []
        for seed in range(args.seeds):
            lsm, params = reservoir(weights, args.n_res, seed)
            t1 = time.perf_counter()
            ftr = lsm.features(params, xtr, "rates", power=0.5)
            fte = lsm.features(params, xte, "rates", power=0.5)
            t_sim = time.perf_counter() - t1
            ridge = fit_ridge(ftr, ytr, alpha=args.alpha)
            accs.append(ridge.accuracy(fte, yte))
            line = (f"{weights:20s} seed {seed}: ridge {accs[-1]:.3f}  (mean(sqrt rate)^2 "
                    f"{float(np.asarray(ftr).mean() ** 2):.3f}/step, simulate {t_sim:.1f} s)")
            if seed == 0 and not args.no_heads:
                t2 = time.perf_counter()
                acc_lr = fit_logistic(ftr, ytr, alpha=1e-3, steps=100).accuracy(fte, yte)
                acc_mlp = fit_mlp(ftr, ytr, hidden=128, epochs=30, lr=1e-3, key=jax.random.PRNGKey(seed)
                                  ).accuracy(fte, yte)
                rows[weights + " heads"] = (acc_lr, acc_mlp)
                line += f"; logistic {acc_lr:.3f}; MLP {acc_mlp:.3f} [{time.perf_counter() - t2:.0f} s]"
            print(line, flush=True)
        rows[weights] = accs
    print(f"\nheld-out speaker theo, {args.n_res}-neuron LSM, sqrt-rate features, ridge (alpha={args.alpha:g}), "
          f"{args.seeds} seeds:")
    for weights in ("rram-forming-random", "gaussian"):
        a = np.asarray(rows[weights])
        print(f"  {weights:20s} mean {a.mean():.3f} +- {a.std():.3f}  (per seed {', '.join(f'{v:.3f}' for v in a)})")
    if not args.no_heads:
        for weights in ("rram-forming-random", "gaussian"):
            lr, mlp = rows[weights + " heads"]
            print(f"  {weights:20s} seed 0: logistic {lr:.3f}, MLP head {mlp:.3f}")
    print(f"chance 0.100; total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
