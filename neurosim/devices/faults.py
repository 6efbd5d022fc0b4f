r"""Device faults and variability (units: µS).

* **Stuck-at faults**, fixed per device (drawn once per array): with probability ``p_stuck_on`` a cell is stuck at
  the high-conductance state :math:`g_\max` (stuck-at-ON, PytorX "SA0"), with ``p_stuck_off`` at
  :math:`g_\min` (stuck-at-OFF, "SA1"); the two are exclusive (one uniform draw u per cell: ON if
  u < p_on, OFF if p_on ≤ u < p_on + p_off). Codes: +1 ON, −1 OFF, 0 healthy.
* **Device-to-device (d2d) variation**, fixed per device: a gain :math:`d` multiplying the programmed conductance,
  ``"lognormal"`` :math:`d = e^{\sigma z}` (median 1, always > 0) or ``"normal"`` :math:`d = \max(1 + \sigma z, 0)`
  (DNN+NeuroSim's :math:`G(1 + \mathcal N(0, \sigma))`).
* **Cycle-to-cycle (c2c) variation**, per write: :math:`g \leftarrow \max(g (1 + \sigma_{c2c} z), 0)`, redrawn on
  every programming.

Sources for typical values: PytorX (He et al., DAC 2019) defaults p_SA0 = p_SA1 = 0.1; ~1.75 % SA0 / ~9.04 % SA1
quoted for 4 Mb HfO2 RRAM (Chen et al., IEEE TC 2015 line of work; recalled, not re-verified). All default to 0
here (no faults).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.devices._common import as_float, float_array, set_field, static_config
from neurosim.errors import ValidationError

STUCK_ON, STUCK_OFF, HEALTHY = 1, -1, 0


@static_config
class Faults:
    """Fault/variability parameters: ``p_stuck_on``, ``p_stuck_off`` (probabilities), ``d2d_std`` and ``d2d_kind``
    (device-to-device gain), ``c2c_std`` (relative per-write s.d.)."""

    p_stuck_on: float = 0.0
    p_stuck_off: float = 0.0
    d2d_std: float = 0.0
    d2d_kind: str = "lognormal"
    c2c_std: float = 0.0

    def __post_init__(self):
        p_on = as_float("p_stuck_on", self.p_stuck_on, lo=0.0, hi=1.0)
        p_off = as_float("p_stuck_off", self.p_stuck_off, lo=0.0, hi=1.0)
        if p_on + p_off > 1.0:
            raise ValidationError(f"p_stuck_on + p_stuck_off: must be <= 1, got {p_on:g} + {p_off:g}")
        set_field(self, "p_stuck_on", p_on)
        set_field(self, "p_stuck_off", p_off)
        set_field(self, "d2d_std", as_float("d2d_std", self.d2d_std, lo=0.0))
        validate.choice("d2d_kind", self.d2d_kind, ("lognormal", "normal"))
        set_field(self, "c2c_std", as_float("c2c_std", self.c2c_std, lo=0.0))

    @property
    def has_stuck(self) -> bool:
        return self.p_stuck_on > 0.0 or self.p_stuck_off > 0.0


def stuck_codes(key, shape, p_stuck_on: float = 0.0, p_stuck_off: float = 0.0):
    """int8 fault codes of an array: +1 stuck-ON, −1 stuck-OFF, 0 healthy (see module docstring)."""
    Faults(p_stuck_on, p_stuck_off)  # validates
    u = jax.random.uniform(key, tuple(shape), jnp.float32)
    on = u < p_stuck_on
    off = (u >= p_stuck_on) & (u < p_stuck_on + p_stuck_off)
    return jnp.where(on, jnp.int8(STUCK_ON), jnp.where(off, jnp.int8(STUCK_OFF), jnp.int8(HEALTHY)))


def apply_stuck(g, codes, *, g_min: float, g_max: float):
    """Override stuck cells: code +1 → ``g_max``, −1 → ``g_min`` (µS); healthy cells unchanged."""
    g = jnp.asarray(g)
    return jnp.where(codes == STUCK_ON, jnp.asarray(g_max, g.dtype),
                     jnp.where(codes == STUCK_OFF, jnp.asarray(g_min, g.dtype), g))


def d2d_gains(key, shape, std: float, kind: str = "lognormal"):
    """Fixed per-device multiplicative gains (dimensionless) with spread ``std``."""
    std = as_float("d2d_std", std, lo=0.0)
    validate.choice("d2d_kind", kind, ("lognormal", "normal"))
    z = jax.random.normal(key, tuple(shape), jnp.float32)
    if kind == "lognormal":
        return jnp.exp(std * z)
    return jnp.maximum(1.0 + std * z, 0.0)


def cycle_to_cycle(key, g, std: float):
    """One write's relative variation: ``max(g (1 + std z), 0)`` (µS)."""
    std = as_float("c2c_std", std, lo=0.0)
    g = float_array("g", g)
    return jnp.maximum(g * (1.0 + std * jax.random.normal(key, g.shape, g.dtype)), 0.0)


__all__ = ["Faults", "stuck_codes", "apply_stuck", "d2d_gains", "cycle_to_cycle", "STUCK_ON", "STUCK_OFF",
           "HEALTHY"]
