"""Physical layers: black-box contract (no gradients, seeded noise, validation) and each system's invariants."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurosim.errors import ValidationError
from neurosim.physical import (GRAD_REQUESTS, CrossbarLayer, Encoding, Metasurface, OscillatorChain,
                               PhysicalGradientError, ScatteringMedium, transmission_matrix)
from neurosim.physical.oscillators import energy, rk4_step


def small_layers():
    from neurosim.physical import FourierScatteringMedium

    return [OscillatorChain(6, n_steps=10), ScatteringMedium(8, 32, pool=2), Metasurface(4, 5, n_cavity_modes=12),
            CrossbarLayer(8, 5), FourierScatteringMedium((4, 4))]


@pytest.fixture(scope="module")
def layers():
    return small_layers()


def _x(layer, n=7, seed=0):
    return np.random.default_rng(seed).random((n, layer.n_in)).astype(np.float32)


@pytest.mark.parametrize("i", range(4))
def test_deterministic_and_noise_per_key(layers, i):
    layer = layers[i]
    x = _x(layer)
    a = np.asarray(layer(x, jax.random.PRNGKey(0)))
    b = np.asarray(layer(x, jax.random.PRNGKey(0)))
    c = np.asarray(layer(x, jax.random.PRNGKey(1)))
    assert a.shape == (7, layer.n_out) and np.all(np.isfinite(a))
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 0
    # the noise is small compared with the signal, and the twin (nominal, noise-free) is close
    twin = np.asarray(jax.jit(layer.twin())(jnp.asarray(x)))
    assert np.mean(np.abs(twin - a)) < 0.2 * np.mean(np.abs(a)) + 1e-3


@pytest.mark.parametrize("i", range(4))
def test_gradient_is_never_available(layers, i):
    layer = layers[i]
    x = jnp.asarray(_x(layer))
    before = GRAD_REQUESTS["count"]
    with pytest.raises(PhysicalGradientError):
        jax.grad(lambda v: layer(v, jax.random.PRNGKey(0)).sum())(x)
    assert GRAD_REQUESTS["count"] == before + 1
    # the twin is differentiable
    g = jax.jit(jax.grad(lambda v: layer.twin()(v).sum()))(x)
    assert np.all(np.isfinite(np.asarray(g)))


def test_input_validation(layers):
    osc = layers[0]
    with pytest.raises(ValidationError, match="expected shape"):
        osc(np.zeros((3, osc.n_in + 1)), jax.random.PRNGKey(0))
    with pytest.raises(ValidationError, match="expected shape"):
        osc(np.zeros(osc.n_in), jax.random.PRNGKey(0))
    bad = np.zeros((2, osc.n_in))
    bad[0, 1] = np.nan
    with pytest.raises(ValidationError, match="NaN"):
        osc(bad, jax.random.PRNGKey(0))
    with pytest.raises(ValidationError):
        OscillatorChain(0)
    with pytest.raises(ValidationError):
        Encoding("bogus")
    with pytest.raises(ValidationError):
        ScatteringMedium(8, 33, pool=2)


def test_evaluation_counter():
    osc = OscillatorChain(4, n_steps=5)
    osc(np.ones((3, 4)), jax.random.PRNGKey(0))
    osc(np.ones((5, 4)), jax.random.PRNGKey(1))
    assert osc.n_calls == 2 and osc.n_evals == 8


def test_encoding_levels_and_norms():
    x = np.array([[3.0, -4.0, 0.0], [1.0, 2.0, 3.0]])
    np.testing.assert_allclose(np.linalg.norm(Encoding("l2abs")(x, np), axis=-1), 1.0)
    mm = Encoding("minmax", levels=4)(x, np)
    assert set(np.round(mm.ravel() * 3, 6)) <= {0.0, 1.0, 2.0, 3.0}
    assert mm.min() == 0.0 and mm.max() == 1.0
    # straight-through quantisation in the twin: identity derivative
    g = jax.grad(lambda v: Encoding("clip01", levels=4)(v, jnp, ste=True).sum())(jnp.asarray([0.1, 0.4, 0.9]))
    np.testing.assert_allclose(np.asarray(g), 1.0)


def test_oscillator_energy_conserved_undriven_undamped():
    osc = OscillatorChain(10, seed=3)
    p = dict(osc.params, gamma=np.asarray(0.0))
    rng = np.random.default_rng(0)
    q, v = rng.normal(0, 0.5, (4, 10)), rng.normal(0, 0.3, (4, 10))
    e0 = energy(p, q, v)
    errs = []
    for dt in (0.04, 0.02):
        qq, vv = q, v
        for s in range(int(round(4.0 / dt))):
            qq, vv = rk4_step(p, qq, vv, s * dt, dt, 0.0, 1.0)
        errs.append(np.max(np.abs(energy(p, qq, vv) - e0) / e0))
    assert errs[0] < 1e-5
    assert errs[1] < errs[0] / 8  # fourth-order convergence (ratio ~16)
    # damping dissipates energy
    p_d = dict(p, gamma=np.asarray(0.3))
    qq, vv = q, v
    for s in range(100):
        qq, vv = rk4_step(p_d, qq, vv, s * 0.04, 0.04, 0.0, 1.0)
    assert np.all(energy(p_d, qq, vv) < e0)


def test_oscillator_is_nonlinear_and_twin_matches_numpy():
    osc = OscillatorChain(6, n_steps=60, noise=0.0, noise_floor=0.0)
    u = np.random.default_rng(1).random((3, 6))
    y1, y2 = osc.model(osc.params, u, np), osc.model(osc.params, 2 * u, np)
    assert np.abs(y2 - 2 * y1).mean() > 0.05 * np.abs(y2).mean()     # Duffing: amplitude not proportional
    yj = np.asarray(osc.model(osc.twin_params(), jnp.asarray(u), jnp))
    np.testing.assert_allclose(yj, y1, rtol=2e-4, atol=1e-5)


def test_transmission_matrix_statistics():
    n_in = 64
    T = transmission_matrix(2048, n_in, seed=0)
    assert abs(np.mean(np.abs(T) ** 2) * n_in - 1.0) < 0.02
    assert abs(np.var(T.real) * 2 * n_in - 1.0) < 0.03 and abs(np.var(T.imag) * 2 * n_in - 1.0) < 0.03
    assert abs(np.corrcoef(T.real.ravel(), T.imag.ravel())[0, 1]) < 0.02
    # fully developed speckle: exponential intensity statistics (contrast 1, P(I > mean) = 1/e)
    med = ScatteringMedium(n_in, 2048, pool=1, noise=0.0, noise_floor=0.0, encoding=Encoding("none"))
    u = np.random.default_rng(2).random((1, n_in))
    inten = med.intensity(med.params, u, np)[0]
    assert abs(inten.mean() / (np.sum(u ** 2) / n_in) - 1) < 0.08
    assert abs(inten.std() / inten.mean() - 1) < 0.08
    assert abs(np.mean(inten > inten.mean()) - np.exp(-1)) < 0.03


def test_scattering_saturation_and_pooling():
    lin = ScatteringMedium(16, 64, pool=4, noise=0.0, noise_floor=0.0)
    sat = ScatteringMedium(16, 64, pool=4, noise=0.0, noise_floor=0.0, saturation=1.0)
    u = np.random.default_rng(0).random((5, 16))
    assert lin.n_out == 16
    i = lin.intensity(lin.params, u, np)
    np.testing.assert_allclose(lin.model(lin.params, u, np), i.reshape(5, 16, 4).mean(-1) * 16, rtol=1e-12)
    ys = sat.model(sat.params, u, np)
    assert np.all(ys < 16.0 + 1e-9)           # I/(1+I/Isat) < Isat per pixel, times n_in
    assert np.all(ys <= lin.model(lin.params, u, np) + 1e-12)


def test_perturbation_changes_system_and_keeps_stale_twin():
    med = ScatteringMedium(16, 64, noise=0.0, noise_floor=0.0)
    drifted = med.perturb(0.1, seed=1)
    assert abs(np.mean(np.abs(drifted.T) ** 2) / np.mean(np.abs(med.T) ** 2) - 1) < 0.1
    corr = np.abs(np.vdot(med.T.ravel(), drifted.T.ravel())) / (np.linalg.norm(med.T) * np.linalg.norm(drifted.T))
    assert 0.98 < corr < 0.999
    x = jnp.asarray(np.random.default_rng(0).random((4, 16)), jnp.float32)
    np.testing.assert_allclose(np.asarray(drifted.twin()(x)), np.asarray(med.twin()(x)), rtol=1e-5)
    osc = OscillatorChain(5, n_steps=10)
    d = osc.perturb(0.1, seed=0)
    np.testing.assert_allclose(np.abs(d.params["omega"] / osc.params["omega"] - 1), 0.1, rtol=1e-9)
    np.testing.assert_array_equal(osc.params["omega"], osc.nominal["omega"])   # original untouched


def test_metasurface_bits_and_reciprocity():
    u = np.array([[0.0, 1 / 3, 2 / 3, 1.0]])
    np.testing.assert_array_equal(Metasurface.bits(u), [[0, 0, 1, 1, 0, 1, 0, 1]])
    # the paper script's code: 00 only for the minimum, 01 up to 1/4, 10 up to 3/4, 11 above; pairs adjacent
    v = np.array([[0.0, 0.1, 0.25, 0.26, 0.75, 0.76, 1.0]])
    np.testing.assert_array_equal(Metasurface.paper_bits(v), [[0, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1]])
    jb = np.asarray(Metasurface.paper_bits(jnp.asarray(v), jnp, ste=True))
    np.testing.assert_allclose(jb, Metasurface.paper_bits(v), atol=1e-7)  # straight-through: same values
    g = jax.grad(lambda a: jnp.sum(Metasurface.paper_bits(a, jnp, ste=True)))(jnp.asarray(v))
    np.testing.assert_allclose(np.asarray(g), 2.0)  # identity derivative for both bits of every value
    assert Metasurface(4, 5, n_cavity_modes=8).encoding.levels is None
    assert Metasurface(4, 5, n_cavity_modes=8, coding="uniform").encoding.levels == 4
    ms = Metasurface(4, 6, n_cavity_modes=10, noise=0.0, noise_floor=0.0)
    c = np.random.default_rng(0).integers(0, 2, (3, 8)).astype(float)
    s = ms.response(ms.params, c, np)
    assert s.shape == (3, 6) and np.all(np.isfinite(s))
    # different configurations give different spectra (the metasurface programs the cavity)
    assert np.abs(np.abs(s[0]) - np.abs(s[1])).max() > 1e-3


def test_crossbar_uses_device_noise_and_drift():
    xb = CrossbarLayer(8, 5, device="pcm-aihwkit")
    x = np.random.default_rng(0).uniform(-1, 1, (4, 8)).astype(np.float32)
    a = np.asarray(xb(x, jax.random.PRNGKey(0)))
    xb.advance(3600.0 * 24)
    b = np.asarray(xb(x, jax.random.PRNGKey(0)))
    assert np.abs(a - b).max() > 1e-3             # PCM conductance drift over a day changes the output
    assert np.all(np.abs(a) <= 1.0)


def test_fourier_optics_as_in_the_paper_code():
    import torch

    from neurosim.physical import FourierScatteringMedium
    from neurosim.physical.fourier_optics import _avg_pool_3_2_1

    a = np.random.default_rng(0).random((2, 7, 9))
    ref = torch.nn.functional.avg_pool2d(torch.from_numpy(a)[:, None], 3, stride=2, padding=1)[:, 0].numpy()
    np.testing.assert_allclose(_avg_pool_3_2_1(a, np), ref, rtol=1e-12)  # AvgPool2d(3, 2, 1), padding counted
    opt = FourierScatteringMedium((11, 11), noise=0.0, noise_floor=0.0)
    assert opt.n_in == 121 and opt.n_out == 36 and 0 < opt.k_in < 121
    x = np.random.default_rng(1).standard_normal((3, 121))
    y = opt.model(opt.params, x, np)
    np.testing.assert_allclose(opt.model(opt.params, -x, np), y, rtol=1e-10)  # modulus of a linear field
    assert np.abs(opt.model(opt.params, np.abs(x), np) - y).max() > 1e-3     # the sign of the input matters
    f = opt.field(opt.params, x[:1] + 2 * x[1:2], np)
    np.testing.assert_allclose(f, opt.field(opt.params, x[:1], np) + 2 * opt.field(opt.params, x[1:2], np),
                               atol=1e-10)
    twin = opt.twin()
    np.testing.assert_allclose(np.asarray(twin(jnp.asarray(x, jnp.float32))), y, rtol=1e-4, atol=1e-6)
    g = jax.grad(lambda v: jnp.sum(twin(v)))(jnp.asarray(x, jnp.float32))
    assert np.all(np.isfinite(np.asarray(g))) and np.abs(np.asarray(g)).max() > 0
    inten = FourierScatteringMedium((11, 11), detection="intensity", noise=0.0, noise_floor=0.0)
    assert not np.allclose(inten.model(inten.params, x, np), y)
