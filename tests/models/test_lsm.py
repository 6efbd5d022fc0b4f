"""Liquid state machine: structure (Maass connectivity, Dale's law), determinism, validation, activity for the
hardware estimator, and a small spoken-digit run well above chance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError
from neurosim.models.lsm import (MAASS_C, LiquidStateMachine, excitatory_mask, features, grid_positions,
                                 maass_probabilities, sample_mask)


@pytest.fixture(scope="module")
def small():
    lsm = LiquidStateMachine(8, 64, weights="rram-forming-random", in_gain=3.0, beta=0.9)
    params = lsm.init(jax.random.PRNGKey(0))
    x = (jax.random.uniform(jax.random.PRNGKey(1), (30, 4, 8)) < 0.3).astype(jnp.float32)
    return lsm, params, x


def test_maass_formula_and_statistics():
    pos = grid_positions(343)  # 7 x 7 x 7
    assert pos.shape == (343, 3) and pos.max() == 6
    exc = excitatory_mask(343, 0.8, seed=0)
    assert exc.sum() == round(0.8 * 343)
    p = maass_probabilities(pos, exc, lam=2.0)
    i, j = np.flatnonzero(exc)[0], np.flatnonzero(~exc)[0]
    d2 = np.sum((pos[i] - pos[j]) ** 2)
    assert p[i, j] == pytest.approx(MAASS_C["EI"] * np.exp(-d2 / 4.0))
    assert p[j, i] == pytest.approx(MAASS_C["IE"] * np.exp(-d2 / 4.0))
    assert np.all(np.diag(p) == 0)
    # empirical frequencies over 20 draws match p per (type pair, distance) class within 4 s.e.
    draws = np.stack([sample_mask(p, s) for s in range(20)]).mean(0)
    d = np.round(np.sqrt(np.sum((pos[:, None] - pos[None]) ** 2, -1)), 3)
    for pre in (True, False):
        for post in (True, False):
            for dist in (1.0, 1.414, 2.0):
                sel = (exc[:, None] == pre) & (exc[None, :] == post) & (d == dist)
                expected = p[sel].mean()
                se = np.sqrt(expected * (1 - expected) / (sel.sum() * 20))
                assert abs(draws[sel].mean() - expected) < 4 * se + 1e-9


def test_dale_signs_and_mask(small):
    lsm, params, _ = small
    for weights in ("gaussian", "rram-forming-random"):
        m = LiquidStateMachine(8, 64, weights=weights, inh_gain=4.0)
        p = m.init(jax.random.PRNGKey(2))
        w = np.asarray(p["res->res"]["w"])
        proj = m.projections["res->res"]
        assert np.all(w[m.exc] >= 0) and np.all(w[~m.exc] <= 0)
        assert np.all(w[~proj.mask] == 0)
        # Gaussian: every synapse nonzero; RRAM: pairs of two unformed cells give exact zeros (extra sparsity)
        assert np.count_nonzero(w) == proj.nnz if weights == "gaussian" else 0.5 * proj.nnz < np.count_nonzero(w)
    w_in = np.asarray(params["in->res"]["w"])
    assert (w_in > 0).any() and (w_in < 0).any()  # input weights are zero-mean


def test_determinism(small):
    lsm, params, x = small
    again = lsm.init(jax.random.PRNGKey(0))
    for k in params:
        for name in params[k]:
            np.testing.assert_array_equal(np.asarray(params[k][name]), np.asarray(again[k][name]))
    s1, s2 = lsm.run(params, x).outputs, lsm.run(again, x).outputs
    np.testing.assert_array_equal(np.asarray(s1), np.asarray(s2))
    assert 0 < float(s1.mean()) < 0.5
    other = lsm.init(jax.random.PRNGKey(7))
    assert not np.array_equal(np.asarray(other["res->res"]["w"]), np.asarray(params["res->res"]["w"]))
    # the device chip view reproduces init exactly (noise-free read at t = 0)
    dp = lsm.device_params(jax.random.PRNGKey(0))
    np.testing.assert_array_equal(np.asarray(dp["res->res"]["w"]), np.asarray(params["res->res"]["w"]))


def test_validation(small):
    lsm, params, x = small
    with pytest.raises(ValidationError, match="trailing shape"):
        lsm.run(params, x[..., :5])
    with pytest.raises(ValidationError, match="NaN"):
        lsm.run(params, x.at[3, 0, 0].set(jnp.nan))
    with pytest.raises(ValidationError):
        lsm.run(params, np.zeros(8, np.float32))
    with pytest.raises(ValidationError):
        LiquidStateMachine(8, 64, connectivity="ring")
    with pytest.raises(ValidationError):
        LiquidStateMachine(8, 64, weights="pcm-aihwkit")  # no forming parameters
    with pytest.raises(ValidationError):
        features(np.zeros((5, 2, 3)), "binned", n_bins=6)


def test_features_shapes(small):
    lsm, params, x = small
    s = lsm.run(params, x).outputs
    assert s.shape == (30, 4, 64)
    assert features(s, "rates").shape == (4, 64)
    assert features(s, "binned", n_bins=3).shape == (4, 192)
    assert features(s, "trace", n_bins=3, tau=5.0).shape == (4, 192)
    np.testing.assert_allclose(features(s, "binned", n_bins=1), features(s, "rates"), rtol=1e-6)
    np.testing.assert_allclose(features(s, "rates", power=0.5) ** 2, features(s, "rates"), rtol=1e-5, atol=1e-7)


def test_simulate_activity_and_event_backend(small):
    lsm, params, x = small
    import neurosim.hardware as hw

    res = ns.simulate(lsm, x, params=params, record=("res.spike",))
    np.testing.assert_array_equal(res["res.spike"], np.asarray(lsm.run(params, x).outputs))
    wl = hw.from_activity(lsm, res.activity)
    assert wl.layers[0].spikes_per_step == pytest.approx(float(res["res.spike"].sum(-1).mean()), rel=1e-5)
    assert wl.layers[0].events_per_step > 0
    ev = LiquidStateMachine(8, 64, weights="rram-forming-random", in_gain=3.0, beta=0.9, backend="event")
    pe = ev.init(jax.random.PRNGKey(0))
    np.testing.assert_array_equal(np.asarray(ev.run(pe, x).outputs), res["res.spike"])


def test_spoken_digits_small():
    """200-neuron RRAM LSM, 10 ms bins, ridge readout on rates: well above chance (0.1) on held-out theo."""
    from neurosim.data.datasets import load_spoken_digits
    from neurosim.models.readouts import fit_ridge

    train, test = load_spoken_digits()
    xtr = np.swapaxes(train.to_dense(10_000, 60, binary=False), 0, 1)
    xte = np.swapaxes(test.to_dense(10_000, 60, binary=False), 0, 1)
    lsm = LiquidStateMachine(64, 200, weights="rram-forming-random", in_gain=2.0, beta=0.9, dt=10.0)
    params = lsm.init(jax.random.PRNGKey(0))
    ftr = lsm.features(params, xtr, "rates", power=0.5, batch_size=None)
    fte = lsm.features(params, xte, "rates", power=0.5, batch_size=None)
    acc = fit_ridge(ftr, train.labels, alpha=10.0).accuracy(fte, test.labels)
    assert acc > 0.5, acc
