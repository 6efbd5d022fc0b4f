r"""Finite conductance levels, on/off ratio, and symmetric DAC/ADC quantisers.

* **Conductance levels**: ``n_levels`` uniform levels :math:`g_k = g_\min + k\,(g_\max - g_\min)/(n-1)`,
  k = 0 … n−1 (µS); a target is rounded to the nearest level (values outside are clipped first). PytorX uses
  2⁷ levels; multi-level RRAM cells commonly store 2–5 bits.
* **On/off ratio**: :math:`g_\min = g_\max / r` (DNN+NeuroSim's default r = 10).
* **Symmetric converter** (DAC on inputs, ADC on outputs) with ``bits`` b: the value is clipped to
  [−bound, bound] and rounded to the :math:`2^b - 1` levels :math:`k\,\Delta`,
  :math:`\Delta = \mathrm{bound}/(2^{b-1} - 1)`, which include 0. This matches aihwkit's resolution
  convention ``res = 1/(2^b - 2)`` of the full range (e.g. its default 7-bit DAC, 9-bit ADC).

Rounding uses ``jnp.round`` (half to even).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.devices._common import as_float, float_array
from neurosim.errors import ValidationError


def _range(g_min, g_max) -> tuple[float, float]:
    g_min = as_float("g_min", g_min, lo=0.0)
    g_max = as_float("g_max", g_max, lo=0.0, lo_open=True)
    if g_min >= g_max:
        raise ValidationError(f"g_min: must be < g_max ({g_max:g} µS), got {g_min:g}")
    return g_min, g_max


def uniform_levels(n_levels: int, g_min: float, g_max: float) -> np.ndarray:
    """The ``n_levels`` conductance levels (µS) from ``g_min`` to ``g_max`` inclusive (float32)."""
    n_levels = validate.positive_int("n_levels", n_levels)
    if n_levels < 2:
        raise ValidationError(f"n_levels: must be >= 2, got {n_levels}")
    g_min, g_max = _range(g_min, g_max)
    return np.linspace(g_min, g_max, n_levels, dtype=np.float32)


def quantize(g, n_levels: int, g_min: float, g_max: float):
    """Round conductances ``g`` (µS) to the nearest of ``n_levels`` uniform levels in [g_min, g_max]."""
    uniform_levels(n_levels, g_min, g_max)  # validates
    g = float_array("g", g)
    step = (g_max - g_min) / (n_levels - 1)
    k = jnp.round((jnp.clip(g, g_min, g_max) - g_min) / step)
    return jnp.asarray(g_min, g.dtype) + k * jnp.asarray(step, g.dtype)


def g_min_from_on_off_ratio(g_max: float, on_off_ratio: float) -> float:
    """:math:`g_\\min = g_\\max / r` (µS) for an on/off ratio r > 1."""
    g_max = as_float("g_max", g_max, lo=0.0, lo_open=True)
    ratio = as_float("on_off_ratio", on_off_ratio, lo=1.0, lo_open=True)
    return g_max / ratio


def quantize_symmetric(x, bits: int, bound: float):
    """Clip ``x`` to [−bound, bound] and round to the 2^bits − 1 symmetric levels (DAC/ADC model)."""
    bits = validate.positive_int("bits", bits)
    if bits < 2:
        raise ValidationError(f"bits: must be >= 2, got {bits}")
    bound = as_float("bound", bound, lo=0.0, lo_open=True)
    half = 2 ** (bits - 1) - 1
    step = bound / half
    return jnp.round(jnp.clip(x, -bound, bound) / step) * step


__all__ = ["uniform_levels", "quantize", "g_min_from_on_off_ratio", "quantize_symmetric"]
