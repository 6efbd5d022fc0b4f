r"""Conductance drift and relaxation after programming (units: µS, s).

``t`` is always the time since programming finished (``t_inference`` in aihwkit), in seconds.
Each model draws its per-device random parameters once at programming (:meth:`init`, stored in the device state)
and then maps a programmed conductance to its value at time ``t`` deterministically (:meth:`apply`).

**PCM power-law drift** (:class:`PCMDrift`; aihwkit ``PCMLikeNoiseModel``, Nandakumar et al., ICECS 2019):

.. math::
   g(t) = g_\mathrm{prog}\left(\frac{t + t_0}{t_0}\right)^{-\nu},\qquad
   \nu = s\,\bigl|\mu_\nu(x) + \sigma_\nu(x)\,z\bigr|,\quad x = \max(|g_T|/g_\max, 10^{-7}),

   \mu_\nu = \mathrm{clip}(-0.0155\ln x + 0.0244,\ 0.049,\ 0.1),\qquad
   \sigma_\nu = \mathrm{clip}(-0.0125\ln x - 0.0059,\ 0.008,\ 0.045),

with :math:`t_0` = 20 s (the first read after programming) and ``s`` = ``scale``. ν is fixed per device.
:func:`pcm_nu_mean` gives :math:`E[\nu]` (mean of the folded normal).

**CMO RRAM relaxation** (:class:`CMORelaxation`; aihwkit ``ReRamCMONoiseModel``, IBM Zurich CMO/HfOx), independent
of the conductance level:

.. math::
   g(t) = g_\mathrm{prog} + s\,\bigl(-0.08900206 \ln\tau + (0.04201137 \ln\tau + 0.41183342)\,z\bigr),
   \quad \tau = \max(t, 1\,\mathrm s),\ t > 0;\qquad g(0) = g_\mathrm{prog},

with z ~ N(0, 1) fixed per device. The fit was made at t ≥ 1 s; for 0 < t < 1 s neurosim holds the 1 s value
instead of extrapolating ln t below 0 (aihwkit evaluates ln t there).

**RRAM Wan 2022 retention** (:class:`WanRetention`; aihwkit ``ReRamWan2022NoiseModel``, Wan et al., Nature 2022).
There is no systematic drift: the spread around the target widens with time. aihwkit resamples
:math:`g = g_T + \sigma_k(x) z` at the three fitted times :math:`t_k` ∈ {1 s, 1 day, 2 days} only. neurosim keeps
each device's deviation ``z`` from programming (so a device stays high or low) and lets σ follow the fits,
interpolated linearly in ln t between the fitted times and held constant outside them (neurosim interpolation,
not in the source):

.. math::  g(t) = g_\mathrm{prog} + s\,(\sigma(x, t) - \sigma(x, 1\,\mathrm s))\,z,

which equals :math:`g_T + \sigma(x,t)z` (the aihwkit marginal at each fitted time) when nothing was clipped.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from neurosim.devices._common import (as_coeffs, as_float, check_time, float_array, norm_cdf, set_field,
                                      static_config)
from neurosim.devices.programming import WAN2022_COEFFS, WAN2022_G_REF, WAN2022_TIMES, poly_sigma
from neurosim.errors import ValidationError

# aihwkit PCMLikeNoiseModel.generate_drift_coefficients (Nandakumar et al., ICECS 2019).
PCM_NU_MEAN = (-0.0155, 0.0244, 0.049, 0.1)  # slope on ln x, intercept, clip low, clip high
PCM_NU_STD = (-0.0125, -0.0059, 0.008, 0.045)  # same layout
PCM_T0 = 20.0  # s, aihwkit PCMLikeNoiseModel t_0
_ZERO_CLIP = 1e-7  # aihwkit floor on x before ln x
# aihwkit ReRamCMONoiseModel decay_dict (µS): mean shift per ln t; s.d. = slope·ln t + intercept.
CMO_RELAX_MEAN_SLOPE = -0.08900206
CMO_RELAX_STD_SLOPE = 0.04201137
CMO_RELAX_STD_INTERCEPT = 0.41183342


def pcm_nu_stats(x, xp=jnp):
    """(μ_ν, σ_ν) of the PCM drift exponent at normalised target conductance ``x`` = g_T/g_max (array;
    ``xp=numpy`` evaluates on the host in float64)."""
    lx = xp.log(xp.maximum(xp.abs(x), _ZERO_CLIP))
    mu = xp.clip(PCM_NU_MEAN[0] * lx + PCM_NU_MEAN[1], PCM_NU_MEAN[2], PCM_NU_MEAN[3])
    sd = xp.clip(PCM_NU_STD[0] * lx + PCM_NU_STD[1], PCM_NU_STD[2], PCM_NU_STD[3])
    return mu, sd


def pcm_nu_mean(x: float) -> float:
    """E[ν] at normalised conductance ``x`` (host float): mean of the folded normal |N(μ_ν, σ_ν)|."""
    mu, sd = (float(v) for v in pcm_nu_stats(np.float64(x), np))
    r = mu / sd
    return sd * math.sqrt(2.0 / math.pi) * math.exp(-0.5 * r * r) + mu * (1.0 - 2.0 * norm_cdf(-r))


@static_config
class PCMDrift:
    """PCM power-law drift. ``t0``: first-read time of the fit (s). ``scale``: multiplies ν (aihwkit drift_scale)."""

    t0: float = PCM_T0
    scale: float = 1.0

    def __post_init__(self):
        set_field(self, "t0", as_float("t0", self.t0, lo=0.0, lo_open=True))
        set_field(self, "scale", as_float("scale", self.scale, lo=0.0))

    def init(self, key, g_target, z_prog, *, g_max: float):
        """Per-device drift exponents ν (dimensionless), from the target conductances (µS)."""
        del z_prog
        mu, sd = pcm_nu_stats(g_target / g_max)
        z = jax.random.normal(key, jnp.shape(g_target), jnp.result_type(g_target))
        return self.scale * jnp.abs(mu + sd * z)

    def apply(self, g_prog, g_target, nu, t, *, g_max: float):
        """g(t) (µS) for programmed conductances ``g_prog`` (µS) and exponents ``nu`` at ``t`` s after programming."""
        del g_target, g_max
        return g_prog * ((t + self.t0) / self.t0) ** (-nu)


@static_config
class CMORelaxation:
    """CMO RRAM conductance relaxation (µS): mean shift ``mean_slope``·ln t, s.d. ``std_slope``·ln t +
    ``std_intercept``; ``scale`` multiplies both (aihwkit drift_scale)."""

    mean_slope: float = CMO_RELAX_MEAN_SLOPE
    std_slope: float = CMO_RELAX_STD_SLOPE
    std_intercept: float = CMO_RELAX_STD_INTERCEPT
    scale: float = 1.0

    def __post_init__(self):
        set_field(self, "mean_slope", as_float("mean_slope", self.mean_slope))
        set_field(self, "std_slope", as_float("std_slope", self.std_slope))
        set_field(self, "std_intercept", as_float("std_intercept", self.std_intercept))
        set_field(self, "scale", as_float("scale", self.scale, lo=0.0))

    def init(self, key, g_target, z_prog, *, g_max: float):
        """Per-device standard-normal relaxation draws z."""
        del z_prog, g_max
        return jax.random.normal(key, jnp.shape(g_target), jnp.result_type(g_target))

    def sigma(self, t):
        """Relaxation s.d. (µS) at ``t`` s (t > 0), floored at 0."""
        lt = jnp.log(jnp.maximum(t, 1.0))
        return jnp.maximum(self.std_slope * lt + self.std_intercept, 0.0)

    def shift(self, t):
        """Mean conductance shift (µS) at ``t`` s (t > 0)."""
        return self.mean_slope * jnp.log(jnp.maximum(t, 1.0))

    def apply(self, g_prog, g_target, z, t, *, g_max: float):
        del g_target, g_max
        delta = self.scale * (self.shift(t) + self.sigma(t) * z)
        return jnp.where(t > 0, g_prog + delta, g_prog)


@static_config
class WanRetention:
    """Wan 2022 RRAM retention: σ(x, t) polynomials (µS at reference ``g_ref``) at ``times`` (s); ``scale``
    multiplies the added spread."""

    times: tuple = WAN2022_TIMES
    coeffs: tuple = WAN2022_COEFFS
    g_ref: float = WAN2022_G_REF
    scale: float = 1.0

    def __post_init__(self):
        times = as_coeffs("times", self.times)
        if any(t <= 0 for t in times) or any(b <= a for a, b in zip(times, times[1:])):
            raise ValidationError(f"times: must be positive and strictly increasing, got {times}")
        if not isinstance(self.coeffs, (tuple, list)) or len(self.coeffs) != len(times):
            raise ValidationError(f"coeffs: expected one coefficient sequence per time ({len(times)}), "
                                  f"got {type(self.coeffs).__name__}")
        set_field(self, "times", times)
        set_field(self, "coeffs", tuple(as_coeffs(f"coeffs[{i}]", c) for i, c in enumerate(self.coeffs)))
        set_field(self, "g_ref", as_float("g_ref", self.g_ref, lo=0.0, lo_open=True))
        set_field(self, "scale", as_float("scale", self.scale, lo=0.0))

    def sigma(self, g_target, t, *, g_max: float):
        """σ(x, t) in µS: the fits at ``times`` interpolated linearly in ln t (constant outside)."""
        log_times = jnp.log(jnp.asarray(self.times, jnp.float32))
        lt = jnp.log(jnp.clip(t, self.times[0], self.times[-1]))
        out = jnp.zeros_like(g_target)
        for k, c in enumerate(self.coeffs):
            hat = jnp.interp(lt, log_times, jnp.eye(len(self.times), dtype=jnp.float32)[k])
            out = out + hat * poly_sigma(c, g_target, relative=True, g_max=g_max, g_ref=self.g_ref)
        return out

    def init(self, key, g_target, z_prog, *, g_max: float):
        """The programming draws z themselves: the device keeps its deviation."""
        del key, g_max
        return jnp.broadcast_to(z_prog, jnp.shape(g_target))

    def apply(self, g_prog, g_target, z, t, *, g_max: float):
        s0 = poly_sigma(self.coeffs[0], g_target, relative=True, g_max=g_max, g_ref=self.g_ref)
        return g_prog + self.scale * (self.sigma(g_target, t, g_max=g_max) - s0) * z


DRIFT_MODELS = (PCMDrift, CMORelaxation, WanRetention)


def drift_exponents(key, g_target, drift: PCMDrift = PCMDrift(), *, g_max: float = 25.0):
    """Per-device PCM drift exponents ν for targets ``g_target`` (µS)."""
    return drift.init(key, float_array("g_target", g_target), None, g_max=as_float("g_max", g_max, lo=0.0,
                                                                                      lo_open=True))


def apply_drift(g_prog, nu, t, drift: PCMDrift = PCMDrift()):
    """PCM drift of programmed conductances ``g_prog`` (µS) with exponents ``nu`` to ``t`` s after programming."""
    t = check_time("t", t)
    return drift.apply(float_array("g_prog", g_prog), None, nu, t, g_max=1.0)


__all__ = ["PCMDrift", "CMORelaxation", "WanRetention", "pcm_nu_stats", "pcm_nu_mean", "drift_exponents",
           "apply_drift", "DRIFT_MODELS", "PCM_T0"]
