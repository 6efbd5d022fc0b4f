"""AEDAT 4 files (iniVation DV software).

Layout: the line ``#!AER-DAT4.0\\r\\n``; an ``int32`` size and a FlatBuffer *IOHeader* (compression, data-table
position — where the packets end and a packet index begins — and an XML *infoNode* describing every output stream: its id, ``typeIdentifier`` — ``EVTS`` polarity
events, ``FRME`` frames, ``IMUS``, ``TRIG`` — and sensor ``sizeX``/``sizeY``); then packets, each
``int32 stream_id, int32 size`` and ``size`` bytes of a FlatBuffer (LZ4- or Zstd-compressed per the header). An
``EVTS`` packet's table holds a vector of 16-byte structs ``{int64 t [µs]; int16 x; int16 y; bool on; pad[3]}``.
Only polarity-event streams are decoded. FlatBuffers are parsed directly (offsets checked against the buffer) —
no code generation, no pickle. LZ4/Zstd need the ``lz4`` / ``zstandard`` packages (neurosim dependencies).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np

from neurosim.data.events import VISION_DTYPE
from neurosim.errors import DataFormatError

MAGIC = b"#!AER-DAT4.0\r\n"
_COMPRESSION = {0: "none", 1: "lz4", 2: "lz4", 3: "zstd", 4: "zstd"}  # NONE, LZ4, LZ4_HIGH, ZSTD, ZSTD_HIGH
_EVENT = np.dtype([("t", "<i8"), ("x", "<i2"), ("y", "<i2"), ("on", "u1"), ("pad", "V3")])


class _Buf:
    """Bounds-checked little-endian reads from a FlatBuffer."""

    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name

    def u32(self, off):
        return self._unpack("<I", off)

    def i32(self, off):
        return self._unpack("<i", off)

    def u16(self, off):
        return self._unpack("<H", off)

    def _unpack(self, fmt, off):
        size = struct.calcsize(fmt)
        if off < 0 or off + size > len(self.data):
            raise DataFormatError(f"{self.name}: FlatBuffer offset {off} out of range ({len(self.data)} bytes)")
        return struct.unpack_from(fmt, self.data, off)[0]

    def table_field(self, table: int, index: int) -> int | None:
        """Absolute position of field ``index`` of the table at ``table`` (None when absent)."""
        vtable = table - self.i32(table)
        vt_size = self.u16(vtable)
        slot = 4 + 2 * index
        if slot + 2 > vt_size:
            return None
        rel = self.u16(vtable + slot)
        return table + rel if rel else None

    def deref(self, pos: int) -> int:
        return pos + self.u32(pos)

    def vector(self, pos: int) -> tuple[int, int]:
        start = self.deref(pos)
        return start + 4, self.u32(start)


def _root_table(buf: _Buf) -> int:
    return buf.u32(0)


def _unprefix(data: bytes) -> bytes:
    """DV writes packets size-prefixed (``uint32 size`` then the FlatBuffer with its 4-byte identifier)."""
    if len(data) >= 8 and struct.unpack_from("<I", data, 0)[0] == len(data) - 4:
        return data[4:]
    return data


def _decompress(payload: bytes, method: str, name: str) -> bytes:
    if method == "none":
        return payload
    try:
        if method == "lz4":
            import lz4.frame

            return lz4.frame.decompress(payload)
        import zstandard

        return zstandard.ZstdDecompressor().decompress(payload, max_output_size=1 << 30)
    except ImportError as exc:
        raise DataFormatError(f"{name}: {method} compression needs the '{'lz4' if method == 'lz4' else 'zstandard'}' "
                              "package") from exc
    except Exception as exc:  # corrupt compressed data: lz4/zstd raise their own error types
        raise DataFormatError(f"{name}: corrupt {method} packet: {exc}") from exc


def read_aedat4(path, *, max_bytes: int = 1 << 31) -> tuple[np.ndarray, tuple[int, int, int]]:
    """Polarity events of an AEDAT4 file and the sensor size ``(width, height, 2)``."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DataFormatError(f"{path}: {size:,} bytes exceeds max_bytes={max_bytes:,}; read it in parts")
        data = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot read: {exc}") from exc
    return decode_aedat4(data, str(path))


