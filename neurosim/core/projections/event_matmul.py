"""Event-driven ``x @ w`` for sparse inputs on CPU: work that follows the input's nonzeros.

A spiking layer's input is mostly zeros (3 % of the 700 input channels of the train-step benchmark, ~10 % of a
hidden LIF layer's). A dense matmul multiplies every zero; :func:`matmul` instead walks each row of ``x`` once and
adds ``x[r, j] * w[j]`` for the nonzero ``x[r, j]`` only, so its work is ``rows * n_in`` comparisons plus
``nnz * n_out`` multiply-adds instead of ``rows * n_in * n_out``. Its weight gradient ``x.T @ g`` skips the same zeros
(a scatter of the cotangent rows into the rows of ``dw`` the events address); the input gradient ``g @ w.T`` is
dense (the cotangent is not sparse) and runs through XLA.

When it is used (decided inside the compiled function, per call, from the data):

* the platform is CPU (``jax.lax.platform_dependent``: GPUs and TPUs always take XLA's matmul), the Numba kernels
  can be registered (BrainPy's ``brainevent`` provides the XLA FFI bridge; absent, the dense matmul is used),
* ``n_out >= MIN_OUT`` columns (below that XLA's matmul is cheaper than the per-row walk), and
* the fraction of nonzero entries of ``x`` is at most ``MAX_DENSITY`` (``jax.lax.cond``; both branches are
  compiled).

Measured on the 2-core development VM (``benchmarks/inference_speed.py``, ``benchmarks/train_step.py``; single-
threaded kernel vs XLA's 2-thread matmul): at 3 % density, (1000 x 700) @ (700 x 256) 3.8 -> 1.3 ms and
(38400 x 700) @ (700 x 256) 178 -> 62 ms; at 9 %, (1000 x 256) @ (256 x 256) 0.74 -> 0.69 ms; at 20 % the kernel
is slower (4.1 vs 3.5 ms), and at 20 output columns it is slower at any density (0.44 vs 0.20 ms). Hence
``MAX_DENSITY = 0.08`` and ``MIN_OUT = 64``.

Numerics: each output row is summed in input-index order, skipping zeros, so the result is the exact float32 sum
in that order; XLA's blocked matmul sums in another order, so the two differ in the last bits (~1e-6 relative).
A zero input entry contributes nothing even where ``w`` holds inf or NaN (a dense matmul would give NaN there).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

#: the largest fraction of nonzero input entries for which the event kernel is taken
MAX_DENSITY = 0.08
#: the fewest output columns for which the event kernel is taken
MIN_OUT = 64


@functools.cache
def _kernels():
    """The two Numba kernels as XLA FFI calls, or None when Numba or brainevent's bridge is unavailable."""
    try:
        import numba
        from brainevent import numba_kernel
    except Exception:  # noqa: BLE001 - any import problem means: no event kernel, use the dense matmul
        return None

    @numba.njit(cache=True, nogil=True)
    def forward(x, w, out):  # out = x @ w, skipping the zeros of x
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
    def weight_grad(x, g, out):  # out = x.T @ g, skipping the zeros of x
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

    return numba_kernel, forward, weight_grad


def available() -> bool:
    """Whether the event kernels can be used on this installation (CPU)."""
    return _kernels() is not None


def _ffi(which: int, a, b, out_shape):
    numba_kernel = _kernels()[0]
    call = numba_kernel(_kernels()[which], outs=jax.ShapeDtypeStruct(out_shape, jnp.float32), vmap_method="sequential")
    return call(a, b)


def _sparse_enough(x):
    nnz = jnp.sum(x != 0, dtype=jnp.int32)
    return nnz <= jnp.int32(int(MAX_DENSITY * x.size))


def _forward(x, w):
    def cpu(x, w):
        return jax.lax.cond(_sparse_enough(x), lambda: _ffi(1, x, w, (x.shape[0], w.shape[1])), lambda: x @ w)

    return jax.lax.platform_dependent(x, w, cpu=cpu, default=lambda x, w: x @ w)


def _weight_grad(x, g):
    def cpu(x, g):
        return jax.lax.cond(_sparse_enough(x), lambda: _ffi(2, x, g, (x.shape[1], g.shape[1])), lambda: x.T @ g)

    return jax.lax.platform_dependent(x, g, cpu=cpu, default=lambda x, g: x.T @ g)


@jax.custom_vjp
def _event_matmul(x, w):
    return _forward(x, w)


def _fwd(x, w):
    return _forward(x, w), (x, w)


def _bwd(res, g):
    x, w = res
    return (g @ w.T).astype(x.dtype), _weight_grad(x, g).astype(w.dtype)


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
