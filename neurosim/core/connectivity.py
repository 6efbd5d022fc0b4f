"""Sparse connectivity in CSR form (rows = presynaptic neurons), generated deterministically from a seed.

``CSR(indptr, indices, shape)``: the targets of presynaptic neuron ``i`` are ``indices[indptr[i]:indptr[i+1]]``.
Rows are presynaptic so that an event-driven product touches only the rows of neurons that spiked.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from neurosim import validate
from neurosim.errors import ValidationError


class CSR(NamedTuple):
    indptr: np.ndarray  # int32, (n_pre + 1,)
    indices: np.ndarray  # int32, (nnz,)
    shape: tuple[int, int]  # (n_pre, n_post)

    @property
    def nnz(self) -> int:
        return int(self.indices.shape[0])

    @property
    def fan_out(self) -> np.ndarray:
        """Number of targets of each presynaptic neuron."""
        return np.diff(self.indptr)

    def rows(self) -> np.ndarray:
        """Presynaptic index of each stored synapse."""
        return np.repeat(np.arange(self.shape[0], dtype=np.int32), self.fan_out)

    def to_dense(self, values=None, dtype=np.float32) -> np.ndarray:
        out = np.zeros(self.shape, dtype=dtype)
        out[self.rows(), self.indices] = 1.0 if values is None else np.asarray(values)
        return out


def fixed_probability(n_pre: int, n_post: int, p: float, seed: int = 0, *, allow_self: bool = True) -> CSR:
    """Each pre→post pair exists independently with probability ``p`` (Bernoulli graph)."""
    n_pre = validate.positive_int("n_pre", n_pre)
    n_post = validate.positive_int("n_post", n_post)
    p = float(validate.in_range("p", p, 0.0, 1.0))
    rng = np.random.default_rng(seed)
    counts = rng.binomial(n_post, p, size=n_pre)
    if not allow_self and n_pre == n_post:
        counts = rng.binomial(n_post - 1, p, size=n_pre)
    indptr = np.zeros(n_pre + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    for i in range(n_pre):
        k = counts[i]
        if k == 0:
            continue
        if not allow_self and n_pre == n_post:
            cols = rng.choice(n_post - 1, size=k, replace=False)
            cols = cols + (cols >= i)
        else:
            cols = rng.choice(n_post, size=k, replace=False)
        indices[indptr[i]:indptr[i + 1]] = np.sort(cols)
    return CSR(indptr.astype(np.int32), indices, (n_pre, n_post))


def from_dense(mask) -> CSR:
    """CSR of the nonzero pattern of a dense (n_pre, n_post) array."""
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValidationError(f"mask: expected a 2-D (n_pre, n_post) array, got shape {mask.shape}")
    rows, cols = np.nonzero(mask)
    indptr = np.zeros(mask.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=mask.shape[0]), out=indptr[1:])
    return CSR(indptr.astype(np.int32), cols.astype(np.int32), (int(mask.shape[0]), int(mask.shape[1])))
