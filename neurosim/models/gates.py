"""Shared pieces of gated recurrent layers (GRU, EGRU): weights, input projection over a whole sequence, the
recurrent product (dense or event-driven) and DropConnect/zoneout.

Weights follow the cuDNN/Haste layout used by the official EGRU code (EvNN): ``W`` (n_in, 3H) and ``R`` (H, 3H)
with gate chunks ``[z, r, g]``; biases ``b_x`` and ``b_r`` (3H,). Kernels are Xavier-normal (gain 1), biases zero.

Event-driven product: ``y @ R`` touches only the rows of units with ``y != 0``. Up to ``capacity`` active units
per sample are gathered (a static bound, so the step compiles once); if a step has more, it falls back to the
dense product — the result is always exact.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from neurosim import validate


def init_gate_weights(key, n_in: int, hidden: int) -> dict:
    k1, k2 = jax.random.split(key)
    std_w = math.sqrt(2.0 / (n_in + 3 * hidden))
    std_r = math.sqrt(2.0 / (hidden + 3 * hidden))
    return {
        "W": std_w * jax.random.normal(k1, (n_in, 3 * hidden), jnp.float32),
        "R": std_r * jax.random.normal(k2, (hidden, 3 * hidden), jnp.float32),
        "b_x": jnp.zeros((3 * hidden,), jnp.float32),
        "b_r": jnp.zeros((3 * hidden,), jnp.float32),
    }


def input_projection(params, xs):
    """``x W + b_x`` for all time steps at once (xs: (T, *batch, n_in))."""
    flat = xs.reshape((-1, xs.shape[-1]))
    out = flat @ params["W"] + params["b_x"]
    return out.reshape(xs.shape[:-1] + (out.shape[-1],))


def dense_product(y, R):
    return y @ R


def event_product(y, R, capacity: int):
    """``y @ R`` over the nonzero entries of ``y`` only (exact; dense fallback above ``capacity``)."""
    flat = y.reshape((-1, y.shape[-1]))

    def one(v):
        idx = jnp.nonzero(v, size=capacity, fill_value=0)[0]
        n = jnp.sum(v != 0)
        vals = jnp.where(jnp.arange(capacity) < n, v[idx], 0.0)
        return vals @ R[idx]

    most = jnp.max(jnp.sum(flat != 0, axis=-1))
    out = jax.lax.cond(most <= capacity, lambda f: jax.vmap(one)(f), lambda f: f @ R, flat)
    return out.reshape(y.shape[:-1] + (R.shape[-1],))


def dropconnect(key, R, p: float):
    """Drop recurrent weights with probability ``p`` and rescale the rest (one mask per batch)."""
    keep = jax.random.bernoulli(key, 1.0 - p, R.shape)
    return jnp.where(keep, R / (1.0 - p), 0.0)


def zoneout(key, old, new, p: float, train: bool):
    """Keep each unit's previous state with probability ``p`` (training) or blend with weight ``p`` (evaluation)."""
    if p == 0.0:
        return new
    if train and key is not None:
        keep = jax.random.bernoulli(key, p, new.shape)
        return jnp.where(keep, old, new)
    return p * old + (1.0 - p) * new


def check_rates(dropout: float, zoneout_p: float):
    validate.in_range("dropconnect", dropout, 0.0, 1.0, hi_open=True)
    validate.in_range("zoneout", zoneout_p, 0.0, 1.0, hi_open=True)
