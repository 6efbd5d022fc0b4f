"""Event arrays (tonic-compatible) and conversions to dense tensors for the simulator.

Events are structured NumPy arrays, as in tonic: fields ``x, y, t, p`` for vision sensors (``x, y`` pixel,
``t`` timestamp in µs, ``p`` polarity 0/1) and ``x, t, p`` for audio (``x`` = channel). A tonic dataset's events
work here unchanged, and ours work in tonic's transforms.

Conversions: :func:`to_frames` (event counts per time bin and pixel, optionally binary) and :func:`to_spike_train`
(a (T, channels) float32 array on a fixed ``dt``: channel = flattened (p, y, x) or (p, x), what the simulator eats).
Transforms: :func:`downsample`, :func:`crop`, :func:`denoise` (nearest-neighbour support filter) and
:func:`time_jitter` (seeded).
"""

from __future__ import annotations

import numpy as np

from neurosim import validate
from neurosim.errors import ValidationError

VISION_DTYPE = np.dtype([("x", np.int16), ("y", np.int16), ("t", np.int64), ("p", np.int8)])
AUDIO_DTYPE = np.dtype([("x", np.int16), ("t", np.int64), ("p", np.int8)])


def make_events(x, t, p=None, y=None) -> np.ndarray:
    """Build a structured event array (vision when ``y`` is given, audio otherwise); ``t`` in µs."""
    x = np.asarray(x)
    t = np.asarray(t)
    p = np.zeros_like(x) if p is None else np.asarray(p)
    dtype = VISION_DTYPE if y is not None else AUDIO_DTYPE
    n = x.shape[0]
    for name, arr in (("t", t), ("p", p)) + ((("y", np.asarray(y)),) if y is not None else ()):
        if arr.shape != (n,):
            raise ValidationError(f"{name}: expected shape ({n},) like x, got {arr.shape}")
    ev = np.empty(n, dtype)
    ev["x"], ev["t"], ev["p"] = x, t, p
    if y is not None:
        ev["y"] = y
    return ev


def is_vision(events) -> bool:
    return events.dtype.names is not None and "y" in events.dtype.names


def check_events(events, name: str = "events", *, sensor_size=None, monotone: bool = False) -> np.ndarray:
    """Validate a structured event array (fields, bounds, optional monotone time)."""
    if not isinstance(events, np.ndarray) or events.dtype.names is None:
        raise ValidationError(f"{name}: expected a structured array with fields x, (y,) t, p")
    missing = {"x", "t", "p"} - set(events.dtype.names)
    if missing:
        raise ValidationError(f"{name}: missing field(s) {sorted(missing)}")
    if events.size:
        if np.any(events["x"] < 0) or (is_vision(events) and np.any(events["y"] < 0)):
            raise ValidationError(f"{name}: negative coordinates")
        if sensor_size is not None:
            if np.any(events["x"] >= sensor_size[0]) or (is_vision(events) and np.any(events["y"] >= sensor_size[1])):
                raise ValidationError(f"{name}: coordinates outside the sensor size {tuple(sensor_size)}")
        if monotone and np.any(np.diff(events["t"]) < 0):
            raise ValidationError(f"{name}: timestamps are not monotone")
    return events


def _channels(events, sensor_size) -> tuple[np.ndarray, int]:
    """Flattened channel index per event: (p, y, x) for vision, (p, x) for audio; and the channel count."""
    n_pol = int(sensor_size[-1])
    if is_vision(events):
        w, h = int(sensor_size[0]), int(sensor_size[1])
        ch = (events["p"].astype(np.int64) * h + events["y"]) * w + events["x"]
        return ch, n_pol * h * w
    w = int(sensor_size[0])
    return events["p"].astype(np.int64) * w + events["x"], n_pol * w


