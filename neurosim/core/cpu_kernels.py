"""neurosim's CPU kernels and their XLA FFI handlers, compiled by Numba (see :mod:`neurosim.core.numba_ffi`);
imported only when Numba is present.

Kernels (plain ``numba.njit`` functions over NumPy views):

* ``event_forward_kernel(x, w, out)``: ``out = x @ w``, each row walking its input once and adding
  ``x[r, j] * w[j]`` for the nonzero ``x[r, j]`` only, in input-index order; ``event_weight_grad_kernel(x, g,
  out)``: ``out = x.T @ g``, likewise, row by row so that the cotangent row ``g[r]`` stays in cache for all of that
  row's events (:mod:`neurosim.core.projections.event_matmul`).
* ``csr_events_kernel``: the event CSR product with one weight, the same additions in the same order as BrainPy's
  event kernel, hence the same bits (:mod:`neurosim.core.projections.event`).
* ``lif_forward_kernel`` / ``lif_adjoint_kernel``: a LIF membrane over a whole sequence and its backward
  recurrence, the operations of ``neurosim.core.neurons.sequence`` step by step without a per-step dispatch
  (256 neurons × 1,000 steps: 0.08 ms against 0.34 ms for XLA's while loop). XLA may fuse a multiply-add where
  Numba does not, so membranes can differ from the ``lax.scan`` in the last bit (tested to 1e-6, spikes equal).

All run on one thread: the event forward is bound by reading ``x`` (a two-thread ``prange`` version was no faster
at (38400, 700) × (700, 256)), and a thread pool inside an XLA custom call competes with XLA's own threads
(measured: no end-to-end gain in the train step) and, with OpenMP, is not fork-safe.

Handlers: each is ``XLA_FFI_Error* handler(XLA_FFI_CallFrame*)``. It answers XLA's metadata query (the API
version it was written against) or reads its argument and result buffers out of the call frame and calls its
kernel. The frame is read as 64-bit words (``xla/ffi/api/c_api.h``): ``XLA_FFI_CallFrame`` = {struct_size,
extension_start, api, ctx, stage (int32, padded), args: XLA_FFI_Args, rets: XLA_FFI_Rets, ...},
``XLA_FFI_Args``/``Rets`` = {struct_size, extension_start, size, types, args/rets}, ``XLA_FFI_Buffer`` =
{struct_size, extension_start, dtype (int32, padded), data, rank, dims}. A handler returns NULL (success) as a
64-bit integer, which the C calling conventions of x86-64 and arm64 return in the same register as a pointer. The
version reported is (0, 1), the oldest typed-FFI API, accepted by every jaxlib of the supported range; the fields
read here are the same in all later versions (XLA only appends fields). It is a constant, so the compiled handlers
can be cached on disk whatever jaxlib a process uses.

Kernels and handlers live in this one file on purpose: Numba's on-disk cache is invalidated by changes to the file
of the cached function only, so a handler compiled against a kernel in another file would keep the old kernel's
code after that file changed.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types
from numba.core.extending import intrinsic

_API_MAJOR, _API_MINOR = 0, 1
_METADATA_EXTENSION = 1

# word offsets into XLA_FFI_CallFrame
_EXTENSIONS, _ARGS, _RETS = 1, 9, 14
# word offsets into XLA_FFI_Buffer
_DATA, _RANK, _DIMS = 3, 4, 5

_HANDLER = types.int64(types.CPointer(types.int64))

#: reset modes of ``lif_forward_kernel``, as ``SpikeRule.reset``
SUBTRACT, VALUE, NONE = 0, 1, 2


# ---- kernels ----------------------------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def event_forward_kernel(x, w, out):
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
def event_weight_grad_kernel(x, g, out):
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
def csr_events_kernel(x, indptr, indices, weight, out):
    """``out[r] = weight * (x[r] > 0) @ A`` for the CSR matrix ``A`` (rows = presynaptic neurons): for each
    presynaptic ``i`` in order whose ``x[r, i]`` is positive, ``weight`` is added to every target of its row, as
    BrainPy's event kernel does (``brainpy.math.event.csrmv``, homogeneous weight, transposed)."""
    rows, n = x.shape
    w = weight[0]
    for r in range(rows):
        for c in range(out.shape[1]):
            out[r, c] = 0.0
        for i in range(n):
            if x[r, i] > 0.0:
                for k in range(indptr[i], indptr[i + 1]):
                    out[r, indices[k]] += w


@numba.njit(cache=True, nogil=True)
def lif_forward_kernel(cur, v0, params, mode, u_out, v_pre, s_out):
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
def lif_adjoint_kernel(a, b, lam):
    """``lam[t] = a[t] + b[t] * lam[t+1]``, ``lam[T-1] = a[T-1]``; ``a`` (T, K), ``b`` (T, K) or (1, K) for a factor
    that is the same at every step (``b[T-1]`` unused)."""
    steps, k_all = a.shape
    if steps == 0:
        return
    per_step = b.shape[0] > 1
    for k in range(k_all):
        lam[steps - 1, k] = a[steps - 1, k]
    for t in range(steps - 2, -1, -1):
        bt = b[t] if per_step else b[0]
        for k in range(k_all):
            lam[t, k] = a[t, k] + bt[k] * lam[t + 1, k]


