"""AEDAT 3.1 files (jAER / cAER; the DVS128 Gesture dataset).

Header: ASCII lines starting with ``#`` (``#!AER-DAT3.1`` first), ending with ``#!END-HEADER\\r\\n``. Then packets:
a 28-byte little-endian header ``int16 eventType, int16 eventSource, int32 eventSize, int32 eventTSOffset,
int32 eventTSOverflow, int32 eventCapacity, int32 eventNumber, int32 eventValid`` followed by
``eventCapacity × eventSize`` bytes. Polarity events (type 1, 8 bytes): ``uint32 data`` (bit 0 valid, bit 1
polarity, bits 2–16 y, bits 17–31 x) and ``int32 timestamp`` (µs; the packet's ``eventTSOverflow`` supplies bits
31 and up). Other event types are skipped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurosim.data.events import VISION_DTYPE
from neurosim.errors import DataFormatError

_HEADER = np.dtype([("type", "<i2"), ("source", "<i2"), ("size", "<i4"), ("ts_offset", "<i4"),
                    ("ts_overflow", "<i4"), ("capacity", "<i4"), ("number", "<i4"), ("valid", "<i4")])
_POLARITY = np.dtype([("data", "<u4"), ("t", "<i4")])
END = b"#!END-HEADER\r\n"


def decode_aedat31(data: bytes, name: str = "<bytes>") -> np.ndarray:
    if not data.startswith(b"#!AER-DAT3"):
        raise DataFormatError(f"{name}: not an AEDAT 3.x file (missing '#!AER-DAT3' header line)")
    end = data.find(END)
    if end < 0:
        raise DataFormatError(f"{name}: header has no '#!END-HEADER' line (truncated?)")
    pos = end + len(END)
    chunks = []
    while pos < len(data):
        if pos + _HEADER.itemsize > len(data):
            raise DataFormatError(f"{name}: truncated packet header at byte {pos}")
        h = np.frombuffer(data, _HEADER, count=1, offset=pos)[0]
        pos += _HEADER.itemsize
        size, cap = int(h["size"]), int(h["capacity"])
        if size <= 0 or cap < 0 or size * cap > len(data) - pos:
            raise DataFormatError(f"{name}: packet at byte {pos - 28} declares {cap} events of {size} bytes, "
                                  f"only {len(data) - pos} bytes remain (truncated or corrupt)")
        if h["type"] == 1:
            if size != _POLARITY.itemsize:
                raise DataFormatError(f"{name}: polarity events must be 8 bytes, packet says {size}")
            ev = np.frombuffer(data, _POLARITY, count=cap, offset=pos)
            ev = ev[(ev["data"] & 1) == 1]
            chunk = np.empty(ev.size, VISION_DTYPE)
            chunk["x"] = (ev["data"] >> 17) & 0x7FFF
            chunk["y"] = (ev["data"] >> 2) & 0x7FFF
            chunk["p"] = (ev["data"] >> 1) & 1
            chunk["t"] = ev["t"].astype(np.int64) + (int(h["ts_overflow"]) << 31)
            chunks.append(chunk)
        pos += size * cap
    return np.concatenate(chunks) if chunks else np.zeros(0, VISION_DTYPE)


def read_aedat31(path) -> np.ndarray:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot read: {exc}") from exc
    return decode_aedat31(data, str(path))


def encode_aedat31(events) -> bytes:
    """Write polarity events as AEDAT 3.1 bytes: one packet per timestamp-overflow epoch (events share the packet's
    ``eventTSOverflow``, as cAER writes them). Used by tests and converters."""
    out = [b"#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n" + END]
    t = events["t"].astype(np.int64)
    epochs = t >> 31
    for epoch in np.unique(epochs):
        sel = epochs == epoch
        n = int(sel.sum())
        h = np.zeros(1, _HEADER)
        h["type"], h["size"], h["ts_offset"], h["capacity"], h["number"], h["valid"] = 1, 8, 4, n, n, n
        h["ts_overflow"] = int(epoch)
        ev = np.zeros(n, _POLARITY)
        ev["data"] = (events["x"][sel].astype(np.uint32) << 17) | (events["y"][sel].astype(np.uint32) << 2) | \
                     (events["p"][sel].astype(np.uint32) << 1) | 1
        ev["t"] = (t[sel] & 0x7FFFFFFF).astype(np.int32)
        out.append(h.tobytes() + ev.tobytes())
    return b"".join(out)
