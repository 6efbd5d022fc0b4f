"""``simulate`` runs a feed-forward ``Sequential`` through its time-batched ``run`` when the records allow, and
gives what the step-by-step scan gives: spikes and activity counts identical, graded values to float32 rounding."""

import jax
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError
from neurosim.models import EGRU, GRU


@pytest.fixture(scope="module")
def stack():
    model = ns.Sequential([ns.Layer(ns.Dense(10, 24, scale=3.0), ns.LIF(24, beta=0.9, v_th=0.5)),
                           ns.Layer(ns.Dense(24, 12, scale=2.0), ns.ALIF(12, beta=0.9, v_th=0.5)),
                           EGRU(12, 8), GRU(8, 6), ns.Layer(ns.Dense(6, 3), ns.LI(3, beta=0.8))])
    x = (np.random.default_rng(0).random((60, 3, 10)) < 0.3).astype(np.float32)
    return model, model.init(jax.random.PRNGKey(0)), x


def test_time_batched_path_equals_the_step_scan(stack):
    model, params, x = stack
    rec = ("spike", "output", "layer2.y", "layer2.pre", "layer3.h", "layer4.v")
    step = ns.simulate(model, x, params=params, record=rec, path="step", chunk_size=25)
    seq = ns.simulate(model, x, params=params, record=rec, path="sequence", chunk_size=25)
    auto = ns.simulate(model, x, params=params, record=rec, chunk_size=25)
    assert set(step.records) == set(seq.records) == set(auto.records)
    for name in step.records:
        a, b = np.asarray(step[name]), np.asarray(seq[name])
        assert a.shape == b.shape
        if name.endswith("spike"):
            np.testing.assert_array_equal(a, b)
            assert 0 < a.mean() < 1
        else:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(np.asarray(auto[name]), b)
    assert step.activity.summary() == seq.activity.summary()
    for u, v in zip(jax.tree_util.tree_leaves(step.final_state), jax.tree_util.tree_leaves(seq.final_state)):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=1e-5, atol=1e-6)


def test_records_run_does_not_report_use_the_step_scan_or_are_refused(stack):
    model, params, x = stack
    auto = ns.simulate(model, x[:10], params=params, record=("layer1.a",))  # ALIF adaptation: step scan
    step = ns.simulate(model, x[:10], params=params, record=("layer1.a",), path="step")
    np.testing.assert_array_equal(auto["layer1.a"], step["layer1.a"])
    with pytest.raises(ValidationError, match=r"path='sequence'.*layer1\.a.*path='step'"):
        ns.simulate(model, x[:10], params=params, record=("layer1.a",), path="sequence")
    with pytest.raises(ValidationError, match="path"):
        ns.simulate(model, x[:10], params=params, path="fast")
    net = ns.Network()
    net.add_input("in", 4)
    net.add("E", ns.LIF(5, beta=0.9))
    net.connect("in", "E", ns.Dense(4, 5))
    with pytest.raises(ValidationError, match="not a feed-forward stack"):
        ns.simulate(net, x[:5, :, :4], path="sequence")
