"""Hardware-aware training and deployment of a network's weights onto devices (dense, EGRU, conv)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim import devices as dev
from neurosim.errors import ValidationError
from neurosim.learn.hardware_aware import DeviceNoiseInjection
from neurosim.models import EGRU


def conv_net():
    conv = ns.Conv2d((1, 6, 6), 3, 3, padding=1)
    return ns.Sequential([ns.Layer(conv, ns.LIF(conv.n_out, beta=0.9)), ns.Layer(ns.Dense(conv.n_out, 4),
                                                                               ns.LI(4, beta=0.9))])


def egru_net():
    return ns.Sequential([EGRU(5, 8), ns.Layer(ns.Dense(8, 3), ns.LI(3, beta=0.9))])


@pytest.fixture(scope="module", params=["conv", "egru"])
def params(request):
    net = conv_net() if request.param == "conv" else egru_net()
    return net.init(jax.random.PRNGKey(0))


def _leaves(tree):
    return jax.tree_util.tree_leaves(tree)


def test_ideal_device_reads_back_the_weights(params):
    ideal = dev.DeviceModel(name="ideal", g_max=25.0)
    prog = dev.program_params(jax.random.PRNGKey(1), params, ideal)
    assert prog.n_weights == sum(leaf.ndim >= 2 for leaf in _leaves(params)) >= 2
    read = dev.read_params(jax.random.PRNGKey(2), prog, 3600.0, compensate_drift=False)
    assert jax.tree_util.tree_structure(read) == jax.tree_util.tree_structure(params)
    for a, b in zip(_leaves(params), _leaves(read)):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-5, atol=1e-7)
    assert max(dev.weight_error(params, read).values()) < 1e-5


def test_pcm_deployment_drifts_and_compensation_restores_scale(params):
    pcm = dev.get_preset("pcm-aihwkit")
    prog = dev.program_params(jax.random.PRNGKey(1), params, pcm)
    year = 3.15e7
    raw = dev.read_params(jax.random.PRNGKey(2), prog, year, compensate_drift=False)
    comp = dev.read_params(jax.random.PRNGKey(2), prog, year, compensate_drift=True)
    again = dev.read_params(jax.random.PRNGKey(2), prog, year, compensate_drift=True)
    other = dev.read_params(jax.random.PRNGKey(3), prog, year, compensate_drift=True)
    for w, r, c, a, o in zip(*map(_leaves, (params, raw, comp, again, other))):
        if w.ndim < 2:  # digital: untouched
            assert np.array_equal(np.asarray(r), np.asarray(w)) and np.array_equal(np.asarray(c), np.asarray(w))
            continue
        assert np.sum(np.abs(r)) < 0.8 * np.sum(np.abs(w))  # PCM drift (ν ≈ 0.05) shrinks every weight
        # compensated: back to the scale of the programmed weights (programming noise aside)
        assert abs(np.sum(np.abs(c)) / np.sum(np.abs(w)) - 1.0) < 0.1
        assert np.array_equal(np.asarray(c), np.asarray(a))  # same keys, same read
        assert not np.array_equal(np.asarray(c), np.asarray(o))  # another read key, another read


def test_noise_injection_touches_only_weights_and_is_straight_through(params):
    inj = DeviceNoiseInjection("pcm-aihwkit", clip_sigma=None)
    noisy = jax.jit(inj.perturb)(jax.random.PRNGKey(4), params)
    same = jax.jit(inj.perturb)(jax.random.PRNGKey(4), params)
    for w, n, s in zip(*map(_leaves, (params, noisy, same))):
        assert np.array_equal(np.asarray(n), np.asarray(s))
        if w.ndim < 2:
            assert np.array_equal(np.asarray(n), np.asarray(w))
        else:
            err = np.linalg.norm(np.asarray(n) - np.asarray(w)) / np.linalg.norm(np.asarray(w))
            assert 1e-3 < err < 1.0

    def f(p):
        return sum(jnp.sum(jnp.tanh(leaf)) for leaf in _leaves(p))

    g_st = jax.grad(lambda p: f(inj.perturb(jax.random.PRNGKey(4), p)))(params)
    g_at_noisy = jax.grad(f)(noisy)  # the straight-through gradient is the gradient at the noisy weights
    for a, b in zip(_leaves(g_st), _leaves(g_at_noisy)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7)


def test_projection_clips_each_weight_array():
    w = jnp.asarray(np.random.default_rng(0).standard_normal((40, 30)) * 2.0, jnp.float32)
    p = {"W": w, "b": jnp.full((30,), 100.0)}
    out = DeviceNoiseInjection(clip_sigma=2.0).project(p)
    c = 2.0 * float(jnp.std(w))
    assert float(jnp.max(jnp.abs(out["W"]))) == pytest.approx(c, rel=1e-6)
    assert np.array_equal(np.asarray(out["b"]), np.asarray(p["b"]))
    assert DeviceNoiseInjection(clip_sigma=None).project(p) is p


def _toy(n=64, T=12, n_in=5, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n).astype(np.int32)
    x = rng.random((n, T, n_in)).astype(np.float32) * 0.2
    x[np.arange(n), :, y] += 0.8
    return x, y


def test_trainer_with_weight_noise():
    x, y = _toy()
    clean = ns.Trainer(egru_net(), lr=1e-2, batch_size=16, progress=False)
    clean.fit(x, y, epochs=2)
    zero = ns.Trainer(egru_net(), lr=1e-2, batch_size=16, progress=False,
                      weight_noise=DeviceNoiseInjection("pcm-aihwkit", scale=0.0, clip_sigma=None))
    zero.fit(x, y, epochs=2)
    for a, b in zip(_leaves(clean.params), _leaves(zero.params)):  # no noise, no clip: the clean run exactly
        assert np.array_equal(np.asarray(a), np.asarray(b))
    hwa = ns.Trainer(egru_net(), lr=1e-2, batch_size=16, progress=False,
                     weight_noise=DeviceNoiseInjection("pcm-aihwkit", clip_sigma=1.0))
    hist = hwa.fit(x, y, epochs=6)
    assert hist["loss"][-1] < hist["loss"][0]
    for w in _leaves(hwa.params):
        if w.ndim >= 2:  # clipped at 1 s.d. after every update: a large share of each array sits on the bound
            a = np.abs(np.asarray(w))
            assert np.mean(a >= a.max() * (1 - 1e-6)) > 0.1
    assert not all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(_leaves(clean.params),
                                                                               _leaves(hwa.params)))


def test_bad_inputs_are_refused():
    with pytest.raises(ValidationError, match="perturb"):
        ns.Trainer(egru_net(), progress=False, weight_noise=object())
    with pytest.raises(ValidationError, match="t_range"):
        DeviceNoiseInjection(t_range=(0.0, 10.0))
    with pytest.raises(ValidationError, match="scale"):
        DeviceNoiseInjection(scale=-1.0)
    with pytest.raises(ValidationError, match="no leaf"):
        dev.program_params(jax.random.PRNGKey(0), {"b": jnp.ones(3)}, dev.get_preset("pcm-aihwkit"))
    with pytest.raises(ValidationError, match="ProgrammedParams"):
        dev.read_params(jax.random.PRNGKey(0), {"W": jnp.ones((2, 2))}, 1.0)
