"""Datasets the user brings: a folder of WAV recordings through the cochlea, or a folder (or HDF5 file) of event
recordings, as an :class:`~neurosim.data.datasets.EventDataset` with labels and groups (e.g. speakers), so any
recording set runs through the same training, evaluation and leave-one-group-out protocol as the shipped data.

Labels and groups come from the file names or folders (``label_from`` / ``group_from``):

* ``"fsdd"`` — Free Spoken Digit Dataset names ``{digit}_{speaker}_{index}.wav``: label = digit, group = speaker;
* ``"folder"`` — the name of the folder holding the file (tonic's ``root/<class>/<file>`` layout); for groups,
  ``"folder:N"`` takes the folder N levels up (``"folder:2"``: ``root/<speaker>/<class>/<file>``);
* a regular expression with a named group ``(?P<label>...)`` (for ``group_from``: ``(?P<group>...)``), matched
  against the file name without its extension;
* a callable ``f(path) -> value``.

Labels that are all integers are kept as integers; other labels are mapped to ``0..K-1`` in sorted order and the
names kept in ``dataset.meta["classes"]``. Reading never executes code (``wave`` / ``h5py`` / the event readers,
``numpy.load(..., allow_pickle=False)``); a file that cannot be read or named raises an error that names it.
"""

from __future__ import annotations

import re
import wave
from pathlib import Path
from typing import Callable

import numpy as np

from neurosim import validate
from neurosim.data.datasets import EventDataset
from neurosim.errors import DataFormatError, ValidationError

EVENT_SUFFIXES = (".bin", ".aedat4", ".aedat", ".npy")


def read_wav(path) -> tuple[np.ndarray, int]:
    """(mono float32 signal in [-1, 1], sample rate) of a PCM WAV file (8/16/24/32-bit; channels averaged)."""
    path = Path(path)
    try:
        with wave.open(str(path)) as w:
            width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError, OSError) as exc:
        raise DataFormatError(f"{path}: not a readable PCM WAV file ({exc})") from None
    if width == 1:
        x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    elif width == 2:
        x = np.frombuffer(raw, "<i2").astype(np.float32) / 2**15
    elif width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = (np.where(v >= 2**23, v - 2**24, v)).astype(np.float32) / 2**23
    elif width == 4:
        x = np.frombuffer(raw, "<i4").astype(np.float32) / 2**31
    else:
        raise DataFormatError(f"{path}: {8 * width}-bit samples are not supported (8, 16, 24 or 32-bit PCM)")
    if channels > 1:
        x = x[: x.size - x.size % channels].reshape(-1, channels).mean(axis=1)
    if x.size == 0:
        raise DataFormatError(f"{path}: the WAV file holds no samples")
    return x, rate


def _namer(spec, what: str) -> Callable[[Path], object]:
    if callable(spec):
        return spec
    if not isinstance(spec, str):
        raise ValidationError(f"{what}: expected 'fsdd', 'folder', 'folder:N', a regular expression or a callable, "
                              f"got {spec!r}")
    if spec == "fsdd":
        part = 0 if what == "label_from" else 1

        def fsdd(p: Path):
            bits = p.stem.split("_")
            if len(bits) != 3:
                raise ValidationError(f"{p.name}: not an FSDD name {{digit}}_{{speaker}}_{{index}}")
            return int(bits[0]) if part == 0 else bits[1]
        return fsdd
    m = re.fullmatch(r"folder(?::(\d+))?", spec)
    if m:
        up = int(m.group(1) or 1)
        if up < 1:
            raise ValidationError(f"{what}: folder:N needs N >= 1")
        return lambda p: p.parents[up - 1].name
    try:
        rx = re.compile(spec)
    except re.error as exc:
        raise ValidationError(f"{what}: {spec!r} is not a regular expression ({exc})") from None
    key = "label" if what == "label_from" else "group"
    if key not in rx.groupindex:
        raise ValidationError(f"{what}: the regular expression needs a named group (?P<{key}>...)")

    def match(p: Path):
        hit = rx.search(p.stem)
        if hit is None:
            raise ValidationError(f"{p.name}: {what} pattern {spec!r} does not match")
        return hit.group(key)
    return match


def _files(path: Path, suffixes) -> list[Path]:
    if not path.is_dir():
        raise ValidationError(f"{path}: not a folder")
    files = sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in suffixes)
    if not files:
        raise ValidationError(f"{path}: no {'/'.join(suffixes)} files found (searched sub-folders too)")
    return files


def _labels(raw: list, files: list[Path]) -> tuple[np.ndarray, tuple | None]:
    as_int = []
    for v in raw:
        try:
            as_int.append(int(v))
        except (TypeError, ValueError):
            break
    if len(as_int) == len(raw) and all(str(v).lstrip("-").isdigit() or isinstance(v, (int, np.integer))
                                       for v in raw):
        labels = np.asarray(as_int, np.int64)
        if labels.min() < 0:
            raise ValidationError(f"{files[int(np.argmin(labels))].name}: negative label {labels.min()}")
        return labels, None
    classes = tuple(sorted({str(v) for v in raw}))
    index = {c: i for i, c in enumerate(classes)}
    return np.asarray([index[str(v)] for v in raw], np.int64), classes


def _name_all(files, label_from, group_from):
    label_of = _namer(label_from, "label_from")
    group_of = None if group_from is None else _namer(group_from, "group_from")
    labels = [label_of(f) for f in files]
    groups = None if group_of is None else np.asarray([str(group_of(f)) for f in files])
    return labels, groups


