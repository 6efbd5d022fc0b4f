"""Spoken digits with a liquid state machine: RRAM-drawn vs Gaussian reservoir weights, closed-form readouts.

The embedded FSDD set (64 cochlear channels) is binned at 5 ms (event counts, T = 120 = 600 ms), run through a
fixed LIF reservoir (600 neurons, Maass 3-D grid connectivity, 80/20 E/I with Dale's law) whose weights are drawn
either from electroformed RRAM differential pairs (``rram-forming-random``) or from a Gaussian; the same
structure and seeds are used for both. Features: square-root spike rates. Readouts: ridge regression (closed
form), multinomial logistic regression (L-BFGS) and an MLP head (Adam). The readouts are trained on george/jackson/
lucas/nicolas with channel-shift augmentation (the inputs shifted by -3..3 cochlear channels, a crude vocal-tract-
length perturbation; the reservoir is simply run on every shifted copy) and tested on all 500 recordings of theo.

Run:  python benchmarks/lsm_spoken_digits.py [--n-res 600] [--seeds 3] [--no-heads]
"""

from __future__ import annotations

import argparse
import os
import time


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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-res", type=int, default=600)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--alpha", type=float, default=10.0)
    ap.add_argument("--no-heads", action="store_true", help="ridge only (skip logistic and MLP)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import numpy as np

    from neurosim.models.lsm import LiquidStateMachine
    from neurosim.models.readouts import fit_logistic, fit_mlp, fit_ridge

    t0 = time.perf_counter()
    xtr, ytr, xte, yte = load()
    print(f"data: train {xtr.shape[1]} sequences (4 speakers x 7 channel shifts), test {xte.shape[1]} (theo), "
          f"T={xte.shape[0]} x 5 ms, 64 channels  [{time.perf_counter() - t0:.1f} s]", flush=True)
    rows = {}
    for weights in ("rram-forming-random", "gaussian"):
        accs = []
        for seed in range(args.seeds):
            lsm = LiquidStateMachine(64, args.n_res, weights=weights, in_gain=2.0, rec_gain=1.0, beta=0.95, dt=5.0,
                                     seed=seed)
            params = lsm.init(jax.random.PRNGKey(seed))
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
    main()
