"""EGRU speed: event-driven vs dense inference as activity varies, and the training step vs the dense GRU.

Inference: one EGRU layer with ``H`` hidden units (default 256 and 1024) on 64 inputs, batch 1 (the neuromorphic
setting), T = 200 steps, at activities of 1, 5, 20 and 50 % of unit-steps (direct thresholds, their Beta mean set
by bisection on the dense run). The dense path multiplies the full recurrent matrix every step; the event path
gathers only the rows of units that emitted an event, into the smallest power-of-two capacity bucket that holds
them (exact, see ``neurosim/models/gates.py``; ``capacity`` 0.5: above H/2 active units it runs dense). Printed per
point: wall time of both (min of ``--repeats``, interleaved), the speed-up, and the recurrent work as **executed**
by the kernel (bucket rows × 3H, padding included) vs **modelled** (active units × 3H, what an event-driven target
does), both over the dense product. Training: forward + backward + Adam of EGRU vs GRU (same sizes, batch 16,
T = 100). JAX timings exclude compilation and block until ready.

Run:  python benchmarks/egru_speed.py [--hidden 256 1024] [--activity 0.01 0.05 0.2 0.5] [--repeats 20] [--json F]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _median_time(fn, repeats):
    import jax

    jax.block_until_ready(fn())
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _calibrate(layer, params, run_dense, target, key):
    """Beta mean of the direct thresholds that gives ``target`` activity on the dense run (bisection)."""
    import numpy as np

    from neurosim.models import EGRU

    lo, hi = 0.01, 0.99
    for _ in range(14):
        mid = 0.5 * (lo + hi)
        theta = EGRU(layer.n_in, layer.hidden, threshold="direct", threshold_mean=mid).init(key)["theta"]
        act = float((np.asarray(run_dense({**params, "theta": theta})) != 0).mean())
        lo, hi = (mid, hi) if act > target else (lo, mid)
    return {**params, "theta": theta}, act


def inference(hidden, activities, repeats, T=200, n_in=64):
    import jax
    import jax.numpy as jnp
    import numpy as np

    from neurosim.models import EGRU

    rng = np.random.default_rng(0)
    xs = jnp.asarray(rng.normal(0, 1.0, size=(T, 1, n_in)), jnp.float32)
    dense = EGRU(n_in, hidden, threshold="direct", learn_threshold=False)
    event = EGRU(n_in, hidden, threshold="direct", learn_threshold=False, inference="event", capacity=0.5)
    base = dense.init(jax.random.PRNGKey(0))
    run_d = jax.jit(lambda p: dense.run(p, dense.init_state((1,)), xs)[1])
    run_e = jax.jit(lambda p: event.run(p, event.init_state((1,)), xs)[1:3])
    rows = []
    for target in activities:
        params, act = _calibrate(dense, base, run_d, target, jax.random.PRNGKey(1))
        out_d = run_d(params)
        out_e, counts = run_e(params)
        np.testing.assert_allclose(np.asarray(out_e), np.asarray(out_d), atol=1e-4)
        td, te = [], []
        for _ in range(repeats):  # interleaved, so load changes hit both
            for fn, acc in ((lambda: run_d(params), td), (lambda: run_e(params)[0], te)):
                t0 = time.perf_counter()
                jax.block_until_ready(fn())
                acc.append(time.perf_counter() - t0)
        dense_rec = T * hidden * 3 * hidden
        executed = int(np.asarray(counts.macs_event, np.int64).sum()) / dense_rec
        y_prev = np.concatenate([np.zeros((1, 1, hidden)), np.asarray(out_d)[:-1]])
        modelled = int((y_prev != 0).sum()) * 3 * hidden / dense_rec
        rows.append({"hidden": hidden, "target_activity": target, "activity": act, "dense_s": min(td),
                     "event_s": min(te), "speedup": min(td) / min(te), "executed_fraction": executed,
                     "modelled_fraction": modelled})
    return rows


def training(hidden, repeats, T=100, batch=16, n_in=64):
    import jax
    import numpy as np
    import optax

    import neurosim as ns
    from neurosim.models import EGRU, GRU

    rng = np.random.default_rng(0)
    x = jax.numpy.asarray(rng.normal(size=(T, batch, n_in)), jax.numpy.float32)  # the compiled step is time-major
    y = jax.numpy.asarray(rng.integers(0, 10, batch))
    out = {}
    for name, layer in (("EGRU", EGRU(n_in, hidden, threshold_mean=-1.0)), ("GRU", GRU(n_in, hidden))):
        net = ns.Sequential([layer, ns.Layer(ns.Dense(hidden, 10), ns.LI(10, beta=0.0))])
        tr = ns.Trainer(net, optimizer=optax.adam(1e-3), readout="mean", batch_size=batch, progress=False)
        key = jax.random.PRNGKey(0)
        out[name] = _median_time(lambda: tr._train_step(tr.params, tr.opt_state, x, y, key)[0], repeats)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, nargs="+", default=[256, 1024])
    ap.add_argument("--activity", type=float, nargs="+", default=[0.01, 0.05, 0.2, 0.5])
    ap.add_argument("--train-hidden", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--skip-train", action="store_true")
    ap.add_argument("--json", help="write the inference rows as JSON (atomically)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    print(f"EGRU inference, batch 1, T=200, dense vs event-driven recurrent product (min of {args.repeats}, "
          "interleaved):")
    rows = []
    for h in args.hidden:
        for r in inference(h, args.activity, args.repeats):
            rows.append(r)
            print(f"  H={h:5d} activity {100 * r['activity']:5.1f} %: dense {r['dense_s'] * 1e3:7.2f} ms, event "
                  f"{r['event_s'] * 1e3:7.2f} ms, speed-up {r['speedup']:5.2f}x; recurrent work / dense: executed "
                  f"{r['executed_fraction']:.4f}, modelled {r['modelled_fraction']:.4f}", flush=True)
    if args.json:
        import json

        from neurosim.io.atomic import write_text

        write_text(args.json, json.dumps(rows, indent=1))
    if not args.skip_train:
        t = training(args.train_hidden, max(3, args.repeats // 2))
        print(f"training step H={args.train_hidden}, batch 16, T=100: EGRU {t['EGRU'] * 1e3:.1f} ms, "
              f"GRU {t['GRU'] * 1e3:.1f} ms, ratio EGRU/GRU {t['EGRU'] / t['GRU']:.2f} (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
