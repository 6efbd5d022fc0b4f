"""Cache converted datasets (dense spike tensors + labels) in HDF5 with a schema version.

Layout (``neurosim-dataset-cache`` version 1): datasets ``x`` (N, T, C) float32 (gzip, chunked per sample),
``y`` (N,) int64, optional ``groups``; attributes ``schema``, ``schema_version``, ``complete`` and a JSON
``meta`` (how the tensors were made: dt, steps, source). Writes are atomic. Reading checks the schema, version,
completeness flag, that ``x`` and ``y`` agree in length, and that every sample can be read; anything else raises
:class:`~neurosim.errors.DataFormatError` naming the file — never a silent partial dataset.
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

from neurosim.errors import DataFormatError, ValidationError
from neurosim.io.atomic import atomic_path
from neurosim.io.memory_guard import check_allocation, dataset_bytes

SCHEMA, VERSION = "neurosim-dataset-cache", 1


def save_cache(path, x, y, *, groups=None, meta: dict | None = None) -> Path:
    x = np.asarray(x, np.float32)
    y = np.asarray(y)
    if x.ndim != 3 or y.shape != (x.shape[0],):
        raise ValidationError(f"x/y: expected x (N, T, C) and y (N,), got {x.shape} and {y.shape}")
    path = Path(path)
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.create_dataset("x", data=x, compression="gzip", chunks=(1,) + x.shape[1:] if x.size else None)
            f.create_dataset("y", data=y.astype(np.int64))
            if groups is not None:
                f.create_dataset("groups", data=np.asarray(groups, dtype="S"))
            f.attrs.update(schema=SCHEMA, schema_version=VERSION, meta=json.dumps(meta or {}), complete=1)
    return path


def load_cache(path, *, max_bytes: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, dict]:
    """``(x, y, groups, meta)`` of a cache written by :func:`save_cache`; a file whose declared arrays exceed
    ``max_bytes`` (default: the memory available now) is refused before anything is read."""
    path = Path(path)
    if not path.exists():
        raise DataFormatError(f"{path}: no such cache file")
    try:
        f = h5py.File(path, "r")
    except (OSError, ValueError) as exc:
        raise DataFormatError(f"{path}: not a readable HDF5 cache (truncated or corrupt): {exc}") from exc
    with f:
        if f.attrs.get("schema") != SCHEMA:
            raise DataFormatError(f"{path}: not a neurosim dataset cache (schema {f.attrs.get('schema')!r})")
        if int(f.attrs.get("schema_version", -1)) != VERSION:
            raise DataFormatError(f"{path}: cache schema version {f.attrs.get('schema_version')}, expected {VERSION} "
                                  "(rebuild the cache)")
        if int(f.attrs.get("complete", 0)) != 1:
            raise DataFormatError(f"{path}: cache is incomplete (the writer did not finish)")
        for key in ("x", "y"):
            if key not in f:
                raise DataFormatError(f"{path}: missing dataset {key!r}")
        if f["x"].ndim != 3 or f["y"].shape != (f["x"].shape[0],):
            raise DataFormatError(f"{path}: x {f['x'].shape} and y {f['y'].shape} disagree")
        check_allocation(path, dataset_bytes(f["x"]) + dataset_bytes(f["y"]), "the cached x and y", max_bytes)
        try:
            x, y = f["x"][()], f["y"][()]
            groups = np.asarray([g.decode() for g in f["groups"][()]]) if "groups" in f else None
            meta = json.loads(f.attrs.get("meta", "{}"))
        except (OSError, ValueError, KeyError) as exc:
            raise DataFormatError(f"{path}: cache data cannot be read (truncated?): {exc}") from exc
    return x, y, groups, meta


def from_tonic(dataset, sensor_size=None, limit: int | None = None):
    """An :class:`~neurosim.data.datasets.EventDataset` from any tonic dataset (its events are already
    structured arrays with ``x, (y,) t, p``); ``sensor_size`` defaults to the dataset's own."""
    from neurosim.data.datasets import EventDataset

    sensor = tuple(sensor_size or getattr(dataset, "sensor_size", ()) or ())
    if not sensor:
        raise ValidationError("sensor_size: the tonic dataset has none; pass it explicitly")
    n = len(dataset) if limit is None else min(limit, len(dataset))
    events, labels = [], []
    for i in range(n):
        ev, label = dataset[i]
        if not isinstance(ev, np.ndarray) or ev.dtype.names is None:
            raise DataFormatError(f"tonic sample {i}: expected raw events (no transform), got {type(ev).__name__}")
        events.append(ev)
        labels.append(int(label))
    return EventDataset(events, np.asarray(labels), sensor)
