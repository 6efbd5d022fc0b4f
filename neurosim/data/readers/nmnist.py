"""N-MNIST / N-Caltech101 binary files (ATIS sensor, Orchard et al. 2015).

Each event is 40 bits, big-endian by field: byte 0 = x, byte 1 = y, byte 2 bit 7 = polarity, bits 6..0 of byte 2
and bytes 3-4 = a 23-bit timestamp in µs. An event with y = 240 is a timestamp-overflow marker: it adds 2^13 µs
to every later timestamp (the format's convention, followed by tonic's reader) and is not itself an event.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurosim.data.events import VISION_DTYPE
from neurosim.errors import DataFormatError

SENSOR_SIZE = (34, 34, 2)
_OVERFLOW_Y = 240
_OVERFLOW_US = 2 ** 13


def decode_nmnist(raw: bytes, name: str = "<bytes>") -> np.ndarray:
    if len(raw) % 5:
        raise DataFormatError(f"{name}: {len(raw)} bytes is not a whole number of 5-byte N-MNIST events "
                              f"(truncated by {len(raw) % 5} bytes?)")
    b = np.frombuffer(raw, np.uint8).reshape(-1, 5).astype(np.int64)
    x, y = b[:, 0], b[:, 1]
    p = (b[:, 2] >> 7) & 1
    t = ((b[:, 2] & 127) << 16) | (b[:, 3] << 8) | b[:, 4]
    overflow = y == _OVERFLOW_Y
    t = t + np.cumsum(overflow) * _OVERFLOW_US
    keep = ~overflow
    ev = np.empty(int(keep.sum()), VISION_DTYPE)
    ev["x"], ev["y"], ev["t"], ev["p"] = x[keep], y[keep], t[keep], p[keep]
    return ev


def read_nmnist(path) -> np.ndarray:
    """Events of one N-MNIST ``.bin`` file (fields x, y, t [µs], p)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot read: {exc}") from exc
    return decode_nmnist(raw, str(path))
