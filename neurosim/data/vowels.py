"""Hillenbrand et al. (1995) vowel formants: the 7-vowel subset used by physical-network papers.

Source: Hillenbrand, Getty, Clark & Wheeler, "Acoustic characteristics of American English vowels", J. Acoust. Soc.
Am. 97:3099 (1995), file ``vowdata.dat`` (1,668 tokens; columns: file id, duration, F0, F1–F4 at steady state,
F1–F3 at 20 %, 50 %, 80 % of the vowel; 0 = not measurable). It is *not* shipped with neurosim: it is read from
the shared data folder, located by (in order) the ``path`` argument, the ``NEUROSIM_SHARED_DATA`` environment
variable (the folder holding ``vowels/``), or ``../shared/data`` relative to the repository.

Subset (Wright et al. 2022; Momeni et al. 2023): women talkers, vowels ae, ah, aw, er, ih, iy, uw, 12 features =
F1, F2, F3 at steady state, 20 %, 50 % and 80 % of the vowel duration. Tokens with an unmeasurable (zero) feature
are dropped, leaving 316 tokens (ae 47, ah 47, aw 46, er 37, ih 48, iy 43, uw 48). The papers' spreadsheet has 258
of them (37 per class, 36 for uw); which 258 cannot be derived from ``vowdata.dat`` alone, so this loader keeps all
complete tokens. Features are z-scored with the training split's statistics.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np

from neurosim import validate
from neurosim.errors import DataFormatError, ValidationError

VOWELS = ("ae", "ah", "aw", "er", "ih", "iy", "uw")
ALL_VOWELS = ("ae", "ah", "aw", "eh", "er", "ei", "ih", "iy", "oa", "oo", "uh", "uw")
FEATURES = ("F1_ss", "F2_ss", "F3_ss", "F1_20", "F2_20", "F3_20", "F1_50", "F2_50", "F3_50", "F1_80", "F2_80",
            "F3_80")
# 0-based columns of vowdata.dat (after the file id at column 0): dur 1, F0 2, F1-F4 ss 3-6, 20 % 7-9, 50 % 10-12,
# 80 % 13-15
_FEATURE_COLS = (3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15)
_N_COLS = 16
REPO = Path(__file__).resolve().parents[2]


@dataclasses.dataclass(repr=False)
class VowelData:
    """Train/test split of the vowel subset: standardised features, labels (index into ``classes``), token ids.

    ``train`` / ``test`` are the two sides as indexable :class:`~neurosim.data.datasets.ArrayDataset` objects
    (``data.test[0]`` → ``(x, y)`` with the token id as ``.group``; ``data.train[:50]`` → a subset)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    ids_train: list
    ids_test: list
    classes: tuple = VOWELS
    features: tuple = FEATURES
    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    @property
    def train(self):
        from neurosim.data.datasets import ArrayDataset

        return ArrayDataset(self.x_train, self.y_train, tuple(self.classes), list(self.ids_train),
                            {"features": tuple(self.features)})

    @property
    def test(self):
        from neurosim.data.datasets import ArrayDataset

        return ArrayDataset(self.x_test, self.y_test, tuple(self.classes), list(self.ids_test),
                            {"features": tuple(self.features)})

    def __repr__(self):
        return (f"VowelData({len(self.y_train)} train + {len(self.y_test)} test tokens, "
                f"{len(self.features)} formant features ({', '.join(self.features[:3])}, …), "
                f"{len(self.classes)} vowels ({', '.join(self.classes)}))")


