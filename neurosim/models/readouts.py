r"""Readouts trained on fixed reservoir features ``X`` (n_samples, n_features) with integer labels.

Features are standardised with the training mean/s.d. (:class:`Standardizer`) and a bias column is appended.

* :func:`fit_ridge` — closed-form ridge regression on one-hot targets :math:`Y`:
  :math:`W = (\tilde X^\top \tilde X + \alpha I')^{-1}\tilde X^\top Y` (the bias is not penalised), the readout of
  echo-state / liquid-state machines (Jaeger 2001; Maass et al. 2002); class = argmax of :math:`\tilde X W`.
* :func:`fit_logistic` — multinomial logistic regression, :math:`\min_W \frac1N\sum_n -\log\mathrm{softmax}
  (\tilde x_n W)_{y_n} + \frac{\alpha}{2}\|W\|^2` by full-batch L-BFGS (``optax.lbfgs``), warm-started at the
  ridge solution: a few dozen iterations on the whole training set.
* :func:`fit_mlp` — a trainable ANN head (one hidden GELU layer) trained with Adam on mini-batches, the
  ``Read_ANN`` of the resistive-memory LSM (Lin et al., Nat. Comput. Sci. 2025).

Each returns a :class:`Readout` with ``predict`` (class scores) and ``accuracy``.
"""

from __future__ import annotations

import functools
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from neurosim import validate
from neurosim.errors import ValidationError


class Standardizer(NamedTuple):
    mean: jax.Array
    std: jax.Array

    @classmethod
    def fit(cls, X) -> "Standardizer":
        X = jnp.asarray(X, jnp.float32)
        return cls(jnp.mean(X, 0), jnp.std(X, 0) + 1e-6)

    def __call__(self, X):
        Z = (jnp.asarray(X, jnp.float32) - self.mean) / self.std
        return jnp.concatenate([Z, jnp.ones(Z.shape[:-1] + (1,), Z.dtype)], axis=-1)


class Readout(NamedTuple):
    """A fitted readout: ``scale`` (standardiser), ``params`` and the pure ``apply(params, Xtilde)``."""

    scale: Standardizer
    params: object
    apply: Callable

    def predict(self, X):
        """Class scores (n_samples, n_classes)."""
        return self.apply(self.params, self.scale(_check_X(X, self.scale.mean.shape[0])))

    def accuracy(self, X, y) -> float:
        y = np.asarray(y)
        return float(np.mean(np.asarray(jnp.argmax(self.predict(X), -1)) == y))


