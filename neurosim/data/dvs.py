r"""A DVS (dynamic vision sensor) emulator: intensity frames → ON/OFF events, and N-MNIST-like saccades.

Each pixel keeps a reference log intensity :math:`L_\mathrm{ref}`. When the current :math:`L = \ln(I + \epsilon)`
differs from it by at least the pixel's contrast threshold (ON: :math:`C_\mathrm{on}`, OFF: :math:`C_\mathrm{off}`,
each with a fixed per-pixel Gaussian mismatch ``sigma``), the pixel emits one event per threshold crossed, spread
evenly over the frame interval, and moves its reference by that many thresholds; a pixel fires at most once per
``refractory_us`` (events that do not fit are lost, as on the sensor). Shot noise adds spontaneous events at ``noise_rate_hz`` per pixel (random polarity).
(The model of the v2e / ESIM emulators: Hu, Liu, Delbruck 2021; Rebecq et al. 2018.)

:func:`saccades` moves a still image along three short saccades (a triangle), as the ATIS camera of N-MNIST did.
"""

from __future__ import annotations

import numpy as np

from neurosim import validate
from neurosim.data.events import VISION_DTYPE
from neurosim.errors import ValidationError


def emulate(frames, times_us, rng: np.random.Generator, *, c_on: float = 0.2, c_off: float = 0.2,
            sigma: float = 0.02, refractory_us: float = 1000.0, noise_rate_hz: float = 0.0,
            eps: float = 1e-2) -> np.ndarray:
    """Events from ``frames`` (T, H, W) with intensities in [0, 1] at ``times_us`` (T,), sorted by time."""
    f = validate.finite("frames", frames)
    if f.ndim != 3 or f.shape[0] < 2:
        raise ValidationError(f"frames: expected (T >= 2, H, W), got shape {f.shape}")
    times = np.asarray(times_us, np.float64)
    if times.shape != (f.shape[0],) or np.any(np.diff(times) <= 0):
        raise ValidationError("times_us: expected strictly increasing times, one per frame")
    validate.positive("c_on", c_on)
    validate.positive("c_off", c_off)
    h, w = f.shape[1:]
    thr_on = np.maximum(c_on + sigma * rng.standard_normal((h, w)), 0.01)
    thr_off = np.maximum(c_off + sigma * rng.standard_normal((h, w)), 0.01)
    ref = np.log(f[0] + eps)
    last = np.full((h, w), -np.inf)
    xs, ys, ts, ps = [], [], [], []
    for k in range(1, f.shape[0]):
        t0, t1 = times[k - 1], times[k]
        diff = np.log(f[k] + eps) - ref
        n_on = np.floor(np.maximum(diff, 0) / thr_on).astype(np.int64)
        n_off = np.floor(np.maximum(-diff, 0) / thr_off).astype(np.int64)
        for n, pol, thr in ((n_on, 1, thr_on), (n_off, 0, thr_off)):
            yy, xx = np.nonzero(n)
            if yy.size == 0:
                continue
            counts = n[yy, xx]
            if refractory_us > 0:
                # a pixel fires at most every refractory_us: start no earlier than last + refractory, space events
                # by the refractory period, drop what does not fit before the frame ends
                start = np.maximum(t0, last[yy, xx] + refractory_us)
                counts = np.minimum(counts, np.floor((t1 - start) / refractory_us).astype(np.int64) + 1)
                counts = np.where(start > t1, 0, counts)
                keep = counts > 0
                yy, xx, counts, start = yy[keep], xx[keep], counts[keep], start[keep]
                if yy.size == 0:
                    continue
                reps = np.repeat(np.arange(yy.size), counts)
                k = np.concatenate([np.arange(c) for c in counts])
                times_k = start[reps] + k * refractory_us
            else:
                reps = np.repeat(np.arange(yy.size), counts)
                frac = (np.concatenate([np.arange(c) for c in counts]) + 1) / np.repeat(counts + 1, counts)
                times_k = t0 + frac * (t1 - t0)
            xs.append(xx[reps])
            ys.append(yy[reps])
            ts.append(times_k)
            ps.append(np.full(reps.size, pol))
            ref[yy, xx] += (1 if pol else -1) * counts * thr[yy, xx]
            last[yy, xx] = times_k[np.cumsum(counts) - 1]
        if noise_rate_hz > 0:
            n_noise = rng.poisson(noise_rate_hz * (t1 - t0) * 1e-6 * h * w)
            xs.append(rng.integers(0, w, n_noise))
            ys.append(rng.integers(0, h, n_noise))
            ts.append(rng.uniform(t0, t1, n_noise))
            ps.append(rng.integers(0, 2, n_noise))
    if not xs:
        return np.zeros(0, VISION_DTYPE)
    ev = np.empty(sum(a.size for a in xs), VISION_DTYPE)
    ev["x"], ev["y"] = np.concatenate(xs), np.concatenate(ys)
    ev["t"], ev["p"] = np.round(np.concatenate(ts)).astype(np.int64), np.concatenate(ps)
    return ev[np.argsort(ev["t"], kind="stable")]


def saccades(image, *, duration_us: float = 300_000, n_frames: int = 150, amplitude: float = 2.0,
             pad: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Frames (n_frames, H + 2·pad, W + 2·pad) of ``image`` moved along a triangle of three saccades, and times."""
    from scipy import ndimage

    img = validate.finite("image", image)
    if img.ndim != 2:
        raise ValidationError(f"image: expected (H, W), got shape {img.shape}")
    img = np.pad(img, pad)
    corners = np.array([[0, 0], [amplitude, amplitude / 2], [0, amplitude], [0, 0]])
    u = np.linspace(0, 3, n_frames)
    seg = np.minimum(u.astype(int), 2)
    frac = (u - seg)[:, None]
    path = corners[seg] + frac * (corners[seg + 1] - corners[seg])
    frames = np.stack([ndimage.shift(img, (dy, dx), order=1, mode="constant") for dx, dy in path])
    return np.clip(frames, 0, 1), np.linspace(0, duration_us, n_frames)
