"""Simulation recordings in HDF5: spikes as sparse events, traces as dense arrays, activity statistics.

:class:`Recorder` is an ``on_chunk`` sink for :func:`neurosim.simulate`: every chunk is appended to resizable,
chunked, compressed datasets, so a 10⁶-step run streams to disk in constant memory. Binary records (``*.spike``)
are stored as events — ``<name>/step`` (int64) and ``<name>/index`` (int64, flattened (batch…, neuron) index) —
other records as ``<name>/values`` (T, …) float32. The file is written under a temporary name and renamed on
:meth:`Recorder.close` (atomic: a crash leaves no half-written recording under the final name); ``close`` also
stores the run's :class:`~neurosim.core.activity.Activity` summary (JSON) and marks the file complete.
:func:`read_recording` checks the schema and completeness and rebuilds dense spike arrays on request.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import h5py
import numpy as np

from neurosim.errors import DataFormatError
from neurosim.io.memory_guard import check_allocation, dataset_bytes

SCHEMA, VERSION = "neurosim-recording", 1


class Recorder:
    """Streaming HDF5 writer; use as ``simulate(..., on_chunk=rec, keep_records=False)`` then ``rec.close(result)``."""

    def __init__(self, path, *, compression: str | None = "gzip"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        self._tmp = Path(tmp)
        self._f = h5py.File(self._tmp, "w")
        self._f.attrs.update(schema=SCHEMA, schema_version=VERSION, complete=0)
        self._opts = dict(compression=compression) if compression else {}
        self.steps = 0
        self._shapes: dict[str, tuple] = {}

    def _append(self, name: str, data: np.ndarray, dtype) -> None:
        if name not in self._f:
            self._f.create_dataset(name, shape=(0,) + data.shape[1:], maxshape=(None,) + data.shape[1:],
                                   dtype=dtype, chunks=True, **self._opts)
        ds = self._f[name]
        n = ds.shape[0]
        ds.resize(n + data.shape[0], axis=0)
        ds[n:] = data

    def __call__(self, start: int, records: dict) -> None:
        length = 0
        for name, arr in records.items():
            arr = np.asarray(arr)
            length = arr.shape[0]
            self._shapes.setdefault(name, arr.shape[1:])
            if name.endswith(".spike") or name.endswith("spike"):
                flat = arr.reshape(arr.shape[0], -1)
                steps, idx = np.nonzero(flat)
                self._append(f"{name}/step", (steps + start).astype(np.int64), np.int64)
                self._append(f"{name}/index", idx.astype(np.int64), np.int64)
            else:
                self._append(f"{name}/values", arr.astype(np.float32), np.float32)
        self.steps = max(self.steps, start + length)

    def close(self, result=None, meta: dict | None = None) -> Path:
        """Store shapes, activity and ``meta``, mark complete and move the file into place."""
        try:
            for name, shape in self._shapes.items():
                self._f.require_group(name).attrs["shape"] = np.asarray(shape, np.int64)
            self._f.attrs["steps"] = self.steps
            if result is not None:
                self._f.attrs["activity"] = json.dumps(result.activity.summary())
                self._f.attrs["dt"] = result.dt
            self._f.attrs["meta"] = json.dumps(meta or {})
            self._f.attrs["complete"] = 1
            self._f.close()
            os.replace(self._tmp, self.path)
        except BaseException:
            self.abort()
            raise
        return self.path

    def abort(self) -> None:
        try:
            self._f.close()
        finally:
            self._tmp.unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.abort()


def read_recording(path, *, dense: bool = True, max_bytes: int | None = None) -> dict:
    """``{"records": {name: array}, "activity": dict, "steps": int, "meta": dict}``; spikes come back dense
    (T, …) float32 when ``dense`` else as ``(step, index)`` pairs. A recording whose declared arrays (or dense
    spike rasters) exceed ``max_bytes`` (default: the memory available now) is refused before reading."""
    path = Path(path)
    try:
        f = h5py.File(path, "r")
    except (OSError, ValueError) as exc:
        raise DataFormatError(f"{path}: not a readable recording: {exc}") from exc
    with f:
        if f.attrs.get("schema") != SCHEMA or int(f.attrs.get("schema_version", -1)) != VERSION:
            raise DataFormatError(f"{path}: not a neurosim recording (schema {f.attrs.get('schema')!r})")
        if int(f.attrs.get("complete", 0)) != 1:
            raise DataFormatError(f"{path}: recording is incomplete")
        steps = int(f.attrs["steps"])
        records = {}
        try:
            for name in _record_names(f):
                g = f[name]
                shape = tuple(int(s) for s in g.attrs["shape"])
                if "values" in g:
                    check_allocation(path, dataset_bytes(g["values"]), f"record {name!r}", max_bytes)
                else:
                    need = dataset_bytes(g["step"]) + dataset_bytes(g["index"])
                    if dense:
                        need += steps * int(np.prod(shape, dtype=np.int64)) * 4
                    check_allocation(path, need, f"record {name!r}", max_bytes)
                if "values" in g:
                    records[name] = g["values"][()]
                else:
                    step, idx = g["step"][()], g["index"][()]
                    if dense:
                        arr = np.zeros((steps, int(np.prod(shape))), np.float32)
                        arr[step, idx] = 1.0
                        records[name] = arr.reshape((steps,) + shape)
                    else:
                        records[name] = (step, idx)
        except (OSError, KeyError, IndexError, ValueError) as exc:
            raise DataFormatError(f"{path}: recording data cannot be read: {exc}") from exc
        return {"records": records, "activity": json.loads(f.attrs.get("activity", "{}")), "steps": steps,
                "meta": json.loads(f.attrs.get("meta", "{}"))}


def _record_names(f) -> list[str]:
    names = []

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and "shape" in obj.attrs:
            names.append(name)

    f.visititems(visit)
    return names
