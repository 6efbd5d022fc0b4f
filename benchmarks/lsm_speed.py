"""LSM simulation speed: a 2,000-neuron reservoir for 1 s at dt = 1 ms (1,000 steps), batch 64.

Measured after compilation (best of ``--repeats``), in the same run:

* ``LiquidStateMachine.run`` with the dense backend (spikes @ W, through the generic ``Network`` step);
* the same with the event-driven backend (BrainPy ``bm.event.csrmv``; only rows of spiking neurons are touched);
* the peer: a hand-written ``jax.lax.scan`` of the same equations with dense matrices (no framework), on the
  same weights and inputs (spike agreement printed; float summation order can flip a rare spike).

Input: 100 Poisson channels at 20 Hz. Prints wall time, simulated-time/real-time factor and the ratio to the peer.

Run:  python benchmarks/lsm_speed.py [--n 2000] [--batch 64] [--steps 1000]
"""

from __future__ import annotations

import argparse
import os
import time


def bench(fn, repeats):
    out = fn()
    out.block_until_ready()  # compile
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        out.block_until_ready()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--n-in", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--skip-event", action="store_true")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import jax.numpy as jnp

    from neurosim.models.lsm import LiquidStateMachine

    key = jax.random.PRNGKey(0)
    x = (jax.random.uniform(key, (args.steps, args.batch, args.n_in)) < 0.02).astype(jnp.float32)
    print(f"reservoir {args.n} LIF neurons, {args.n_in} Poisson inputs (20 Hz), {args.steps} steps x 1 ms, "
          f"batch {args.batch}; backend {jax.default_backend()}, {os.cpu_count()} CPU cores")
    lsm = LiquidStateMachine(args.n_in, args.n, weights="rram-forming-random", in_gain=3.0, beta=0.95, dt=1.0)
    params = lsm.init(jax.random.PRNGKey(1))
    nnz = lsm.projections["res->res"].nnz
    t_dense, s_dense = bench(lambda: lsm.run(params, x).outputs, args.repeats)
    rate = float(s_dense.mean()) * 1000.0
    print(f"recurrent synapses {nnz} (mean fan-out {nnz / args.n:.1f}); mean rate {rate:.1f} Hz")

    # peer: plain jax.lax.scan, dense matrices, same equations (v = beta v + x W_in + s_prev W_rec; hard reset)
    w_in, w_rec = params["in->res"]["w"], params["res->res"]["w"]
    beta, v_th = 0.95, 1.0

    @jax.jit
    def peer(x):
        def body(carry, xt):
            v, s = carry
            v = beta * v + xt @ w_in + s @ w_rec
            s_new = (v >= v_th).astype(jnp.float32)
            v = jnp.where(s_new > 0, 0.0, v)
            return (v, s_new), s_new

        z = jnp.zeros((x.shape[1], args.n), jnp.float32)
        return jax.lax.scan(body, (z, z), x)[1]

    t_peer, s_peer = bench(lambda: peer(x), args.repeats)
    agree = float(jnp.mean(s_peer == s_dense))
    sim_s = args.steps * 1e-3
    print(f"LSM dense backend : {t_dense:7.2f} s  ({sim_s * args.batch / t_dense:6.1f} sample-seconds per second)")
    print(f"plain lax.scan    : {t_peer:7.2f} s  -> LSM/peer time ratio {t_dense / t_peer:.2f}; "
          f"spike agreement {agree:.4f}")
    if not args.skip_event:
        lsm_e = LiquidStateMachine(args.n_in, args.n, weights="rram-forming-random", in_gain=3.0, beta=0.95,
                                   dt=1.0, backend="event")
        params_e = lsm_e.init(jax.random.PRNGKey(1))
        t_event, s_event = bench(lambda: lsm_e.run(params_e, x).outputs, args.repeats)
        print(f"LSM event backend : {t_event:7.2f} s  -> event/peer ratio {t_event / t_peer:.2f}; spike agreement "
              f"with dense {float(jnp.mean(s_event == s_dense)):.4f}")


if __name__ == "__main__":
    main()
