"""EGRU against hand-written NumPy references of both reset forms, gradients by finite differences, the
event-driven path, MAC counts and sparsity measures."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.models import EGRU, GRU, sparsity
from neurosim.errors import ValidationError

H, N_IN, B = 6, 4, 3


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def ref_step(form, p, x, y_prev, c_prev):
    """One EGRU step in float64 NumPy; returns (c_hat, o, y, c_next)."""
    W, R, bx, br = (np.asarray(p[k], np.float64) for k in ("W", "R", "b_x", "b_r"))
    thr = sig(np.asarray(p["theta"], np.float64))
    wx = x @ W + bx
    if form == "code":
        rh = y_prev @ R + br
        z = sig(wx[:, :H] + rh[:, :H])
        r = sig(wx[:, H:2 * H] + rh[:, H:2 * H])
        g = np.tanh(wx[:, 2 * H:] + r * rh[:, 2 * H:])
        c_hat = z * c_prev + (1 - z) * g
    else:
        rh = y_prev @ R[:, :2 * H] + br[:2 * H]
        u = sig(wx[:, :H] + rh[:, :H])
        r = sig(wx[:, H:2 * H] + rh[:, H:2 * H])
        cand = np.tanh(wx[:, 2 * H:] + (r * y_prev) @ R[:, 2 * H:] + br[2 * H:])
        c_hat = u * cand + (1 - u) * c_prev - y_prev
    o = (c_hat > thr).astype(float)
    y = o * c_hat
    c_next = c_hat - o * thr if form == "code" else c_hat
    return c_hat, o, y, c_next, thr


def setup(form, seed=0):
    layer = EGRU(N_IN, H, reset_form=form, threshold="sigmoid", threshold_mean=-1.0, dampening=0.7, support=2.0)
    params = layer.init(jax.random.PRNGKey(seed))
    rng = np.random.default_rng(seed)
    params["R"] = params["R"] * 3.0
    params["b_r"] = jnp.asarray(rng.normal(0, 0.3, 3 * H), jnp.float32)
    x = rng.normal(size=(B, N_IN))
    y_prev = rng.normal(0.3, 0.4, size=(B, H)) * (rng.random((B, H)) < 0.5)
    c_prev = rng.normal(0, 0.5, size=(B, H))
    return layer, params, x, y_prev, c_prev


def jax_step(layer, params, x, y_prev, c_prev):
    from neurosim.models.egru import EGRUState

    z = jnp.zeros((B, H), jnp.float32)
    st = EGRUState(jnp.asarray(c_prev, jnp.float32), jnp.asarray(y_prev, jnp.float32), z, z)
    new, out, _ = layer.step_with_counts(params, st, jnp.asarray(x, jnp.float32))
    return new, out


@pytest.mark.parametrize("form", ["code", "paper"])
def test_one_step_matches_numpy_reference(form):
    layer, params, x, y_prev, c_prev = setup(form)
    new, out = jax_step(layer, params, x, y_prev, c_prev)
    c_hat, o, y, c_next, _ = ref_step(form, params, x, y_prev, c_prev)
    assert 0 < o.sum() < o.size  # some units fire, some do not
    np.testing.assert_allclose(new.pre, c_hat, atol=1e-5)
    np.testing.assert_allclose(out, y, atol=1e-5)
    np.testing.assert_allclose(new.c, c_next, atol=1e-5)


@pytest.mark.parametrize("form", ["code", "paper"])
def test_gradients_match_finite_differences_on_smooth_parts(form):
    layer, params, x, y_prev, c_prev = setup(form, seed=1)
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    c_hat0, _, _, _, thr0 = ref_step(form, params, x, y_prev, c_prev)
    eps = 1.0 / 2.0  # support s = 2
    far = np.abs(c_hat0 - thr0) >= eps + 0.05  # units whose pseudo-derivative is exactly zero, with a margin
    assert far.sum() >= 4
    # terms through the Heaviside (y, the reset) only on far units, where the true function is smooth
    b_far, a_far = b * far, a * far

    def loss_jax(p):
        new, out = jax_step(layer, p, x, y_prev, c_prev)
        return jnp.sum(a * new.pre) + jnp.sum(b_far * out) + jnp.sum(a_far * new.c)

    def loss_ref(p):
        c_hat, _, y, c_next, _ = ref_step(form, p, x, y_prev, c_prev)
        return np.sum(a * c_hat) + np.sum(b_far * y) + np.sum(a_far * c_next)

    grads = jax.grad(loss_jax)(params)
    p64 = {k: np.asarray(v, np.float64) for k, v in params.items()}
    h = 1e-6
    checked = 0
    for name, idxs in [("W", [(0, 0), (3, 7), (2, 15)]), ("R", [(0, 1), (4, 9), (5, 17)]),
                       ("b_r", [(2,), (8,), (14,)]), ("theta", [(i,) for i in range(H)])]:
        for idx in idxs:
            if name == "theta" and not np.all(far[:, idx[0]]):
                continue  # near-threshold units: checked analytically below
            pp, pm = dict(p64), dict(p64)
            pp[name], pm[name] = p64[name].copy(), p64[name].copy()
            pp[name][idx] += h
            pm[name][idx] -= h
            _, op, _, _, _ = ref_step(form, pp, x, y_prev, c_prev)
            _, om, _, _, _ = ref_step(form, pm, x, y_prev, c_prev)
            _, o0, _, _, _ = ref_step(form, p64, x, y_prev, c_prev)
            if not (np.array_equal(op, o0) and np.array_equal(om, o0)):
                continue  # a threshold crossing inside ±h
            fd = (loss_ref(pp) - loss_ref(pm)) / (2 * h)
            assert float(grads[name][idx]) == pytest.approx(fd, rel=2e-3, abs=2e-4), (name, idx)
            checked += 1
    assert checked >= 9


def test_threshold_gradient_uses_triangular_pseudo_derivative():
    layer, params, x, y_prev, c_prev = setup("paper", seed=2)
    c_hat, o, y, _, thr = ref_step("paper", params, x, y_prev, c_prev)
    # d(sum y)/d theta_j = sum_b c_hat * dH/dthr * dthr/dtheta, with dH/dthr = -gamma*max(0, 1 - s|c_hat - thr|)
    pseudo = 0.7 * np.maximum(0.0, 1 - 2.0 * np.abs(c_hat - thr))
    expected = np.sum(c_hat * (-pseudo), axis=0) * thr * (1 - thr)
    g = jax.grad(lambda p: jnp.sum(jax_step(layer, p, x, y_prev, c_prev)[1]))(params)["theta"]
    np.testing.assert_allclose(g, expected, rtol=1e-4, atol=1e-6)
    assert np.any(pseudo > 0)


def test_frozen_thresholds_get_no_gradient_and_direct_parameterisation():
    layer = EGRU(N_IN, H, learn_threshold=False)
    p = layer.init(jax.random.PRNGKey(0))
    xs = jnp.ones((5, 2, N_IN))
    g = jax.grad(lambda p: jnp.sum(layer.run(p, layer.init_state((2,)), xs)[1]))(p)
    assert float(jnp.abs(g["theta"]).sum()) == 0.0
    direct = EGRU(N_IN, 500, threshold="direct", threshold_mean=0.3)
    thr = np.asarray(direct.threshold(direct.init(jax.random.PRNGKey(1))))
    assert np.all((thr >= 0) & (thr <= 1)) and abs(thr.mean() - 0.3) < 0.03  # Beta(alpha, 3) with mean 0.3


@pytest.mark.parametrize("form", ["code", "paper"])
def test_event_driven_inference_equals_dense_and_counts_macs(form):
    rng = np.random.default_rng(3)
    dense = EGRU(8, 64, reset_form=form, threshold_mean=0.0)
    event = EGRU(8, 64, reset_form=form, threshold_mean=0.0, inference="event", capacity=0.5)
    params = dense.init(jax.random.PRNGKey(0))
    xs = jnp.asarray(rng.normal(size=(60, 2, 8)), jnp.float32)
    _, out_d, counts_d, _ = dense.run(params, dense.init_state((2,)), xs)
    _, out_e, counts_e, _ = event.run(params, event.init_state((2,)), xs)
    np.testing.assert_allclose(out_e, out_d, atol=1e-5)
    # the event path executes, per step, the smallest capacity bucket holding the most active sample's units of
    # the previous step (rows) x 3H MACs per sample; the modelled event count is active units x 3H
    from neurosim.models.gates import buckets

    active_prev = np.concatenate([np.zeros((1, 2, 64)), np.asarray(out_d)[:-1]]) != 0
    ladder = buckets(event.capacity)
    assert ladder == (8, 16, 32)
    most = active_prev.sum(-1).max(-1)
    rows = np.array([next((c for c in ladder if c >= m), 64) for m in most])
    executed = np.asarray(counts_e.macs_event)
    np.testing.assert_array_equal(executed, rows * 3 * 64 * 2)
    modelled = int(active_prev.sum()) * 3 * 64
    assert modelled <= executed.sum() <= 2 * modelled + 60 * 8 * 3 * 64 * 2  # work follows activity within 2x
    activity = float((np.asarray(out_d) != 0).mean())
    assert 0.02 < activity < 0.9


def test_event_path_falls_back_when_capacity_exceeded():
    layer = EGRU(4, 32, threshold_mean=-8.0, inference="event", capacity=0.05)  # ~all units fire, capacity 2
    dense = EGRU(4, 32, threshold_mean=-8.0)
    p = layer.init(jax.random.PRNGKey(0))
    xs = jnp.ones((6, 1, 4))
    np.testing.assert_allclose(layer.run(p, layer.init_state((1,)), xs)[1],
                               dense.run(p, dense.init_state((1,)), xs)[1], atol=1e-6)


def test_sparsity_measures_and_regulariser():
    layer = EGRU(4, 16, threshold_mean=0.0, support=2.0, activity_weight=1.0, activity_target=0.05)
    p = layer.init(jax.random.PRNGKey(0))
    xs = jnp.asarray(np.random.default_rng(0).normal(size=(20, 3, 4)), jnp.float32)
    _, outs, _, extras = layer.run(p, layer.init_state((3,)), xs)
    states = extras["states"]
    sp = sparsity(states, layer.threshold(p), support=2.0)
    assert sp["activity_sparsity"] == pytest.approx(float((np.asarray(outs) == 0).mean()))
    pre, thr = np.asarray(states.pre), np.asarray(layer.threshold(p))
    assert sp["backward_sparsity"] == pytest.approx(float((np.abs(pre - thr) >= 0.5).mean()))
    pen = layer.penalty(p, states)
    o = (pre > thr).mean()
    assert float(pen) == pytest.approx((o - 0.05) ** 2, rel=1e-4)
    g = jax.grad(lambda p: layer.run(p, layer.init_state((3,)), xs).extras["penalty"])(p)
    assert float(jnp.abs(g["W"]).sum()) > 0  # the regulariser trains the weights through the pseudo-derivative


def test_egru_trains_in_sequential_and_gru_has_same_interface():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 64).astype(np.int32)
    x = rng.normal(0, 0.1, size=(64, 15, 3)).astype(np.float32)
    x[:, :5, 0] += np.where(y == 1, 1.0, -1.0)[:, None]  # the class is in the first 5 steps only: needs memory
    for layer in (EGRU(3, 16, threshold_mean=-2.0), GRU(3, 16)):
        net = ns.Sequential([layer, ns.Layer(ns.Dense(16, 2), ns.LI(2, beta=0.0))])
        tr = ns.Trainer(net, lr=1e-2, readout="last", batch_size=16, progress=False)
        tr.fit(x, y, epochs=15)
        assert tr.evaluate(x, y)["accuracy"] >= 0.9, layer


def test_egru_validation():
    with pytest.raises(ValidationError, match="reset_form"):
        EGRU(3, 4, reset_form="other")
    with pytest.raises(ValidationError, match="zoneout"):
        EGRU(3, 4, zoneout=1.0)
    with pytest.raises(ValidationError, match="support"):
        EGRU(3, 4, support=0.0)
    with pytest.raises(ValidationError, match="threshold_mean"):
        EGRU(3, 4, threshold="direct", threshold_mean=1.5)
    layer = EGRU(3, 4)
    with pytest.raises(ValidationError, match="last dimension 3"):
        layer.run(layer.init(jax.random.PRNGKey(0)), layer.init_state((1,)), jnp.ones((2, 1, 5)))


def test_event_path_at_batch_one_runs_exactly_the_active_rows():
    rng = np.random.default_rng(4)
    dense = EGRU(8, 64, threshold_mean=0.0)
    event = EGRU(8, 64, threshold_mean=0.0, inference="event", capacity=0.5)
    params = dense.init(jax.random.PRNGKey(1))
    xs = jnp.asarray(rng.normal(size=(40, 1, 8)), jnp.float32)
    _, out_d, _, _ = dense.run(params, dense.init_state((1,)), xs)
    _, out_e, counts_e, _ = event.run(params, event.init_state((1,)), xs)
    np.testing.assert_allclose(out_e, out_d, atol=1e-5)
    active_prev = (np.concatenate([np.zeros((1, 1, 64)), np.asarray(out_d)[:-1]]) != 0).sum(axis=(1, 2))
    expected = np.where(active_prev <= 32, active_prev, 64) * 3 * 64  # above capacity: the dense product
    np.testing.assert_array_equal(np.asarray(counts_e.macs_event), expected)
