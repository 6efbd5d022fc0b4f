"""COBA E/I network (Brette et al. 2007, benchmark 1) at several sizes: neurosim vs raw BrainPy (same process) and
Brian2 2.9 (Cython runtime mode, its own venv from ``benchmarks/peers/setup.sh``), interleaved repetitions.

N conductance-based LIF neurons (80 % E / 20 % I), a fixed 80 synapses per neuron on average (connection
probability 80 / N; 0.02 at N = 4,000, the original), exponential conductances τe = 5 ms, τi = 10 ms,
E_exc = 0 mV, E_inh = −80 mV, w_e = 0.6, w_i = 6.7 (units of the leak conductance), τm = 20 ms, V_th = −50 mV,
V_reset = V_rest = −60 mV, τ_ref = 5 ms, bias 20 mV, V0 ~ N(−55, 2) mV, dt = 0.1 ms. Parameters as in the BrainPy
paper's reproducibility scripts (brainpy/brainpy-iclr24-reproducibility, COBAlif). neurosim and BrainPy use
BrainPy's event-driven CSR kernel; Brian2 its own generated Cython.

Timed: the simulation only (each framework compiles in a warm-up first), ``--repeats`` rounds interleaved
framework by framework, the minimum per framework (the least-disturbed run on a shared machine). neurosim is timed
as a user calls it: ``ns.simulate(..., record=())``, which still counts spikes, synaptic events and MACs per
step for the energy estimate. Firing rates are printed for all three: they must be 10-30 Hz and within 3 % of
each other (the three integrate the conductance term differently; see docs/performance.md).

Run:  python benchmarks/coba.py [--sizes 4000,16000,64000,256000] [--seconds 1,1,0.5,0.25] [--repeats 3]
                                [--json F] [--peers DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

DT = 0.1
SYN_PER_NEURON = 80
NEURON = dict(tau_mem=20.0, v_rest=-60.0, v_th=-50.0, v_reset=-60.0, t_ref=5.0)
SYNAPSES = [("E", 0.6, 5.0, "exc"), ("I", 6.7, 10.0, "inh")]
SIZES = (4000, 16000, 64000, 256000)
SECONDS = (1.0, 1.0, 0.5, 0.25)


def split(n):
    ne = int(n * 0.8)
    return ne, n - ne, SYN_PER_NEURON / n


def neurosim_network(n=4000, seed=0):
    import jax.numpy as jnp
    import numpy as np
    import neurosim as ns

    ne, ni, p = split(n)
    net = ns.Network(dt=DT)
    sizes = {"E": ne, "I": ni}
    for name, k in sizes.items():
        net.add(name, ns.CobaLIF(k, dt=DT, **NEURON), bias=20.0)
    for k, (src, w, tau, receptor) in enumerate(SYNAPSES):
        for j, tgt in enumerate(sizes):
            proj = ns.EventCSR(sizes[src], sizes[tgt], p=p, weight=w, seed=seed * 10 + 2 * k + j)
            net.connect(src, tgt, proj, synapse=ns.Exponential(tau, DT), receptor=receptor)
    rng = np.random.default_rng(seed)
    state = net.init_state()
    for name, k in sizes.items():
        state[name] = state[name]._replace(v=jnp.asarray(rng.normal(-55.0, 2.0, k), jnp.float32))
    return net, state


def neurosim_runner(n, steps, seed=0):
    """A function that runs the simulation once and returns (wall s, rates)."""
    import jax
    import neurosim as ns

    net, state0 = neurosim_network(n, seed=seed)
    params = net.init(jax.random.PRNGKey(0))

    def once():
        t0 = time.perf_counter()
        result = ns.simulate(net, steps=steps, params=params, state=state0, record=())
        jax.block_until_ready(result.final_state)
        wall = time.perf_counter() - t0
        return wall, result.activity.rates_hz()

    once()  # compiles
    return once


def export_network(net, state0, path):
    """Write a neurosim COBA network's synapses (global indices: E first, then I) and initial potentials to an
    ``.npz`` that BrainPy and Brian2 build the same network from (``--paired``)."""
    import numpy as np

    offset = {"E": 0, "I": net.populations["E"].size}
    pre, post = {"E": [], "I": []}, {"E": [], "I": []}
    for conn in net.connections.values():
        csr = conn.proj.conn
        pre[conn.source].append(csr.rows() + offset[conn.source])
        post[conn.source].append(np.asarray(csr.indices, np.int64) + offset[conn.target])
    v0 = np.concatenate([np.asarray(state0["E"].v), np.asarray(state0["I"].v)]).astype(np.float64)
    np.savez(path, e_pre=np.concatenate(pre["E"]), e_post=np.concatenate(post["E"]),
             i_pre=np.concatenate(pre["I"]), i_post=np.concatenate(post["I"]), v0=v0)


def brainpy_runner(n, steps, seed=None, network=None):
    """A function that runs raw BrainPy once and returns (wall s, rates). ``network`` (a neurosim network and its
    initial state) makes BrainPy simulate that same connectivity from the same potentials."""
    import brainpy as bp
    import brainpy.math as bm
    import jax
    import jax.numpy as jnp
    import numpy as np

    ne, ni, p = split(n)
    bm.set_dt(DT)
    if seed is not None:
        bm.random.seed(seed)
    pars = dict(V_rest=-60.0, V_th=-50.0, V_reset=-60.0, tau=20.0, tau_ref=5.0,
                V_initializer=bp.init.Normal(-55.0, 2.0))

    class EINet(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.E = bp.dyn.LifRef(ne, **pars)
            self.I = bp.dyn.LifRef(ni, **pars)

            made = []  # projections built so far (each gets its own connectivity seed)

            def proj(pre, post, w, tau, e):
                made.append(None)
                if network is not None:  # the neurosim network's own synapses
                    src, tgt = ("E" if pre is self.E else "I"), ("E" if post is self.E else "I")
                    csr = next(c.proj.conn for c in network[0].connections.values()
                               if c.source == src and c.target == tgt)
                    conn = bp.conn.CSRConn(indices=np.asarray(csr.indices), inptr=np.asarray(csr.indptr))
                    conn = conn(pre.num, post.num)
                else:
                    conn = bp.conn.FixedProb(p, pre=pre.num, post=post.num,
                                             seed=None if seed is None else seed * 10 + len(made))
                return bp.dyn.ProjAlignPostMg2(
                    pre=pre, delay=None, comm=bp.dnn.EventCSRLinear(conn, w),
                    syn=bp.dyn.Expon.desc(post.num, tau=tau), out=bp.dyn.COBA.desc(E=e), post=post)

            self.projs = [proj(self.E, self.E, 0.6, 5.0, 0.0), proj(self.E, self.I, 0.6, 5.0, 0.0),
                          proj(self.I, self.E, 6.7, 10.0, -80.0), proj(self.I, self.I, 6.7, 10.0, -80.0)]

        def update(self, inp):
            for pr in self.projs:
                pr()
            self.E(inp)
            self.I(inp)
            return self.E.spike.value, self.I.spike.value

    net = EINet()
    run = bm.jit(lambda ts: bm.for_loop(lambda t: net.step_run(t, 20.0), ts, progress_bar=False))
    seconds = steps * DT * 1e-3

    def once():
        net.reset_state()  # fresh V0 ~ N(-55, 2) mV, zero conductances, as neurosim's fresh state
        if network is not None:
            net.E.V.value = jnp.asarray(network[1]["E"].v)
            net.I.V.value = jnp.asarray(network[1]["I"].v)
        t0 = time.perf_counter()
        e, inh = run(bm.arange(steps))
        jax.block_until_ready((e, inh))
        wall = time.perf_counter() - t0
        return wall, {"E": float(e.sum()) / ne / seconds, "I": float(inh.sum()) / ni / seconds}

    once()  # compiles
    return once


def brian2_runner(folder, n, seconds, first_seed=0, network_file=None):
    """A function that runs Brian2 once in its venv (a new network each call, seeds from ``first_seed`` on, or the
    network of ``network_file`` from :func:`export_network`) and returns (wall s, rates); None when the venv is
    absent."""
    py = os.path.join(folder, "brian2", "bin", "python")
    if not os.path.exists(py):
        return None
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers", "brian2_coba.py")
    seed = iter(range(first_seed, first_seed + 1000))

    def once():
        argv = [py, script, str(n), str(seconds), "1", str(next(seed))] + ([network_file] if network_file else [])
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        row = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
        return row["times"][0], {"E": row["rate_e"], "I": row["rate_i"]}

    return once


def paired_rates(n, seconds, count, peers):
    """Rates of the three frameworks on the same networks: for seeds 1..``count`` neurosim draws a network
    (connectivity and V0), BrainPy and Brian2 simulate exactly that network from the same potentials. Returns
    {framework: {"E": [...], "I": [...]}} (one entry per network). A finite network's rate depends on its draw (the
    s.d. across draws reaches 4 %), so a comparison of separately drawn networks needs many draws; on shared networks
    the per-network differences show what the frameworks' integration does."""
    import tempfile

    import jax

    import neurosim as ns

    steps = int(round(seconds * 1000 / DT))
    out = {"neurosim": {"E": [], "I": []}, "brainpy": {"E": [], "I": []}}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, count + 1):
            net, state0 = neurosim_network(n, seed=seed)
            r = ns.simulate(net, steps=steps, params=net.init(jax.random.PRNGKey(0)), state=state0,
                            record=()).activity.rates_hz()
            _, rb = brainpy_runner(n, steps, network=(net, state0))()
            rows = {"neurosim": r, "brainpy": rb}
            path = os.path.join(tmp, f"net{seed}.npz")
            export_network(net, state0, path)
            b2 = brian2_runner(peers, n, seconds, network_file=path)
            if b2 is not None:
                rows["brian2"] = b2()[1]
            for k, rates in rows.items():
                out.setdefault(k, {"E": [], "I": []})
                for pop in ("E", "I"):
                    out[k][pop].append(float(rates[pop]))
            print(f"    network {seed}: " + "; ".join(f"{k} {v['E']:.2f}/{v['I']:.2f}" for k, v in rows.items()),
                  flush=True)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--seconds", default=",".join(f"{s:g}" for s in SECONDS),
                    help="simulated seconds per size (one value or one per size)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", default=None, help="write the results to this JSON file")
    ap.add_argument("--paired", type=int, default=0,
                    help="also compare rates on this many shared networks (neurosim's draws, simulated by all three)")
    ap.add_argument("--peers", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers", ".venvs"),
                    help="folder of the peer venvs made by benchmarks/peers/setup.sh (default: %(default)s)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    sizes = [int(s) for s in args.sizes.split(",")]
    secs = [float(s) for s in args.seconds.split(",")]
    secs = secs * len(sizes) if len(secs) == 1 else secs
    if len(secs) != len(sizes):
        ap.error(f"--seconds: give one value or {len(sizes)}, got {len(secs)}")
    if brian2_runner(args.peers, 1, 1.0) is None:
        print(f"Brian2 venv not found under {args.peers} (bash benchmarks/peers/setup.sh DIR brian2): "
              "no Brian2 column")
    print(f"COBA E/I, {SYN_PER_NEURON} synapses/neuron, dt={DT} ms; min of {args.repeats} interleaved runs "
          "after a warm-up; ratio = peer / neurosim (above 1: neurosim faster)")
    print(f"{'N':>7} {'sim s':>6} | {'neurosim':>9} | {'BrainPy':>8} ratio | {'Brian2':>8} ratio | "
          f"rates E/I Hz (neurosim; BrainPy; Brian2) | max rate diff")
    rows = []
    for n, sec in zip(sizes, secs):
        steps = int(round(sec * 1000 / DT))
        runners = {"neurosim": neurosim_runner(n, steps), "brainpy": brainpy_runner(n, steps)}
        b2 = brian2_runner(args.peers, n, sec)
        if b2 is not None:
            b2()  # generates and compiles its code for this size
            runners["brian2"] = b2
        times = {k: [] for k in runners}
        rates = {k: [] for k in runners}
        for _ in range(args.repeats):
            for k, once in runners.items():
                wall, r = once()
                times[k].append(wall)
                rates[k].append(r)
        row = {"n": n, "seconds": sec, "steps": steps}
        for k in runners:
            row[f"{k}_s"] = min(times[k])
            row[f"{k}_times"] = times[k]
            row[f"{k}_rate"] = {pop: sum(r[pop] for r in rates[k]) / len(rates[k]) for pop in ("E", "I")}
        for k in runners:
            if k != "neurosim":
                row[f"ratio_{k}"] = row[f"{k}_s"] / row["neurosim_s"]
        ref = row["neurosim_rate"]
        row["max_rate_diff"] = max(abs(row[f"{k}_rate"][p] - ref[p]) / row[f"{k}_rate"][p]
                                   for k in runners if k != "neurosim" for p in ("E", "I"))
        rows.append(row)
        b2s = (f"{row['brian2_s']:8.3f} {row['ratio_brian2']:5.2f}" if "brian2_s" in row else f"{'-':>8} {'':>5}")
        rt = "; ".join(f"{row[f'{k}_rate']['E']:.2f}/{row[f'{k}_rate']['I']:.2f}" for k in runners)
        print(f"{n:7d} {sec:6g} | {row['neurosim_s']:9.3f} | {row['brainpy_s']:8.3f} {row['ratio_brainpy']:5.2f} | "
              f"{b2s} | {rt} | {row['max_rate_diff']:.1%}", flush=True)
    print("rates: mean over the repetitions (BrainPy and Brian2 draw new initial potentials each repetition)")
    if args.paired:
        import statistics

        print(f"rates on {args.paired} shared networks per size (each drawn by neurosim, simulated by all three from "
              "the same V0): per-network difference of neurosim's rate from each peer's, mean ± standard error")
        for row in rows:
            real = paired_rates(row["n"], row["seconds"], args.paired, args.peers)
            row["paired"] = real
            stats = {}
            for k in real:
                if k == "neurosim":
                    continue
                for pop in ("E", "I"):
                    d = [a / b - 1 for a, b in zip(real["neurosim"][pop], real[k][pop])]
                    m = statistics.mean(d)
                    se = statistics.stdev(d) / len(d) ** 0.5 if len(d) > 1 else float("nan")
                    stats[f"{k}_{pop}"] = {"mean": m, "se": se}
            row["paired_stats"] = stats
            print(f"{row['n']:7d}: " + ", ".join(f"vs {k.replace('_', ' ')} {v['mean']:+.1%} ± {v['se']:.1%}"
                                               for k, v in stats.items()), flush=True)
    if args.json:
        from neurosim.io.atomic import atomic_path

        with atomic_path(args.json) as tmp:
            tmp.write_text(json.dumps({"rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
