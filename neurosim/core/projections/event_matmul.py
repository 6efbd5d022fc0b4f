"""Event-driven ``x @ w`` for sparse inputs on CPU: work that follows the input's nonzeros.

A spiking layer's input is mostly zeros (3 % of the 700 input channels of the train-step benchmark, ~10 % of a
hidden LIF layer's). A dense matmul multiplies every zero; :func:`matmul` instead walks each row of ``x`` once and
adds ``x[r, j] * w[j]`` for the nonzero ``x[r, j]`` only, so its work is ``rows * n_in`` comparisons plus
``nnz * n_out`` multiply-adds instead of ``rows * n_in * n_out``. Its weight gradient ``x.T @ g`` skips the same zeros
(a scatter of the cotangent rows into the rows of ``dw`` the events address); the input gradient ``g @ w.T`` is
dense (the cotangent is not sparse) and runs through XLA.

When it is used (decided inside the compiled function, per call, from the data):

* the platform is CPU (``jax.lax.platform_dependent``: GPUs and TPUs always take XLA's matmul) and Numba is
  present (the kernels are XLA FFI custom calls compiled by Numba, :mod:`neurosim.core.numba_ffi`, ~6 µs a call;
  absent, the dense matmul is used),
* ``n_out >= MIN_OUT`` columns (below that XLA's matmul is cheaper than the per-row walk), and
* the fraction of nonzero entries of ``x`` is at most ``MAX_DENSITY`` (``jax.lax.cond``; both branches are
  compiled).

Measured on the 2-core development VM (single-threaded kernel vs XLA's 2-thread matmul, 2026-12-07), forward /
weight gradient: (1000 x 256) @ (256 x 256) at 3 % density 0.31 / 0.31 ms vs 0.69 / 0.98 ms, at 8 % 0.71 / 0.61 vs
0.70 / 0.96, at 12 % 0.87 / 0.87 vs 0.71 / 0.96; (38400 x 700) @ (700 x 256) at 3 % 59 / 38 ms vs 97 / 75 ms, at 8 %
93 / 71 vs 97 / 76, at 12 % 121 / 98 vs 97 / 74; (4000 x 128) @ (128 x 1024) at 3 % 1.9 / 1.9 ms vs 5.7 / 9.5 ms.
Hence ``MAX_DENSITY = 0.08``. With few output columns each event's row is too short to pay for the walk (at 20
columns the kernel was slower at any density), hence ``MIN_OUT = 64``.

Numerics: each output row is summed in input-index order, skipping zeros, so the result is the exact float32 sum
in that order; XLA's blocked matmul sums in another order, so the two differ in the last bits (~1e-6 relative).
A zero input entry contributes nothing even where ``w`` holds inf or NaN (a dense matmul would give NaN there).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from neurosim.core import numba_ffi

#: the largest fraction of nonzero input entries for which the event kernel is taken
MAX_DENSITY = 0.08
#: the fewest output columns for which the event kernel is taken
MIN_OUT = 64
#: at most this many rows are read to estimate the input's density (an evenly strided sample of the rows)
DENSITY_SAMPLE_ROWS = 1024


def available() -> bool:
    """Whether the event kernels can be used on this installation (CPU, Numba present)."""
    return numba_ffi.available()


def _ffi(name: str, a, b, out_shape):
    return numba_ffi.call(name, jax.ShapeDtypeStruct(out_shape, jnp.float32), a, b)


def _sparse_enough(x):
    """Whether at most ``MAX_DENSITY`` of ``x``'s entries are nonzero, estimated on an evenly strided sample of at
    most ``DENSITY_SAMPLE_ROWS`` rows (a full count of a (38400, 700) input took 29 ms, a third of the kernel's
    time). It only picks the faster of two exact paths."""
    sample = x[:: max(1, x.shape[0] // DENSITY_SAMPLE_ROWS)]
    nnz = jnp.sum(sample != 0, dtype=jnp.int32)
    return nnz <= jnp.int32(int(MAX_DENSITY * sample.size))


def _forward(x, w):
    """(x @ w, whether the event kernel ran): the choice is kept for the weight gradient."""
    def cpu(x, w):
        use = _sparse_enough(x)
        y = jax.lax.cond(use, lambda: _ffi("event_forward", x, w, (x.shape[0], w.shape[1])), lambda: x @ w)
        return y, use

    return jax.lax.platform_dependent(x, w, cpu=cpu, default=lambda x, w: (x @ w, jnp.bool_(False)))


def _weight_grad(x, g, use):
    def cpu(x, g, use):
        return jax.lax.cond(use, lambda: _ffi("event_weight_grad", x, g, (x.shape[1], g.shape[1])), lambda: x.T @ g)

    return jax.lax.platform_dependent(x, g, use, cpu=cpu, default=lambda x, g, use: x.T @ g)


@jax.custom_vjp
def _event_matmul(x, w):
    return _forward(x, w)[0]


def _fwd(x, w):
    y, use = _forward(x, w)
    return y, (x, w, use)


def _bwd(res, g):
    x, w, use = res
    return (g @ w.T).astype(x.dtype), _weight_grad(x, g, use).astype(w.dtype)


_event_matmul.defvjp(_fwd, _bwd)


def eligible(x, w) -> bool:
    """Static test (shapes and dtypes only): may ``matmul(x, w)`` take the event kernel?"""
    return (x.ndim == 2 and w.ndim == 2 and x.dtype == jnp.float32 and w.dtype == jnp.float32
            and w.shape[1] >= MIN_OUT and x.shape[0] > 0 and available())


def matmul(x, w):
    """``x @ w`` for 2-D ``x`` (rows, n_in) and ``w`` (n_in, n_out), event-driven where it pays (module docstring);
    differentiable in both arguments."""
    if not eligible(x, w):
        return x @ w
    return _event_matmul(x, w)


def dense_reference(x, w) -> np.ndarray:
    """The same sum in the kernel's order, in NumPy (float32): for tests."""
    x, w = np.asarray(x, np.float32), np.asarray(w, np.float32)
    out = np.zeros((x.shape[0], w.shape[1]), np.float32)
    for r in range(x.shape[0]):
        for j in np.flatnonzero(x[r]):
            out[r] += x[r, j] * w[j]
    return out
