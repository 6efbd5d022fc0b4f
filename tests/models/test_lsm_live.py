"""Live device noise in the LSM: a fresh read of the RRAM cells at every step, and the crossbar route."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurosim import devices as dev
from neurosim.errors import ValidationError
from neurosim.learn.sweeps import lsm_device_sweep
from neurosim.models.lsm import LiquidStateMachine
from neurosim.models.readouts import fit_ridge

KEY = jax.random.PRNGKey(0)


@pytest.fixture(scope="module")
def setup():
    lsm = LiquidStateMachine(8, 30, weights="rram-forming-random", dale=False, in_gain=2.0)
    x = (jax.random.uniform(jax.random.PRNGKey(1), (40, 6, 8)) < 0.3).astype(jnp.float32)  # (T, B, n_in)
    return lsm, lsm.device_params(KEY), lsm.chip(KEY), x


def test_noise_free_live_run_equals_static_run(setup):
    lsm, params, chip, x = setup
    quiet = dev.get_preset("rram-forming-random", read_noise=None)
    static = lsm.run(params, x).outputs
    assert np.array_equal(np.asarray(lsm.run_live(params, chip, x, jax.random.PRNGKey(2), model=quiet).outputs),
                          np.asarray(static))
    # the ideal crossbar computes the same product
    analog = lsm.run_live(params, chip, x, jax.random.PRNGKey(2), model=quiet, analog=True).outputs
    assert np.array_equal(np.asarray(analog), np.asarray(static))


def test_live_reads_are_seeded_and_fresh_every_step(setup):
    lsm, params, chip, x = setup
    a = lsm.run_live(params, chip, x, jax.random.PRNGKey(2)).outputs
    b = lsm.run_live(params, chip, x, jax.random.PRNGKey(2)).outputs
    c = lsm.run_live(params, chip, x, jax.random.PRNGKey(3)).outputs
    assert np.array_equal(np.asarray(a), np.asarray(b)) and not np.array_equal(np.asarray(a), np.asarray(c))
    # constant input, no spikes, linear membrane: v_2 / v_1 is the same for every neuron when the weights are the
    # same at both steps (any static read), and differs between neurons when each step reads the cells afresh
    lsm1 = LiquidStateMachine(8, 30, weights="rram-forming-random", dale=False, in_gain=0.01)
    chip1 = lsm1.chip(KEY)
    noisy = dev.get_preset("rram-forming-random", read_noise=dev.SimpleReadNoise(0.2, "multiplicative"))
    xs = jnp.ones((2, 1, 8))

    def ratio(run):
        v1, v2 = (np.asarray(run(xs[:t]).state["res"].v)[0] for t in (1, 2))
        driven = np.abs(v1) > 1e-6  # neurons with an input connection
        assert driven.sum() > 10
        return v2[driven] / v1[driven]

    static_p = lsm1.device_params(KEY, noisy, read_key=jax.random.PRNGKey(4))
    assert np.std(ratio(lambda xx: lsm1.run(static_p, xx))) < 1e-5
    live_p = lsm1.device_params(KEY)
    assert np.std(ratio(lambda xx: lsm1.run_live(live_p, chip1, xx, jax.random.PRNGKey(4), model=noisy))) > 1e-3


def test_analog_route_applies_the_crossbar_periphery(setup):
    lsm, params, chip, x = setup
    quiet = dev.get_preset("rram-forming-random", read_noise=None)
    coarse = quiet.replace(crossbar=dev.CrossbarParams(adc_bits=2, out_bound=0.5))
    a = lsm.run_live(params, chip, x, jax.random.PRNGKey(2), model=coarse, analog=True).outputs
    assert not np.array_equal(np.asarray(a), np.asarray(lsm.run(params, x).outputs))


def test_errors(setup):
    lsm, params, chip, x = setup
    with pytest.raises(ValidationError, match="chip"):
        lsm.run_live(params, {}, x, jax.random.PRNGKey(2))
    dale = LiquidStateMachine(8, 30, weights="rram-forming-random", dale=True)
    with pytest.raises(ValidationError, match="Dale"):
        dale.run_live(dale.device_params(KEY), dale.chip(KEY), x, jax.random.PRNGKey(2), analog=True)


def test_sweep_reports_static_and_live_read_noise(setup):
    lsm, params, chip, x = setup
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, x.shape[1])
    feats = lsm.features(params, x, "rates", power=0.5)
    readout = fit_ridge(feats, y, alpha=1.0)
    kw = dict(seeds=2, key=jax.random.PRNGKey(5))
    static = lsm_device_sweep(lsm, KEY, readout, x, y, "read_noise", [0.0, 0.3], **kw)
    live = lsm_device_sweep(lsm, KEY, readout, x, y, "read_noise", [0.0, 0.3], live=True, **kw)
    assert static.shape == live.shape == (2, 2)
    np.testing.assert_allclose(static[0], live[0])  # no noise: both are the nominal chip
    with pytest.raises(ValidationError, match="stuck"):
        lsm_device_sweep(lsm, KEY, readout, x, y, "stuck_rate", [0.0], live=True, **kw)
