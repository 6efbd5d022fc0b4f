"""Sequential-MNIST-style recipe on the shipped 8×8 digit images: each image is read as a sequence — pixel by pixel
(T = 64, one input per step; the sMNIST protocol scaled to the images the package ships) or row by row (T = 8,
8 inputs) — by an EGRU and a dense GRU of the same size in the same run; the class is read out from the LI layer's
membrane at the last step. Prints test accuracy, EGRU activity sparsity and train time.

Run:  python benchmarks/sequential_digits.py [--mode pixel|row] [--hidden 64] [--epochs 30]
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=["pixel", "row"], default="pixel")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--models", nargs="+", default=["egru", "gru"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--activity-target", type=float, default=0.1, help="EGRU target event rate")
    ap.add_argument("--activity-weight", type=float, default=0.5, help="EGRU activity-regulariser weight")
    ap.add_argument("--threshold-mean", type=float, default=-1.5, help="EGRU initial threshold parameter mean")
    ap.add_argument("--trace", action="store_true", help="EGRU outputs the low-pass trace of its events")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import optax

    import neurosim as ns
    from neurosim.data.digit_images import load_digit_images
    from neurosim.models import EGRU, GRU

    d = load_digit_images(seed=args.seed)
    shape = (-1, 64, 1) if args.mode == "pixel" else (-1, 8, 8)
    xtr, xte = d.x_train.reshape(shape), d.x_test.reshape(shape)
    ytr, yte = d.y_train, d.y_test
    n_in, H = xtr.shape[-1], args.hidden
    print(f"{len(ytr)} training / {len(yte)} test images, {args.mode} by {args.mode}: T = {xtr.shape[1]}, "
          f"{n_in} input(s) per step")
    builders = {"egru": lambda: EGRU(n_in, H, threshold_mean=args.threshold_mean, activity_weight=args.activity_weight,
                                     activity_target=args.activity_target, trace=args.trace),
                "gru": lambda: GRU(n_in, H)}
    results = {}
    for name in args.models:
        net = ns.Sequential([builders[name](), ns.Layer(ns.Dense(H, 10), ns.LI(10, beta=0.9))])
        sched = optax.cosine_decay_schedule(3e-3, args.epochs * (len(ytr) // 32))
        tr = ns.Trainer(net, optimizer=optax.adam(sched), readout="last", batch_size=32, seed=args.seed,
                        progress=False)
        t0 = time.perf_counter()
        tr.fit(xtr, ytr, epochs=args.epochs)
        ev = tr.evaluate(xte, yte)
        sp = ev["activity"].layers["layer0"].sparsity
        results[name] = (ev["accuracy"], sp, time.perf_counter() - t0)
        print(f"{name:5s}: test accuracy {ev['accuracy']:.3f}, activity sparsity {sp:.3f}, "
              f"train time {results[name][2]:.0f} s", flush=True)
    if "egru" in results and "gru" in results:
        print(f"EGRU - GRU accuracy: {results['egru'][0] - results['gru'][0]:+.3f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