# ---- reading XLA's call frame -----------------------------------------------------------------------------------
def _pointer_intrinsic(dtype):
    @intrinsic
    def to_pointer(typingctx, address):
        """A 64-bit address as a typed pointer."""
        sig = types.CPointer(dtype)(types.int64)

        def codegen(context, builder, signature, args):
            return builder.inttoptr(args[0], context.get_value_type(signature.return_type))

        return sig, codegen

    return to_pointer


_words = _pointer_intrinsic(types.int64)
_int32s = _pointer_intrinsic(types.int32)
_float32s = _pointer_intrinsic(types.float32)


@numba.njit(cache=True, nogil=True)
def _metadata_query(frame) -> bool:
    """Answer XLA's registration-time metadata query if this call is one (walks the extension chain)."""
    ext = frame[_EXTENSIONS]
    while ext != 0:
        base = numba.carray(_words(ext), 3)  # {struct_size, type (int32, padded), next}
        if (base[1] & 0xFFFFFFFF) == _METADATA_EXTENSION:
            meta = numba.carray(_words(ext), 4)[3]  # XLA_FFI_Metadata_Extension.metadata
            fields = numba.carray(_int32s(meta), 10)
            fields[6] = _API_MAJOR  # metadata.api_version.major_version (byte 24)
            fields[7] = _API_MINOR  # byte 28
            fields[8] = 0           # metadata.traits (byte 32): not command-buffer compatible
            return True
        ext = base[2]
    return False


@numba.njit(cache=True, nogil=True)
def _buffer(frame, which, i):
    """(data address, dims) of argument (``which`` = _ARGS) or result (``_RETS``) ``i``."""
    buf = numba.carray(_words(numba.carray(_words(frame[which]), i + 1)[i]), 6)
    return buf[_DATA], numba.carray(_words(buf[_DIMS]), buf[_RANK])


@numba.njit(cache=True, nogil=True)
def _matrix_f32(frame, which, i):
    data, dims = _buffer(frame, which, i)
    return numba.carray(_float32s(data), (dims[0], dims[1]))


@numba.njit(cache=True, nogil=True)
def _vector_i32(frame, which, i):
    data, dims = _buffer(frame, which, i)
    return numba.carray(_int32s(data), dims[0])


@numba.njit(cache=True, nogil=True)
def _vector_f32(frame, which, i):
    data, dims = _buffer(frame, which, i)
    return numba.carray(_float32s(data), dims[0])


# ---- handlers (the names numba_ffi.call takes) ------------------------------------------------------------------
@numba.cfunc(_HANDLER, cache=True, nopython=True)
def event_forward(frame_ptr):
    """``out = x @ w`` over the nonzeros of ``x``: args (x (r, n), w (n, m)) float32, result (r, m) float32."""
    frame = numba.carray(frame_ptr, 15)
    if not _metadata_query(frame):
        event_forward_kernel(_matrix_f32(frame, _ARGS, 0), _matrix_f32(frame, _ARGS, 1),
                             _matrix_f32(frame, _RETS, 0))
    return 0


@numba.cfunc(_HANDLER, cache=True, nopython=True)
def event_weight_grad(frame_ptr):
    """``out = x.T @ g`` over the nonzeros of ``x``: args (x (r, n), g (r, m)) float32, result (n, m) float32."""
    frame = numba.carray(frame_ptr, 15)
    if not _metadata_query(frame):
        event_weight_grad_kernel(_matrix_f32(frame, _ARGS, 0), _matrix_f32(frame, _ARGS, 1),
                                 _matrix_f32(frame, _RETS, 0))
    return 0


@numba.cfunc(_HANDLER, cache=True, nopython=True)
def csr_events(frame_ptr):
    """Event-driven CSR product with one weight: args (x (r, n) float32, indptr (n + 1,) int32, indices (nnz,)
    int32, weight (1,) float32), result (r, n_out) float32."""
    frame = numba.carray(frame_ptr, 15)
    if not _metadata_query(frame):
        csr_events_kernel(_matrix_f32(frame, _ARGS, 0), _vector_i32(frame, _ARGS, 1), _vector_i32(frame, _ARGS, 2),
                          _vector_f32(frame, _ARGS, 3), _matrix_f32(frame, _RETS, 0))
    return 0


@numba.cfunc(_HANDLER, cache=True, nopython=True)
def lif_forward(frame_ptr):
    """LIF membrane over a sequence: args (cur (T, K), v0 (K,), params (5, K) float32, mode (1,) int32),
    results (u_final (K,), v_pre (T, K), spikes (T, K)) float32."""
    frame = numba.carray(frame_ptr, 15)
    if not _metadata_query(frame):
        lif_forward_kernel(_matrix_f32(frame, _ARGS, 0), _vector_f32(frame, _ARGS, 1), _matrix_f32(frame, _ARGS, 2),
                           _vector_i32(frame, _ARGS, 3), _vector_f32(frame, _RETS, 0), _matrix_f32(frame, _RETS, 1),
                           _matrix_f32(frame, _RETS, 2))
    return 0


@numba.cfunc(_HANDLER, cache=True, nopython=True)
def lif_adjoint(frame_ptr):
    """``lam[t] = a[t] + b[t] * lam[t+1]``: args (a (T, K), b (T, K) or (1, K)) float32, result lam (T, K)."""
    frame = numba.carray(frame_ptr, 15)
    if not _metadata_query(frame):
        lif_adjoint_kernel(_matrix_f32(frame, _ARGS, 0), _matrix_f32(frame, _ARGS, 1), _matrix_f32(frame, _RETS, 0))
    return 0
