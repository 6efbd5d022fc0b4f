"""Hinton's forward-forward with a physical (scattering) block: hand-computed loss, a short meaningful training run."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurosim.errors import ValidationError
from neurosim.learn.forward_forward import FFConfig, ForwardForward, ff_loss, rms_normalize, sumsq_goodness
from neurosim.physical import GRAD_REQUESTS, ScatteringMedium


def test_ff_functions_by_hand():
    np.testing.assert_allclose(np.asarray(sumsq_goodness(jnp.array([[1.0, 2.0], [1.0, 0.0]]))), [5.0, 1.0])
    expected = np.log1p(np.exp(-3.0)) + np.log1p(np.exp(-1.0))
    np.testing.assert_allclose(float(ff_loss(jnp.array([5.0]), jnp.array([1.0]), 2.0)), expected, rtol=1e-6)
    np.testing.assert_allclose(float(ff_loss(jnp.array([5.0]), jnp.array([1.0]), 2.0, temperature=2.0)),
                               np.log1p(np.exp(-1.5)) + np.log1p(np.exp(-0.5)), rtol=1e-6)
    r = np.asarray(rms_normalize(jnp.array([[3.0, 4.0]])))
    np.testing.assert_allclose(r, [[3 / np.sqrt(12.5), 4 / np.sqrt(12.5)]], rtol=1e-6)
    np.testing.assert_allclose(np.mean(r ** 2), 1.0, rtol=1e-6)


def test_ff_validation():
    with pytest.raises(ValidationError, match="n_in"):
        ForwardForward([ScatteringMedium(10, 16)], 64, 10, [16])
    with pytest.raises(ValidationError):
        FFConfig(negatives="nope")


def test_ff_digits_through_scattering_small_run():
    from neurosim.data.digit_images import load_digit_images

    d = load_digit_images(seed=0)
    medium = ScatteringMedium(74, 256, pool=2, seed=0)
    tr = ForwardForward([medium], 64, 10, [128], FFConfig(lr=1e-2, epochs=5, batch_size=50, negatives="random"))
    before = GRAD_REQUESTS["count"]
    rep = tr.fit(d.x_train[:600], d.y_train[:600], d.x_test, d.y_test, key=jax.random.PRNGKey(0), progress=False)
    assert GRAD_REQUESTS["count"] == before
    assert rep.test_accuracy >= 0.6, rep.test_accuracy       # chance 0.1; the benchmark reaches > 90 %
    assert rep.eval_physical_evals == 10 * len(d.y_test)
    assert rep.digital_macs == 5 * 2 * 2 * 600 * (128 + 74) * 128  # forward + weight gradient, pos + neg
    assert rep.physical_evals == 5 * 2 * 600                   # positives + negatives per epoch
