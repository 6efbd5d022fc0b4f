"""Differential-pair mapping, crossbar MVM (IR drop, DAC/ADC), conductance levels."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from neurosim import devices as dev
from neurosim.errors import ValidationError

EPS32 = float(np.finfo(np.float32).eps)


# --- quantisation ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n_levels", [2, 4, 16, 33])
def test_quantize_produces_exactly_the_requested_levels(n_levels):
    g = np.linspace(-1.0, 30.0, 10_001, dtype=np.float32)  # beyond both ends of [0, 25]
    q = np.asarray(dev.quantize(g, n_levels, 0.0, 25.0))
    levels = dev.uniform_levels(n_levels, 0.0, 25.0)
    assert np.unique(q).size == n_levels
    np.testing.assert_allclose(np.unique(q), levels, rtol=0, atol=4 * EPS32 * 25.0)
    inside = (g >= 0) & (g <= 25)
    step = 25.0 / (n_levels - 1)
    assert np.max(np.abs(q[inside] - g[inside])) <= step / 2 + 1e-5  # nearest level


def test_on_off_ratio_and_symmetric_converter():
    assert dev.g_min_from_on_off_ratio(25.0, 10.0) == pytest.approx(2.5)
    x = np.linspace(-2.0, 2.0, 4001, dtype=np.float32)
    q = np.asarray(dev.quantize_symmetric(x, 4, 1.0))
    assert np.unique(q).size == 2**4 - 1 and q.min() == -1.0 and q.max() == 1.0 and 0.0 in q


def test_device_model_levels_restrict_programmed_targets():
    model = dev.DeviceModel(g_min=0.0, g_max=25.0, n_levels=8)
    w = jax.random.normal(jax.random.PRNGKey(0), (32, 16))
    state = dev.program_weights(jax.random.PRNGKey(1), w, model)
    values = np.unique(np.concatenate([np.asarray(state.plus.g).ravel(), np.asarray(state.minus.g).ravel()]))
    levels = dev.uniform_levels(8, 0.0, 25.0)
    assert values.size <= 8
    assert np.all(np.min(np.abs(values[:, None] - levels[None, :]), axis=1) < 1e-5)


# --- differential pair -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("g_min", [0.0, 2.5])
def test_differential_pair_round_trip_without_noise(g_min):
    w = np.asarray(jax.random.normal(jax.random.PRNGKey(2), (64, 32)))
    gp, gm, scale = dev.weights_to_conductances(w, 25.0, g_min)
    gp, gm = np.asarray(gp), np.asarray(gm)
    assert gp.min() >= g_min and gm.min() >= g_min and max(gp.max(), gm.max()) <= 25.0 + 1e-5
    assert np.all(np.minimum(gp, gm) == np.float32(g_min))  # one cell of each pair stays at g_min
    assert max(gp.max(), gm.max()) == pytest.approx(25.0, abs=1e-5)  # max |w| maps to g_max
    back = np.asarray(dev.conductances_to_weights(gp, gm, scale))
    err = np.max(np.abs(back - w))
    assert err <= 4 * EPS32 * np.abs(w).max(), err  # a few float32 ulps of w_max
    # the pipeline with an ideal device reproduces the weights too, at any read time
    ideal = dev.DeviceModel(g_min=g_min, g_max=25.0)
    state = dev.program_weights(jax.random.PRNGKey(3), w, ideal)
    np.testing.assert_allclose(np.asarray(dev.read_weights(jax.random.PRNGKey(4), state, 3600.0, ideal)), w,
                               rtol=0, atol=4 * EPS32 * np.abs(w).max())


@settings(max_examples=25, deadline=None)
@given(arrays(np.float32, (4, 3), elements=st.floats(-1e3, 1e3, width=32, allow_subnormal=False)),
       st.sampled_from([0.0, 1.0, 9.0]))
def test_differential_pair_round_trip_property(w, g_min):
    assume(np.abs(w).max() == 0 or np.abs(w).max() > 1e-30)  # keep the scale s = w_max/(g_max - g_min) normal
    gp, gm, scale = dev.weights_to_conductances(w, 88.2, g_min)
    back = np.asarray(dev.conductances_to_weights(gp, gm, scale))
    w_max = max(float(np.abs(w).max()), 1e-30)
    assert np.max(np.abs(back - w)) <= 8 * EPS32 * w_max


def test_explicit_w_max_saturates_larger_weights():
    gp, gm, scale = dev.weights_to_conductances(np.array([-3.0, -1.0, 0.0, 0.5, 2.0]), 20.0, 0.0, w_max=1.0)
    np.testing.assert_allclose(np.asarray(gp), [0, 0, 0, 10, 20], atol=1e-6)
    np.testing.assert_allclose(np.asarray(gm), [20, 20, 0, 0, 0], atol=1e-6)
    assert float(scale) == pytest.approx(1 / 20)


# --- crossbar MVM ----------------------------------------------------------------------------------------------

def _uniform_crossbar(n=64, m=4, g=20.0):
    return jnp.full((n, m), g, jnp.float32), jnp.zeros((n, m), jnp.float32)


def test_ir_drop_hits_far_rows_hardest_and_vanishes_at_zero():
    n = 64
    gp, gm = _uniform_crossbar(n)
    params = dev.CrossbarParams(ir_drop=1.0, wire_resistance=10.0)  # 30x aihwkit's wire: a ≈ 0.8 with all rows on
    scale = 1.0
    ideal = np.asarray(jnp.ones((1, n)) @ (gp - gm))
    rel = []
    for row in (0, n // 2, n - 1):  # row 0 is farthest from the output
        x = jnp.zeros((1, n)).at[0, row].set(1.0)
        y = np.asarray(dev.crossbar_mvm(x, gp, gm, scale, params, g_max=25.0))
        y0 = np.asarray(x @ (gp - gm))
        rel.append(float(1 - y[0, 0] / y0[0, 0]))
    assert rel[0] > rel[1] > rel[2] > 0, rel
    y_all = np.asarray(dev.crossbar_mvm(jnp.ones((1, n)), gp, gm, scale, params, g_max=25.0))
    assert np.all(y_all < ideal) and np.all(y_all > 0.5 * ideal)  # ≈ 20 % drop with every row driven
    assert rel[0] > 0.0 and rel[0] < float(1 - y_all[0, 0] / ideal[0, 0])  # one row loads the wire less than all
    # far beyond the fit's range the drop is capped: a column never reverses sign
    huge = np.asarray(dev.crossbar_mvm(jnp.ones((1, n)), gp, gm, scale, dev.CrossbarParams(ir_drop=1.0,
                                                                                          wire_resistance=1e4),
                                       g_max=25.0))
    assert np.all(huge >= 0)
    # ir_drop = 0: the ideal product
    x = jax.random.uniform(jax.random.PRNGKey(5), (3, n))
    w = jax.random.normal(jax.random.PRNGKey(6), (n, 4))
    gp, gm, s = dev.weights_to_conductances(w, 25.0)
    y = dev.crossbar_mvm(x, gp, gm, s, dev.CrossbarParams(ir_drop=0.0, wire_resistance=50.0), g_max=25.0)
    np.testing.assert_allclose(np.asarray(y), np.asarray(x @ w), rtol=1e-5, atol=1e-5)


def test_ir_drop_matches_hand_computation():
    # n = 2 rows, one column, G = [10, 20] µS, g_max = 25 µS, R_wire = 1000 Ω, x = [1, 0.5], kappa = 0.5
    g = jnp.array([[10.0], [20.0]])
    x = jnp.array([1.0, 0.5])
    ratio = 1.0 / (1000.0 * 25e-6)
    a = 2 / ratio * (10 / 25 * 1.0 + 20 / 25 * 0.5)
    c = a * (0.05 * a * a - 0.2 * a + 0.5)
    f = [1 - (1 - 1.0) ** 2, 1 - (1 - 0.5) ** 2]  # u = (n - j) / n = 1, 0.5
    expected = (10 * 1.0 + 20 * 0.5) - 0.5 * c * (10 * 1.0 * f[0] + 20 * 0.5 * f[1])
    params = dev.CrossbarParams(ir_drop=0.5, wire_resistance=1000.0)
    y = dev.crossbar_mvm(x, g, jnp.zeros_like(g), 1.0, params, g_max=25.0)
    assert float(y[0]) == pytest.approx(expected, rel=1e-6)


def test_dac_adc_quantisation_and_output_noise():
    w = jax.random.normal(jax.random.PRNGKey(7), (16, 8))
    gp, gm, s = dev.weights_to_conductances(w, 25.0)
    x = jax.random.uniform(jax.random.PRNGKey(8), (50, 16), minval=-1, maxval=1)
    params = dev.CrossbarParams(dac_bits=3, adc_bits=5, out_bound=4.0)
    y = np.asarray(dev.crossbar_mvm(x, gp, gm, s, params, g_max=25.0))
    units = y / (25.0 * float(s))  # back to ADC units
    step = 4.0 / (2**4 - 1)
    np.testing.assert_allclose(units / step, np.round(units / step), atol=1e-3)
    assert np.abs(units).max() <= 4.0 + 1e-5
    xq = np.asarray(dev.quantize_symmetric(x, 3, 1.0))
    assert np.unique(xq).size <= 7
    with pytest.raises(ValidationError, match="key"):
        dev.crossbar_mvm(x, gp, gm, s, dev.CrossbarParams(out_noise=0.1), g_max=25.0)
    noisy = dev.crossbar_mvm(x, gp, gm, s, dev.CrossbarParams(out_noise=0.1), g_max=25.0, key=jax.random.PRNGKey(9))
    resid = (np.asarray(noisy) - np.asarray(x @ w)) / (25.0 * float(s))
    assert resid.std() == pytest.approx(0.1, rel=0.15)  # 400 samples: s.e. of the s.d. ≈ 3.5 %
