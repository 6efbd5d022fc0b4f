"""Training-time augmentation of binned event tensors ``(samples, time, channels)``.

:func:`shift_channels_and_time`: every sample is shifted along the channel axis by a random integer in
``[-max_shift, max_shift]`` (vacated channels zeroed — for cochlear channels a crude vocal-tract-length
perturbation, which helps when only a few training speakers exist) and rolled along time by ``[0, max_roll]`` bins.
"""

from __future__ import annotations

import numpy as np

from neurosim import validate
from neurosim.errors import ValidationError


def shift_channels_and_time(x, rng: np.random.Generator, max_shift: int = 3, max_roll: int = 5) -> np.ndarray:
    """A randomly shifted copy of ``x`` (samples, time, channels); ``rng`` a NumPy Generator."""
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValidationError(f"x: expected (samples, time, channels), got shape {x.shape}")
    max_shift = validate.positive_int("max_shift", max_shift, allow_zero=True)
    max_roll = validate.positive_int("max_roll", max_roll, allow_zero=True)
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        s = int(rng.integers(-max_shift, max_shift + 1))
        xi = np.roll(x[i], s, axis=-1)
        if s > 0:
            xi[..., :s] = 0
        elif s < 0:
            xi[..., s:] = 0
        out[i] = np.roll(xi, int(rng.integers(0, max_roll + 1)), axis=0)
    return out
