"""The embedded 8×8 handwritten-digit images (``digit_images.h5``) and their seeded train/test loader.

1,797 grey-level images (values 0–16, stored as uint8, flattened to 64 pixels) with labels 0–9: the UCI optical
recognition of handwritten digits data (Alpaydin & Kaynak 1998) as shipped by scikit-learn's ``load_digits``,
CC BY 4.0. Built by ``scripts/build_digit_images.py``; the attribution is stored in the file's attributes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from neurosim import validate
from neurosim.errors import DataFormatError

DEFAULT_PATH = Path(__file__).resolve().parent / "embedded" / "digit_images.h5"
ATTRIBUTION = ("UCI optical recognition of handwritten digits (Alpaydin & Kaynak 1998) via scikit-learn load_digits, "
               "CC BY 4.0")


@dataclasses.dataclass(repr=False)
class DigitImages:
    """Train/test split: images as float32 in [0, 1] (pixel/16), shape (n, 64); int32 labels.

    ``train`` / ``test`` are the two sides as indexable :class:`~neurosim.data.datasets.ArrayDataset` objects
    (``d.test[0]`` → ``(x, y)``; ``d.train[d.train.y == 3]`` → a subset)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    attribution: str = ATTRIBUTION

    @property
    def train(self):
        from neurosim.data.datasets import ArrayDataset

        return ArrayDataset(self.x_train, self.y_train, tuple(range(10)), meta={"attribution": self.attribution})

    @property
    def test(self):
        from neurosim.data.datasets import ArrayDataset

        return ArrayDataset(self.x_test, self.y_test, tuple(range(10)), meta={"attribution": self.attribution})

    def __repr__(self):
        return (f"DigitImages({len(self.y_train)} train + {len(self.y_test)} test images, "
                f"8×8 = {self.x_train.shape[-1] if self.x_train.ndim == 2 else 64} pixels in [0, 1], "
                f"10 classes (0–9))")


def read_digit_images(path=None) -> tuple[np.ndarray, np.ndarray, dict]:
    """Raw ``(images uint8 (n, 64), labels uint8 (n,), attrs)``; :class:`DataFormatError` on a bad file."""
    import h5py

    p = Path(path) if path is not None else DEFAULT_PATH
    if not p.is_file():
        raise FileNotFoundError(f"digit images: {p} not found (run scripts/build_digit_images.py)")
    try:
        with h5py.File(p, "r") as f:
            if "images" not in f or "labels" not in f:
                raise DataFormatError(f"{p}: expected datasets 'images' and 'labels', found {sorted(f.keys())}")
            images, labels = f["images"][()], f["labels"][()]
            attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    except OSError as exc:
        raise DataFormatError(f"{p}: not a readable HDF5 file ({exc})") from exc
    if images.ndim != 2 or images.shape[1] != 64 or labels.shape != (images.shape[0],):
        raise DataFormatError(f"{p}: expected images (n, 64) and labels (n,), got {images.shape} and {labels.shape}")
    if images.size and (images.max() > 16 or labels.max() > 9):
        raise DataFormatError(f"{p}: pixel values must be 0-16 and labels 0-9")
    return images, labels, attrs


def picture16(image) -> np.ndarray:
    """The 16×16 picture (brightness in [0, 1]) of one raw 8×8 digit (values 0–16, shape (64,) or (8, 8)):
    bilinear 2× upsampling. Both embedded event modalities are made of it — the DVS digits
    (``scripts/build_embedded_datasets.py``) and the soundscapes (:func:`neurosim.data.datasets.load_soundscape_digits`)."""
    from scipy import ndimage

    return np.clip(ndimage.zoom(np.asarray(image, np.float64).reshape(8, 8) / 16.0, 2, order=1), 0, 1)


def load_digit_images(*, seed: int = 0, test_fraction: float = 0.2, path=None) -> DigitImages:
    """Seeded random train/test split (``test_fraction``) of the embedded digits, pixels scaled to [0, 1]."""
    test_fraction = float(validate.in_range("test_fraction", test_fraction, 0.0, 1.0, lo_open=True, hi_open=True))
    images, labels, attrs = read_digit_images(path)
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = int(round(test_fraction * len(labels)))
    te, tr = order[:n_test], order[n_test:]
    x = images.astype(np.float32) / 16.0
    y = labels.astype(np.int32)
    return DigitImages(x[tr], y[tr], x[te], y[te], attrs.get("attribution", ATTRIBUTION))


__all__ = ["load_digit_images", "read_digit_images", "picture16", "DigitImages", "ATTRIBUTION", "DEFAULT_PATH"]
