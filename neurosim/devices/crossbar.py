r"""Signed weights on a crossbar: differential-pair mapping and the analog matrix–vector product.

Units: conductances in µS; inputs ``x`` in units of the full-scale read voltage (spikes are 0/1); outputs are
returned in weight units (the ideal result is ``x @ w``). The weight matrix has shape (n_in, n_out): rows are
inputs (word lines), columns are outputs (bit lines), as in :class:`neurosim.Dense`.

**Differential pair.** A signed weight is the difference of two cells, :math:`w = (G^+ - G^-)\,s`:

.. math::
   G^\pm = g_\min + \max(\pm w, 0)/s,\qquad s = w_\max / (g_\max - g_\min)\ \text{(weight units per µS)},

so the larger-magnitude weight :math:`w_\max` (default ``max |w|``) maps to :math:`g_\max` and 0 to two cells at
:math:`g_\min`. Weights beyond :math:`\pm w_\max` saturate at :math:`g_\max`.

**Analog MVM** (:func:`crossbar_mvm`), per physical column (the G⁺ and G⁻ columns separately):

1. optional DAC: inputs clipped to ±``inp_bound`` and quantised to :math:`2^{b}-1` levels;
2. column current :math:`I_i = \sum_j G_{ji} x_j`;
3. optional IR drop, aihwkit's simple model (``IOParameters.ir_drop``), with each column's own conductances
   :math:`w_{ji} = G_{ji}/g_\max \in [0, 1]`:

   .. math::
      a_i = \frac{n}{\rho}\sum_j w_{ji}|x_j|,\quad c_i = a_i(0.05a_i^2 - 0.2a_i + 0.5),\quad
      I_i \leftarrow I_i - \kappa\,c_i \sum_j G_{ji}x_j\,\bigl(1 - (1 - u_j)^2\bigr),

   with κ = ``ir_drop`` (≤ 1 is physical), n rows, :math:`\rho = 1/(R_\mathrm{wire} g_\max)` the
   wire-to-device conductance ratio (aihwkit ``ir_drop_g_ratio``; default :math:`R_\mathrm{wire}` = 0.35 Ω per
   cell) and :math:`u_j` the
   distance of row j from the output in units of the column length. **Row 0 is farthest from the output**
   (:math:`u_j = (n - j)/n`), so it loses the most. This factor follows from the steady-state voltage along a
   uniformly loaded column wire (the voltage at distance u is ∝ :math:`u - u^2/2`). aihwkit's docstring also puts
   input 0 farthest, but its code weights row j by :math:`1-(1-j/n)^2`, which is zero for row 0; neurosim
   follows the docstring and the physics, i.e. aihwkit's factor with the row order reversed. The cubic in
   :math:`a_i` is a small-drop fit (a ≲ 1, i.e. drops up to ≈ 20–30 %); neurosim caps :math:`c_i` at 1 (reached
   at a ≈ 2.95) so that a column current can never reverse sign, which the bare cubic would allow;
4. output :math:`y = (I^+ - I^-)/g_\max` in units of one full-on cell at full input, plus optional Gaussian
   ``out_noise`` (aihwkit IOParameters default 0.06; off here by default), then optional ADC: clipped to
   ±``out_bound`` (aihwkit default 12) and quantised to :math:`2^{b}-1` levels;
5. converted back to weight units: :math:`y\,g_\max s`.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from neurosim.devices._common import as_float, as_optional_int, float_array, set_field, static_config
from neurosim.devices.quantize import quantize_symmetric
from neurosim.errors import ValidationError

# aihwkit IOParameters defaults (simulator/parameters/io.py).
AIHWKIT_WIRE_RESISTANCE = 0.35  # Ω per cell segment (ir_drop_g_ratio = 1/(0.35 Ω · g_max))
AIHWKIT_OUT_BOUND = 12.0  # ADC full scale, units of g_max · full-scale input
AIHWKIT_INP_BOUND = 1.0


@static_config
class CrossbarParams:
    """Peripheral non-idealities of the analog MVM (see the module docstring).

    ``ir_drop`` (κ ≥ 0; 0 = off), ``wire_resistance`` (Ω per cell), ``dac_bits``/``adc_bits`` (None = ideal),
    ``inp_bound`` (input full scale), ``out_bound`` (ADC full scale in units of g_max × input full scale),
    ``out_noise`` (Gaussian s.d. per output, same units).
    """

    ir_drop: float = 0.0
    wire_resistance: float = AIHWKIT_WIRE_RESISTANCE
    dac_bits: int | None = None
    adc_bits: int | None = None
    inp_bound: float = AIHWKIT_INP_BOUND
    out_bound: float = AIHWKIT_OUT_BOUND
    out_noise: float = 0.0

    def __post_init__(self):
        set_field(self, "ir_drop", as_float("ir_drop", self.ir_drop, lo=0.0))
        set_field(self, "wire_resistance", as_float("wire_resistance", self.wire_resistance, lo=0.0, lo_open=True))
        set_field(self, "dac_bits", as_optional_int("dac_bits", self.dac_bits, minimum=2))
        set_field(self, "adc_bits", as_optional_int("adc_bits", self.adc_bits, minimum=2))
        set_field(self, "inp_bound", as_float("inp_bound", self.inp_bound, lo=0.0, lo_open=True))
        set_field(self, "out_bound", as_float("out_bound", self.out_bound, lo=0.0, lo_open=True))
        set_field(self, "out_noise", as_float("out_noise", self.out_noise, lo=0.0))


def _g_range(g_max, g_min):
    g_max = as_float("g_max", g_max, lo=0.0, lo_open=True)
    g_min = as_float("g_min", g_min, lo=0.0)
    if g_min >= g_max:
        raise ValidationError(f"g_min: must be < g_max ({g_max:g} µS), got {g_min:g}")
    return g_max, g_min


def weights_to_conductances(w, g_max: float, g_min: float = 0.0, w_max=None):
    """Map signed weights to a differential pair: returns ``(g_plus, g_minus, scale)`` with
    ``w = (g_plus - g_minus) * scale`` (µS, µS, weight units per µS). ``w_max`` (default ``max |w|``; an
    all-zero ``w`` uses 1) is the weight mapped to ``g_max``."""
    g_max, g_min = _g_range(g_max, g_min)
    w = float_array("w", w)
    if w_max is not None and not isinstance(w_max, jax.core.Tracer):
        w_max = as_float("w_max", w_max, lo=0.0, lo_open=True)
    return pair_conductances(w, g_max, g_min, w_max)


def pair_conductances(w, g_max: float, g_min: float, w_max=None):
    """Unchecked core of :func:`weights_to_conductances` (``w_max`` may be traced)."""
    if w_max is None:
        w_max = jnp.max(jnp.abs(w)) if w.size else jnp.asarray(1.0, w.dtype)
        w_max = jnp.where(w_max > 0, w_max, jnp.asarray(1.0, w.dtype))
    else:
        w_max = jnp.asarray(w_max, w.dtype)
    scale = w_max / (g_max - g_min)
    mag = jnp.minimum(jnp.abs(w), w_max) / scale
    g_plus = g_min + jnp.where(w > 0, mag, 0.0)
    g_minus = g_min + jnp.where(w < 0, mag, 0.0)
    return g_plus, g_minus, scale


def conductances_to_weights(g_plus, g_minus, scale):
    """Inverse of :func:`weights_to_conductances`: ``(g_plus - g_minus) * scale``."""
    return (jnp.asarray(g_plus) - jnp.asarray(g_minus)) * scale


def ir_drop_position_factor(n_rows: int):
    """The IR-drop weight :math:`1-(1-u_j)^2` of each row, u_j = (n − j)/n (row 0 farthest: factor 1)."""
    u = (n_rows - jnp.arange(n_rows, dtype=jnp.float32)) / n_rows
    return 1.0 - (1.0 - u) ** 2


def column_currents(x, g, params: CrossbarParams, *, g_max: float):
    """Currents of one set of columns, ``x @ g`` (µS × input units), with the IR drop of ``params``."""
    ideal = jnp.matmul(x, g)
    if params.ir_drop == 0.0:
        return ideal
    n = g.shape[0]
    ratio = 1.0 / (params.wire_resistance * g_max * 1e-6)  # wire conductance / device g_max
    a = (n / ratio) * jnp.matmul(jnp.abs(x), g / g_max)
    c = jnp.minimum(a * (a * (0.05 * a - 0.2) + 0.5), 1.0)  # cap: no cell loses more than its whole current
    weighted = jnp.matmul(x * ir_drop_position_factor(n), g)
    return ideal - params.ir_drop * c * weighted


def crossbar_mvm(x, g_plus, g_minus, scale, params: CrossbarParams = CrossbarParams(), *, g_max: float, key=None):
    """Analog ``x @ w`` through a differential-pair crossbar (see the module docstring for the steps).

    ``x``: (..., n_in) inputs in full-scale units; ``g_plus``/``g_minus``: (n_in, n_out) µS; ``scale``: weight
    units per µS; ``g_max`` (µS). ``key`` is needed only when ``params.out_noise > 0``. Returns (..., n_out).
    """
    if not isinstance(params, CrossbarParams):
        raise ValidationError(f"params: expected CrossbarParams, got {type(params).__name__}")
    g_max = as_float("g_max", g_max, lo=0.0, lo_open=True)
    x = float_array("x", x)
    g_plus, g_minus = jnp.asarray(g_plus), jnp.asarray(g_minus)
    if g_plus.ndim != 2 or g_plus.shape != g_minus.shape:
        raise ValidationError(f"g_plus/g_minus: expected two (n_in, n_out) arrays of one shape, got "
                              f"{g_plus.shape} and {g_minus.shape}")
    if x.shape[-1:] != g_plus.shape[:1]:
        raise ValidationError(f"x: expected trailing size {g_plus.shape[0]} (n_in), got shape {x.shape}")
    if params.out_noise > 0.0 and key is None:
        raise ValidationError("key: required when out_noise > 0")
    return _mvm(x, g_plus, g_minus, scale, key, params=params, g_max=g_max)


@functools.partial(jax.jit, static_argnames=("params", "g_max"))
def _mvm(x, g_plus, g_minus, scale, key, *, params: CrossbarParams, g_max: float):
    if params.dac_bits is not None:
        x = quantize_symmetric(x, params.dac_bits, params.inp_bound)
    if params.ir_drop == 0.0:
        y = jnp.matmul(x, g_plus - g_minus) / g_max
    else:
        y = (column_currents(x, g_plus, params, g_max=g_max)
             - column_currents(x, g_minus, params, g_max=g_max)) / g_max
    if params.out_noise > 0.0:
        y = y + params.out_noise * jax.random.normal(key, y.shape, y.dtype)
    if params.adc_bits is not None:
        y = quantize_symmetric(y, params.adc_bits, params.out_bound)
    return y * (g_max * scale)


__all__ = ["CrossbarParams", "weights_to_conductances", "conductances_to_weights", "crossbar_mvm",
           "column_currents", "ir_drop_position_factor"]
