"""Closed-form ridge equals numpy lstsq; logistic and MLP heads learn a separable problem; input validation."""

import jax
import numpy as np
import pytest

from neurosim.errors import ValidationError
from neurosim.models.readouts import Standardizer, fit_logistic, fit_mlp, fit_ridge


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    centers = rng.normal(0, 3, (4, 10))
    y = rng.integers(0, 4, 400)
    X = (centers[y] + rng.normal(0, 1, (400, 10))).astype(np.float32)
    return X[:300], y[:300], X[300:], y[300:]


def test_ridge_matches_lstsq(blobs):
    X, y, _, _ = blobs
    alpha = 3.0
    r = fit_ridge(X, y, alpha=alpha)
    Xt = np.asarray(Standardizer.fit(X)(X), np.float64)
    Y = np.eye(4)[y]
    # augmented least squares: [Xt; sqrt(alpha) I (bias row unpenalised)] W = [Y; 0]
    P = np.sqrt(alpha) * np.eye(Xt.shape[1])[:-1]
    W_ref = np.linalg.lstsq(np.vstack([Xt, P]), np.vstack([Y, np.zeros((P.shape[0], 4))]), rcond=None)[0]
    np.testing.assert_allclose(np.asarray(r.params), W_ref, rtol=1e-3, atol=1e-4)
    # alpha = 0: plain least squares
    W0 = np.linalg.lstsq(Xt, Y, rcond=None)[0]
    np.testing.assert_allclose(np.asarray(fit_ridge(X, y, alpha=0.0).params), W0, rtol=1e-3, atol=1e-4)


def test_logistic_and_mlp_learn(blobs):
    X, y, Xte, yte = blobs
    assert fit_ridge(X, y).accuracy(Xte, yte) > 0.9
    assert fit_logistic(X, y, steps=30).accuracy(Xte, yte) > 0.9
    assert fit_mlp(X, y, hidden=32, epochs=20, key=jax.random.PRNGKey(0)).accuracy(Xte, yte) > 0.9


def test_validation(blobs):
    X, y, _, _ = blobs
    with pytest.raises(ValidationError):
        fit_ridge(X, y[:-1])
    with pytest.raises(ValidationError, match="NaN"):
        fit_ridge(np.where(np.arange(10) == 3, np.nan, X), y)
    with pytest.raises(ValidationError):
        fit_ridge(X, y.astype(np.float32))
    with pytest.raises(ValidationError):
        fit_ridge(X, y).predict(X[:, :5])