def load_wav_folder(path, *, label_from="fsdd", group_from=None, cochlea=None, progress: bool = False,
                    limit: int | None = None) -> EventDataset:
    """Every ``*.wav`` under ``path`` through ``cochlea`` (default: the front end of the shipped spoken digits,
    ``Cochlea(8000, 64)``; recordings at another sample rate are resampled to the cochlea's). ``label_from`` /
    ``group_from``: see the module docstring (``"fsdd"`` labels by digit; with it, ``group_from`` defaults to
    the speaker). ``limit``: read only the first ``limit`` files (sorted by path)."""
    from math import gcd

    from scipy.signal import resample_poly

    from neurosim.data.cochlea import Cochlea

    path = Path(path)
    files = _files(path, (".wav",))
    if limit is not None:
        files = files[: validate.positive_int("limit", limit)]
    if group_from is None and label_from == "fsdd":
        group_from = "fsdd"
    raw_labels, groups = _name_all(files, label_from, group_from)
    labels, classes = _labels(raw_labels, files)
    cochlea = Cochlea(8000, 64) if cochlea is None else cochlea
    it = files
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(files, desc="cochlea", unit="wav")
    events = []
    for f in it:
        audio, rate = read_wav(f)
        if rate != cochlea.sample_rate:
            g = gcd(rate, cochlea.sample_rate)
            audio = resample_poly(audio, cochlea.sample_rate // g, rate // g).astype(np.float32)
        try:
            events.append(cochlea(audio))
        except ValidationError as exc:
            raise ValidationError(f"{f}: {exc}") from None
    meta = {"front_end": cochlea.describe(), "source": str(path)}
    if classes is not None:
        meta["classes"] = classes
    ds = EventDataset(events, labels, (cochlea.n_channels, 1), groups, meta)
    ds.group_name = "speaker" if group_from == "fsdd" else "group"
    return ds


def _read_events(f: Path):
    from neurosim.data.readers import read_aedat4, read_aedat31, read_nmnist
    from neurosim.data.readers.nmnist import SENSOR_SIZE

    suffix = f.suffix.lower()
    if suffix == ".bin":
        return read_nmnist(f), tuple(SENSOR_SIZE)
    if suffix == ".aedat4":
        return read_aedat4(f)
    if suffix == ".aedat":
        return read_aedat31(f), None
    try:
        ev = np.load(f, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise DataFormatError(f"{f}: not a readable .npy event array ({exc})") from None
    if ev.dtype.names is None or not {"x", "t"} <= set(ev.dtype.names):
        raise DataFormatError(f"{f}: expected a structured event array with fields x, t (and y, p), got dtype "
                              f"{ev.dtype}")
    return ev, None


def load_event_dataset(path, *, label_from="folder", group_from=None, sensor_size=None) -> EventDataset:
    """Event recordings the user has on disk, as one :class:`EventDataset`.

    ``path`` is either an HDF5 spike dataset (neurosim's or SHD's layout: ``spikes/times``, ``spikes/units``,
    ``labels``; speakers as groups where present), or a folder searched recursively for N-MNIST ``.bin``,
    AEDAT 4 ``.aedat4``, AEDAT 3.1 ``.aedat`` and structured ``.npy`` event arrays, labelled by ``label_from``
    (default: the folder name, tonic's layout) and grouped by ``group_from``. ``sensor_size`` defaults to what
    the files state (N-MNIST 34×34×2, AEDAT 4 headers) or else the largest coordinates seen."""
    from neurosim.data.datasets import _load
    from neurosim.data.events import check_events

    path = Path(path)
    if path.is_file() and path.suffix.lower() in (".h5", ".hdf5"):
        try:
            ds, _ = _load(path)
        except (OSError, KeyError) as exc:
            raise DataFormatError(f"{path}: not a readable HDF5 spike dataset ({exc})") from None
        ds.meta = {**ds.meta, "source": str(path)}
        if ds.groups is not None:
            ds.group_name = "speaker"
        return ds
    files = _files(path, EVENT_SUFFIXES)
    raw_labels, groups = _name_all(files, label_from, group_from)
    labels, classes = _labels(raw_labels, files)
    events, sizes = [], []
    for f in files:
        ev, size = _read_events(f)
        events.append(check_events(ev, str(f)))
        sizes.append(size)
    vision = ["y" in ev.dtype.names for ev in events]
    if len(set(vision)) > 1:
        raise ValidationError(f"{path}: mixes vision (x, y) and audio (x only) event files")
    if sensor_size is None:
        stated = {s for s in sizes if s is not None}
        if len(stated) > 1:
            raise ValidationError(f"{path}: files state different sensor sizes {sorted(stated)}; pass sensor_size=")
        if stated:
            sensor_size = stated.pop()
        else:
            xs = max((int(ev["x"].max()) + 1 for ev in events if ev.size), default=1)
            if vision[0]:
                ys = max((int(ev["y"].max()) + 1 for ev in events if ev.size), default=1)
                sensor_size = (xs, ys, 2)
            else:
                sensor_size = (xs, 1)
    sensor_size = tuple(int(v) for v in sensor_size)
    for f, ev in zip(files, events):  # events outside the sensor would be silently dropped by to_dense
        check_events(ev, str(f), sensor_size=sensor_size)
    meta = {"source": str(path)}
    if classes is not None:
        meta["classes"] = classes
    return EventDataset(events, labels, sensor_size, groups, meta)
