"""Shared pieces of gated recurrent layers (GRU, EGRU): weights, input projection over a whole sequence, the
recurrent product (dense or event-driven) and DropConnect/zoneout.

Weights follow the cuDNN/Haste layout used by the official EGRU code (EvNN): ``W`` (n_in, 3H) and ``R`` (H, 3H)
with gate chunks ``[z, r, g]``; biases ``b_x`` and ``b_r`` (3H,). Kernels are Xavier-normal (gain 1), biases zero.

Event-driven product: ``y @ R`` touches only the rows of units with ``y != 0``, so its work follows activity.
Gathers need static sizes (the step compiles once), so the rows are gathered into the smallest of a ladder of
**capacity buckets** (powers of two from :data:`MIN_BUCKET` up to ``capacity``, :func:`buckets`) that holds the
step's active units (the most active sample of a batch decides); a step with more active units than ``capacity``
runs the dense product. ``lax.switch`` runs only the chosen branch, so a step at 5 % activity of H = 1024 gathers
64 rows, not the 256 of a fixed capacity. A single sample (batch 1, the neuromorphic setting) needs no bucket: a
loop runs over exactly its active rows, each a contiguous slice of ``R`` (measured 2-3x faster than XLA's CPU
gather of the same rows). The result is exact either way; :func:`executed_macs` is the work the kernel actually
did (rows run × columns per sample, or the dense product), not a modelled count.
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


MIN_BUCKET = 8  # smallest gather: below it the switch overhead outweighs the saved rows


def buckets(capacity: int) -> tuple[int, ...]:
    """The capacity ladder: powers of two from :data:`MIN_BUCKET` below ``capacity``, then ``capacity``."""
    capacity = validate.positive_int("capacity", capacity)
    out, c = [], MIN_BUCKET
    while c < capacity:
        out.append(c)
        c *= 2
    return tuple(out) + (capacity,)


def _bucket_index(flat, ladder):
    most = jnp.max(jnp.sum(flat != 0, axis=-1))
    return jnp.sum(most > jnp.asarray(ladder, jnp.int32)).astype(jnp.int32)  # len(ladder) -> dense


def _single_sample(v, R, capacity: int):
    """``v @ R`` for one sample: a loop over exactly its active rows (each a contiguous row slice of ``R``,
    which XLA's CPU backend runs far faster than a dynamic-index gather), dense above ``capacity``."""
    n = jnp.sum(v != 0)

    def sparse(v):
        idx = jnp.nonzero(v, size=capacity, fill_value=0)[0]

        def body(k, acc):
            return acc + v[idx[k]] * jax.lax.dynamic_slice_in_dim(R, idx[k], 1, 0)[0]
        return jax.lax.fori_loop(0, n, body, jnp.zeros((R.shape[-1],), jnp.result_type(v, R)))

    return jax.lax.cond(n <= capacity, sparse, lambda v: v @ R, v)


def event_product(y, R, capacity: int):
    """``y @ R`` over the nonzero entries of ``y`` only (exact; dense above ``capacity``): one sample loops over
    exactly its active rows; a batch gathers them into the smallest bucket that holds the most active sample's."""
    flat = y.reshape((-1, y.shape[-1]))
    if flat.shape[0] == 1:
        return _single_sample(flat[0], R, capacity).reshape(y.shape[:-1] + (R.shape[-1],))
    ladder = buckets(capacity)

    def gather(cap):
        def one(v):
            idx = jnp.nonzero(v, size=cap, fill_value=0)[0]
            vals = jnp.where(jnp.arange(cap) < jnp.sum(v != 0), v[idx], 0.0)
            return vals @ R[idx]
        return lambda f: jax.vmap(one)(f)

    branches = [gather(c) for c in ladder] + [lambda f: f @ R]
    out = jax.lax.switch(_bucket_index(flat, ladder), branches, flat)
    return out.reshape(y.shape[:-1] + (R.shape[-1],))


def executed_macs(y, n_cols: int, capacity: int):
    """MACs :func:`event_product` executes for ``y`` (int32): the chosen bucket's rows × ``n_cols`` per sample,
    or the dense product's rows × ``n_cols`` per sample above ``capacity``."""
    flat = y.reshape((-1, y.shape[-1]))
    if flat.shape[0] == 1:  # the loop runs exactly the active rows
        n = jnp.sum(flat != 0, dtype=jnp.int32)
        return jnp.where(n <= capacity, n, jnp.int32(y.shape[-1])) * jnp.int32(n_cols)
    ladder = buckets(capacity)
    rows = jnp.asarray(ladder + (y.shape[-1],), jnp.int32)[_bucket_index(flat, ladder)]
    return rows * jnp.int32(n_cols) * jnp.int32(flat.shape[0])


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