def shared_data_dir(path=None) -> Path:
    """The shared data folder: ``path``, else ``$NEUROSIM_SHARED_DATA``, else ``<repo>/../shared/data``."""
    if path is not None:
        return Path(path)
    env = os.environ.get("NEUROSIM_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def _vowdata_path(path) -> Path:
    p = Path(path) if path is not None else shared_data_dir() / "vowels" / "vowdata.dat"
    if p.is_dir():
        p = p / "vowdata.dat" if (p / "vowdata.dat").exists() else p / "vowels" / "vowdata.dat"
    if not p.is_file():
        raise FileNotFoundError(f"vowel data: {p} not found (pass path=..., or set NEUROSIM_SHARED_DATA to the folder "
                                "holding vowels/vowdata.dat)")
    return p


def read_vowdata(path=None) -> tuple[list[str], np.ndarray]:
    """Parse ``vowdata.dat``: token ids and the (n, 15) integer table (duration, F0, F1–F4, F1–F3 at 20/50/80 %).

    Raises :class:`DataFormatError` naming the line on a malformed data row, and when no data rows are found.
    """
    p = _vowdata_path(path)
    try:
        text = p.read_text(encoding="ascii")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{p}: not a text file (byte {exc.start} is not ASCII)") from exc
    ids, rows = [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        tok = parts[0]
        is_data = (len(tok) == 5 and tok[0] in "mwbg" and tok[1:3].isdigit())
        if not is_data:
            continue  # header / comment line
        if len(parts) != _N_COLS:
            raise DataFormatError(f"{p}:{lineno}: token {tok!r} has {len(parts)} columns, expected {_N_COLS}")
        if tok[3:] not in ALL_VOWELS:
            raise DataFormatError(f"{p}:{lineno}: unknown vowel {tok[3:]!r} in token {tok!r}")
        try:
            vals = [int(v) for v in parts[1:]]
        except ValueError as exc:
            raise DataFormatError(f"{p}:{lineno}: non-integer value in token {tok!r}: {exc}") from exc
        if any(v < 0 for v in vals):
            raise DataFormatError(f"{p}:{lineno}: negative value in token {tok!r}")
        ids.append(tok)
        rows.append(vals)
    if not rows:
        raise DataFormatError(f"{p}: no vowel tokens found (expected lines like 'w01ae 323 174 663 ...')")
    return ids, np.asarray(rows, np.float64)


def load_vowels(path=None, *, seed: int = 0, test_fraction: float = 0.2, talkers: str = "w",
                vowels=VOWELS, standardize: bool = True) -> VowelData:
    """The women/7-vowel/12-formant subset, split at random (stratified by vowel, ``seed``) into train/test."""
    validate.in_range("test_fraction", test_fraction, 0.0, 1.0, lo_open=True, hi_open=True)
    for v in vowels:
        if v not in ALL_VOWELS:
            raise ValidationError(f"vowels: unknown vowel {v!r}; choose from {ALL_VOWELS}")
    ids, table = read_vowdata(path)
    feats = table[:, [c - 1 for c in _FEATURE_COLS]]
    keep = np.array([t[0] in talkers and t[3:] in vowels for t in ids]) & np.all(feats > 0, axis=1)
    if not keep.any():
        raise DataFormatError(f"vowel data: no complete tokens for talkers {talkers!r} and vowels {vowels}")
    ids = [t for t, k in zip(ids, keep) if k]
    x = feats[keep]
    y = np.array([vowels.index(t[3:]) for t in ids], np.int32)
    missing = [v for i, v in enumerate(vowels) if not np.any(y == i)]
    if missing:
        raise DataFormatError(f"vowel data: no tokens of vowel(s) {missing}")
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), bool)
    for c in range(len(vowels)):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        test[idx[:int(round(test_fraction * len(idx)))]] = True
    tr, te = np.flatnonzero(~test), np.flatnonzero(test)
    rng.shuffle(tr)
    rng.shuffle(te)
    mean, std = x[tr].mean(0), x[tr].std(0)
    if standardize:
        x = (x - mean) / std
    return VowelData(x[tr].astype(np.float32), y[tr], x[te].astype(np.float32), y[te], [ids[i] for i in tr],
                     [ids[i] for i in te], tuple(vowels), FEATURES, mean, std)


__all__ = ["load_vowels", "read_vowdata", "VowelData", "VOWELS", "FEATURES", "shared_data_dir"]
