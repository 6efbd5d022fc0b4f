r"""Programming (write-verify) noise: the conductance a cell actually reaches for a target (units: µS).

Every model is additive Gaussian noise with a conductance-dependent standard deviation,

.. math::  g_\mathrm{prog} = g_T + s\,\sigma(g_T)\,z,\qquad z \sim \mathcal N(0, 1),

followed by clipping (:math:`g \ge 0`, or :math:`g_\min \le g \le g_\max` for single-device models). ``s`` is
``scale`` (1 = as measured). Two σ forms cover the published fits:

* **relative polynomial** (PCM, RRAM Wan 2022): :math:`\sigma = \frac{g_\max}{g_\mathrm{ref}}\sum_i c_i x^i`,
  :math:`x = g_T/g_\max`; the coefficients are in µS for a device whose maximum is :math:`g_\mathrm{ref}`, and
  the factor :math:`g_\max/g_\mathrm{ref}` rescales them to another range.
* **absolute polynomial** (CMO RRAM): :math:`\sigma = \sum_i a_i g_T^i` with :math:`g_T` in µS.

σ is floored at 0 (a fitted polynomial evaluated outside its range could turn negative).

======================  ============================================  =======  =======================================
constructor             coefficients (c0, c1, …), σ in µS             g_ref    source
======================  ============================================  =======  =======================================
``pcm_programming``     0.26348, 1.9650, −1.1731                      25 µS    aihwkit ``PCMLikeNoiseModel``, fit of
                                                                               Nandakumar et al., ICECS 2019
``wan2022_programming`` 0.348, 16.030, −43.853, 45.393, −16.815       40 µS    aihwkit ``ReRamWan2022NoiseModel``,
                        (1 s after programming)                                fit to Wan et al., Nature 2022
``cmo_programming``     0.0112185391, 0.01129027418 (2 % acceptance)  —        aihwkit ``ReRamCMONoiseModel`` (IBM
                        0.00081107, 0.00106879 (0.2 % acceptance)              Zurich CMO/HfOx; Falcone et al., in
                                                                               review)
======================  ============================================  =======  =======================================

Deviation from aihwkit: aihwkit's ReRAM code keeps the 40 µS reference in an attribute its polynomial helper does
not read, so there σ is *not* rescaled when ``g_max`` ≠ 40 µS; here it is (the evident intent of that code's
comment). At the default ``g_max`` = 40 µS both agree.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.devices._common import as_coeffs, as_float, float_array, set_field, static_config
from neurosim.errors import ValidationError

# aihwkit PCMLikeNoiseModel default prog_coeff (µS at g_max = 25 µS); Nandakumar et al., ICECS 2019.
PCM_PROG_COEFFS = (0.26348, 1.9650, -1.1731)
PCM_G_REF = 25.0  # µS, aihwkit prog_coeff_g_max_reference for the defaults
# aihwkit ReRamWan2022NoiseModel coeff_dic (µS, reference g_max 40 µS); Wan et al., Nature 2022.
WAN2022_TIMES = (1.0, 86400.0, 172800.0)  # s: 1 s, 1 day, 2 days after programming
WAN2022_COEFFS = (
    (0.348, 16.030, -43.853, 45.393, -16.815),  # 1 s
    (0.701, 22.086, -50.773, 47.095, -16.458),  # 1 day
    (0.782, 20.274, -43.507, 37.062, -11.934),  # 2 days
)
WAN2022_G_REF = 40.0  # µS, aihwkit prog_coeff_g_max_reference
# aihwkit ReRamCMONoiseModel coeff_dict (σ = a0 + a1·g, g in µS), keyed by write-verify acceptance range.
CMO_PROG_COEFFS = {
    0.02: (0.0112185391, 0.01129027418),  # 2 % acceptance range (≈0.58 µS at 50 µS)
    0.002: (0.00081107, 0.00106879),  # 0.2 % acceptance range
}

_CLIPS = ("nonnegative", "range")


@static_config
class ProgrammingNoise:
    """Conductance-dependent Gaussian programming noise (see the module docstring).

    ``coeffs``: polynomial coefficients c0, c1, … (σ in µS). ``relative``: polynomial in x = g/g_max (True) or in
    g in µS (False). ``g_ref``: the g_max (µS) the relative fit was made at. ``clip``: ``"nonnegative"`` (g ≥ 0) or
    ``"range"`` ([g_min, g_max]). ``scale``: multiplies σ. ``source``: citation string.
    """

    coeffs: tuple = PCM_PROG_COEFFS
    relative: bool = True
    g_ref: float = PCM_G_REF
    clip: str = "nonnegative"
    scale: float = 1.0
    source: str = ""

    def __post_init__(self):
        set_field(self, "coeffs", as_coeffs("coeffs", self.coeffs))
        set_field(self, "relative", bool(self.relative))
        set_field(self, "g_ref", as_float("g_ref", self.g_ref, lo=0.0, lo_open=True))
        validate.choice("clip", self.clip, _CLIPS)
        set_field(self, "scale", as_float("scale", self.scale, lo=0.0))


def pcm_programming(scale: float = 1.0) -> ProgrammingNoise:
    """aihwkit ``PCMLikeNoiseModel`` programming noise (Nandakumar et al., ICECS 2019), clipped at g ≥ 0."""
    return ProgrammingNoise(PCM_PROG_COEFFS, True, PCM_G_REF, "nonnegative", scale,
                            "aihwkit PCMLikeNoiseModel; Nandakumar et al., ICECS 2019")


def wan2022_programming(scale: float = 1.0) -> ProgrammingNoise:
    """aihwkit ``ReRamWan2022NoiseModel`` σ at 1 s after programming (Wan et al., Nature 2022), clipped at g ≥ 0."""
    return ProgrammingNoise(WAN2022_COEFFS[0], True, WAN2022_G_REF, "nonnegative", scale,
                            "aihwkit ReRamWan2022NoiseModel (1 s fit); Wan et al., Nature 2022")


def cmo_programming(acceptance: float = 0.02, scale: float = 1.0) -> ProgrammingNoise:
    """aihwkit ``ReRamCMONoiseModel`` linear σ for a write-verify ``acceptance`` range of 0.02 or 0.002,
    clipped to [g_min, g_max]."""
    acceptance = float(acceptance)
    if acceptance not in CMO_PROG_COEFFS:
        raise ValidationError(f"acceptance: must be one of {sorted(CMO_PROG_COEFFS)}, got {acceptance:g}")
    return ProgrammingNoise(CMO_PROG_COEFFS[acceptance], False, 1.0, "range", scale,
                            f"aihwkit ReRamCMONoiseModel ({acceptance:.1%} acceptance); IBM Zurich CMO/HfOx")


def _poly(coeffs, u):
    acc = jnp.zeros_like(u) + coeffs[-1]
    for c in reversed(coeffs[:-1]):  # Horner
        acc = acc * u + c
    return acc


def poly_sigma(coeffs, g, *, relative: bool, g_max: float, g_ref: float):
    """σ (µS) of a polynomial noise fit at conductance ``g`` (µS), floored at 0 (see module docstring)."""
    if relative:
        return jnp.maximum(_poly(coeffs, g / g_max) * (g_max / g_ref), 0.0)
    return jnp.maximum(_poly(coeffs, g), 0.0)


def programming_sigma(g_target, noise: ProgrammingNoise, *, g_max: float):
    """Standard deviation (µS) of the programmed conductance for target ``g_target`` (µS), before ``scale``."""
    g_target = float_array("g_target", g_target)
    return poly_sigma(noise.coeffs, g_target, relative=noise.relative, g_max=g_max, g_ref=noise.g_ref)


def clip_conductance(g, clip: str, g_min: float, g_max: float):
    """Clip conductances (µS) to g ≥ 0 (``"nonnegative"``) or to [g_min, g_max] (``"range"``)."""
    if clip == "range":
        return jnp.clip(g, g_min, g_max)
    return jnp.maximum(g, 0.0)


def apply_programming_noise(g_target, z, noise: ProgrammingNoise, *, g_max: float, g_min: float = 0.0):
    """Programmed conductance (µS) for targets ``g_target`` (µS) given standard-normal draws ``z`` (same shape)."""
    sigma = poly_sigma(noise.coeffs, g_target, relative=noise.relative, g_max=g_max, g_ref=noise.g_ref)
    return clip_conductance(g_target + noise.scale * sigma * z, noise.clip, g_min, g_max)


def program(key, g_target, noise: ProgrammingNoise, *, g_max: float, g_min: float = 0.0):
    """Program target conductances ``g_target`` (µS) once; returns the reached conductances (µS).

    ``g_max``/``g_min`` (µS) set x = g/g_max for relative fits and the clipping range of ``clip="range"``.
    Same ``key`` → identical result. jit-able (``noise`` is a static pytree; ``g_max``/``g_min`` are floats).
    """
    if not isinstance(noise, ProgrammingNoise):
        raise ValidationError(f"noise: expected ProgrammingNoise, got {type(noise).__name__}")
    g_max = as_float("g_max", g_max, lo=0.0, lo_open=True)
    g_min = as_float("g_min", g_min, lo=0.0)
    if g_min >= g_max:
        raise ValidationError(f"g_min: must be < g_max ({g_max:g} µS), got {g_min:g}")
    return _program(key, float_array("g_target", g_target), noise=noise, g_max=g_max, g_min=g_min)


@functools.partial(jax.jit, static_argnames=("noise", "g_max", "g_min"))
def _program(key, g_target, *, noise: ProgrammingNoise, g_max: float, g_min: float):
    z = jax.random.normal(key, g_target.shape, g_target.dtype)
    return apply_programming_noise(g_target, z, noise, g_max=g_max, g_min=g_min)


__all__ = ["ProgrammingNoise", "pcm_programming", "wan2022_programming", "cmo_programming", "program",
           "programming_sigma", "apply_programming_noise", "poly_sigma", "clip_conductance", "PCM_PROG_COEFFS",
           "WAN2022_COEFFS", "WAN2022_TIMES", "CMO_PROG_COEFFS"]
