"""Physics-aware training of physical control parameters (the couplings of the oscillator chain)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurosim.errors import ValidationError
from neurosim.learn.pat import BackpropTrainer, pat_control_function
from neurosim.physical import OscillatorChain, ScatteringMedium


@pytest.fixture(scope="module")
def chain():
    return OscillatorChain(5, seed=0, n_steps=20, noise=0.0, noise_floor=0.0)


def test_controls_set_the_measurement_and_the_twin_matches(chain):
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    k2 = chain.params["k"] * 1.5
    y_phys = chain.host_forward(x, np.array([0, 1], np.uint32), {"k": k2})
    y_ref = chain.model({**chain.params, "k": k2}, chain.encoding(x.astype(np.float64), np), np)
    np.testing.assert_allclose(y_phys, y_ref, rtol=1e-6)
    assert np.abs(y_phys - chain.host_forward(x, np.array([0, 1], np.uint32))).max() > 1e-4
    twin = chain.twin_with_controls()
    np.testing.assert_allclose(np.asarray(twin(jnp.asarray(x), {"k": jnp.asarray(k2, jnp.float32)})), y_phys,
                               rtol=1e-4, atol=1e-6)
    with pytest.raises(ValidationError, match="not a control"):
        chain.host_forward(x, np.array([0, 1], np.uint32), {"omega": chain.params["omega"]})
    with pytest.raises(ValidationError, match="shape"):
        chain.host_forward(x, np.array([0, 1], np.uint32), {"k": np.ones(2)})


def test_pat_gradient_of_the_controls_is_the_twins(chain):
    x = jnp.asarray(np.random.default_rng(1).standard_normal((4, 5)), jnp.float32)
    c = {"k": jnp.asarray(chain.params["k"], jnp.float32)}
    kw = jnp.asarray([0, 7], jnp.uint32)
    f = pat_control_function(chain)
    g_pat = jax.grad(lambda cc: jnp.sum(f(x, kw, cc) ** 2))(c)
    twin = chain.twin_with_controls()
    g_twin = jax.grad(lambda cc: jnp.sum(twin(x, cc) ** 2))(c)  # noise-free system = its twin here
    np.testing.assert_allclose(np.asarray(g_pat["k"]), np.asarray(g_twin["k"]), rtol=1e-3, atol=1e-6)
    assert np.abs(np.asarray(g_pat["k"])).max() > 0


def test_trainer_trains_the_couplings(chain):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((48, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int32) + (x[:, 1] > 0).astype(np.int32)
    tr = BackpropTrainer([chain], 4, 3, mode="pat", epochs=8, lr=3e-2, skip=False, train_physical=True)
    rep = tr.fit(x, y, key=jax.random.PRNGKey(0), progress=False)
    k = np.asarray(tr.controls(rep.params, 0)["k"])
    assert k.shape == chain.params["k"].shape and np.all(k > 0)        # log-ratio training keeps the sign
    assert np.abs(k / chain.params["k"] - 1).max() > 1e-3              # the couplings moved
    np.testing.assert_array_equal(chain.params["k"], chain.nominal["k"])  # the system object is untouched
    with pytest.raises(ValidationError, match="control"):
        BackpropTrainer([ScatteringMedium(4, 8)], 4, 3, train_physical=True)
