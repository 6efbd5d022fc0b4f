"""One data-layout convention: batch-first for data/learning, time-major for dynamics, `batch_first=` to switch,
and an error that names the axis that disagrees."""

import jax
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError
from neurosim.models import LiquidStateMachine


@pytest.fixture(scope="module")
def net():
    return ns.Sequential([ns.Layer(ns.Dense(3, 4), ns.LIF(4, beta=0.9, v_th=0.3)), ns.Layer(ns.Dense(4, 2), ns.LI(2, beta=0.9))])


def test_trainer_names_the_axis_for_time_first_data(net):
    x = (np.random.default_rng(0).random((7, 5, 3)) < 0.5).astype(np.float32)  # (T=7, B=5, 3): time first
    y = np.zeros(5, np.int32)
    tr = ns.Trainer(net, batch_size=5, progress=False)
    with pytest.raises(ValidationError, match=r"batch axis \(axis 0 of \(batch, T, n_in\)\) has 7 samples.*"
                                              r"time axis has 5 entries.*batch_first=False"):
        tr.evaluate(x, y)
    tm = ns.Trainer(net, batch_size=5, progress=False, batch_first=False)
    a = tm.evaluate(x, y)
    b = tr.evaluate(np.swapaxes(x, 0, 1), y)
    assert a["loss"] == pytest.approx(b["loss"]) and a["accuracy"] == b["accuracy"]
    with pytest.raises(ValidationError, match="no time steps"):
        tr.evaluate(np.zeros((5, 0, 3), np.float32), y)


def test_lsm_batch_first_equals_time_major():
    lsm = LiquidStateMachine(3, 20, weights="gaussian", seed=0)
    params = lsm.init(jax.random.PRNGKey(0))
    x = (np.random.default_rng(1).random((6, 10, 3)) < 0.5).astype(np.float32)  # (B, T, C)
    f_bf = lsm.features(params, x, "rates", batch_first=True)
    f_tm = lsm.features(params, np.swapaxes(x, 0, 1), "rates")
    np.testing.assert_array_equal(np.asarray(f_bf), np.asarray(f_tm))
    assert f_bf.shape == (6, 20)
    with pytest.raises(ValidationError, match=r"inputs \(batch, T, n_in\)"):
        lsm.run(params, x[..., :2], batch_first=True)