def decode_aedat4(data: bytes, name: str = "<bytes>") -> tuple[np.ndarray, tuple[int, int, int]]:
    if not data.startswith(MAGIC):
        raise DataFormatError(f"{name}: not an AEDAT 4 file (missing '#!AER-DAT4.0' header line)")
    pos = len(MAGIC)
    if pos + 4 > len(data):
        raise DataFormatError(f"{name}: truncated before the IOHeader")
    (hsize,) = struct.unpack_from("<i", data, pos)
    pos += 4
    if hsize <= 0 or pos + hsize > len(data):
        raise DataFormatError(f"{name}: IOHeader size {hsize} does not fit the file ({len(data)} bytes)")
    header = _Buf(_unprefix(data[pos:pos + hsize]), f"{name} (IOHeader)")
    pos += hsize
    root = _root_table(header)
    comp_pos = header.table_field(root, 0)
    compression = _COMPRESSION.get(header.i32(comp_pos) if comp_pos is not None else 0)
    if compression is None:
        raise DataFormatError(f"{name}: unknown compression code {header.i32(comp_pos)}")
    table_pos = header.table_field(root, 1)  # int64 dataTablePosition: packets end where the index table starts
    end = len(data)
    if table_pos is not None:
        (dt_pos,) = struct.unpack_from("<q", header.data, table_pos) if table_pos + 8 <= len(header.data) else (-1,)
        if 0 < dt_pos <= len(data):
            end = dt_pos
    info_pos = header.table_field(root, 2)
    if info_pos is None:
        raise DataFormatError(f"{name}: IOHeader has no infoNode")
    start, length = header.vector(info_pos)
    if start + length > len(header.data):
        raise DataFormatError(f"{name}: infoNode string runs past the IOHeader")
    info = header.data[start:start + length].decode("utf-8", errors="replace")
    streams = _event_streams(info)
    if not streams:
        raise DataFormatError(f"{name}: no polarity-event (EVTS) stream in the file")
    chunks = []
    sensor = None
    while pos < end:
        if pos + 8 > end:
            raise DataFormatError(f"{name}: truncated packet header at byte {pos}")
        stream_id, psize = struct.unpack_from("<ii", data, pos)
        pos += 8
        if psize < 0 or pos + psize > end:
            raise DataFormatError(f"{name}: packet at byte {pos - 8} declares {psize} bytes, "
                                  f"only {end - pos} remain (truncated file)")
        payload = data[pos:pos + psize]
        pos += psize
        if stream_id not in streams:
            continue
        sensor = streams[stream_id]
        buf = _Buf(_unprefix(_decompress(payload, compression, name)), f"{name} (packet)")
        table = _root_table(buf)
        field = buf.table_field(table, 0)
        if field is None:
            continue
        vstart, n = buf.vector(field)
        if vstart + n * _EVENT.itemsize > len(buf.data):
            raise DataFormatError(f"{name}: event vector of {n} events runs past its packet")
        chunks.append(np.frombuffer(buf.data, _EVENT, count=n, offset=vstart))
    raw = np.concatenate(chunks) if chunks else np.zeros(0, _EVENT)
    ev = np.empty(raw.size, VISION_DTYPE)
    ev["x"], ev["y"], ev["t"], ev["p"] = raw["x"], raw["y"], raw["t"], raw["on"] != 0
    w, h = sensor if sensor else (0, 0)
    return ev, (w, h, 2)


def _event_streams(info: str) -> dict[int, tuple[int, int]]:
    """stream id → (sizeX, sizeY) for every EVTS stream described in the infoNode XML."""
    streams = {}
    for match in re.finditer(r'<node name="(\d+)" path="[^"]*outInfo/\d+/">(.*?)(?=<node name="\d+" path="[^"]*'
                             r'outInfo/\d+/">|\Z)', info, re.S):
        body = match.group(2)
        if re.search(r'key="typeIdentifier" type="string">EVTS<', body):
            sx = re.search(r'key="sizeX" type="int">(\d+)<', body)
            sy = re.search(r'key="sizeY" type="int">(\d+)<', body)
            streams[int(match.group(1))] = (int(sx.group(1)) if sx else 0, int(sy.group(1)) if sy else 0)
    return streams
