r"""Encoders that turn non-event data into spikes (NumPy, seeded with a ``numpy.random.Generator``).

* :func:`rate`: Bernoulli/Poisson rate code, P(spike in a step) = clip(x, 0, 1)·``max_prob``.
* :func:`latency`: time-to-first-spike; an input in [0, 1] fires once at
  :math:`t = (1-x)\,(T-1)` (``"linear"``) or :math:`t = \tau \ln(x/(x - \vartheta))` (``"log"``: the time an RC
  neuron driven by :math:`x` needs to charge to ϑ; ``tau=None`` scales τ so that :math:`x = 2\vartheta` fires at
  T−1), clipped to [0, T−1]; inputs ≤ ``threshold`` never fire.
* :func:`delta`: threshold crossing / sigma-delta: an ON (OFF) spike each time the signal rises (falls) by
  ``threshold`` from the last reference, with the reference moved by ``threshold`` per spike; the sum of signed
  spikes × threshold tracks the signal within ± threshold.
"""

from __future__ import annotations

import numpy as np

from neurosim import validate
from neurosim.errors import ValidationError


def rate(x, n_steps: int, rng: np.random.Generator, max_prob: float = 1.0) -> np.ndarray:
    """(T, *x.shape) float32 spikes with P(spike) = clip(x, 0, 1) * max_prob per step."""
    x = validate.finite("x", x)
    n_steps = validate.positive_int("n_steps", n_steps)
    max_prob = float(validate.in_range("max_prob", max_prob, 0.0, 1.0))
    p = np.clip(x, 0.0, 1.0) * max_prob
    return (rng.random((n_steps,) + p.shape) < p).astype(np.float32)


def latency(x, n_steps: int, *, mode: str = "linear", tau: float | None = None, threshold: float = 0.01) -> np.ndarray:
    """(T, *x.shape) float32 with at most one spike per input, earlier for larger inputs (x in [0, 1])."""
    x = validate.finite("x", x)
    n_steps = validate.positive_int("n_steps", n_steps)
    validate.choice("mode", mode, ("linear", "log"))
    xc = np.clip(x, 0.0, 1.0)
    fire = xc > threshold
    if mode == "linear":
        t = np.round((1.0 - xc) * (n_steps - 1))
    else:
        if tau is None:
            tau = (n_steps - 1) / np.log(2.0)  # x = 2*threshold fires at the last step
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.round(tau * np.log(xc / np.maximum(xc - threshold, 1e-12)))
    t = np.clip(np.nan_to_num(t, nan=n_steps - 1), 0, n_steps - 1).astype(np.int64)
    out = np.zeros((n_steps,) + x.shape, np.float32)
    idx = np.nonzero(fire)
    out[(t[idx],) + idx] = 1.0
    return out


def delta(signal, threshold: float) -> np.ndarray:
    """(T, 2, *channels) float32 ON/OFF spikes of a (T, *channels) signal (sigma-delta modulation)."""
    s = validate.finite("signal", signal)
    if s.ndim < 1 or s.shape[0] < 1:
        raise ValidationError(f"signal: expected (T, ...), got shape {s.shape}")
    threshold = float(validate.positive("threshold", threshold))
    ref = s[0].copy()
    out = np.zeros((s.shape[0], 2) + s.shape[1:], np.float32)
    for t in range(1, s.shape[0]):
        up = s[t] - ref >= threshold
        down = ref - s[t] >= threshold
        out[t, 0], out[t, 1] = up, down
        ref = ref + threshold * (up.astype(s.dtype) - down.astype(s.dtype))
    return out
