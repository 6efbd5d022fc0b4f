"""EGRU speed: event-driven vs dense inference at high activity sparsity, and training step vs the dense GRU.

Inference: one EGRU layer with ``H`` hidden units (default 1024 and 2048) on 64 inputs, batch 1 (the neuromorphic
setting), T = 200 steps; thresholds set so that ≥ 90 % of unit-steps are silent. The dense path multiplies the
full recurrent matrix every step; the event path gathers only the rows of units that emitted an event (exact,
see ``neurosim/models/gates.py``). Training: forward + backward + Adam of EGRU vs GRU (same sizes, batch 16,
T = 100). JAX timings exclude compilation and block until ready; median of ``--repeats``.

Run:  python benchmarks/egru_speed.py [--hidden 1024 2048] [--repeats 10]
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


# Direct thresholds ~ Beta with this mean: with unit-variance inputs and Xavier weights ~90 % of unit-steps stay silent
THR = 0.3


def inference(hidden, repeats, T=200, n_in=64):
    import jax
    import jax.numpy as jnp
    import numpy as np

    from neurosim.models import EGRU

    rng = np.random.default_rng(0)
    xs = jnp.asarray(rng.normal(0, 1.0, size=(T, 1, n_in)), jnp.float32)
    dense = EGRU(n_in, hidden, threshold="direct", threshold_mean=THR, learn_threshold=False)
    event = EGRU(n_in, hidden, threshold="direct", threshold_mean=THR, learn_threshold=False, inference="event",
                 capacity=0.15)
    params = dense.init(jax.random.PRNGKey(0))
    run_d = jax.jit(lambda p: dense.run(p, dense.init_state((1,)), xs))
    run_e = jax.jit(lambda p: event.run(p, event.init_state((1,)), xs))
    out_d, out_e = run_d(params)[1], run_e(params)[1]
    np.testing.assert_allclose(np.asarray(out_e), np.asarray(out_d), atol=1e-4)
    sparsity = float((np.asarray(out_d) == 0).mean())
    t_d = _median_time(lambda: run_d(params)[1], repeats)
    t_e = _median_time(lambda: run_e(params)[1], repeats)
    counts = run_e(params)[2]
    executed = int(np.asarray(counts.macs_event).sum())
    dense_rec = T * hidden * 3 * hidden
    return sparsity, t_d, t_e, executed / dense_rec


def training(hidden, repeats, T=100, batch=16, n_in=64):
    import jax
    import numpy as np
    import optax

    import neurosim as ns
    from neurosim.models import EGRU, GRU

    rng = np.random.default_rng(0)
    x = jax.numpy.asarray(rng.normal(size=(batch, T, n_in)), jax.numpy.float32)
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
    ap.add_argument("--hidden", type=int, nargs="+", default=[1024, 2048])
    ap.add_argument("--train-hidden", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    print("EGRU inference, batch 1, T=200, dense vs event-driven recurrent product (median of "
          f"{args.repeats}):")
    for h in args.hidden:
        sp, t_d, t_e, frac = inference(h, args.repeats)
        print(f"  H={h:5d}: activity sparsity {sp:.1%}; dense {t_d * 1e3:7.1f} ms, event {t_e * 1e3:7.1f} ms, "
              f"speed-up {t_d / t_e:.2f}x")
        print(f"           executed/dense recurrent MACs {frac:.5f} vs measured activity {1 - sp:.5f} "
              f"(relative difference {abs(frac / (1 - sp) - 1):.2%}; target <= 1%)")
    t = training(args.train_hidden, args.repeats)
    print(f"training step H={args.train_hidden}, batch 16, T=100: EGRU {t['EGRU'] * 1e3:.1f} ms, "
          f"GRU {t['GRU'] * 1e3:.1f} ms, ratio EGRU/GRU {t['EGRU'] / t['GRU']:.2f} (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
