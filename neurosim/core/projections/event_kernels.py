"""The Numba kernels behind :mod:`neurosim.core.projections.event_matmul` (imported only when Numba is present).

``forward(x, w, out)``: ``out = x @ w``, each row walking its input once and adding ``x[r, j] * w[j]`` for the
nonzero ``x[r, j]`` only, in input-index order. ``weight_grad(x, g, out)``: ``out = x.T @ g``, likewise skipping
the zeros of ``x``; it walks ``x`` row by row, so the cotangent row ``g[r]`` stays in cache for all of that row's
events. Both run on one thread: the forward is bound by reading ``x`` (a two-thread ``prange`` version was no
faster at (38400, 700) x (700, 256)), and a thread pool inside an XLA custom call competes with XLA's own
threads (measured: no end-to-end gain in the train step) and, with OpenMP, is not fork-safe. Compiled once and
cached on disk (``cache=True``: a module-level function, so the cache is valid).
"""

from __future__ import annotations

import numba


@numba.njit(cache=True, nogil=True)
def forward(x, w, out):
    rows, n = x.shape
    m = w.shape[1]
    for r in range(rows):
        for c in range(m):
            out[r, c] = 0.0
        for j in range(n):
            v = x[r, j]
            if v != 0.0:
                for c in range(m):
                    out[r, c] += v * w[j, c]


@numba.njit(cache=True, nogil=True)
def weight_grad(x, g, out):
    rows, n = x.shape
    m = g.shape[1]
    for j in range(n):
        for c in range(m):
            out[j, c] = 0.0
    for r in range(rows):
        for j in range(n):
            v = x[r, j]
            if v != 0.0:
                for c in range(m):
                    out[j, c] += v * g[r, c]


@numba.njit(cache=True, nogil=True)
def csr_events(x, indptr, indices, weight, out):
    """``out[r] = weight * (x[r] > 0) @ A`` for the CSR matrix ``A`` (rows = presynaptic neurons): for each
    presynaptic ``i`` in order whose ``x[r, i]`` is positive, ``weight`` is added to every target of its row, as
    BrainPy's event kernel does (``brainpy.math.event.csrmv``, homogeneous weight, transposed): the same additions
    in the same order, so the same bits."""
    rows, n = x.shape
    w = weight[0]
    for r in range(rows):
        for c in range(out.shape[1]):
            out[r, c] = 0.0
        for i in range(n):
            if x[r, i] > 0.0:
                for k in range(indptr[i], indptr[i + 1]):
                    out[r, indices[k]] += w
