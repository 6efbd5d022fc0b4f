"""COBA E/I network (Brette et al. 2007, benchmark 1) in neurosim and in raw BrainPy, timed in the same run.

4,000 conductance-based LIF neurons (3,200 E / 800 I), connection probability 0.02, exponential conductances
τe = 5 ms, τi = 10 ms, E_exc = 0 mV, E_inh = −80 mV, w_e = 0.6, w_i = 6.7 (units of the leak conductance),
τm = 20 ms, V_th = −50 mV, V_reset = V_rest = −60 mV, τ_ref = 5 ms, bias 20 mV, V0 ~ N(−55, 2) mV,
dt = 0.1 ms, 1 s simulated (10,000 steps). Parameters as in the BrainPy paper's reproducibility scripts
(brainpy/brainpy-iclr24-reproducibility, COBAlif). Both sides use BrainPy's event-driven CSR kernel.

Prints wall time of each (compilation excluded: one warm-up run first; median of ``--repeats``), their ratio, and
the mean firing rates, which must be 10–30 Hz and within 10 % of each other.

Run:  python benchmarks/coba.py [--repeats 3] [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

NE, NI, P, DT = 3200, 800, 0.02, 0.1
NEURON = dict(tau_mem=20.0, v_rest=-60.0, v_th=-50.0, v_reset=-60.0, t_ref=5.0)
SYNAPSES = [("E", 0.6, 5.0, "exc"), ("I", 6.7, 10.0, "inh")]


def neurosim_network(seed=0):
    import jax.numpy as jnp
    import numpy as np
    import neurosim as ns

    net = ns.Network(dt=DT)
    sizes = {"E": NE, "I": NI}
    for name, n in sizes.items():
        net.add(name, ns.CobaLIF(n, dt=DT, **NEURON), bias=20.0)
    for k, (src, w, tau, receptor) in enumerate(SYNAPSES):
        for j, tgt in enumerate(sizes):
            proj = ns.EventCSR(sizes[src], sizes[tgt], p=P, weight=w, seed=seed * 10 + 2 * k + j)
            net.connect(src, tgt, proj, synapse=ns.Exponential(tau, DT), receptor=receptor)
    rng = np.random.default_rng(seed)
    state = net.init_state()
    for name, n in sizes.items():
        state[name] = state[name]._replace(v=jnp.asarray(rng.normal(-55.0, 2.0, n), jnp.float32))
    return net, state


def run_neurosim(steps, repeats):
    import jax
    import neurosim as ns

    net, state0 = neurosim_network()
    params = net.init(jax.random.PRNGKey(0))
    times, result = [], None
    for i in range(repeats + 1):
        t0 = time.perf_counter()
        result = ns.simulate(net, steps=steps, params=params, state=state0, record=())
        jax.block_until_ready(result.final_state)
        if i:  # the first run compiles
            times.append(time.perf_counter() - t0)
    rates = result.activity.rates_hz()
    return statistics.median(times), rates


def run_brainpy(steps, repeats):
    import brainpy as bp
    import brainpy.math as bm
    import jax

    bm.set_dt(DT)
    pars = dict(V_rest=-60.0, V_th=-50.0, V_reset=-60.0, tau=20.0, tau_ref=5.0,
                V_initializer=bp.init.Normal(-55.0, 2.0))

    class EINet(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.E = bp.dyn.LifRef(NE, **pars)
            self.I = bp.dyn.LifRef(NI, **pars)

            def proj(pre, post, w, tau, e):
                return bp.dyn.ProjAlignPostMg2(
                    pre=pre, delay=None,
                    comm=bp.dnn.EventCSRLinear(bp.conn.FixedProb(P, pre=pre.num, post=post.num), w),
                    syn=bp.dyn.Expon.desc(post.num, tau=tau), out=bp.dyn.COBA.desc(E=e), post=post)

            self.projs = [proj(self.E, self.E, 0.6, 5.0, 0.0), proj(self.E, self.I, 0.6, 5.0, 0.0),
                          proj(self.I, self.E, 6.7, 10.0, -80.0), proj(self.I, self.I, 6.7, 10.0, -80.0)]

        def update(self, inp):
            for p in self.projs:
                p()
            self.E(inp)
            self.I(inp)
            return self.E.spike.value, self.I.spike.value

    times, rates = [], None
    for i in range(repeats + 1):
        net = EINet()  # fresh state each run (same as neurosim's fresh initial state)

        def one(t):
            return net.step_run(t, 20.0)

        t0 = time.perf_counter()
        e, inh = bm.for_loop(one, bm.arange(steps), progress_bar=False)
        jax.block_until_ready((e, inh))
        if i:
            times.append(time.perf_counter() - t0)
        seconds = steps * DT * 1e-3
        rates = {"E": float(e.sum()) / NE / seconds, "I": float(inh.sum()) / NI / seconds}
    return statistics.median(times), rates


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.0, help="simulated time in s")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    steps = int(round(args.seconds * 1000 / DT))
    print(f"COBA {NE}+{NI} neurons, p={P}, dt={DT} ms, {args.seconds:g} s simulated ({steps} steps), "
          f"median of {args.repeats} runs after a warm-up")
    t_ns, r_ns = run_neurosim(steps, args.repeats)
    t_bp, r_bp = run_brainpy(steps, args.repeats)
    print(f"neurosim     : {t_ns:7.3f} s   rates E {r_ns['E']:5.2f} Hz, I {r_ns['I']:5.2f} Hz")
    print(f"raw BrainPy  : {t_bp:7.3f} s   rates E {r_bp['E']:5.2f} Hz, I {r_bp['I']:5.2f} Hz")
    overhead = t_ns / t_bp - 1.0
    print(f"time ratio neurosim / BrainPy: {t_ns / t_bp:.3f}  (overhead {overhead:+.1%}; target <= +10%)")
    ok_range = all(10.0 <= r <= 30.0 for r in (*r_ns.values(), *r_bp.values()))
    rel = max(abs(r_ns[k] - r_bp[k]) / r_bp[k] for k in r_ns)
    print(f"rates in 10-30 Hz: {ok_range}; max relative rate difference: {rel:.1%} (must be <= 10%)")
    return 0 if ok_range and rel <= 0.10 else 1


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
