"""Group-wise evaluation splits: leave one group (speaker, recording session, subject) out, with a validation
group drawn from the training groups only, so no hyper-parameter is ever chosen on the group a result is reported
on. :func:`leave_one_group_out` is the protocol of ``benchmarks/spoken_digits.py --protocol loso`` and of the LSM
benchmarks; it works on any dataset with ``groups`` (e.g. :func:`~neurosim.data.folders.load_wav_folder`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.errors import ValidationError


@dataclass(frozen=True)
class Fold:
    """One fold: boolean masks over the samples. ``fit`` = training groups minus the validation group (for
    choosing hyper-parameters), ``train`` = all training groups (to refit with the chosen ones), ``test`` = the
    held-out group."""

    test_group: str
    validation_group: str
    fit: np.ndarray
    validation: np.ndarray
    train: np.ndarray
    test: np.ndarray


def leave_one_group_out(groups, *, seed: int = 0) -> list[Fold]:
    """One :class:`Fold` per distinct group (sorted); each fold's validation group is drawn from its training
    groups with ``numpy.random.default_rng([seed, fold])`` (needs at least 3 groups)."""
    g = np.asarray(groups).astype(str)
    if g.ndim != 1 or g.size == 0:
        raise ValidationError(f"groups: expected one group per sample, got shape {g.shape}")
    names = sorted(set(g.tolist()))
    if len(names) < 3:
        raise ValidationError(f"groups: leave-one-group-out with a validation group needs >= 3 groups, got "
                              f"{len(names)} ({', '.join(names)})")
    folds = []
    for k, test in enumerate(names):
        rest = [n for n in names if n != test]
        val = rest[int(np.random.default_rng([seed, k]).integers(len(rest)))]
        folds.append(Fold(test, val, (g != test) & (g != val), g == val, g != test, g == test))
    return folds


def mean_sd(values) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof 1; 0 for a single value)."""
    v = np.asarray(values, np.float64)
    return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else 0.0
