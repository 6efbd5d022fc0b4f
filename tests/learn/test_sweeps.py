"""Sweeps: shape and vmap over seeds; the LSM device sweep degrades with read noise and is exact at zero noise."""

import jax
import numpy as np
import pytest

from neurosim.errors import ValidationError
from neurosim.learn.sweeps import lsm_device_sweep, perturbed_model, sweep


def test_sweep_shape_and_seeds():
    out = sweep(lambda v, k: v * jax.random.uniform(k), [0.0, 1.0, 2.0], seeds=4)
    assert out.shape == (3, 4)
    np.testing.assert_array_equal(out[0], 0)
    np.testing.assert_allclose(out[2], 2 * out[1], rtol=1e-6)
    assert len(np.unique(out[1])) == 4
    loop = sweep(lambda v, k: v * jax.random.uniform(k), [0.0, 1.0, 2.0], seeds=4, vectorize=False)
    np.testing.assert_allclose(out, loop, rtol=1e-6)
    with pytest.raises(ValidationError):
        sweep(lambda v, k: v, [], seeds=2)
    with pytest.raises(ValidationError):
        perturbed_model(None, "temperature", 1.0)


def test_lsm_device_sweep_small():
    from neurosim.models.lsm import LiquidStateMachine
    from neurosim.models.readouts import fit_ridge

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 60)  # random labels: the readout memorises this chip's features
    x = (rng.random((10, 60, 8)) < 0.5).astype(np.float32)
    lsm = LiquidStateMachine(8, 40, weights="rram-forming-random", in_gain=3.0)
    chip = jax.random.PRNGKey(0)
    params = lsm.init(chip)
    f = lsm.features(params, x, "rates", power=0.5)
    readout = fit_ridge(f, y, alpha=1e-3)
    acc0 = readout.accuracy(f, y)
    acc = lsm_device_sweep(lsm, chip, readout, x, y, "read_noise", [0.0, 1.0], seeds=2)
    assert acc.shape == (2, 2)
    np.testing.assert_allclose(acc[0], acc0)  # zero read noise: the nominal chip
    assert acc0 > 0.6 and acc[1].mean() < acc0 - 0.1
