"""8x8 handwritten digits (the embedded UCI/scikit-learn set) through a simulated optical scattering medium, trained
with Hinton's forward-forward algorithm (the physical block is never differentiated).

Architecture: [label one-hot (10) | image (64)] → SLM (256 grey levels) → complex Gaussian transmission matrix
(512 camera pixels, binned 2× → 256) → |·|² with 2 % noise → RMS-normalised, concatenated with the (normalised)
input → ReLU layer of ``--hidden`` units; optionally ``--digital-blocks`` further digital FF blocks. Goodness Σy²,
threshold = number of units, hard negatives from the model's own predictions, Adam. Inference: summed goodness over
the 10 candidate labels.

Run:  python benchmarks/physical_digits.py [--seeds 3] [--epochs 30] [--hidden 256] [--no-progress]
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--modes", type=int, default=512)
    ap.add_argument("--digital-blocks", type=int, default=0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--negatives", default="hard", choices=["hard", "random"])
    ap.add_argument("--json", default=None)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    from tqdm.auto import tqdm

    from neurosim.data.digit_images import load_digit_images
    from neurosim.learn.forward_forward import FFConfig, ForwardForward
    from neurosim.learn.local import summarize_reports
    from neurosim.physical import ScatteringMedium

    medium = ScatteringMedium(74, args.modes, pool=2, seed=0)
    print(f"physical system: {medium!r}, noise {medium.noise:g}")
    runs = []
    for seed in tqdm(range(args.seeds), desc="seeds", disable=args.no_progress):
        d = load_digit_images(seed=seed)
        layers = [medium] + [None] * args.digital_blocks
        hidden = [args.hidden] * len(layers)
        tr = ForwardForward(layers, 64, 10, hidden, FFConfig(lr=args.lr, epochs=args.epochs, batch_size=100,
                                                              negatives=args.negatives))
        rep = tr.fit(d.x_train, d.y_train, d.x_test, d.y_test, key=jax.random.PRNGKey(seed),
                     eval_every=max(1, args.epochs // 6), progress=not args.no_progress)
        runs.append(rep.as_dict())
        curve = " ".join(f"{h['epoch']}:{h['test_accuracy']:.3f}" for h in rep.history)
        print(f"seed {seed}: test {rep.test_accuracy:.4f} train {rep.train_accuracy:.4f} | curve {curve} | "
              f"{rep.digital_macs:.3g} MACs, {rep.physical_evals} physical evals, {rep.wall_time_s:.1f} s")
    sm = summarize_reports(runs)
    print(f"\nDigits 8x8 ({d.x_train.shape[0]} train / {d.x_test.shape[0]} test), forward-forward through the "
          f"scattering medium, {args.epochs} epochs, {args.seeds} seeds:")
    print(f"  test accuracy {sm['test_mean'] * 100:.1f} ± {sm['test_std'] * 100:.1f} % "
          f"(min {sm['test_min'] * 100:.1f} %), train {sm['train_accuracy'] * 100:.1f} %")
    print(f"  per run: {sm['digital_macs']:.3g} digital MACs, {sm['physical_evals']:.3g} physical evaluations, "
          f"{sm['wall_time_s']:.1f} s wall time")
    if args.json:
        from neurosim.io.atomic import write_text

        write_text(args.json, json.dumps(runs, indent=1))
    return runs


if __name__ == "__main__":
    sys.exit(main() and 0)
