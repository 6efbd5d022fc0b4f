"""Brian2 2.9 (runtime mode, Cython code generation) side of ``benchmarks/coba.py``: the same COBA E/I network
(Brette et al. 2007 benchmark 1 as in neurosim's and BrainPy's versions: 80 % excitatory, 80 synapses per neuron,
exponential conductances in units of the leak conductance, bias 20 mV, refractory 5 ms, dt 0.1 ms).

Run by ``coba.py`` in the venv of ``setup.sh``: ``python brian2_coba.py N SECONDS REPEATS [SEED [NETWORK.npz]]`` prints
one JSON line {"n", "seconds", "times": [...], "rate_e", "rate_i"}. With ``NETWORK.npz`` (``coba.export_network``:
synapse index arrays and initial potentials in mV) Brian2 simulates that network instead of drawing one. Each repetition builds the network afresh and times only
``run`` (code generation and compilation happen in a short warm-up ``run`` of the same network first).
"""

import json
import sys
import time

import brian2 as b2


def one(n, seconds, seed, network=None):
    b2.start_scope()
    b2.prefs.codegen.target = "cython"
    b2.defaultclock.dt = 0.1 * b2.ms
    b2.seed(seed)
    ne = int(n * 0.8)
    p = 80.0 / n
    eqs = """
    dv/dt = (ge * (Ee - v) + gi * (Ei - v) + (El - v) + I) / taum : volt (unless refractory)
    dge/dt = -ge / taue : 1
    dgi/dt = -gi / taui : 1
    """
    ns = dict(Ee=0 * b2.mV, Ei=-80 * b2.mV, El=-60 * b2.mV, I=20 * b2.mV, taum=20 * b2.ms, taue=5 * b2.ms,
              taui=10 * b2.ms)
    g = b2.NeuronGroup(n, eqs, threshold="v > -50*mV", reset="v = -60*mV", refractory=5 * b2.ms,
                       method="exponential_euler", namespace=ns)
    if network is None:
        g.v = "-55*mV + 2*mV*randn()"
        ce = b2.Synapses(g[:ne], g, on_pre="ge += 0.6")
        ce.connect(p=p)
        ci = b2.Synapses(g[ne:], g, on_pre="gi += 6.7")
        ci.connect(p=p)
    else:  # the same synapses (global indices) and initial potentials as another framework's network
        g.v = network["v0"] * b2.mV
        ce = b2.Synapses(g, g, on_pre="ge += 0.6")
        ce.connect(i=network["e_pre"], j=network["e_post"])
        ci = b2.Synapses(g, g, on_pre="gi += 6.7")
        ci.connect(i=network["i_pre"], j=network["i_post"])
    mon = b2.SpikeMonitor(g)
    net = b2.Network(g, ce, ci, mon)
    net.run(1 * b2.ms)  # code generation + Cython compilation (cached on disk after the first size)
    before = mon.num_spikes
    i_before = int((mon.i[:] >= ne).sum())
    t0 = time.perf_counter()
    net.run(seconds * b2.second)
    wall = time.perf_counter() - t0
    idx = mon.i[:]
    i_spk = int((idx >= ne).sum()) - i_before
    e_spk = (mon.num_spikes - before) - i_spk
    return wall, e_spk / ne / seconds, i_spk / (n - ne) / seconds


def main():
    n, seconds, repeats = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    network = None
    if len(sys.argv) > 5:
        import numpy as np

        with np.load(sys.argv[5], allow_pickle=False) as z:
            network = {k: z[k] for k in z.files}
    times, rates = [], None
    for r in range(repeats):
        wall, re_, ri = one(n, seconds, seed=seed + r, network=network)
        times.append(wall)
        rates = (re_, ri)
    print(json.dumps({"n": n, "seconds": seconds, "times": times, "rate_e": rates[0], "rate_i": rates[1]}))


if __name__ == "__main__":
    main()
