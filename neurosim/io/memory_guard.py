"""Refusing a file before allocating what it declares.

An HDF5 file declares each dataset's shape and dtype in a few bytes of metadata; a corrupt or hostile file can
declare terabytes. Readers call :func:`check_allocation` with the bytes a read would allocate *before* reading:
more than ``max_bytes`` (default: the memory currently available on this machine, from ``/proc/meminfo``
``MemAvailable`` or ``sysconf``) raises :class:`~neurosim.errors.DataFormatError` naming the file, the need and the
limit.
"""

from __future__ import annotations

import os

from neurosim.errors import DataFormatError


def available_memory() -> int:
    """Bytes of memory available for new allocations now (MemAvailable on Linux; physical pages elsewhere)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 1 << 34  # 16 GiB when the platform cannot tell


def dataset_bytes(ds) -> int:
    """Bytes that reading the whole h5py dataset ``ds`` would allocate (object dtypes: their stored size)."""
    if ds.dtype.kind == "O":
        return int(ds.id.get_storage_size())
    n = 1
    for s in ds.shape:
        n *= int(s)
    return n * ds.dtype.itemsize


def check_allocation(path, need: int, what: str, max_bytes: int | None = None) -> None:
    """Raise :class:`DataFormatError` if reading ``what`` from ``path`` would allocate more than ``max_bytes``."""
    limit = available_memory() if max_bytes is None else int(max_bytes)
    if need > limit:
        raise DataFormatError(f"{path}: {what} declares {need:,} bytes, more than the {limit:,} bytes "
                              f"{'available' if max_bytes is None else 'allowed (max_bytes)'}; refusing before reading")
