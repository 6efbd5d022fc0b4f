"""The full N-MNIST set from disk, as tonic lays it out: a map-style dataset with tonic's interface.

``NMNIST(root, train=True)`` reads ``root/Train/<digit>/*.bin`` (or ``root/Test/...``; ``root/NMNIST/Train``
also works, the folder tonic's ``NMNIST(save_to=root)`` extracts to). It never downloads: point it at files you
have. ``ds[i]`` is ``(events, label)`` after the optional ``transform`` / ``target_transform`` (the same
callables tonic takes, e.g. ``neurosim.data.denoise`` via a lambda); events are neurosim's structured
``VISION_DTYPE`` arrays (fields x, y, t [µs], p), which tonic's transforms accept. :meth:`NMNIST.to_event_dataset`
reads a subset into an :class:`~neurosim.data.datasets.EventDataset` for ``to_dense`` / training.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from neurosim import validate
from neurosim.data.readers.nmnist import SENSOR_SIZE, read_nmnist
from neurosim.errors import ValidationError

FIRST_SACCADE_US = 100_000  # each N-MNIST sample is three 100 ms saccades (Orchard et al. 2015)


class NMNIST:
    """N-MNIST from a folder on disk (see module docstring)."""

    sensor_size = SENSOR_SIZE
    classes = [f"{d} - {w}" for d, w in enumerate("zero one two three four five six seven eight nine".split())]

    def __init__(self, root, train: bool = True, *, first_saccade_only: bool = False,
                 transform: Callable | None = None, target_transform: Callable | None = None):
        split = "Train" if train else "Test"
        root = Path(root)
        folder = next((f for f in (root / split, root / "NMNIST" / split) if f.is_dir()), None)
        if folder is None:
            raise ValidationError(f"NMNIST: no {split}/ folder under {root} (expected {root}/{split}/<digit>/*.bin, "
                                  f"as tonic extracts it; neurosim never downloads)")
        self.root, self.train = root, bool(train)
        self.first_saccade_only = bool(first_saccade_only)
        self.transform, self.target_transform = transform, target_transform
        self.files, self.targets = [], []
        for digit in range(10):
            for f in sorted((folder / str(digit)).glob("*.bin")):
                self.files.append(f)
                self.targets.append(digit)
        if not self.files:
            raise ValidationError(f"NMNIST: {folder} has no <digit>/*.bin files")

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int):
        index = int(index)
        if not -len(self) <= index < len(self):
            raise IndexError(f"NMNIST: index {index} out of range for {len(self)} samples")
        events = read_nmnist(self.files[index])
        if self.first_saccade_only:
            events = events[events["t"] < FIRST_SACCADE_US]
        target = self.targets[index]
        if self.transform is not None:
            events = self.transform(events)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return events, target

    def __repr__(self) -> str:
        counts = np.bincount(self.targets, minlength=10)
        return (f"NMNIST({'Train' if self.train else 'Test'}: {len(self)} samples from {self.root}, sensor "
                f"{self.sensor_size}; per digit {counts.min()}-{counts.max()})")

    def to_event_dataset(self, indices=None, *, per_class: int | None = None, seed: int = 0):
        """Read samples into an :class:`EventDataset` (transforms applied): ``indices``, or ``per_class`` drawn at
        random per digit (``seed``), or all."""
        from neurosim.data.datasets import EventDataset

        if indices is None and per_class is not None:
            per_class = validate.positive_int("per_class", per_class)
            rng = np.random.default_rng(seed)
            t = np.asarray(self.targets)
            indices = np.concatenate([rng.permutation(np.flatnonzero(t == d))[:per_class] for d in range(10)])
        idx = np.arange(len(self)) if indices is None else np.asarray(indices, np.int64)
        events, labels = [], []
        for i in idx:
            ev, y = self[int(i)]
            events.append(ev)
            labels.append(y)
        return EventDataset(events, np.asarray(labels), self.sensor_size, np.asarray([str(self.files[i].name)
                                                                                   for i in idx]),
                            {"source": f"N-MNIST files under {self.root}"}, "file")
