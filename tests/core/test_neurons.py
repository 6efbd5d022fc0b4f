"""Neuron equations against hand-written NumPy references, and construction checks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError


def run_group(group, xs, batch=()):
    state = group.init_state(batch)
    params = group.init(None)
    vs, ss = [], []
    for x in xs:
        state, out = group.step(params, state, jnp.asarray(x, jnp.float32))
        vs.append(np.asarray(state.v))
        ss.append(np.asarray(out))
    return np.array(vs), np.array(ss)


def ref_lif(xs, beta, gain, v_th, v_reset=0.0, reset="subtract", delay=False, n_ref=0, v_leak=0.0):
    v = np.full(xs.shape[1], v_leak, np.float64)
    s_prev = np.zeros_like(v)
    ref = np.zeros_like(v, dtype=int)
    vs, ss = [], []
    for x in xs:
        if delay and reset == "value":  # snnTorch: the old membrane is reset before it decays
            v = v * (1 - s_prev) + s_prev * v_reset
        v = v_leak + beta * (v - v_leak) + gain * x
        if delay:
            if reset == "subtract":  # snnTorch: the threshold is removed from the new membrane
                v = v - s_prev * (v_th - v_reset)
            s = (v > v_th).astype(float)
        else:
            if n_ref:
                v = np.where(ref > 0, v_reset, v)
            s = ((v > v_th) & (ref == 0)).astype(float)
            if n_ref:
                ref = np.where(s > 0, n_ref, np.maximum(ref - 1, 0))
            if reset == "subtract":
                v = v - s * (v_th - v_reset)
            elif reset == "value":
                v = np.where(s > 0, v_reset, v)
        s_prev = s
        vs.append(v.copy())
        ss.append(s)
    return np.array(vs), np.array(ss)


@pytest.fixture(scope="module")
def drive():
    rng = np.random.default_rng(0)
    return rng.uniform(-0.2, 0.8, size=(120, 6))


@pytest.mark.parametrize("reset", ["subtract", "value", "none"])
@pytest.mark.parametrize("delay", [False, True])
def test_lif_beta_matches_reference(drive, reset, delay):
    g = ns.LIF(6, beta=0.85, v_th=1.0, v_reset=0.1, reset=reset, reset_delay=delay)
    v, s = run_group(g, drive)
    rv, rs = ref_lif(drive, 0.85, 1.0, 1.0, 0.1, reset, delay)
    np.testing.assert_allclose(v, rv, atol=1e-5)
    np.testing.assert_array_equal(s, rs)
    if reset != "none":
        assert s.sum() > 0


@pytest.mark.parametrize("method", ["exact", "euler"])
def test_lif_time_constant_discretisation(drive, method):
    tau, dt, r = 10.0, 1.0, 5.0
    g = ns.LIF(6, tau_mem=tau, dt=dt, method=method, r=r, v_leak=-0.2, v_th=0.5, v_reset=-0.2, reset="value")
    beta = np.exp(-dt / tau) if method == "exact" else 1 - dt / tau
    v, s = run_group(g, drive)
    rv, rs = ref_lif(drive, beta, (1 - beta) * r, 0.5, -0.2, "value", v_leak=-0.2)
    np.testing.assert_allclose(v, rv, atol=1e-5)
    np.testing.assert_array_equal(s, rs)


def test_refractory_period_blocks_spikes(drive):
    g = ns.LIF(6, beta=0.9, reset="value", t_ref=3.0, dt=1.0)
    v, s = run_group(g, drive * 3)
    rv, rs = ref_lif(drive * 3, 0.9, 1.0, 1.0, 0.0, "value", n_ref=3)
    np.testing.assert_array_equal(s, rs)
    np.testing.assert_allclose(v, rv, atol=1e-5)
    # at least 3 silent steps after every spike
    for j in range(6):
        t = np.flatnonzero(s[:, j])
        assert np.all(np.diff(t) >= 4)


def test_if_has_no_leak():
    g = ns.IF(2, r=0.5, v_th=1.0)
    v, s = run_group(g, np.full((5, 2), 0.3))
    np.testing.assert_allclose(v[:3, 0], [0.15, 0.3, 0.45], atol=1e-6)


def test_cuba_lif_synaptic_filter():
    g = ns.CubaLIF(1, alpha=0.5, beta=0.9, v_th=100.0)
    state = g.init_state()
    state, _ = g.step({}, state, jnp.ones(1))
    state, _ = g.step({}, state, jnp.zeros(1))
    # i: 1, 0.5 ; v: 1, 0.9 + 0.5
    assert float(state.i[0]) == pytest.approx(0.5)
    assert float(state.v[0]) == pytest.approx(1.4)


def test_alif_threshold_adapts():
    def spikes_of(beta_adapt):
        g = ns.ALIF(1, beta=1.0, tau_adapt=100.0, beta_adapt=beta_adapt, dt=1.0, v_th=1.0)
        state, out = g.init_state(), []
        for _ in range(150):
            state, s = g.step({}, state, jnp.full(1, 0.35))
            out.append(float(s[0]))
        return np.array(out), state

    plain, _ = spikes_of(0.0)
    adaptive, state = spikes_of(20.0)
    assert adaptive.sum() < plain.sum()
    isi = np.diff(np.flatnonzero(adaptive))
    assert isi[-1] > isi[0]  # inter-spike intervals lengthen as the threshold rises
    # a_t = rho a_{t-1} + (1 - rho) s_{t-1}: check the final adaptation variable against the recursion
    rho, a = np.exp(-1 / 100.0), 0.0
    for s_prev in np.concatenate([[0.0], adaptive[:-1]]):
        a = rho * a + (1 - rho) * s_prev
    assert float(state.a[0]) == pytest.approx(a, rel=1e-4)


def test_li_is_leaky_integrator():
    g = ns.LI(1, tau_mem=5.0, dt=1.0)
    state = g.init_state()
    for _ in range(200):
        state, out = g.step({}, state, jnp.ones(1))
    assert float(out[0]) == pytest.approx(1.0, abs=1e-4)  # steady state v = R * I


def test_coba_relaxes_to_conductance_weighted_reversal():
    g = ns.CobaLIF(1, dt=0.1, v_th=100.0)
    state = g.init_state()
    for _ in range(2000):
        state, _ = g.step({}, state, {"exc": jnp.full(1, 0.5), "inh": jnp.full(1, 0.25)})
    v_inf = (-60.0 + 0.5 * 0.0 + 0.25 * -80.0) / 1.75
    assert float(state.v[0]) == pytest.approx(v_inf, abs=1e-3)


@pytest.mark.parametrize(
    "factory, match",
    [
        (lambda: ns.LIF(4, tau_mem=-1.0), "tau_mem"),
        (lambda: ns.LIF(4, tau_mem=0.0), "tau_mem"),
        (lambda: ns.LIF(4, beta=1.5), "beta"),
        (lambda: ns.LIF(4, beta=0.9, v_th=0.0, v_reset=0.0), "v_th"),
        (lambda: ns.LIF(4, beta=0.9, v_th=-1.0, v_reset=0.5), "v_th"),
        (lambda: ns.LIF(4, tau_mem=1.0, dt=2.0, method="euler"), "tau_mem"),
        (lambda: ns.LIF(4, beta=0.9, v_th=float("nan")), "v_th"),
        (lambda: ns.LIF(0, beta=0.9), "size"),
        (lambda: ns.LIF(4), "tau_mem/beta"),
        (lambda: ns.LIF(4, beta=0.9, reset="bounce"), "reset"),
        (lambda: ns.LIF(4, beta=0.9, v_th=[1.0, 2.0]), "v_th"),
        (lambda: ns.CobaLIF(4, tau_mem=-20.0), "tau_mem"),
        (lambda: ns.ALIF(4, beta=0.9, tau_adapt=0.0), "tau_adapt"),
        (lambda: ns.LIF(4, beta=0.9, t_ref=-1.0), "t_ref"),
    ],
)
def test_invalid_construction_names_the_parameter(factory, match):
    with pytest.raises(ValidationError, match=match):
        factory()


def test_dt_larger_than_tau_warns_for_exact():
    with pytest.warns(RuntimeWarning, match="tau_mem"):
        ns.LIF(2, tau_mem=0.5, dt=1.0)


def test_wrong_input_shape_and_nan_input():
    g = ns.LIF(4, beta=0.9)
    with pytest.raises(ValidationError, match="last dimension 4"):
        g.step({}, g.init_state(), jnp.ones(3))
    net = ns.Sequential([ns.Layer(ns.Dense(3, 4), g)])
    x = np.ones((5, 3), np.float32)
    x[2, 1] = np.nan
    with pytest.raises(ValidationError, match="NaN"):
        ns.simulate(net, x)
    x[3, 0] = np.inf
    with pytest.raises(ValidationError, match="2 NaN/inf"):  # a device array is checked where it lives
        ns.simulate(net, jnp.asarray(x))
    with pytest.raises(ValidationError, match="last dimension 3"):
        ns.simulate(net, np.ones((5, 4), np.float32))
    from neurosim import validate

    bad = jnp.asarray(x)
    with pytest.raises(ValidationError, match="2 NaN/inf"):  # a concrete array captured by a jit trace
        jax.jit(lambda: validate.input_array("xs", bad))()
    good = jnp.ones((2, 3))
    np.testing.assert_array_equal(jax.jit(lambda: validate.input_array("xs", good) * 2)(), 2 * np.ones((2, 3)))


def test_brainpy_object_interface_steps_like_pure_function(drive):
    import brainpy.math as bm

    g = ns.LIF(6, beta=0.85)
    g.reset_state()
    outs = bm.for_loop(lambda x: g(x), jnp.asarray(drive, jnp.float32), progress_bar=False)
    _, s = run_group(ns.LIF(6, beta=0.85), drive)
    np.testing.assert_array_equal(np.asarray(outs), s)


def test_nan_input_is_refused_before_any_chunk_reaches_a_callback():
    net = ns.Sequential([ns.Layer(ns.Dense(3, 4), ns.LIF(4, beta=0.9))])
    x = np.ones((6, 3), np.float32)
    x[5, 0] = np.nan
    seen = []
    with pytest.raises(ValidationError, match="1 NaN/inf"):
        ns.simulate(net, jnp.asarray(x), chunk_size=2, on_chunk=lambda start, rec: seen.append(start))
    assert seen == []
    with pytest.raises(ValidationError, match="1 NaN/inf"):  # one chunk: counted inside the compiled run
        ns.simulate(net, jnp.asarray(x), path="step")
