"""Training-time augmentation of binned event tensors ``(samples, time, channels)``.

:func:`shift_channels_and_time`: every sample is shifted along the channel axis by a random integer in
``[-max_shift, max_shift]`` (vacated channels zeroed — for cochlear channels a crude vocal-tract-length
perturbation, which helps when only a few training speakers exist) and rolled along time by ``[0, max_roll]`` bins.

:func:`stretch_time`: tempo perturbation — every sample resampled along time by a random factor in
``[1 - max_stretch, 1 + max_stretch]`` (linear interpolation, length kept: cropped or zero-padded), the binned-event
analogue of Ko et al.'s speed perturbation (Interspeech 2015).

:func:`mask_bands_and_frames`: SpecAugment-style masking (Park et al., Interspeech 2019) — per sample, up to
``channel_masks`` bands of up to ``max_channels`` adjacent channels and ``time_masks`` spans of up to ``max_frames``
bins set to zero.

:func:`speaker_augment` chains the three (the ``strong`` recipe of ``benchmarks/spoken_digits.py``).
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


def stretch_time(x, rng: np.random.Generator, max_stretch: float = 0.15) -> np.ndarray:
    """A tempo-perturbed copy of ``x`` (samples, time, channels): sample ``i`` read at rate ``r_i`` (uniform in
    ``1 ± max_stretch``), i.e. ``out[t] = x[t * r_i]`` interpolated linearly, zero beyond the end."""
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValidationError(f"x: expected (samples, time, channels), got shape {x.shape}")
    max_stretch = float(validate.in_range("max_stretch", max_stretch, 0.0, 1.0, hi_open=True))
    n, T, _ = x.shape
    out = np.zeros_like(x)
    t = np.arange(T, dtype=np.float64)
    for i in range(n):
        pos = t * rng.uniform(1 - max_stretch, 1 + max_stretch)
        lo = np.floor(pos).astype(np.int64)
        frac = (pos - lo)[:, None]
        ok = lo < T - 1
        out[i, ok] = (1 - frac[ok]) * x[i, lo[ok]] + frac[ok] * x[i, lo[ok] + 1]
        last = (lo == T - 1) & (frac[:, 0] == 0)
        out[i, last] = x[i, T - 1]
    return out


def mask_bands_and_frames(x, rng: np.random.Generator, channel_masks: int = 1, max_channels: int = 8,
                          time_masks: int = 1, max_frames: int = 10) -> np.ndarray:
    """A copy of ``x`` (samples, time, channels) with random channel bands and time spans zeroed."""
    x = np.array(x, copy=True)
    if x.ndim != 3:
        raise ValidationError(f"x: expected (samples, time, channels), got shape {x.shape}")
    for name, v in (("channel_masks", channel_masks), ("max_channels", max_channels), ("time_masks", time_masks),
                    ("max_frames", max_frames)):
        validate.positive_int(name, v, allow_zero=True)
    n, T, C = x.shape
    for i in range(n):
        for _ in range(channel_masks):
            w = int(rng.integers(0, max_channels + 1))
            c0 = int(rng.integers(0, max(C - w, 0) + 1))
            x[i, :, c0:c0 + w] = 0
        for _ in range(time_masks):
            w = int(rng.integers(0, max_frames + 1))
            t0 = int(rng.integers(0, max(T - w, 0) + 1))
            x[i, t0:t0 + w] = 0
    return x


def speaker_augment(x, rng: np.random.Generator, *, max_shift: int = 4, max_stretch: float = 0.15,
                    max_channels: int = 8, max_frames: int = 10) -> np.ndarray:
    """Channel shift + time roll, tempo perturbation and band/frame masking, in that order."""
    x = shift_channels_and_time(x, rng, max_shift=max_shift)
    x = stretch_time(x, rng, max_stretch=max_stretch)
    return mask_bands_and_frames(x, rng, max_channels=max_channels, max_frames=max_frames)
