"""Host (CPU) memory allocator settings that keep XLA's per-call buffers from being returned to the OS and
faulted in again on every call.

Why: XLA's CPU runtime allocates each call's temporaries (a spiking CNN's (T, batch, C·H·W) scan buffers, ~10 MB
each) with ``malloc``. Under glibc's defaults each XLA worker thread allocates from its own arena, whose heaps are
shrunk back to the OS when freed, so the next call touches fresh pages again: on this project's 2-core VM a
spiking-CNN train step (2×18×18 input, 8/16 channels, batch 32, T = 30) took ~14,800 minor page faults and ~26-39
ms of kernel time per step. With one arena, a 1 GiB trim threshold and a 256 MiB top pad (``mallopt``), the same
step took 0-600 faults and ~2 ms of kernel time (``tests/core/test_host_memory.py`` counts them;
``benchmarks/vision_cnn.py`` prints the step time).

The settings only act on arenas created after they are made, so they are applied when ``neurosim`` is imported
(:func:`tune`), which is before JAX starts its CPU client unless the user ran JAX computations first. The cost: up
to the trim threshold of freed memory stays mapped in the process (resident memory stays at its peak instead of
dropping after a large call), and all threads share one malloc arena.

Opt out with ``NEUROSIM_HOST_ALLOCATOR=system`` (glibc's defaults are left untouched). Only glibc on Linux is
tuned; elsewhere (macOS, musl) nothing is changed. :func:`status` says what was done.
"""

from __future__ import annotations

import ctypes
import os
import sys

ENV = "NEUROSIM_HOST_ALLOCATOR"
#: glibc ``mallopt`` parameters (``malloc.h``) and the values set
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -2, -3, -8
#: the mmap threshold is set to glibc's largest (32 MiB on 64-bit), what its dynamic threshold grows to by default:
#: setting any of the other parameters freezes that threshold at 128 KiB, which made every large PyTorch tensor an
#: mmap + page faults (snnTorch's conv train step 2.5-3x slower, measured) -- with it set, PyTorch in the same
#: process ran as fast as with glibc's defaults or faster
SETTINGS = ((M_ARENA_MAX, 1), (M_TRIM_THRESHOLD, 1 << 30), (M_TOP_PAD, 256 << 20), (M_MMAP_THRESHOLD, 32 << 20))

_status = "not applied"


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        libc.gnu_get_libc_version()
        return libc if hasattr(libc, "mallopt") else None
    except (OSError, AttributeError):
        return None


def tune() -> str:
    """Apply :data:`SETTINGS` once (unless ``NEUROSIM_HOST_ALLOCATOR=system``); returns :func:`status`."""
    global _status
    if _status != "not applied":
        return _status
    choice = os.environ.get(ENV, "tuned").strip().lower()
    if choice == "system":
        _status = f"system defaults ({ENV}=system)"
        return _status
    libc = _glibc()
    if libc is None:
        _status = "system defaults (not glibc on Linux)"
        return _status
    ok = all(libc.mallopt(param, value) == 1 for param, value in SETTINGS)
    _status = ("tuned: one arena, trim threshold 1 GiB, top pad 256 MiB, mmap threshold 32 MiB" if ok
               else "partly tuned (glibc refused a mallopt setting)")
    return _status


def status() -> str:
    """What :func:`tune` did in this process."""
    return _status
