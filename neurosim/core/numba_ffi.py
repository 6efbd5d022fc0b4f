"""Numba kernels as XLA FFI custom calls on CPU, with no Python on the call path.

A bridge that calls a Numba kernel through a Python ``ctypes`` callback (BrainPy's ``brainevent`` does so) pays
~30-100 µs per call for the interpreter and the GIL: more than the whole work of a kernel at batch 1 or of a
4,000-neuron network's step. Here the XLA FFI handler itself is compiled by Numba (``numba.cfunc``): it reads
the buffers out of XLA's call frame (the C structs of ``xla/ffi/api/c_api.h``) and calls the kernel in machine
code, so a call costs what a C custom call costs.

The call frame is read with fixed offsets into its structs (x86-64 and arm64 layouts: 8-byte pointers and
``size_t``, 4-byte enums padded to 8). XLA only appends fields to these structs between API versions, so the
offsets hold for every jaxlib of the supported range; in the metadata handshake the handlers report API version
(0, 1), the oldest of the typed FFI, which every such jaxlib accepts (:mod:`neurosim.core.cpu_kernels`; CI runs
them on jax 0.8 and 0.10).

Each handler has one fixed signature (argument count, ranks, dtypes) and calls one kernel; a target is
registered with XLA once per process (:func:`target`). Kernels never raise (their callers check shapes when
tracing), so a handler always returns success. Use :func:`available` before tracing a call: without Numba or
on another platform the caller takes its pure-JAX path.
"""

from __future__ import annotations

import functools


@functools.cache
def _handlers():
    """The compiled handlers (:mod:`neurosim.core.cpu_kernels`), or None when Numba is unavailable."""
    try:
        from neurosim.core import cpu_kernels
    except Exception:  # noqa: BLE001 - no Numba, or it cannot compile here: callers use their JAX path
        return None
    return cpu_kernels


def available() -> bool:
    """Whether Numba FFI kernels can be used in this process (CPU)."""
    return _handlers() is not None


@functools.cache
def target(name: str) -> str:
    """Register handler ``name`` of :mod:`neurosim.core.cpu_kernels` with XLA (once per process) and return
    the FFI target name to call."""
    import jax

    handlers = _handlers()
    handler = getattr(handlers, name)
    full = f"neurosim_{name}"
    jax.ffi.register_ffi_target(full, jax.ffi.pycapsule(handler.address), platform="cpu")
    return full


def call(name: str, out_shape, *args):
    """Call handler ``name`` on ``args`` (inside or outside ``jit``); ``out_shape`` a ``jax.ShapeDtypeStruct``
    (or a tuple of them). Batched by ``vmap`` one sample at a time."""
    import jax

    return jax.ffi.ffi_call(target(name), out_shape, vmap_method="sequential")(*args)
