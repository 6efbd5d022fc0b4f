"""Character-level text data: an embedded public-domain corpus, a character vocabulary and BPTT batches.

Embedded corpus ``"shakespeare"`` (``embedded/shakespeare.txt.gz``): source, Shakespeare's works (public domain);
the excerpt is the first 112,000 characters of the "tinyshakespeare" corpus as collected in ``karpathy/char-rnn``
(``data/tinyshakespeare/input.txt``): *Coriolanus* from its opening to Act IV, scene 5. 112,000 characters, 61
distinct (ASCII only), ~45 kB gzipped; SHA-256 of the text
``0c1b27a2c365815c8890b6f1304b099591afaf59113656ea9e8f40aeb7de7f4f`` (:data:`SHA256`).
It ships inside the package so nothing is downloaded at run time.

Splits are by position (contiguous, no shuffling across the boundaries): the first 90 % train, the next 5 %
validation, the last 5 % test (:func:`split`). :func:`char_batches` cuts ``(batch, seq_len + 1)`` windows at random
offsets of a split; a model reads ``window[:, :-1]`` and predicts ``window[:, 1:]``.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from neurosim import validate
from neurosim.errors import ValidationError

EMBEDDED = Path(__file__).resolve().parent / "embedded"
CORPORA = {"shakespeare": "shakespeare.txt.gz"}
SHA256 = {"shakespeare": "0c1b27a2c365815c8890b6f1304b099591afaf59113656ea9e8f40aeb7de7f4f"}


def load_text(name: str = "shakespeare") -> str:
    """The embedded corpus ``name`` as one string (UTF-8, newlines kept)."""
    validate.choice("name", name, tuple(CORPORA))
    path = EMBEDDED / CORPORA[name]
    if not path.exists():
        raise FileNotFoundError(f"{path}: embedded text missing (reinstall neurosim)")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return fh.read()  # verified against SHA256 in the tests (not on every load)


class CharVocab:
    """Sorted unique characters of a text; ``encode``: str → int32 ids, ``decode``: ids → str."""

    def __init__(self, text: str):
        if not isinstance(text, str) or not text:
            raise ValidationError("text: expected a non-empty string to build the vocabulary from")
        self.chars = tuple(sorted(set(text)))
        self._index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        unknown = sorted(set(text) - set(self._index))
        if unknown:
            raise ValidationError(f"text: characters not in the vocabulary: {''.join(unknown)!r} "
                                  f"(vocabulary has {len(self)} characters)")
        return np.fromiter((self._index[c] for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids) -> str:
        arr = np.asarray(ids)
        if arr.size and (arr.min() < 0 or arr.max() >= len(self)):
            raise ValidationError(f"ids: expected integers in [0, {len(self)}), got range "
                                  f"[{arr.min()}, {arr.max()}]")
        return "".join(self.chars[int(i)] for i in arr.reshape(-1))

    def __repr__(self):
        return f"CharVocab({len(self)} characters)"


def split(ids, fractions=(0.9, 0.05, 0.05)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Contiguous train/validation/test split by position (default 90/5/5 %)."""
    ids = np.asarray(ids)
    f = np.asarray(fractions, np.float64)
    if f.shape != (3,) or np.any(f <= 0) or abs(f.sum() - 1.0) > 1e-6:
        raise ValidationError(f"fractions: expected three positive numbers summing to 1, got {fractions}")
    n = len(ids)
    a = int(round(n * f[0]))
    b = int(round(n * (f[0] + f[1])))
    return ids[:a], ids[a:b], ids[b:]


def char_batches(ids, seq_len: int, batch_size: int, rng: np.random.Generator) -> np.ndarray:
    """One random batch of int32 windows ``(batch_size, seq_len + 1)`` from a split: the model reads
    ``window[:, :-1]`` and predicts ``window[:, 1:]`` (next character)."""
    ids = np.asarray(ids)
    seq_len = validate.positive_int("seq_len", seq_len)
    batch_size = validate.positive_int("batch_size", batch_size)
    if len(ids) < seq_len + 1:
        raise ValidationError(f"ids: need at least seq_len + 1 = {seq_len + 1} tokens, got {len(ids)}")
    starts = rng.integers(0, len(ids) - seq_len, batch_size)
    return ids[starts[:, None] + np.arange(seq_len + 1)[None, :]].astype(np.int32)


def eval_windows(ids, seq_len: int) -> np.ndarray:
    """Consecutive windows ``(n, seq_len + 1)`` covering a split, each overlapping the next by one character, so
    every token after the first is predicted exactly once."""
    ids = np.asarray(ids)
    seq_len = validate.positive_int("seq_len", seq_len)
    n = (len(ids) - 1) // seq_len
    if n < 1:
        raise ValidationError(f"ids: need at least seq_len + 1 = {seq_len + 1} tokens, got {len(ids)}")
    idx = np.arange(n)[:, None] * seq_len + np.arange(seq_len + 1)[None, :]
    return ids[idx].astype(np.int32)
