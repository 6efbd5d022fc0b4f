r"""Stochastic electroforming: random conductances from dielectric breakdown (units: V, µS).

Model (ESGNN, Wang et al., Nat. Mach. Intell. 2023; same group and 40 nm node as the resistive-memory LSM of
Lin et al., Nat. Comput. Sci. 2025). A pristine cell is an insulator (≈10 MΩ, i.e. ``g_unformed`` ≈ 0.1 µS).
Each cell has its own breakdown voltage

.. math::  V_\mathrm{bd} \sim \mathcal N(\mu_V, \sigma_V) \quad \text{(V, one draw per cell)}

and a forming pulse of amplitude :math:`V_\mathrm{prog}` breaks down exactly the cells with
:math:`V_\mathrm{bd} \le V_\mathrm{prog}`. A formed cell's conductance is

.. math::  G \sim \mathcal N(\mu_G, \sigma_G) \text{ truncated to } G > 0 \quad (\mu S),

an unformed cell keeps ``g_unformed``. The programming voltage therefore sets the sparsity: the expected formed
fraction is :math:`p = \Phi((V_\mathrm{prog} - \mu_V)/\sigma_V)` (:func:`formed_fraction`), and
:func:`voltage_for_fraction` inverts it. :func:`conductance_moments` gives the exact mean and variance of one cell
(a mixture of the truncated normal and the constant), used to scale signed random weights to unit variance.

Constants (defaults of :class:`Forming`):

==================  ===========  ============================================================================
field               default      source
==================  ===========  ============================================================================
``v_bd_mean``       3.43 V       ESGNN data (400 cells, 20×20; wangsc1912/ESGNN), our statistics [calc]
``v_bd_std``        0.11 V       same
``g_formed_mean``   14.2473 µS   ESGNN simulation backend ``cond_mean`` (hardware statistics, nonzero cells)
``g_formed_std``    2.4624 µS    ESGNN simulation backend ``cond_std``
``g_unformed``      0.1 µS       pristine ≈ 10 MΩ (ESGNN Extended Data Fig. 1 caption)
``v_program``       3.43 V       neurosim choice: = ``v_bd_mean`` → 50 % formed, matching the ≈50 % zeros of
                                 the ESGNN conductance map [calc]
==================  ===========  ============================================================================

The units of the ESGNN conductances are not stated in the source (µS presumed; unverified).
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp

from neurosim.devices._common import as_float, norm_cdf, norm_pdf, norm_ppf, set_field, static_config
from neurosim.errors import ValidationError

# ESGNN source data (Wang et al., NMI 2023; github wangsc1912/ESGNN, data/experimental_data); statistics computed by us.
ESGNN_V_BD_MEAN = 3.43  # V, mean breakdown voltage over 400 cells [calc from source data]
ESGNN_V_BD_STD = 0.11  # V, s.d. of the breakdown voltage [calc from source data]
# ESGNN simulation backend (backend/backend_torch_simu.py): "hardware data statistics, only nonzero parts".
ESGNN_COND_MEAN = 14.2473  # µS (unit presumed; unverified)
ESGNN_COND_STD = 2.4624  # µS (unit presumed; unverified)
PRISTINE_CONDUCTANCE = 0.1  # µS: pristine cells ≈ 10 MΩ (ESGNN Extended Data Fig. 1 caption)


@static_config
class Forming:
    """Electroforming parameters. Voltages in V, conductances in µS.

    ``v_program``: forming-pulse amplitude (V); cells with breakdown voltage ≤ it are formed.
    ``v_bd_mean``, ``v_bd_std``: normal breakdown-voltage distribution (V).
    ``g_formed_mean``, ``g_formed_std``: normal conductance of formed cells, truncated at > 0 (µS).
    ``g_unformed``: conductance of cells left pristine (µS).
    """

    v_program: float = ESGNN_V_BD_MEAN
    v_bd_mean: float = ESGNN_V_BD_MEAN
    v_bd_std: float = ESGNN_V_BD_STD
    g_formed_mean: float = ESGNN_COND_MEAN
    g_formed_std: float = ESGNN_COND_STD
    g_unformed: float = PRISTINE_CONDUCTANCE

    def __post_init__(self):
        set_field(self, "v_program", as_float("v_program", self.v_program))
        set_field(self, "v_bd_mean", as_float("v_bd_mean", self.v_bd_mean))
        set_field(self, "v_bd_std", as_float("v_bd_std", self.v_bd_std, lo=0.0, lo_open=True))
        set_field(self, "g_formed_mean", as_float("g_formed_mean", self.g_formed_mean, lo=0.0, lo_open=True))
        set_field(self, "g_formed_std", as_float("g_formed_std", self.g_formed_std, lo=0.0, lo_open=True))
        set_field(self, "g_unformed", as_float("g_unformed", self.g_unformed, lo=0.0))


def formed_fraction(params: Forming) -> float:
    """Expected fraction of formed cells, :math:`\\Phi((V_\\mathrm{prog}-\\mu_V)/\\sigma_V)` (host float)."""
    return norm_cdf((params.v_program - params.v_bd_mean) / params.v_bd_std)


def voltage_for_fraction(fraction: float, params: Forming = Forming()) -> float:
    """The forming voltage (V) that forms a given expected ``fraction`` of cells (0 < fraction < 1)."""
    fraction = as_float("fraction", fraction, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    return params.v_bd_mean + params.v_bd_std * norm_ppf(fraction)


def truncated_moments(params: Forming) -> tuple[float, float]:
    """Mean and variance (µS, µS²) of a formed cell: the normal truncated to G > 0."""
    mu, sd = params.g_formed_mean, params.g_formed_std
    alpha = -mu / sd
    tail = 1.0 - norm_cdf(alpha)
    lam = norm_pdf(alpha) / tail
    mean = mu + sd * lam
    var = sd * sd * (1.0 + alpha * lam - lam * lam)
    return mean, var


def conductance_moments(params: Forming) -> tuple[float, float]:
    """Exact mean (µS) and variance (µS²) of one cell after forming (mixture of formed and pristine cells)."""
    p = formed_fraction(params)
    m_f, v_f = truncated_moments(params)
    g0 = params.g_unformed
    mean = p * m_f + (1.0 - p) * g0
    second = p * (v_f + m_f * m_f) + (1.0 - p) * g0 * g0
    return mean, max(second - mean * mean, 0.0)


def form(key, shape, params: Forming = Forming()):
    """Form an array of pristine cells once; returns conductances (µS) of the given ``shape`` (float32).

    Each cell draws its breakdown voltage and, if formed, its conductance from ``key``; same key → same array.
    """
    if not isinstance(params, Forming):
        raise ValidationError(f"params: expected Forming, got {type(params).__name__}")
    return _form(key, shape=tuple(int(s) for s in shape), params=params)


@functools.partial(jax.jit, static_argnames=("shape", "params"))
def _form(key, *, shape, params: Forming):
    k_v, k_g = jax.random.split(key)
    v_bd = params.v_bd_mean + params.v_bd_std * jax.random.normal(k_v, shape, jnp.float32)
    formed = v_bd <= params.v_program
    lower = -params.g_formed_mean / params.g_formed_std
    z = jax.random.truncated_normal(k_g, lower, math.inf, shape, jnp.float32)
    g_formed = params.g_formed_mean + params.g_formed_std * z
    return jnp.where(formed, g_formed, jnp.float32(params.g_unformed))


def formed_mask(g, params: Forming = Forming()):
    """Boolean mask of formed cells in a conductance array produced by :func:`form` (G ≠ ``g_unformed``)."""
    return g != jnp.float32(params.g_unformed)


__all__ = ["Forming", "form", "formed_fraction", "formed_mask", "voltage_for_fraction", "conductance_moments",
           "truncated_moments", "ESGNN_V_BD_MEAN", "ESGNN_V_BD_STD", "ESGNN_COND_MEAN", "ESGNN_COND_STD",
           "PRISTINE_CONDUCTANCE"]
