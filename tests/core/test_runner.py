"""The runner: chunked == unchunked, time-batched run == step scan, records, activity statistics."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError


@pytest.fixture(scope="module")
def net_and_data():
    net = ns.Sequential([
        ns.Layer(ns.Dense(8, 16), ns.LIF(16, beta=0.9), recurrent=ns.Dense(16, 16, bias=False, scale=0.3)),
        ns.Layer(ns.Dense(16, 3), ns.LI(3, beta=0.8)),
    ])
    rng = np.random.default_rng(0)
    x = (rng.random((40, 2, 8)) < 0.3).astype(np.float32)
    return net, net.init(jax.random.PRNGKey(0)), x


def test_chunked_equals_unchunked(net_and_data):
    net, params, x = net_and_data
    full = ns.simulate(net, x, params=params, record=("spike", "v", "output"))
    chunked = ns.simulate(net, x, params=params, record=("spike", "v", "output"), chunk_size=7)
    for k in full.records:
        np.testing.assert_array_equal(full.records[k], chunked.records[k])
    assert full.activity.layers["layer0"].spikes == chunked.activity.layers["layer0"].spikes > 0
    assert full.records["layer0.v"].shape == (40, 2, 16)


def test_sequence_run_equals_step_scan(net_and_data):
    net, params, x = net_and_data
    xs = jnp.asarray(x)
    _, outs, counts, extras = net.run(params, net.init_state((2,)), xs, record_outputs=True)
    layer_outs = extras["outputs"]
    res = ns.simulate(net, x, params=params, record=("output", "layer0.spike"))
    np.testing.assert_allclose(outs, res.records["output"], rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(layer_outs["layer0"], res.records["layer0.spike"])
    np.testing.assert_array_equal(np.asarray(counts["layer0"].spikes), res.activity.layers["layer0"].spikes_per_step)


def test_activity_counts_match_records(net_and_data):
    net, params, x = net_and_data
    res = ns.simulate(net, x, params=params, record=("spike",))
    s = res.records["layer0.spike"]
    l0, l1 = res.activity.layers["layer0"], res.activity.layers["layer1"]
    assert l0.spikes == int(s.sum())
    # layer0: input events x 16 targets + recurrent events of last step's spikes x 16
    prev = np.concatenate([np.zeros_like(s[:1]), s[:-1]])
    assert l0.synaptic_events == int((x != 0).sum()) * 16 + int(prev.sum()) * 16
    assert l0.macs_dense == 40 * 2 * (8 * 16 + 16 * 16) == l0.macs_executed
    assert l1.synaptic_events == int(s.sum()) * 3
    assert l0.neuron_updates == 40 * 2 * 16
    assert l0.sparsity == pytest.approx(1 - s.mean())
    assert res.activity.steps == 40 and res.activity.batch == 2


def test_network_with_input_population_and_event_counts():
    net = ns.Network(dt=1.0)
    net.add_input("in", 10)
    net.add("exc", ns.LIF(20, beta=0.9, v_th=0.5))
    net.connect("in", "exc", ns.EventCSR(10, 20, p=0.5, weight=0.4, seed=0))
    net.connect("exc", "exc", ns.EventCSR(20, 20, p=0.2, weight=0.1, seed=1))
    rng = np.random.default_rng(1)
    x = (rng.random((30, 10)) < 0.3).astype(np.float32)
    res = ns.simulate(net, x, record=("exc.spike",))
    s = res.records["exc.spike"]
    fan_in = net.connections["in->exc"].proj.conn.fan_out
    fan_rec = net.connections["exc->exc"].proj.conn.fan_out
    prev = np.concatenate([np.zeros_like(s[:1]), s[:-1]])
    want = int(((x != 0) * fan_in).sum() + (prev * fan_rec).sum())
    act = res.activity.layers["exc"]
    assert act.synaptic_events == want == act.macs_executed
    assert act.spikes == int(s.sum()) > 0


def test_long_run_streams_chunks_without_keeping(net_and_data):
    net, params, x = net_and_data
    seen = []
    res = ns.simulate(net, x, params=params, record=("spike",), chunk_size=10, keep_records=False,
                      on_chunk=lambda start, rec: seen.append((start, rec["layer0.spike"].shape)))
    assert res.records == {}
    assert seen == [(0, (10, 2, 16)), (10, (10, 2, 16)), (20, (10, 2, 16)), (30, (10, 2, 16))]


def test_runner_input_errors(net_and_data):
    net, params, x = net_and_data
    with pytest.raises(ValidationError, match="record"):
        ns.simulate(net, x, params=params, record=("layer0.nope",))
    with pytest.raises(ValidationError, match="steps"):
        ns.simulate(net)
    with pytest.raises(ValidationError, match="T = 0"):
        ns.simulate(net, np.zeros((0, 2, 8), np.float32))
    with pytest.raises(ValidationError, match="chunk_size"):
        ns.simulate(net, x, chunk_size=0)


def test_same_seed_same_result(net_and_data):
    net, _, x = net_and_data
    a = ns.simulate(net, x, key=jax.random.PRNGKey(5), record=("spike",))
    b = ns.simulate(net, x, key=jax.random.PRNGKey(5), record=("spike",))
    np.testing.assert_array_equal(a.records["layer0.spike"], b.records["layer0.spike"])
