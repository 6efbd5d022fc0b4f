"""XLA FFI handlers compiled by Numba (see :mod:`neurosim.core.numba_ffi`); imported only when Numba is present.

Each handler is ``XLA_FFI_Error* handler(XLA_FFI_CallFrame*)``: it answers XLA's metadata query (the API version
it was written against) or reads its argument and result buffers out of the call frame and calls its kernel.
The frame is read as 64-bit words (``c_api.h``): ``XLA_FFI_CallFrame`` = {struct_size, extension_start, api,
ctx, stage (int32, padded), args: XLA_FFI_Args, rets: XLA_FFI_Rets, ...}, ``XLA_FFI_Args``/``Rets`` =
{struct_size, extension_start, size, types, args/rets}, ``XLA_FFI_Buffer`` = {struct_size, extension_start,
dtype (int32, padded), data, rank, dims}. The handler returns NULL (success) as a 64-bit integer, which the C
calling conventions of x86-64 and arm64 return in the same register as a pointer.

The version reported is (0, 1): the oldest typed-FFI API, accepted by every jaxlib of the supported range, and
the fields read here are the same in all later versions (XLA only appends fields). It is a constant, so the
compiled handlers can be cached on disk whatever jaxlib a process uses.
"""

from __future__ import annotations

import numba
from numba import types
from numba.core.extending import intrinsic

from neurosim.core.neurons import lif_kernels
from neurosim.core.projections import event_kernels

_API_MAJOR, _API_MINOR = 0, 1
_METADATA_EXTENSION = 1

# word offsets into XLA_FFI_CallFrame
_EXTENSIONS, _ARGS_SIZE, _ARGS, _RETS_SIZE, _RETS = 1, 7, 9, 12, 14
# word offsets into XLA_FFI_Buffer
_DATA, _RANK, _DIMS = 3, 4, 5

_HANDLER = types.int64(types.CPointer(types.int64))


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


@numba.cfunc(_HANDLER, cache=True, nopython=True)
def event_forward(frame_ptr):
    """``out = x @ w`` over the nonzeros of ``x``: args (x (r, n), w (n, m)) float32, result (r, m) float32."""
    frame = numba.carray(frame_ptr, 15)
    if _metadata_query(frame):
        return 0
    event_kernels.forward(_matrix_f32(frame, _ARGS, 0), _matrix_f32(frame, _ARGS, 1), _matrix_f32(frame, _RETS, 0))
    return 0


@numba.cfunc(_HANDLER, cache=True, nopython=True)
def event_weight_grad(frame_ptr):
    """``out = x.T @ g`` over the nonzeros of ``x``: args (x (r, n), g (r, m)) float32, result (n, m) float32."""
    frame = numba.carray(frame_ptr, 15)
    if _metadata_query(frame):
        return 0
    event_kernels.weight_grad(_matrix_f32(frame, _ARGS, 0), _matrix_f32(frame, _ARGS, 1),
                              _matrix_f32(frame, _RETS, 0))
    return 0


@numba.njit(cache=True, nogil=True)
def _vector_i32(frame, which, i):
    data, dims = _buffer(frame, which, i)
    return numba.carray(_int32s(data), dims[0])


@numba.njit(cache=True, nogil=True)
def _vector_f32(frame, which, i):
    data, dims = _buffer(frame, which, i)
    return numba.carray(_float32s(data), dims[0])


@numba.cfunc(_HANDLER, cache=True, nopython=True)
def csr_events(frame_ptr):
    """Event-driven CSR product with one weight: args (x (r, n) float32, indptr (n + 1,) int32, indices (nnz,)
    int32, weight (1,) float32), result (r, n_out) float32."""
    frame = numba.carray(frame_ptr, 15)
    if _metadata_query(frame):
        return 0
    event_kernels.csr_events(_matrix_f32(frame, _ARGS, 0), _vector_i32(frame, _ARGS, 1),
                             _vector_i32(frame, _ARGS, 2), _vector_f32(frame, _ARGS, 3),
                             _matrix_f32(frame, _RETS, 0))
    return 0


@numba.njit(cache=True, nogil=True)
def _vector_i32_arg(frame, i):
    return _vector_i32(frame, _ARGS, i)


@numba.cfunc(_HANDLER, cache=True, nopython=True)
def lif_forward(frame_ptr):
    """LIF membrane over a sequence: args (cur (T, K), v0 (K,), params (5, K) float32, mode (1,) int32),
    results (u_final (K,), v_pre (T, K), spikes (T, K)) float32."""
    frame = numba.carray(frame_ptr, 15)
    if _metadata_query(frame):
        return 0
    lif_kernels.forward(_matrix_f32(frame, _ARGS, 0), _vector_f32(frame, _ARGS, 1), _matrix_f32(frame, _ARGS, 2),
                        _vector_i32_arg(frame, 3), _vector_f32(frame, _RETS, 0), _matrix_f32(frame, _RETS, 1),
                        _matrix_f32(frame, _RETS, 2))
    return 0


@numba.cfunc(_HANDLER, cache=True, nopython=True)
def lif_adjoint_const(frame_ptr):
    """``lam[t] = a[t] + b * lam[t+1]``: args (a (T, K), b (K,)) float32, result lam (T, K) float32."""
    frame = numba.carray(frame_ptr, 15)
    if _metadata_query(frame):
        return 0
    lif_kernels.adjoint_const(_matrix_f32(frame, _ARGS, 0), _vector_f32(frame, _ARGS, 1),
                              _matrix_f32(frame, _RETS, 0))
    return 0


@numba.cfunc(_HANDLER, cache=True, nopython=True)
def lif_adjoint_steps(frame_ptr):
    """``lam[t] = a[t] + b[t] * lam[t+1]``: args (a, b (T, K)) float32, result lam (T, K) float32."""
    frame = numba.carray(frame_ptr, 15)
    if _metadata_query(frame):
        return 0
    lif_kernels.adjoint_steps(_matrix_f32(frame, _ARGS, 0), _matrix_f32(frame, _ARGS, 1),
                              _matrix_f32(frame, _RETS, 0))
    return 0
