"""Numba kernels of a LIF membrane over a whole sequence (:mod:`neurosim.core.neurons.sequence`), run as XLA FFI
custom calls on CPU (:mod:`neurosim.core.numba_ffi`); imported only when Numba is present.

The state is flattened to ``K`` independent neurons (batch × size). ``forward`` runs the equations of
``sequence._forward`` step by step in the same float32 operations and order (``v = v_leak + decay·(u − v_leak) +
gain·c``, spike ``v > v_th``, then the reset); XLA may fuse a multiply-add where Numba does not, so membranes can
differ from the ``lax.scan`` in the last bit (tested to 1e-6, spikes equal). It is one loop with no per-step
dispatch: 256 neurons × 1,000 steps take 0.08 ms against 0.34 ms for XLA's while loop. ``adjoint_*`` solve the
backward recurrence ``lam[t] = A[t] + B·lam[t+1]`` (``B`` per neuron, or per step and neuron) the same way.
"""

from __future__ import annotations

import numba
import numpy as np

#: reset modes, as ``SpikeRule.reset``
SUBTRACT, VALUE, NONE = 0, 1, 2


@numba.njit(cache=True, nogil=True)
def forward(cur, v0, params, mode, u_out, v_pre, s_out):
    """``cur`` (T, K), ``v0`` (K,), ``params`` (5, K) = decay, gain, v_leak, v_th, v_reset, ``mode`` (1,):
    writes the final post-reset membrane ``u_out`` (K,), the pre-reset membranes and the spikes (T, K)."""
    steps, k_all = cur.shape
    decay, gain, v_leak, v_th, v_reset = params[0], params[1], params[2], params[3], params[4]
    m = mode[0]
    for k in range(k_all):
        u_out[k] = v0[k]
    for t in range(steps):
        for k in range(k_all):
            v = v_leak[k] + decay[k] * (u_out[k] - v_leak[k]) + gain[k] * cur[t, k]
            s = np.float32(1.0) if v > v_th[k] else np.float32(0.0)
            v_pre[t, k] = v
            s_out[t, k] = s
            if m == SUBTRACT:
                u_out[k] = v - s * (v_th[k] - v_reset[k])
            elif m == VALUE:
                u_out[k] = v * (np.float32(1.0) - s) + s * v_reset[k]
            else:
                u_out[k] = v


@numba.njit(cache=True, nogil=True)
def adjoint_const(a, b, lam):
    """``lam[t] = a[t] + b * lam[t+1]``, ``lam[T-1] = a[T-1]``; ``a`` (T, K), ``b`` (K,)."""
    steps, k_all = a.shape
    if steps == 0:
        return
    for k in range(k_all):
        lam[steps - 1, k] = a[steps - 1, k]
    for t in range(steps - 2, -1, -1):
        for k in range(k_all):
            lam[t, k] = a[t, k] + b[k] * lam[t + 1, k]


@numba.njit(cache=True, nogil=True)
def adjoint_steps(a, b, lam):
    """``lam[t] = a[t] + b[t] * lam[t+1]``, ``lam[T-1] = a[T-1]``; ``a``, ``b`` (T, K) (``b[T-1]`` unused)."""
    steps, k_all = a.shape
    if steps == 0:
        return
    for k in range(k_all):
        lam[steps - 1, k] = a[steps - 1, k]
    for t in range(steps - 2, -1, -1):
        for k in range(k_all):
            lam[t, k] = a[t, k] + b[t, k] * lam[t + 1, k]
