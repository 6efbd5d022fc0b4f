"""The README's main job (``neurosim demo``).

For now it simulates the COBA E/I benchmark network (Brette et al. 2007) — 4,000 conductance-based LIF neurons
driven by bias currents, no external data needed — and writes ``DIR/report.json`` with firing rates, activity
statistics (spikes, synaptic events, MACs per population) and wall time. Later stages (training, hardware
estimates) extend this report.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from neurosim.io.atomic import write_text

DT = 0.1  # ms


def coba_network(scale: float = 1.0, seed: int = 0):
    """The COBA benchmark network (parameters in ``benchmarks/coba.py``), its initial state and parameters."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    import neurosim as ns

    ne, ni = max(int(3200 * scale), 1), max(int(800 * scale), 1)
    net = ns.Network(dt=DT)
    sizes = {"E": ne, "I": ni}
    for name, n in sizes.items():
        net.add(name, ns.CobaLIF(n, dt=DT, tau_mem=20.0, v_rest=-60.0, v_th=-50.0, v_reset=-60.0, t_ref=5.0),
                bias=20.0)
    # weights scale with 1/scale so each neuron sees the same total input at any network size
    for k, (src, w, tau, receptor) in enumerate([("E", 0.6, 5.0, "exc"), ("I", 6.7, 10.0, "inh")]):
        for j, tgt in enumerate(sizes):
            proj = ns.EventCSR(sizes[src], sizes[tgt], p=0.02, weight=w / scale, seed=seed * 10 + 2 * k + j)
            net.connect(src, tgt, proj, synapse=ns.Exponential(tau, DT), receptor=receptor)
    rng = np.random.default_rng(seed)
    state = net.init_state()
    for name, n in sizes.items():
        state[name] = state[name]._replace(v=jnp.asarray(rng.normal(-55.0, 2.0, n), jnp.float32))
    return net, state, net.init(jax.random.PRNGKey(seed))


def run_demo(out: Path, seconds: float = 0.5, progress: bool = True) -> dict:
    import neurosim as ns

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    net, state, params = coba_network()
    steps = int(round(seconds * 1000 / DT))
    t0 = time.perf_counter()
    res = ns.simulate(net, steps=steps, params=params, state=state, record=(), chunk_size=min(steps, 1000),
                      progress=progress)
    wall = time.perf_counter() - t0
    rates = res.activity.rates_hz()
    summary = (f"neurosim demo: {seconds:g} s of a 4,000-neuron COBA network in {wall:.1f} s; "
               + ", ".join(f"{k} {v:.1f} Hz" for k, v in rates.items())
               + f"; report: {out / 'report.json'}")
    report = {"network": "COBA E/I (Brette et al. 2007)", "simulated_seconds": seconds, "wall_seconds": wall,
              "rates_hz": rates, "activity": res.activity.summary(), "summary": summary}
    write_text(out / "report.json", json.dumps(report, indent=2))
    return report
