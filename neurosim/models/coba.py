"""The COBA E/I benchmark network (Brette et al. 2007, J. Comput. Neurosci. 23:349): 3,200 excitatory and 800
inhibitory conductance-based LIF neurons (tau_m 20 ms, V_rest -60 mV, threshold -50 mV, reset -60 mV, 5 ms
refractory), 2 % random connectivity, exponential conductances (tau_e 5 ms, tau_i 10 ms; weights 0.6 / 6.7 nS),
driven by a constant bias. Used by ``neurosim simulate``, notebook 01 and ``benchmarks/coba.py``.
"""

from __future__ import annotations

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
