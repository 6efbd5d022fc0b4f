"""HDF5 spike datasets in the SHD / N-TIDIGITS layout (Cramer et al. 2020), read lazily one sample at a time.

Layout: ``spikes/times`` and ``spikes/units`` are variable-length arrays (one entry per sample: spike times in
seconds, channel indices), ``labels`` holds one integer per sample, optional ``extra/speaker`` (and any other
``extra/*``). HDF5 cannot compress variable-length data, so neurosim also reads (and writes, for its embedded
datasets) a *flat* variant: ``spikes/t_ms`` (uint16) and ``spikes/units`` (uint8/16) concatenated over samples,
``spikes/offsets`` (N + 1 sample boundaries), gzip-compressed. :class:`SpikeDataset` keeps the file open and reads sample ``i`` on ``ds[i]`` — h5py fetches only
that sample's two arrays, so a 1 GB file streams in constant memory (iterate, or hand it to a batching loop).
Shapes are checked against the declared dataset sizes before anything is read; a file whose declared sizes
exceed ``max_bytes`` (default: the memory available now, :mod:`neurosim.io.memory_guard`) is refused before
allocation.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from neurosim.data.events import AUDIO_DTYPE
from neurosim.errors import DataFormatError, ValidationError
from neurosim.io.memory_guard import check_allocation, dataset_bytes


class SpikeDataset:
    """Lazy reader: ``len(ds)``, ``ds[i] -> (events, label)`` with audio events (x = channel, t in µs)."""

    def __init__(self, path, *, n_channels: int | None = None, max_bytes: int | None = None):
        self.path = Path(path)
        try:
            self._f = h5py.File(self.path, "r")
        except (OSError, ValueError) as exc:
            raise DataFormatError(f"{self.path}: not a readable HDF5 file: {exc}") from exc
        try:
            f = self._f
            self.flat = "spikes/offsets" in f
            need = ("spikes/t_ms", "spikes/units", "spikes/offsets", "labels") if self.flat else \
                ("spikes/times", "spikes/units", "labels")
            for key in need:
                if key not in f:
                    raise DataFormatError(f"{self.path}: missing dataset '{key}' (layout needs {', '.join(need)})")
            self._units, self._labels = f["spikes/units"], f["labels"]
            self._times = f["spikes/t_ms"] if self.flat else f["spikes/times"]
            n = self._labels.shape[0] if self._labels.ndim == 1 else -1
            if self.flat:
                self._offsets = np.asarray(f["spikes/offsets"][()], np.int64)
                total = self._times.shape[0] if self._times.ndim == 1 else -1
                if (n < 0 or self._offsets.shape != (n + 1,) or self._units.shape != (total,) or total < 0
                        or self._offsets[0] != 0 or self._offsets[-1] != total or np.any(np.diff(self._offsets) < 0)):
                    raise DataFormatError(f"{self.path}: flat layout inconsistent: {n} labels, offsets "
                                          f"{self._offsets.shape}, {total} times, {self._units.shape} units")
            elif n < 0 or self._times.shape != (n,) or self._units.shape != (n,):
                raise DataFormatError(f"{self.path}: spikes/times {self._times.shape}, spikes/units "
                                      f"{self._units.shape} and labels {self._labels.shape} must all be (N,)")
            check_allocation(self.path, sum(dataset_bytes(d) for d in (self._times, self._units, self._labels)),
                             "the spike data", max_bytes)
            self.n_channels = n_channels or int(f.attrs.get("n_channels", 0)) or None
            self.speakers = (np.asarray(f["extra/speaker"][()]) if "extra/speaker" in f else None)
            if self.speakers is not None and self.speakers.shape[0] != n:
                raise DataFormatError(f"{self.path}: extra/speaker has {self.speakers.shape[0]} entries for {n} samples")
        except DataFormatError:
            self._f.close()
            raise
        except (OSError, KeyError, ValueError, TypeError) as exc:
            self._f.close()
            raise DataFormatError(f"{self.path}: unreadable SHD layout: {exc}") from exc
        self._n = n

    def __len__(self):
        return self._n

    @property
    def labels(self) -> np.ndarray:
        return np.asarray(self._labels[()])

    def __repr__(self):
        if not self._f:
            return f"SpikeDataset({str(self.path)!r}, closed)"
        ch = f"{self.n_channels} channels" if self.n_channels else "channels undeclared"
        spk = "" if self.speakers is None else f", {len(np.unique(self.speakers))} speakers"
        layout = "flat layout (t in ms)" if self.flat else "SHD layout (t in s)"
        return f"SpikeDataset({str(self.path)!r}: {self._n} samples, {ch}{spk}, {layout}; read lazily)"

    def __getitem__(self, i):
        """``ds[i]`` → ``(events, label)``; a slice, index array or boolean mask reads those samples into an
        :class:`~neurosim.data.datasets.EventDataset` (speakers as its groups)."""
        if not isinstance(i, (int, np.integer)) or isinstance(i, bool):
            from neurosim.data.datasets import EventDataset, _indices

            idx = _indices(i, self._n, f"{self.path.name}")
            events, labels = zip(*(self[int(k)] for k in idx)) if idx.size else ((), ())
            n_ch = self.n_channels or max([int(ev["x"].max()) + 1 for ev in events if ev.size] or [1])
            groups = None
            if self.speakers is not None:
                groups = np.asarray([g.decode() if isinstance(g, bytes) else str(g) for g in self.speakers[idx]])
            return EventDataset(list(events), np.asarray(labels, np.int64), (n_ch, 1), groups,
                                {"source": str(self.path)}, "speaker")
        if not -self._n <= i < self._n:
            raise IndexError(f"{self.path.name}: index {i} out of range for {self._n} samples")
        i = int(i) + self._n if i < 0 else int(i)
        try:
            if self.flat:
                a, b = self._offsets[i], self._offsets[i + 1]
                t = np.asarray(self._times[a:b], np.float64) * 1e-3
                u = np.asarray(self._units[a:b], np.int64)
            else:
                t = np.asarray(self._times[i], np.float64)
                u = np.asarray(self._units[i], np.int64)
            label = int(self._labels[i])
        except (OSError, ValueError, TypeError) as exc:
            raise DataFormatError(f"{self.path}: sample {i} cannot be read (truncated or corrupt): {exc}") from exc
        if t.shape != u.shape:
            raise DataFormatError(f"{self.path}: sample {i} has {t.size} times but {u.size} units")
        if u.size and (u.min() < 0 or (self.n_channels and u.max() >= self.n_channels)):
            raise DataFormatError(f"{self.path}: sample {i} has channel indices outside [0, {self.n_channels})")
        if not np.all(np.isfinite(t)):
            raise DataFormatError(f"{self.path}: sample {i} has non-finite spike times")
        ev = np.empty(t.size, AUDIO_DTYPE)
        ev["x"], ev["t"], ev["p"] = u, np.round(t * 1e6).astype(np.int64), 0
        return ev, label

    def __iter__(self):
        for i in range(self._n):
            yield self[i]

    def close(self):
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def write_spike_dataset(path, events_list, labels, *, n_channels: int, extra: dict | None = None,
                        attrs: dict | None = None, compression: str | None = "gzip", flat: bool = False) -> Path:
    """Write samples atomically in the SHD layout (times in s as float32, units uint16) or, with ``flat``, the
    compressible flat layout (times in whole ms as uint16, units uint8 when < 256 channels)."""
    from neurosim.io.atomic import atomic_path

    path = Path(path)
    vt, vu = h5py.vlen_dtype(np.float32), h5py.vlen_dtype(np.uint16)
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            n = len(events_list)
            if flat:
                t_ms = np.concatenate([np.round(ev["t"] * 1e-3) for ev in events_list]) if n else np.zeros(0)
                if t_ms.size and t_ms.max() > np.iinfo(np.uint16).max:
                    raise ValidationError("events: flat layout stores times as uint16 ms (< 65.5 s per sample)")
                units = np.concatenate([ev["x"] for ev in events_list]) if n else np.zeros(0)
                offsets = np.concatenate([[0], np.cumsum([ev.size for ev in events_list])]).astype(np.int64)
                opts = dict(compression=compression, shuffle=True) if compression else {}
                f.create_dataset("spikes/t_ms", data=t_ms.astype(np.uint16), **opts)
                f.create_dataset("spikes/units", data=units.astype(np.uint8 if n_channels <= 256 else np.uint16),
                                 **opts)
                f.create_dataset("spikes/offsets", data=offsets)
            else:
                times = f.create_dataset("spikes/times", (n,), dtype=vt)
                units_ds = f.create_dataset("spikes/units", (n,), dtype=vu)
                for i, ev in enumerate(events_list):
                    times[i] = (ev["t"] * 1e-6).astype(np.float32)
                    units_ds[i] = ev["x"].astype(np.uint16)
            f.create_dataset("labels", data=np.asarray(labels, np.int16))
            for key, value in (extra or {}).items():
                f.create_dataset(f"extra/{key}", data=value)
            f.attrs["n_channels"] = n_channels
            for key, value in (attrs or {}).items():
                f.attrs[key] = value
    return path
