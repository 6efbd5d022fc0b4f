"""Physical local learning (PhyLL) and the backprop baselines: loss values by hand, training without ever asking a
physical layer for a gradient, determinism, accounting."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurosim.errors import ValidationError
from neurosim.learn.local import (PhyLLConfig, PhysicalLocalLearning, cosine_goodness, embed_label, phyll_loss,
                                  wrong_labels)
from neurosim.learn.pat import BackpropTrainer, pat_function
from neurosim.physical import GRAD_REQUESTS, OscillatorChain, ScatteringMedium


def blobs(n=240, n_features=8, classes=4, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1.0, (classes, n_features))
    y = rng.integers(0, classes, n).astype(np.int32)
    x = (centres[y] + rng.normal(0, 0.6, (n, n_features))).astype(np.float32)
    return x[:180], y[:180], x[180:], y[180:]


def test_goodness_and_loss_by_hand():
    g = cosine_goodness(jnp.array([[3.0, -4.0]]), jnp.array([1.0, 0.0]))
    np.testing.assert_allclose(np.asarray(g), [0.6], rtol=1e-6)
    np.testing.assert_allclose(float(phyll_loss(jnp.array([0.6]), jnp.array([0.1]), 4.0)), np.log1p(np.exp(-2.0)),
                               rtol=1e-6)
    np.testing.assert_allclose(float(phyll_loss(jnp.array([0.6, 0.1]), jnp.array([0.1, 0.6]), 4.0)),
                               0.5 * (np.log1p(np.exp(-2.0)) + np.log1p(np.exp(2.0))), rtol=1e-6)
    h = embed_label(jnp.array([[5.0, 6.0]]), jnp.array([2]), 4, 1.5)
    np.testing.assert_array_equal(np.asarray(h), [[0, 0, 1.5, 0, 5, 6]])
    y = jnp.arange(1000) % 7
    yn = wrong_labels(jax.random.PRNGKey(0), y, 7)
    assert np.all(np.asarray(yn) != np.asarray(y)) and set(np.asarray(yn).tolist()) == set(range(7))


def test_phyll_trains_without_physical_gradients():
    x, y, xt, yt = blobs()
    medium = ScatteringMedium(4 + 8, 32, pool=2, seed=1, encoding=None)
    tr = PhysicalLocalLearning([medium], 8, 4, config=PhyLLConfig(epochs=20, lr=1e-2))
    before = GRAD_REQUESTS["count"]
    rep = tr.fit(x, y, xt, yt, key=jax.random.PRNGKey(0), progress=False)
    assert GRAD_REQUESTS["count"] == before          # the physical layer was never asked for a derivative
    assert rep.test_accuracy >= 0.7, rep             # chance: 0.25
    assert rep.physical_evals == 20 * 2 * 180         # positives + negatives, one block
    assert rep.eval_physical_evals == 4 * 60          # one pass per candidate label
    assert rep.digital_macs == 20 * (10 * 2 + 1) * 2 * 180 * (16 + 12) * 16
    assert rep.wall_time_s > 0
    # and differentiating through the physical layer is impossible
    with pytest.raises(Exception, match="gradient of the physical system"):
        jax.grad(lambda v: medium(v, jax.random.PRNGKey(0)).sum())(jnp.ones((2, 12)))


def test_phyll_deterministic_under_fixed_key():
    x, y, xt, yt = blobs()
    medium = ScatteringMedium(12, 32, pool=2, seed=1)

    def run(seed):
        tr = PhysicalLocalLearning([medium], 8, 4, config=PhyLLConfig(epochs=3, lr=5e-3))
        return tr.fit(x, y, xt, yt, key=jax.random.PRNGKey(seed), progress=False)
    a, b, c = run(0), run(0), run(1)
    np.testing.assert_array_equal(np.asarray(a.params["params"][0]["W"]), np.asarray(b.params["params"][0]["W"]))
    assert a.test_accuracy == b.test_accuracy
    assert np.abs(np.asarray(a.params["params"][0]["W"]) - np.asarray(c.params["params"][0]["W"])).max() > 0


def test_phyll_validation():
    medium = ScatteringMedium(12, 16, pool=1)
    with pytest.raises(ValidationError, match="label_dims"):
        PhysicalLocalLearning([medium], 10, 4)
    tr = PhysicalLocalLearning([medium], 8, 4, config=PhyLLConfig(epochs=1))
    with pytest.raises(ValidationError, match="labels"):
        tr.fit(np.zeros((5, 8)), np.full(5, 4), key=jax.random.PRNGKey(0), progress=False)
    with pytest.raises(ValidationError, match="features"):
        tr.fit(np.zeros((5, 9)), np.zeros(5, int), key=jax.random.PRNGKey(0), progress=False)
    bad = np.zeros((5, 8))
    bad[2, 3] = np.nan
    with pytest.raises(ValidationError, match="NaN"):
        tr.fit(bad, np.zeros(5, int), key=jax.random.PRNGKey(0), progress=False)
    with pytest.raises(ValidationError):
        PhyLLConfig(theta=-1.0)


def test_pat_forward_is_physical_backward_is_twin():
    osc = OscillatorChain(5, n_steps=20, noise=0.2)
    f = pat_function(osc)
    x = jnp.asarray(np.random.default_rng(0).random((3, 5)), jnp.float32)
    kw = jnp.asarray([0, 7], jnp.uint32)
    np.testing.assert_array_equal(np.asarray(f(x, kw)), osc.host_forward(np.asarray(x), [0, 7]))
    g_pat = jax.jit(jax.grad(lambda v: f(v, kw).sum()))(x)
    g_twin = jax.jit(jax.grad(lambda v: osc.twin()(v).sum()))(x)
    np.testing.assert_allclose(np.asarray(g_pat), np.asarray(g_twin), rtol=1e-6)


@pytest.mark.parametrize("mode", ["pat", "insilico"])
def test_backprop_baselines_train(mode):
    x, y, xt, yt = blobs()
    medium = ScatteringMedium(12, 32, pool=2, seed=1)
    tr = BackpropTrainer([medium], 8, 4, mode=mode, lr=2e-2, epochs=30)
    rep = tr.fit(x, y, xt, yt, key=jax.random.PRNGKey(0), progress=False)
    assert rep.test_accuracy >= 0.7, rep
    assert rep.physical_evals == (30 * 180 if mode == "pat" else 0)
    assert rep.digital_macs > 0


def test_phyll_vowels_small_run(shared_data):
    from neurosim.data.vowels import load_vowels

    d = load_vowels(shared_data / "vowels" / "vowdata.dat", seed=0)
    osc = OscillatorChain(20, seed=0)
    tr = PhysicalLocalLearning([osc, osc], 12, 7, config=PhyLLConfig(epochs=12))
    before = GRAD_REQUESTS["count"]
    rep = tr.fit(d.x_train, d.y_train, d.x_test, d.y_test, key=jax.random.PRNGKey(0), progress=False)
    assert GRAD_REQUESTS["count"] == before
    assert rep.test_accuracy >= 0.7, rep.test_accuracy     # chance 1/7; the full benchmark reaches > 85 %


def test_summarize_reports_by_hand():
    from neurosim.learn.local import TrainReport, summarize_reports

    a = TrainReport("x", 0.9, 0.8, 100.0, 10, 1.0, 5)
    b = dict(a.as_dict(), train_accuracy=0.7, test_accuracy=0.6, digital_macs=300.0, physical_evals=30,
             wall_time_s=3.0)
    s = summarize_reports([a, b])
    assert s["test_mean"] == pytest.approx(0.7) and s["test_min"] == pytest.approx(0.6)
    assert s["test_std"] == pytest.approx(np.std([0.8, 0.6], ddof=1))
    assert (s["train_accuracy"], s["digital_macs"], s["physical_evals"], s["wall_time_s"]) == pytest.approx(
        (0.8, 200.0, 20.0, 2.0))
    assert summarize_reports([a])["test_std"] == 0.0
    with pytest.raises(ValidationError, match="runs"):
        summarize_reports([])