def to_spike_train(events, sensor_size, dt_us: float, n_steps: int | None = None, t_start: float | None = None,
                   binary: bool = True) -> np.ndarray:
    """(T, channels) float32: events binned on ``dt_us``; ``binary`` clips counts to 1 (spikes)."""
    check_events(events, sensor_size=sensor_size)
    dt_us = float(validate.positive("dt_us", dt_us))
    ch, n_ch = _channels(events, sensor_size)
    t0 = events["t"].min() if (t_start is None and events.size) else (t_start or 0)
    idx = ((events["t"] - t0) // dt_us).astype(np.int64)
    if n_steps is None:
        n_steps = int(idx.max()) + 1 if events.size else 1
    keep = (idx >= 0) & (idx < n_steps)
    out = np.zeros((n_steps, n_ch), np.float32)
    np.add.at(out, (idx[keep], ch[keep]), 1.0)
    return np.minimum(out, 1.0) if binary else out


def to_frames(events, sensor_size, *, n_bins: int | None = None, dt_us: float | None = None,
              binary: bool = False) -> np.ndarray:
    """Frames (T, polarity, H, W) for vision or (T, polarity, channels) for audio, by ``n_bins`` equal time bins
    or bins of ``dt_us``."""
    check_events(events, sensor_size=sensor_size)
    if (n_bins is None) == (dt_us is None):
        raise ValidationError("n_bins/dt_us: give exactly one")
    if n_bins is not None:
        n_bins = validate.positive_int("n_bins", n_bins)
        span = (events["t"].max() - events["t"].min() + 1) if events.size else 1
        dt_us = span / n_bins
    train = to_spike_train(events, sensor_size, dt_us, n_bins, binary=binary)
    n_pol = int(sensor_size[-1])
    if is_vision(events):
        return train.reshape(train.shape[0], n_pol, int(sensor_size[1]), int(sensor_size[0]))
    return train.reshape(train.shape[0], n_pol, int(sensor_size[0]))


def downsample(events, factor: int) -> np.ndarray:
    """Integer spatial downsampling (coordinates divided by ``factor``)."""
    factor = validate.positive_int("factor", factor)
    out = events.copy()
    out["x"] //= factor
    if is_vision(out):
        out["y"] //= factor
    return out


def crop(events, x0: int, x1: int, y0: int | None = None, y1: int | None = None) -> np.ndarray:
    """Keep events with x0 <= x < x1 (and y0 <= y < y1), shifting coordinates to start at 0."""
    keep = (events["x"] >= x0) & (events["x"] < x1)
    if is_vision(events) and y0 is not None:
        keep &= (events["y"] >= y0) & (events["y"] < y1)
    out = events[keep].copy()
    out["x"] -= x0
    if is_vision(out) and y0 is not None:
        out["y"] -= y0
    return out


def denoise(events, sensor_size, filter_time_us: float) -> np.ndarray:
    """Drop events with no event at a neighbouring pixel (8-neighbourhood) within ``filter_time_us`` before them
    (the background-activity filter of Delbruck 2008, as in tonic's ``Denoise``)."""
    filter_time_us = float(validate.positive("filter_time_us", filter_time_us))
    if not is_vision(events):
        raise ValidationError("denoise: needs vision events (x, y, t, p)")
    w, h = int(sensor_size[0]), int(sensor_size[1])
    last = np.full((w + 2, h + 2), -np.inf)
    keep = np.zeros(events.size, bool)
    order = np.argsort(events["t"], kind="stable")
    for i in order:
        x, y, t = int(events["x"][i]) + 1, int(events["y"][i]) + 1, events["t"][i]
        neigh = last[x - 1:x + 2, y - 1:y + 2].copy()
        neigh[1, 1] = -np.inf
        keep[i] = t - neigh.max() <= filter_time_us
        last[x, y] = t
    return events[keep]


def time_jitter(events, std_us: float, rng: np.random.Generator, *, clip_negative: bool = True) -> np.ndarray:
    """Add Gaussian jitter (s.d. ``std_us``) to timestamps and re-sort."""
    std_us = float(validate.positive("std_us", std_us, allow_zero=True))
    out = events.copy()
    out["t"] = out["t"] + np.round(rng.normal(0.0, std_us, out.size)).astype(np.int64)
    if clip_negative:
        out["t"] = np.maximum(out["t"], 0)
    return out[np.argsort(out["t"], kind="stable")]
