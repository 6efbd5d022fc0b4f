r"""Image → sound by sensory substitution ("soundscapes", the vOICe code of Meijer, IEEE TBME 39(2):112–121, 1992).

An image is scanned column by column from left to right over ``duration_s``; each row drives one sinusoid whose
frequency falls exponentially from ``f_max`` (top row) to ``f_min`` (bottom row) and whose amplitude is the
pixel's brightness. Column ``c`` of an ``(H, W)`` image sounds during :math:`[c, c+1)\cdot\mathrm{duration}/W`:

.. math:: s(t) = g(t)\sum_r A_r(t)\,\sin(2\pi f_r t + \phi_r), \qquad
          f_r = f_{\max}\,(f_{\min}/f_{\max})^{r/(H-1)},

where :math:`A_r(t)` holds the brightness of row :math:`r` in the current column and cross-fades to the next
column with a raised cosine over ``ramp_s`` centred on each column edge (at most one column long), :math:`g(t)`
fades the whole sound in and out over ``ramp_s / 2`` at both ends (so no edge clicks), and :math:`\phi_r` is a
fixed per-row phase (random with ``seed``, so that equal rows do not sum into one large peak). The waveform is
scaled to peak 1.

This gives a real audio modality whose relation to the visual one is a fixed physical code: the sound of a
digit is a time–frequency picture of it. :func:`soundscape_events` passes the sound through the same cochlear
front end (:class:`neurosim.data.cochlea.Cochlea`) that turned the spoken digits into events.
"""

from __future__ import annotations

import numpy as np

from neurosim import validate
from neurosim.errors import ValidationError


def row_frequencies(n_rows: int, f_min: float = 500.0, f_max: float = 3500.0) -> np.ndarray:
    """Frequency (Hz) of each image row, top row first: exponentially spaced from ``f_max`` down to ``f_min``."""
    n_rows = validate.positive_int("n_rows", n_rows)
    f_min, f_max = float(validate.positive("f_min", f_min)), float(validate.positive("f_max", f_max))
    if f_min >= f_max:
        raise ValidationError(f"f_min/f_max: need f_min < f_max, got {f_min} and {f_max}")
    if n_rows == 1:
        return np.array([np.sqrt(f_min * f_max)])
    return f_max * (f_min / f_max) ** (np.arange(n_rows) / (n_rows - 1))


def soundscape(image, *, sample_rate: int = 8000, duration_s: float = 1.0, f_min: float = 500.0,
               f_max: float = 3500.0, ramp_s: float = 0.01, seed: int = 0) -> np.ndarray:
    """Mono waveform (float32, peak 1 unless the image is black) of a 2-D image with brightness in [0, 1]."""
    img = validate.finite("image", image)
    if img.ndim != 2:
        raise ValidationError(f"image: expected a 2-D (H, W) array, got shape {img.shape}")
    if img.size == 0:
        raise ValidationError("image: empty")
    if img.min() < 0 or img.max() > 1:
        raise ValidationError(f"image: brightness must lie in [0, 1], got [{img.min():.3g}, {img.max():.3g}]")
    sample_rate = validate.positive_int("sample_rate", sample_rate)
    duration_s = float(validate.positive("duration_s", duration_s))
    ramp_s = float(validate.positive("ramp_s", ramp_s, allow_zero=True))
    freqs = row_frequencies(img.shape[0], f_min, f_max)
    if freqs[0] >= sample_rate / 2:
        raise ValidationError(f"f_max: {f_max} Hz is not below the Nyquist frequency {sample_rate / 2} Hz")
    n = int(round(duration_s * sample_rate))
    if n < 2 * img.shape[1]:
        raise ValidationError(f"duration_s: {duration_s} s at {sample_rate} Hz gives {n} samples, fewer than two "
                              f"per column of a {img.shape[1]}-column image")
    t = np.arange(n) / sample_rate
    col_len = duration_s / img.shape[1]
    # amplitude envelope: hold each column's brightness, cross-fade over ramp_s around each column edge
    pos = t / col_len  # position in columns
    col = np.minimum(pos.astype(int), img.shape[1] - 1)
    amp = img[:, col]  # (H, n) hold
    if ramp_s > 0 and img.shape[1] > 1:
        half = min(ramp_s, col_len) / 2 / col_len  # in columns
        edge = np.round(pos)  # nearest column edge
        u = (pos - edge) / half  # -1 .. 1 across the ramp
        inside = (np.abs(u) < 1) & (edge > 0) & (edge < img.shape[1])
        w = 0.5 * (1 + np.sin(0.5 * np.pi * np.clip(u, -1, 1)))  # 0 → 1 across the edge
        left = np.clip(edge.astype(int) - 1, 0, img.shape[1] - 1)
        right = np.clip(edge.astype(int), 0, img.shape[1] - 1)
        amp = np.where(inside, img[:, left] * (1 - w) + img[:, right] * w, amp)
    phases = np.random.default_rng(seed).uniform(0, 2 * np.pi, img.shape[0])
    wave = np.sum(amp * np.sin(2 * np.pi * freqs[:, None] * t + phases[:, None]), axis=0)
    if ramp_s > 0:  # fade in and out over half a ramp (at most half the sound)
        half_ramp = min(ramp_s / 2, duration_s / 2)
        u = np.clip(np.minimum(t, duration_s - t) / half_ramp, 0, 1)
        wave = wave * 0.5 * (1 - np.cos(np.pi * u))
    peak = np.max(np.abs(wave))
    return (wave / peak if peak > 0 else wave).astype(np.float32)


def soundscape_events(images, *, cochlea=None, sample_rate: int = 8000, progress: bool = False, **kwargs) -> list:
    """Audio events (one array per image) of ``images`` (n, H, W) through the cochlear front end.

    ``cochlea`` defaults to the front end of the embedded spoken digits (``Cochlea(8000, 64)``); further
    keyword arguments go to :func:`soundscape`."""
    from neurosim.data.cochlea import Cochlea

    imgs = validate.finite("images", images)
    if imgs.ndim != 3:
        raise ValidationError(f"images: expected (n, H, W), got shape {imgs.shape}")
    cochlea = Cochlea(sample_rate, 64) if cochlea is None else cochlea
    if cochlea.sample_rate != sample_rate:
        raise ValidationError(f"cochlea: its sample rate {cochlea.sample_rate} Hz differs from {sample_rate} Hz")
    it = imgs
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(imgs, desc="soundscapes", unit="img")
    return [cochlea(soundscape(im, sample_rate=sample_rate, **kwargs)) for im in it]


__all__ = ["row_frequencies", "soundscape", "soundscape_events"]
