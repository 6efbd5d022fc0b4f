"""Turning a model's output sequence (T, batch, n_out) into class scores, and the classification loss.

``readout``: ``"sum"`` (spike counts — rate coding), ``"mean"``, ``"max"`` (max over time, common for LI
membrane readouts), ``"last"`` (final step). Loss: softmax cross-entropy of the scores against integer labels.
"""

from __future__ import annotations

import jax.numpy as jnp
import optax

from neurosim import validate

READOUTS = ("sum", "mean", "max", "last")


def check_readout(name: str) -> str:
    return validate.choice("readout", name, READOUTS)


def scores(outputs, readout: str):
    """Class scores (batch, n_out) from time-major outputs."""
    if readout == "sum":
        return jnp.sum(outputs, axis=0)
    if readout == "mean":
        return jnp.mean(outputs, axis=0)
    if readout == "max":
        return jnp.max(outputs, axis=0)
    return outputs[-1]


def cross_entropy(logits, labels):
    return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, labels))


def accuracy(logits, labels):
    return jnp.mean((jnp.argmax(logits, axis=-1) == labels).astype(jnp.float32))