def _check_X(X, n_features=None):
    X = validate.input_array("X", X, min_ndim=2)
    if X.ndim != 2:
        raise ValidationError(f"X: expected (n_samples, n_features), got shape {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValidationError(f"X: expected {n_features} features, got shape {X.shape}")
    return X


def _check_xy(X, y, n_classes):
    X = _check_X(X)
    y = np.asarray(y)
    if y.shape != (X.shape[0],) or y.dtype.kind not in "iu":
        raise ValidationError(f"y: expected {X.shape[0]} integer labels, got shape {y.shape} dtype {y.dtype}")
    if y.size == 0:
        raise ValidationError("X: no samples")
    if y.min() < 0:
        raise ValidationError("y: labels must be >= 0")
    n_classes = int(y.max()) + 1 if n_classes is None else validate.positive_int("n_classes", n_classes)
    if y.max() >= n_classes:
        raise ValidationError(f"y: label {int(y.max())} >= n_classes {n_classes}")
    return X, y, n_classes


def _linear(W, Xt):
    return Xt @ W


def ridge_solve(Xt, Y, alpha: float):
    """Closed-form ridge weights for a design matrix ``Xt`` whose last column is the (unpenalised) bias."""
    Xt, Y = jnp.asarray(Xt, jnp.float32), jnp.asarray(Y, jnp.float32)
    d = Xt.shape[1]
    reg = alpha * jnp.ones(d).at[-1].set(0.0)
    A = Xt.T @ Xt + jnp.diag(reg)
    return jax.scipy.linalg.solve(A, Xt.T @ Y, assume_a="pos")


def fit_ridge(X, y, *, alpha: float = 1.0, n_classes: int | None = None) -> Readout:
    """Ridge classifier on one-hot targets (closed form)."""
    X, y, n_classes = _check_xy(X, y, n_classes)
    alpha = float(validate.positive("alpha", alpha, allow_zero=True))
    scale = Standardizer.fit(X)
    W = ridge_solve(scale(X), jax.nn.one_hot(y, n_classes), alpha)
    return Readout(scale, W, _linear)


@functools.partial(jax.jit, static_argnames=("steps",))
def _lbfgs(W0, Xt, y, alpha, steps):
    def loss(W):
        ce = optax.softmax_cross_entropy_with_integer_labels(Xt @ W, y).mean()
        return ce + 0.5 * alpha * jnp.sum(W[:-1] ** 2)

    opt = optax.lbfgs()
    value_and_grad = optax.value_and_grad_from_state(loss)

    def body(carry, _):
        W, st = carry
        v, g = value_and_grad(W, state=st)
        upd, st = opt.update(g, st, W, value=v, grad=g, value_fn=loss)
        return (optax.apply_updates(W, upd), st), v

    (W, _), losses = jax.lax.scan(body, (W0, opt.init(W0)), None, length=steps)
    return W, losses


def fit_logistic(X, y, *, alpha: float = 1e-3, steps: int = 50, n_classes: int | None = None) -> Readout:
    """Multinomial logistic regression (L2 ``alpha``) by ``steps`` L-BFGS iterations from the ridge solution."""
    X, y, n_classes = _check_xy(X, y, n_classes)
    alpha = float(validate.positive("alpha", alpha, allow_zero=True))
    steps = validate.positive_int("steps", steps)
    scale = Standardizer.fit(X)
    Xt = scale(X)
    W0 = ridge_solve(Xt, jax.nn.one_hot(y, n_classes), 1.0)
    W, _ = _lbfgs(W0, Xt, jnp.asarray(y), jnp.float32(alpha), steps)
    return Readout(scale, W, _linear)


def _mlp(params, Xt):
    h = jax.nn.gelu(Xt @ params["w1"])
    return h @ params["w2"] + params["b2"]


def fit_mlp(X, y, *, hidden: int = 128, epochs: int = 100, lr: float = 1e-3, batch_size: int = 64,
            weight_decay: float = 1e-4, dropout: float = 0.0, key=None, n_classes: int | None = None) -> Readout:
    """One-hidden-layer GELU MLP head trained with AdamW on shuffled mini-batches (``key`` seeds init/shuffle)."""
    X, y, n_classes = _check_xy(X, y, n_classes)
    hidden = validate.positive_int("hidden", hidden)
    epochs = validate.positive_int("epochs", epochs)
    batch_size = min(validate.positive_int("batch_size", batch_size), X.shape[0])
    validate.in_range("dropout", dropout, 0.0, 1.0, hi_open=True)
    key = jax.random.PRNGKey(0) if key is None else key
    scale = Standardizer.fit(X)
    Xt, yj = scale(X), jnp.asarray(y)
    k1, k2, k_shuffle = jax.random.split(key, 3)
    d = Xt.shape[1]
    params = {"w1": jax.random.normal(k1, (d, hidden)) * (1.0 / np.sqrt(d)),
              "w2": jax.random.normal(k2, (hidden, n_classes)) * (1.0 / np.sqrt(hidden)),
              "b2": jnp.zeros(n_classes)}
    opt = optax.adamw(lr, weight_decay=weight_decay)
    n_batches = Xt.shape[0] // batch_size

    def loss(p, xb, yb, k):
        if dropout > 0:
            xb = xb * jax.random.bernoulli(k, 1 - dropout, xb.shape) / (1 - dropout)
        return optax.softmax_cross_entropy_with_integer_labels(_mlp(p, xb), yb).mean()

    @jax.jit
    def train(params, key):
        def epoch(carry, k):
            p, st = carry
            kp, kd = jax.random.split(k)
            perm = jax.random.permutation(kp, Xt.shape[0])[: n_batches * batch_size].reshape(n_batches, -1)

            def step(c, inp):
                p, st = c
                idx, kb = inp
                g = jax.grad(loss)(p, Xt[idx], yj[idx], kb)
                upd, st = opt.update(g, st, p)
                return (optax.apply_updates(p, upd), st), None

            return jax.lax.scan(step, (p, st), (perm, jax.random.split(kd, n_batches)))[0], None

        return jax.lax.scan(epoch, (params, opt.init(params)), jax.random.split(key, epochs))[0][0]

    return Readout(scale, train(params, k_shuffle), _mlp)


__all__ = ["Readout", "Standardizer", "ridge_solve", "fit_ridge", "fit_logistic", "fit_mlp"]
