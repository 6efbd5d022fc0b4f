"""The composite pipeline: determinism under keys, jit/vmap, fixed-per-device properties, random LSM weights."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurosim import devices as dev

PRESETS = ("pcm-aihwkit", "rram-wan2022", "rram-cmo", "rram-forming-random")


def _leaves_equal(a, b) -> bool:
    la, lb = jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)
    return len(la) == len(lb) and all(np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(la, lb))


@pytest.fixture(scope="module")
def w():
    return jax.random.normal(jax.random.PRNGKey(0), (12, 6))


@pytest.mark.parametrize("name", PRESETS)
def test_same_key_identical_different_key_differs(name, w):
    model = dev.get_preset(name, faults=dev.Faults(p_stuck_on=0.05, p_stuck_off=0.05, d2d_std=0.05, c2c_std=0.02))
    k1, k2 = jax.random.PRNGKey(1), jax.random.PRNGKey(2)
    s1, s1b, s2 = (dev.program_weights(k, w, model) for k in (k1, k1, k2))
    assert _leaves_equal(s1, s1b)
    assert not np.array_equal(np.asarray(s1.plus.g), np.asarray(s2.plus.g))
    r1, r1b, r2 = (dev.read_weights(k, s1, 3600.0, model) for k in (k1, k1, k2))
    assert np.array_equal(np.asarray(r1), np.asarray(r1b))
    assert not np.array_equal(np.asarray(r1), np.asarray(r2))  # fresh read noise on every read
    if model.forming is not None:
        f1, f1b, f2 = (dev.random_weights(k, (8, 8), model) for k in (k1, k1, k2))
        assert np.array_equal(np.asarray(f1), np.asarray(f1b)) and not np.array_equal(np.asarray(f1), np.asarray(f2))


def test_jit_matches_eager_and_is_deterministic(w):
    model = dev.get_preset("pcm-aihwkit")
    prog = jax.jit(dev.program_weights)  # the model is a leaf-free pytree: no static_argnames needed
    read = jax.jit(dev.read_weights)
    k = jax.random.PRNGKey(3)
    s_jit, s_jit2, s_eager = prog(k, w, model), prog(k, w, model), dev.program_weights(k, w, model)
    assert _leaves_equal(s_jit, s_jit2)
    for a, b in zip(jax.tree_util.tree_leaves(s_jit), jax.tree_util.tree_leaves(s_eager)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
    # traced time: one compilation serves every t
    r = [read(k, s_jit, t, model) for t in (10.0, 3600.0)]
    np.testing.assert_allclose(np.asarray(r[1]), np.asarray(dev.read_weights(k, s_jit, 3600.0, model)),
                               rtol=1e-4, atol=1e-5)
    assert read._cache_size() == 1


def test_vmap_over_keys_is_a_seed_sweep():
    model = dev.get_preset("rram-forming-random")
    keys = jax.random.split(jax.random.PRNGKey(4), 5)
    batch = jax.jit(jax.vmap(lambda k: dev.random_weights(k, (10, 7), model)))(keys)
    assert batch.shape == (5, 10, 7)
    for i in (0, 4):
        np.testing.assert_allclose(np.asarray(batch[i]), np.asarray(dev.random_weights(keys[i], (10, 7), model)),
                                   rtol=1e-6, atol=1e-6)
    assert not np.array_equal(np.asarray(batch[0]), np.asarray(batch[1]))
    pcm = dev.get_preset("pcm-aihwkit")
    w = jnp.linspace(-1, 1, 12).reshape(3, 4)
    states = jax.jit(jax.vmap(lambda k: dev.program_weights(k, w, pcm)))(keys)
    reads = jax.jit(jax.vmap(lambda k, s: dev.read_weights(k, s, 60.0, pcm)))(keys, states)
    assert states.plus.g.shape == (5, 3, 4) and reads.shape == (5, 3, 4)


def test_stuck_cells_and_d2d_gains_are_fixed_per_device(w):
    model = dev.get_preset("pcm-aihwkit", read_noise=None,
                           faults=dev.Faults(p_stuck_on=0.1, p_stuck_off=0.1, d2d_std=0.1))
    s = dev.program_weights(jax.random.PRNGKey(5), w, model)
    on, off = np.asarray(s.plus.stuck) == 1, np.asarray(s.plus.stuck) == -1
    assert on.any() and off.any()
    for t in (0.0, 3600.0):
        g = np.asarray(dev.conductances_at(s.plus, t, model))
        assert np.all(g[on] == 25.0) and np.all(g[off] == 0.0)  # stuck cells do not drift
    s2 = dev.reprogram(jax.random.PRNGKey(6), s, -w, model)
    assert np.array_equal(np.asarray(s2.plus.stuck), np.asarray(s.plus.stuck))
    assert np.array_equal(np.asarray(s2.minus.d2d), np.asarray(s.minus.d2d))
    assert not np.array_equal(np.asarray(s2.plus.drift), np.asarray(s.plus.drift))  # redrawn per write


def test_pcm_drift_shrinks_weights_and_global_compensation_restores_them(w):
    model = dev.get_preset("pcm-aihwkit")
    s = dev.program_weights(jax.random.PRNGKey(7), w, model)
    k = jax.random.PRNGKey(8)
    ideal = np.asarray(w)
    mags = [float(np.abs(np.asarray(dev.read_weights(k, s, t, model.replace(read_noise=None)))).sum())
            for t in (0.0, 3600.0, 86400.0)]
    assert mags[0] > mags[1] > mags[2]
    raw = np.asarray(dev.read_weights(k, s, 86400.0, model))
    comp = np.asarray(dev.read_weights(k, s, 86400.0, model, compensate_drift=True))
    assert np.linalg.norm(comp - ideal) < 0.5 * np.linalg.norm(raw - ideal)


def test_analog_matmul_of_an_ideal_device_is_the_matmul(w):
    model = dev.DeviceModel(g_max=25.0)
    s = dev.program_weights(jax.random.PRNGKey(9), w, model)
    x = jax.random.uniform(jax.random.PRNGKey(10), (4, 12))
    y = dev.analog_matmul(jax.random.PRNGKey(11), x, s, 0.0, model)
    np.testing.assert_allclose(np.asarray(y), np.asarray(x @ w), rtol=1e-5, atol=1e-5)
    noisy = dev.analog_matmul(jax.random.PRNGKey(11), x, s, 3600.0, dev.get_preset("rram-wan2022"))
    assert noisy.shape == (4, 6)


@pytest.mark.parametrize("mode", ["differential", "centered"])
def test_random_weights_unit_variance_zero_mean_and_sparsity(mode):
    model = dev.get_preset("rram-forming-random")
    n = 200 * 200
    W = np.asarray(dev.random_weights(jax.random.PRNGKey(12), (200, 200), model, mode=mode), np.float64)
    fourth = np.mean((W - W.mean()) ** 4)
    assert abs(W.mean()) <= 4 * math.sqrt(1.0 / n)
    assert abs(W.var() - 1.0) <= 4 * math.sqrt((fourth - 1.0) / n)
    if mode == "differential":  # both cells unformed -> exactly zero weight, probability (1 - p)^2 = 0.25
        p0 = (1 - dev.formed_fraction(model.forming)) ** 2
        assert abs(np.mean(W == 0) - p0) <= 4 * math.sqrt(p0 * (1 - p0) / n)
    else:
        assert abs(W.mean()) < 1e-5  # centred on its own sample mean
    W7 = np.asarray(dev.random_weights(jax.random.PRNGKey(12), (200, 200), model, mode=mode, scale=0.07))
    np.testing.assert_allclose(W7, W * 0.07 / dev.random_weight_scale(model, mode), rtol=1e-4, atol=1e-6)
