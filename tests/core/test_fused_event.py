"""One event-kernel call for several projections from one source: bit for bit the separate calls."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.core.projections.event import FusedEventCSR
from neurosim.errors import ValidationError


def test_fused_outputs_equal_separate_calls_bit_for_bit():
    projs = [ns.EventCSR(300, n, p=0.1, weight=0.6, seed=s) for s, n in ((1, 200), (2, 50), (3, 120))]
    op = FusedEventCSR(projs)
    x = (np.random.default_rng(0).random((5, 300)) < 0.2).astype(np.float32)
    for xi in (jnp.asarray(x[0]), jnp.asarray(x)):  # unbatched and batched
        for got, p in zip(op.apply(xi), projs):
            assert np.array_equal(np.asarray(got), np.asarray(p.apply({}, xi)))
    assert op.apply(jnp.asarray(x[0]))[1].shape == (50,)


def test_fused_refuses_mixed_members():
    with pytest.raises(ValidationError, match="homogeneous"):
        FusedEventCSR([ns.EventCSR(10, 5, p=0.5, weight=0.6), ns.EventCSR(10, 5, p=0.5, weight=0.7)])


def test_network_with_fused_connections_equals_unfused():
    net = ns.Network(dt=0.1)
    net.add("E", ns.CobaLIF(80, dt=0.1), bias=20.0)
    net.add("I", ns.CobaLIF(20, dt=0.1), bias=20.0)
    for k, (src, w, tau, rec) in enumerate((("E", 0.6, 5.0, "exc"), ("I", 6.7, 10.0, "inh"))):
        for j, tgt in enumerate(("E", "I")):
            net.connect(src, tgt, ns.EventCSR({"E": 80, "I": 20}[src], {"E": 80, "I": 20}[tgt], p=0.2, weight=w,
                                              seed=2 * k + j), synapse=ns.Exponential(tau, 0.1), receptor=rec)
    params = net.init(jax.random.PRNGKey(0))
    state = net.init_state()
    state["E"] = state["E"]._replace(v=jnp.asarray(np.random.default_rng(1).normal(-55, 2, 80), jnp.float32))
    fused = ns.simulate(net, steps=300, params=params, state=state, record=("spike", "v"))
    assert sorted(len(names) for names, _ in net._fused()) == [2, 2]  # E->E + E->I, I->E + I->I (built in the trace)
    net.__dict__["_fused_cache"] = []  # the separate calls
    net.__dict__.pop("_neurosim_jit_cache", None)
    plain = ns.simulate(net, steps=300, params=params, state=state, record=("spike", "v"))
    assert fused.activity.layers["E"].spikes > 0
    for k in fused.records:
        assert np.array_equal(fused[k], plain[k]), k
    assert fused.activity.summary() == plain.activity.summary()


def test_simulate_counts_from_accumulated_activity_equal_per_step_counts():
    """simulate sums each channel's activity over a chunk and prices events after it; the per-step reductions of
    step_with_counts give the same totals (an input population, batch 3, several chunks)."""
    net = ns.Network(dt=1.0)
    net.add_input("in", 30)
    net.add("A", ns.LIF(40, beta=0.9))
    net.add("B", ns.LIF(20, beta=0.9))
    net.connect("in", "A", ns.EventCSR(30, 40, p=0.3, weight=0.7, seed=1))
    net.connect("in", "B", ns.Dense(30, 20, scale=2.0))
    net.connect("A", "B", ns.EventCSR(40, 20, p=0.2, mean=0.5, std=0.1, seed=2))
    net.connect("A", "A", ns.EventCSR(40, 40, p=0.1, weight=0.2, seed=3))
    params = net.init(jax.random.PRNGKey(0))
    x = (np.random.default_rng(0).random((50, 3, 30)) < 0.3).astype(np.float32)
    res = ns.simulate(net, x, params=params, chunk_size=16, record=())

    def body(st, xi):
        st, _, counts = net.step_with_counts(params, st, xi)
        return st, counts

    _, counts = jax.lax.scan(body, net.init_state((3,)), jnp.asarray(x))
    for name in ("A", "B"):
        layer = res.activity.layers[name]
        assert layer.spikes == int(counts[name].spikes.sum()) > 0
        assert layer.synaptic_events == int(counts[name].synaptic_events.sum()) > 0
        static = net.static_counts()[name].macs_static * 50 * 3
        assert layer.macs_executed == int(counts[name].macs_event.sum()) + static
        assert np.array_equal(layer.spikes_per_step, np.asarray(counts[name].spikes))


def test_numba_ffi_event_kernel_equals_brainpys_bit_for_bit_with_its_jvp():
    """neurosim's homogeneous event kernel (Numba FFI, CPU) against BrainPy's ``bm.event.csrmv``: the same bits,
    under jit and vmap, negative and graded entries treated as BrainPy treats them (only positive ones are
    events), and the same tangent (the dense product of the input tangent)."""
    from neurosim.core import numba_ffi
    from neurosim.core.projections.event import _brainpy_events, homogeneous_events

    if not numba_ffi.available():
        pytest.skip("Numba not available")
    p = ns.EventCSR(300, 170, p=0.15, weight=0.37, seed=4)
    rng = np.random.default_rng(1)
    x = ((rng.random((6, 300)) < 0.2) * rng.normal(size=(6, 300))).astype(np.float32)  # +/- graded entries
    args = (p.weight, p._indices, p._indptr, p.conn.shape)
    ours = jax.jit(lambda x: homogeneous_events(*args, x))
    theirs = jax.jit(lambda x: _brainpy_events(*args, x))
    assert np.array_equal(np.asarray(ours(jnp.asarray(x))), np.asarray(theirs(jnp.asarray(x))))
    assert np.array_equal(np.asarray(jax.vmap(ours)(jnp.asarray(x))), np.asarray(theirs(jnp.asarray(x))))
    assert np.array_equal(np.asarray(ours(jnp.asarray(x[2]))), np.asarray(theirs(jnp.asarray(x[2]))))
    t = jnp.asarray(rng.normal(size=(6, 300)), jnp.float32)
    _, dy = jax.jvp(lambda x: homogeneous_events(*args, x), (jnp.asarray(x),), (t,))
    _, ref = jax.jvp(lambda x: _brainpy_events(*args, x), (jnp.asarray(x),), (t,))
    np.testing.assert_allclose(np.asarray(dy), np.asarray(ref), rtol=1e-5, atol=1e-5)
    dense = np.zeros((300, 170), np.float32)
    dense[p.conn.rows(), p.conn.indices] = p.weight
    np.testing.assert_allclose(np.asarray(dy), np.asarray(t) @ dense, rtol=1e-5, atol=1e-5)
