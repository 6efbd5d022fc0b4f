r"""A cochlear front end: audio → spike events, SHD-like (one event channel per frequency band).

1. **Filter bank**: ``n_channels`` (64–128) Butterworth band-pass filters (order ``order`` per edge) with centre frequencies
   equally spaced on the ERB-rate scale (Glasberg & Moore 1990, :math:`\mathrm{ERB\text{-}rate}(f) =
   21.4\log_{10}(1 + 0.00437 f)`) between ``f_min`` and ``f_max``, bandwidth one ERB (:math:`24.7(1+0.00437f)`).
2. **Half-wave rectification** (inner hair cells) and a first-order low-pass envelope (``envelope_hz``).
3. **Compression**: :math:`c = \max(0, \ln(e/e_0))` with :math:`e_0` = ``floor`` × the recording's peak envelope:
   bands more than :math:`-20\log_{10}` ``floor`` dB below the peak stay silent, louder ones code their level in dB.
4. **Spikes**: per channel an integrate-and-fire neuron accumulates :math:`c\,\Delta t\cdot` ``gain`` and emits an
   event (subtracting 1) whenever the accumulator reaches 1, with a refractory period — the firing rate follows
   the compressed band energy, capped at 1/``refractory``.

Output: audio events (``x`` = channel, ``t`` µs, ``p`` = 0).
"""

from __future__ import annotations

import numpy as np

from neurosim import validate
from neurosim.data.events import make_events
from neurosim.errors import ValidationError


def erb_space(n: int, f_min: float, f_max: float) -> np.ndarray:
    """``n`` centre frequencies equally spaced on the ERB-rate scale."""
    lo, hi = (21.4 * np.log10(1 + 0.00437 * f) for f in (f_min, f_max))
    rates = np.linspace(lo, hi, n)
    return (10 ** (rates / 21.4) - 1) / 0.00437


class Cochlea:
    """Audio → events. Build once per sample rate; call on a 1-D signal."""

    def __init__(self, sample_rate: int = 8000, n_channels: int = 64, f_min: float = 100.0, f_max: float | None = None,
                 envelope_hz: float = 100.0, floor: float = 0.005, gain: float = 40.0, refractory_s: float = 0.004,
                 dt_s: float = 0.001, order: int = 3):
        from scipy import signal as sps

        self.sample_rate = validate.positive_int("sample_rate", sample_rate)
        self.n_channels = validate.positive_int("n_channels", n_channels)
        f_max = f_max if f_max is not None else 0.45 * sample_rate
        if not 0 < f_min < f_max < sample_rate / 2:
            raise ValidationError(f"f_min/f_max: need 0 < f_min < f_max < sample_rate/2, got {f_min}, {f_max}")
        self.centres = erb_space(n_channels, f_min, f_max)
        bw = 24.7 * (1 + 0.00437 * self.centres)
        nyq = sample_rate / 2
        self._sos = []
        for fc, b in zip(self.centres, bw):
            lo, hi = max(fc - b / 2, 1.0) / nyq, min(fc + b / 2, nyq * 0.999) / nyq
            self._sos.append(sps.butter(validate.positive_int("order", order), [lo, hi], btype="bandpass",
                                        output="sos"))
        self._env = sps.butter(1, min(envelope_hz / nyq, 0.99), output="sos")
        self.floor = float(validate.positive("floor", floor))
        self.gain = float(validate.positive("gain", gain))
        self.refractory_s = float(validate.positive("refractory_s", refractory_s, allow_zero=True))
        self.dt_s = float(validate.positive("dt_s", dt_s))

    def envelopes(self, audio) -> np.ndarray:
        """(T_frames, channels) compressed band envelopes sampled every ``dt_s``."""
        from scipy import signal as sps

        x = validate.finite("audio", audio)
        if x.ndim != 1 or x.size < 16:
            raise ValidationError(f"audio: expected a 1-D signal of at least 16 samples, got shape {x.shape}")
        x = x / (np.max(np.abs(x)) + 1e-12)
        bands = np.stack([sps.sosfilt(sos, x) for sos in self._sos], axis=1)
        env = sps.sosfilt(self._env, np.maximum(bands, 0.0), axis=0)
        hop = max(1, int(round(self.dt_s * self.sample_rate)))
        env = env[::hop]
        e0 = self.floor * (env.max() + 1e-12)
        return np.maximum(np.log(np.maximum(env, 1e-30) / e0), 0.0)

    def __call__(self, audio) -> np.ndarray:
        c = self.envelopes(audio)
        acc = np.zeros(self.n_channels)
        last = np.full(self.n_channels, -np.inf)
        xs, ts = [], []
        for k, row in enumerate(c):
            t = k * self.dt_s
            acc += row * self.gain * self.dt_s
            fire = (acc >= 1.0) & (t - last >= self.refractory_s)
            if fire.any():
                idx = np.flatnonzero(fire)
                xs.append(idx)
                ts.append(np.full(idx.size, int(round(t * 1e6))))
                acc[idx] -= 1.0
                last[idx] = t
            acc = np.minimum(acc, 2.0)  # a refractory channel cannot bank unbounded charge
        x = np.concatenate(xs) if xs else np.zeros(0, np.int64)
        t = np.concatenate(ts) if ts else np.zeros(0, np.int64)
        return make_events(x, t)
