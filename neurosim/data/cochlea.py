r"""A cochlear front end: audio → spike events, SHD-like (one event channel per frequency band).

1. **Filter bank**: ``n_channels`` (64–128) Butterworth band-pass filters (order ``order`` per edge) with centre frequencies
   equally spaced on the ERB-rate scale (Glasberg & Moore 1990, :math:`\mathrm{ERB\text{-}rate}(f) =
   21.4\log_{10}(1 + 0.00437 f)`) between ``f_min`` and ``f_max``, bandwidth one ERB (:math:`24.7(1+0.00437f)`).
2. **Half-wave rectification** (inner hair cells) and a first-order low-pass envelope (``envelope_hz``).
3. **Compression**: :math:`c = \max(0, \ln(e/e_0))` with :math:`e_0` = ``floor`` × the recording's peak envelope:
   bands more than :math:`-20\log_{10}` ``floor`` dB below the peak stay silent, louder ones code their level in dB.
   Or, with ``agc="pcen"``, **per-channel automatic gain control**: per-channel energy normalisation (PCEN, Wang
   et al., "Trainable frontend for robust and far-field keyword spotting", ICASSP 2017), applied to the envelope
   above the floor, :math:`E = \max(0, e - e_0)`: a per-channel smoother :math:`M_t = (1-s)M_{t-1} + sE_t`
   (time constant ``pcen_time_s``, librosa's formula for :math:`s`) and
   :math:`c = (E/(e_0 + M)^{\alpha} + \delta)^r - \delta^r` (α 0.98, δ 2, r 0.5: the paper's and librosa's
   defaults), times ``pcen_scale``. Each channel is divided by its own recent level, so a speaker's spectral
   tilt and loudness are normalised away and onsets are emphasised; silence (below the floor) stays silent.
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
                 dt_s: float = 0.001, order: int = 3, agc: str = "log", pcen_time_s: float = 0.4,
                 pcen_alpha: float = 0.98, pcen_delta: float = 2.0, pcen_r: float = 0.5, pcen_scale: float = 2.5):
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
        self.order, self.f_min, self.f_max, self.envelope_hz = int(order), float(f_min), float(f_max), float(envelope_hz)
        self.agc = validate.choice("agc", agc, ("log", "pcen"))
        self.pcen_time_s = float(validate.positive("pcen_time_s", pcen_time_s))
        self.pcen_alpha = float(validate.in_range("pcen_alpha", pcen_alpha, 0.0, 1.0))
        self.pcen_delta = float(validate.positive("pcen_delta", pcen_delta))
        self.pcen_r = float(validate.in_range("pcen_r", pcen_r, 0.0, 1.0, lo_open=True))
        self.pcen_scale = float(validate.positive("pcen_scale", pcen_scale))

    def describe(self) -> str:
        """The constructor call that rebuilds this front end (stored with datasets it encodes)."""
        text = (f"Cochlea({self.sample_rate}, {self.n_channels}, f_min={self.f_min:g}, f_max={self.f_max:g}, "
                f"envelope_hz={self.envelope_hz:g}, floor={self.floor:g}, gain={self.gain:g}, "
                f"refractory_s={self.refractory_s:g}, dt_s={self.dt_s:g}, order={self.order}, agc={self.agc!r}")
        if self.agc == "pcen":
            text += (f", pcen_time_s={self.pcen_time_s:g}, pcen_alpha={self.pcen_alpha:g}, "
                     f"pcen_delta={self.pcen_delta:g}, pcen_r={self.pcen_r:g}, pcen_scale={self.pcen_scale:g}")
        return text + ")"

    def _pcen(self, env: np.ndarray, e0: float) -> np.ndarray:
        from scipy import signal as sps

        energy = np.maximum(env - e0, 0.0)
        frames = self.pcen_time_s / self.dt_s  # librosa.pcen: b = (sqrt(1 + 4 T^2) - 1) / (2 T^2), T in frames
        s = (np.sqrt(1 + 4 * frames**2) - 1) / (2 * frames**2)
        smooth = sps.lfilter([s], [1, s - 1], energy, axis=0, zi=(1 - s) * energy[:1])[0] if energy.size else energy
        d, r = self.pcen_delta, self.pcen_r
        c = (energy / (e0 + smooth) ** self.pcen_alpha + d) ** r - d**r
        return self.pcen_scale * np.maximum(c, 0.0)

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
        if self.agc == "pcen":
            return self._pcen(env, e0)
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
