r"""Digital twins with a real gap: fitted from input/output measurements of a physical system, or built with a
stated model error.

Physics-aware training (:mod:`neurosim.learn.pat`) needs a differentiable model of the physics for its backward
pass. A twin built from the system's *nominal* parameters is exact in simulation (no gap), which is not the
situation PAT was made for. This module gives twins as a laboratory has them:

* :func:`fit_mlp_twin` — a black-box twin: an MLP on the encoded input, trained on measurements (noisy outputs of
  the system for probe inputs), with its residual error on held-out measurements reported;
* :func:`fit_parametric_twin` — a grey-box twin: the system's own physical model with its drift-able parameters
  fitted to the measurements by gradient descent from the nominal values;
* :func:`twin_with_error` — the system's model with its parameters detuned (one seeded ±1 pattern, scaled by
  bisection) so that the twin's error is a stated fraction, e.g. 5 % or 20 %.

Twin error is always :func:`twin_error`: the relative RMS difference :math:`\lVert f(x) - P(x)\rVert /
\lVert P(x)\rVert` between the twin and the *noise-free* physical response on probe inputs (known in simulation);
``measured_residual`` is the same against the noisy measurements (what a laboratory sees, noise included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax

from neurosim import validate
from neurosim.errors import ValidationError
from neurosim.physical.base import PhysicalLayer, key_seed


@dataclass
class FittedTwin:
    """A twin ``fn(x) -> y`` (differentiable JAX), how it was made, and its errors (fractions)."""

    fn: Callable
    kind: str
    error: float
    measured_residual: float | None = None
    n_measurements: int = 0
    params: dict | None = None
    info: dict = field(default_factory=dict)

    def __call__(self, x):
        return self.fn(x)

    def __repr__(self):
        res = "" if self.measured_residual is None else f", residual vs measurements {100 * self.measured_residual:.1f} %"
        return (f"FittedTwin({self.kind}, error {100 * self.error:.1f} % vs the noise-free system{res}, "
                f"{self.n_measurements} measurements)")


def probe_inputs(layer: PhysicalLayer, n: int, seed: int = 0, scale: float = 1.0) -> np.ndarray:
    """``n`` Gaussian probe inputs (n, n_in) of s.d. ``scale``."""
    n = validate.positive_int("n", n)
    return (scale * np.random.default_rng(seed).standard_normal((n, layer.n_in))).astype(np.float32)


def measure(layer: PhysicalLayer, x, key) -> np.ndarray:
    """One (noisy) measurement of the physical system per row of ``x``."""
    x = validate.input_array("x", np.asarray(x, np.float32), trailing=(layer.n_in,), min_ndim=2)
    layer.n_evals += int(x.shape[0])
    return layer.host_forward(x, key_seed(key))


def _truth(layer: PhysicalLayer, x) -> np.ndarray:
    x = np.asarray(x, np.float64)
    return np.asarray(layer.model(layer.params, layer.encoding(x, np), np), np.float64)


def twin_error(fn: Callable, layer: PhysicalLayer, x) -> float:
    """Relative RMS error of ``fn`` against the noise-free response of ``layer`` (its true parameters) on ``x``."""
    y = _truth(layer, x)
    f = np.asarray(fn(jnp.asarray(x, jnp.float32)), np.float64)
    return float(np.linalg.norm(f - y) / max(np.linalg.norm(y), 1e-30))


def _residual(fn, x, y) -> float:
    f = np.asarray(fn(jnp.asarray(x, jnp.float32)), np.float64)
    return float(np.linalg.norm(f - y) / max(np.linalg.norm(y), 1e-30))


def _split(x, y, holdout: float):
    n_val = max(1, int(round(holdout * x.shape[0])))
    return x[n_val:], y[n_val:], x[:n_val], y[:n_val]


def _detuned(layer: PhysicalLayer, signs: dict, r: float) -> dict:
    return {k: jnp.asarray(v * (1.0 + r * signs[k]) if k in signs else v, jnp.float32)
            for k, v in layer.params.items()}


def twin_with_error(layer: PhysicalLayer, error: float, x_probe=None, *, seed: int = 0, tol: float = 0.002,
                    r_max: float = 1.0) -> FittedTwin:
    """The system's model with every drift-able parameter scaled by ``1 ± r`` (signs seeded by ``seed``), ``r``
    found by bisection so that :func:`twin_error` on ``x_probe`` (default 512 Gaussian probes) is ``error``
    (within ``tol``). ``error = 0`` gives the exact twin."""
    error = float(validate.in_range("error", error, 0.0, 1.0))
    if not layer.drift_keys:
        raise ValidationError(f"layer: {type(layer).__name__} exposes no drift-able parameters to detune")
    x_probe = probe_inputs(layer, 512, seed + 1) if x_probe is None else np.asarray(x_probe, np.float32)
    rng = np.random.default_rng(seed)
    signs = {k: rng.choice(np.array([-1.0, 1.0]), size=np.shape(layer.params[k])) for k in layer.drift_keys}

    def err(r):
        return twin_error(layer.twin(_detuned(layer, signs, r)), layer, x_probe)

    lo, hi = 0.0, float(r_max)
    if error == 0.0:
        lo = hi = 0.0
    elif err(hi) < error:
        raise ValidationError(f"error: detuning every parameter by {r_max:.0%} gives only {100 * err(hi):.1f} % "
                              f"twin error, below the {100 * error:.1f} % asked for (raise r_max)")
    else:
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            e = err(mid)
            if abs(e - error) <= tol:
                lo = hi = mid
                break
            lo, hi = (mid, hi) if e < error else (lo, mid)
    r = 0.5 * (lo + hi)
    params = _detuned(layer, signs, r)
    fn = layer.twin(params)
    return FittedTwin(fn, "detuned", twin_error(fn, layer, x_probe), params=params, info={"detuning": r})


def _mlp_init(key, sizes):
    params = []
    for k, (a, b) in zip(jax.random.split(key, len(sizes) - 1), zip(sizes[:-1], sizes[1:])):
        params.append({"W": jax.random.normal(k, (a, b), jnp.float32) * jnp.sqrt(2.0 / a),
                       "b": jnp.zeros((b,), jnp.float32)})
    return params


def _mlp(params, u):
    h = u
    for layer in params[:-1]:
        h = jax.nn.gelu(h @ layer["W"] + layer["b"])
    return h @ params[-1]["W"] + params[-1]["b"]


def _fit(loss, params, steps: int, lr: float):
    opt = optax.adam(optax.cosine_decay_schedule(lr, steps))
    state = opt.init(params)

    @jax.jit
    def step(p, s):
        v, g = jax.value_and_grad(loss)(p)
        u, s = opt.update(g, s, p)
        return optax.apply_updates(p, u), s, v

    for _ in range(steps):
        params, state, _ = step(params, state)
    return params


def fit_mlp_twin(layer: PhysicalLayer, x=None, *, key, n: int = 4096, hidden: int = 256, depth: int = 2,
                 steps: int = 3000, lr: float = 3e-3, holdout: float = 0.2) -> FittedTwin:
    """A black-box MLP twin (``depth`` hidden layers of ``hidden`` GELU units) on the encoded input, fitted to one
    measurement of each probe input (``x``, default ``n`` Gaussian probes); the last ``holdout`` share of the
    measurements is held out for the residual."""
    x = probe_inputs(layer, n, 17) if x is None else np.asarray(x, np.float32)
    k_meas, k_init = jax.random.split(key)
    y = measure(layer, x, k_meas).astype(np.float32)
    xt, yt, xv, yv = _split(x, y, holdout)
    enc = layer.encoding
    u = jnp.asarray(enc(jnp.asarray(xt), jnp), jnp.float32)
    mu, sd = jnp.mean(jnp.asarray(yt), 0), jnp.std(jnp.asarray(yt), 0) + 1e-6
    target = (jnp.asarray(yt) - mu) / sd
    params = _mlp_init(k_init, [layer.n_in] + [int(hidden)] * int(depth) + [layer.n_out])
    params = _fit(lambda p: jnp.mean((_mlp(p, u) - target) ** 2), params, int(steps), float(lr))

    def fn(xx):
        return _mlp(params, enc(xx, jnp, ste=True)) * sd + mu

    return FittedTwin(fn, "mlp", twin_error(fn, layer, xv), _residual(fn, xv, yv), int(x.shape[0]),
                      info={"hidden": hidden, "depth": depth, "steps": steps})


def fit_parametric_twin(layer: PhysicalLayer, x=None, *, key, n: int = 1024, steps: int = 300, lr: float = 1e-2,
                        start: dict | None = None, holdout: float = 0.2) -> FittedTwin:
    """A grey-box twin: the system's own model with its drift-able parameters fitted (log-scale gradient descent
    on the relative squared error) to one measurement per probe input, starting from ``start`` (default: the
    nominal parameters, i.e. what was known before the system drifted)."""
    x = probe_inputs(layer, n, 23) if x is None else np.asarray(x, np.float32)
    y = measure(layer, x, key).astype(np.float32)
    xt, yt, xv, yv = _split(x, y, holdout)
    base = {k: jnp.asarray(v, jnp.float32) for k, v in (start or layer.nominal).items()}
    keys = [k for k in layer.drift_keys if k in base]
    u = jnp.asarray(layer.encoding(jnp.asarray(xt), jnp, ste=True), jnp.float32)
    yt_j = jnp.asarray(yt)
    scale = jnp.mean(yt_j ** 2)

    def full(logs):
        return {**base, **{k: base[k] * jnp.exp(logs[k]) for k in keys}}

    def loss(logs):
        return jnp.mean((layer.model(full(logs), u, jnp) - yt_j) ** 2) / scale

    logs = _fit(loss, {k: jnp.zeros_like(base[k]) for k in keys}, int(steps), float(lr))
    params = full(logs)
    fn = layer.twin(params)
    return FittedTwin(fn, "parametric", twin_error(fn, layer, xv), _residual(fn, xv, yv), int(x.shape[0]),
                      params=params, info={"steps": steps})


__all__ = ["FittedTwin", "fit_mlp_twin", "fit_parametric_twin", "twin_with_error", "twin_error", "measure",
           "probe_inputs"]
