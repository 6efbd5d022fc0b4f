r"""Read noise: fresh Gaussian noise on every read of a conductance (units: µS, s).

``t`` is the time since programming (s). Every call with a new key draws new noise; the stored conductances are
not changed.

**PCM 1/f noise** (:class:`PCMReadNoise`; aihwkit ``PCMLikeNoiseModel``, Nandakumar et al., ICECS 2019). The
accumulated 1/f noise since programming is multiplicative:

.. math::
   g = g_d + |g_d|\,s\,\sigma_r z,\quad \sigma_r = Q_s\sqrt{\ln\frac{t + t_0 + t_\mathrm{read}}{2 t_\mathrm{read}}},
   \quad Q_s = \min\!\Bigl(\frac{0.0088}{\max(x, 10^{-3})^{0.65}},\ 0.2\Bigr),\ x = |g_\mathrm{prog}|/g_\max,

with :math:`g_d` the drifted conductance, :math:`t_\mathrm{read}` = 250 ns and :math:`t_0` = 20 s (aihwkit
counts time from the start of programming, :math:`t + t_0`). :func:`pcm_read_sigma` gives σ_r.
aihwkit applies the 10⁻³ floor to :math:`x^{0.65}` rather than to x; the 0.2 cap makes the two identical
(the cap binds for x < 0.0083).

**CMO RRAM read noise** (:class:`CMOReadNoise`; aihwkit ``ReRamCMONoiseModel``), additive in µS:

.. math::  g = g_d + s\,\sigma z,\quad \sigma = 0.0277316\,|\log_{10} g_d|\sqrt{\max\bigl(\ln\tfrac{t + 1\,\mu s}
           {2\,\mu s}, 0\bigr)},

(:math:`g_d` in µS; zero at t = 0, as aihwkit returns the programmed value there).

**Simple weight noise** (:class:`SimpleReadNoise`): ``"multiplicative"`` :math:`g(1 + w z)` (ESGNN simulation
backend's read noise); ``"additive"`` :math:`g + w\,g_\max z`. The additive form applied independently to every
cell gives each crossbar output the noise of aihwkit's ``ADDITIVE_CONSTANT`` output weight noise
(:math:`w\,\lVert x\rVert_2` in units of :math:`g_\max`), which aihwkit's ReRAM docstring suggests at w ≈ 0.01.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.devices._common import as_float, check_time, float_array, set_field, static_config
from neurosim.errors import ValidationError

# aihwkit PCMLikeNoiseModel (Nandakumar et al., ICECS 2019).
PCM_T_READ = 250.0e-9  # s
PCM_Q_COEFF, PCM_Q_EXP, PCM_Q_MAX, PCM_Q_FLOOR = 0.0088, 0.65, 0.2, 1e-3
# aihwkit ReRamCMONoiseModel read_dict.
CMO_READ_K = 0.0277316483  # µS per decade
CMO_T_READ = 1e-6  # s


def pcm_read_sigma(g_prog, t, *, g_max: float, t0: float = 20.0, t_read: float = PCM_T_READ):
    """Relative 1/f read-noise s.d. σ_r (dimensionless) at ``t`` s after programming."""
    x = jnp.abs(g_prog) / g_max
    q_s = jnp.minimum(PCM_Q_COEFF / jnp.maximum(x, PCM_Q_FLOOR) ** PCM_Q_EXP, PCM_Q_MAX)
    return q_s * jnp.sqrt(jnp.log((t + t0 + t_read) / (2.0 * t_read)))


@static_config
class PCMReadNoise:
    """PCM 1/f read noise: ``t_read`` (s), ``t0`` (s, aihwkit t_0), ``scale`` (aihwkit read_noise_scale)."""

    t_read: float = PCM_T_READ
    t0: float = 20.0
    scale: float = 1.0

    def __post_init__(self):
        set_field(self, "t_read", as_float("t_read", self.t_read, lo=0.0, lo_open=True))
        set_field(self, "t0", as_float("t0", self.t0, lo=0.0))
        set_field(self, "scale", as_float("scale", self.scale, lo=0.0))

    def apply(self, key, g, g_prog, t, *, g_max: float):
        sigma = pcm_read_sigma(g_prog, t, g_max=g_max, t0=self.t0, t_read=self.t_read)
        return g + jnp.abs(g) * self.scale * sigma * jax.random.normal(key, g.shape, g.dtype)


def cmo_read_sigma(g, t, *, k: float = CMO_READ_K, t_read: float = CMO_T_READ):
    """Additive read-noise s.d. (µS) of a CMO cell at conductance ``g`` (µS), ``t`` s after programming."""
    decades = jnp.abs(jnp.log10(jnp.maximum(g, 1e-12)))
    return k * decades * jnp.sqrt(jnp.maximum(jnp.log((t + t_read) / (2.0 * t_read)), 0.0))


@static_config
class CMOReadNoise:
    """CMO RRAM read noise: ``k`` (µS per decade of g), ``t_read`` (s), ``scale``."""

    k: float = CMO_READ_K
    t_read: float = CMO_T_READ
    scale: float = 1.0

    def __post_init__(self):
        set_field(self, "k", as_float("k", self.k, lo=0.0))
        set_field(self, "t_read", as_float("t_read", self.t_read, lo=0.0, lo_open=True))
        set_field(self, "scale", as_float("scale", self.scale, lo=0.0))

    def apply(self, key, g, g_prog, t, *, g_max: float):
        del g_prog, g_max
        sigma = cmo_read_sigma(g, t, k=self.k, t_read=self.t_read)
        return g + self.scale * sigma * jax.random.normal(key, g.shape, g.dtype)


@static_config
class SimpleReadNoise:
    """Per-read weight noise: ``w_noise`` (relative s.d.), ``kind`` ``"multiplicative"`` (g·(1 + w z)) or
    ``"additive"`` (g + w·g_max·z)."""

    w_noise: float = 0.01
    kind: str = "multiplicative"

    def __post_init__(self):
        set_field(self, "w_noise", as_float("w_noise", self.w_noise, lo=0.0))
        validate.choice("kind", self.kind, ("multiplicative", "additive"))

    def apply(self, key, g, g_prog, t, *, g_max: float):
        del g_prog, t
        z = jax.random.normal(key, g.shape, g.dtype)
        if self.kind == "multiplicative":
            return g * (1.0 + self.w_noise * z)
        return g + self.w_noise * g_max * z


READ_NOISE_MODELS = (PCMReadNoise, CMOReadNoise, SimpleReadNoise)


def read(key, g, noise, *, g_max: float, t=0.0, g_prog=None):
    """One noisy read of conductances ``g`` (µS) at ``t`` s after programming; ``g_prog`` (µS, default ``g``)
    sets the PCM noise level. Not clipped (the device pipeline clips)."""
    if not isinstance(noise, READ_NOISE_MODELS):
        raise ValidationError(f"noise: expected one of {', '.join(c.__name__ for c in READ_NOISE_MODELS)}, got "
                              f"{type(noise).__name__}")
    g = float_array("g", g)
    t = jnp.asarray(check_time("t", t), g.dtype)
    g_prog = g if g_prog is None else float_array("g_prog", g_prog)
    return _read(key, g, g_prog, t, noise=noise, g_max=as_float("g_max", g_max, lo=0.0, lo_open=True))


@functools.partial(jax.jit, static_argnames=("noise", "g_max"))
def _read(key, g, g_prog, t, *, noise, g_max: float):
    return noise.apply(key, g, g_prog, t, g_max=g_max)


__all__ = ["PCMReadNoise", "CMOReadNoise", "SimpleReadNoise", "pcm_read_sigma", "cmo_read_sigma", "read",
           "READ_NOISE_MODELS"]
