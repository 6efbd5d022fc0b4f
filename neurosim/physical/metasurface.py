r"""A programmable metasurface inside a rich-scattering microwave cavity (coupled-dipole surrogate): binary
configuration → transmission magnitude :math:`|S_{21}(f)|`.

Model (the coupled-dipole / multiport-network description used for metasurface-programmable cavities, e.g. Faqiri
et al. 2022 and del Hougne's group). ``E`` metasurface elements and two antennas (T, R) are dipoles coupled through
the cavity's Green's function, written as a sum over ``n_cavity_modes`` resonant modes:

.. math::

    G_{ab}(f) = \sum_m \frac{\phi_{ma}\,\phi_{mb}}{f_m^2 - f^2 - i\,\kappa f},

with random real mode profiles :math:`\phi_{m\cdot}` and mode frequencies :math:`f_m` (the chaotic cavity). Element
``k`` is a resonator whose inverse polarisability depends on its 1-bit state :math:`c_k \in \{0, 1\}` (a PIN diode
shifting its resonance):

.. math::

    \alpha_k^{-1}(f) = \frac{f_{c_k}^2 - f^2 - i\,\gamma f}{a}, \qquad f_{c} = f_\mathrm{off} + c\,(f_\mathrm{on} - f_\mathrm{off}).

The transmission between the antennas (the dipoles' self-consistent response) is

.. math::

    S_{21}(f) = G_{RT}(f) + G_{RE}(f)\,\left[\mathrm{diag}(\alpha^{-1}(f)) - G_{EE}(f)\right]^{-1} G_{ET}(f),

sampled at ``n_out`` frequencies in ``band``; the read-out is :math:`|S_{21}(f)|` (a spectrum analyser's
magnitude), with relative Gaussian noise. The matrix inverse makes the response a non-linear function of the
configuration (multiple scattering between elements).

Encoding (``coding="paper"``, the default, as in the code of Momeni et al., Science 2023,
``Microwave/microwave_pnn.py``): each of the ``n_in`` digital values is min–max normalised per sample to
:math:`u \in [0, 1]` and coded on two adjacent elements with the script's thresholds — 00 for the sample's minimum
(:math:`u = 0`), 01 for :math:`0 < u \le 1/4`, 10 for :math:`1/4 < u \le 3/4`, 11 above :math:`3/4` (i.e. at
min, min + Δ/4 and max − Δ/4 with Δ = max − min) — giving ``E = 2·n_in`` element states. ``coding="uniform"``
rounds :math:`u` to four uniform levels instead (thresholds 1/6, 1/2, 5/6; bits of all values high-first, then
low). In the twin the bits become continuous states with a straight-through estimator.

Drift-able parameters: the mode frequencies :math:`f_m` and the element resonances (``perturb``: ±rel relative; a
temperature change of the cavity, or a moved object, detunes modes).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.physical.base import Encoding, PhysicalLayer


class Metasurface(PhysicalLayer):
    """Metasurface-programmable cavity (module docstring). ``n_in`` values → ``2·n_in`` bits → ``n_out``
    frequencies."""

    name = "metasurface"
    drift_keys = ("f_modes", "f_off", "f_on")

    def __init__(self, n_in: int = 20, n_out: int = 20, *, n_cavity_modes: int = 60, band=(0.95, 1.05),
                 kappa: float = 0.01, gamma: float = 0.02, strength: float = 0.01, seed: int = 0,
                 noise: float = 0.01, noise_floor: float = 1e-4, drift_rate: float = 0.0, coding: str = "paper"):
        self.coding = validate.choice("coding", coding, ("paper", "uniform"))
        enc = Encoding("minmax") if self.coding == "paper" else Encoding("minmax", levels=4)
        super().__init__(n_in, n_out, encoding=enc, noise=noise, noise_floor=noise_floor, drift_rate=drift_rate)
        lo, hi = (float(v) for v in validate.positive("band", band))
        rng = np.random.default_rng(seed)
        n_el = 2 * n_in
        self.n_elements = n_el
        m = validate.positive_int("n_cavity_modes", n_cavity_modes)
        width = hi - lo
        self.params = {
            "f_modes": rng.uniform(lo - 0.5 * width, hi + 0.5 * width, m),
            "phi": rng.standard_normal((m, n_el + 2)) * np.sqrt(1.0 / m),
            "f_off": rng.uniform(lo - 0.3 * width, lo, n_el),
            "f_on": rng.uniform(lo + 0.3 * width, hi + 0.3 * width, n_el),
        }
        self.freqs = np.linspace(lo, hi, n_out)
        self.kappa = float(validate.positive("kappa", kappa))
        self.gamma = float(validate.positive("gamma", gamma))
        self.strength = float(validate.positive("strength", strength))
        self._finish_init()

    @staticmethod
    def paper_bits(u, xp=np, ste: bool = False):
        """The paper script's 2-bit code of min–max normalised values ``u`` ∈ [0, 1] (module docstring): (b1, b2)
        of each value on adjacent elements, shape (..., 2n)."""
        level = ((u > 0).astype(u.dtype) + (u > 0.25).astype(u.dtype) + (u > 0.75).astype(u.dtype))
        hi = (level >= 2).astype(u.dtype)
        lo = xp.mod(level, 2)
        if ste and xp is not np:
            hi = u + jax.lax.stop_gradient(hi - u)
            lo = u + jax.lax.stop_gradient(lo - u)
        return xp.stack([hi, lo], axis=-1).reshape(u.shape[:-1] + (2 * u.shape[-1],))

    @staticmethod
    def bits(u, xp=np, ste: bool = False):
        """``coding="uniform"``: 2-bit code of quantised values ``u`` ∈ {0, 1/3, 2/3, 1}: all high bits, then all low
        bits, shape (..., 2n)."""
        level = u * 3.0
        if xp is np:
            lv = np.round(level)
            hi = (lv >= 2).astype(np.float64)
            lo = np.mod(lv, 2)
        else:
            hi_h = (jnp.round(level) >= 2).astype(level.dtype)
            lo_h = jnp.mod(jnp.round(level), 2)
            # straight-through: the continuous surrogate of both bits is u itself
            hi = u + jax.lax.stop_gradient(hi_h - u) if ste else hi_h
            lo = u + jax.lax.stop_gradient(lo_h - u) if ste else lo_h
        return xp.concatenate([hi, lo], axis=-1)

    def response(self, params, c, xp):
        """Complex :math:`S_{21}(f)` for element states ``c`` (batch, E) → (batch, n_freq)."""
        f = xp.asarray(self.freqs)
        fm, phi = params["f_modes"], params["phi"]
        den = fm[None, :] ** 2 - f[:, None] ** 2 - 1j * self.kappa * f[:, None]      # (F, M)
        G = xp.einsum("ma,fm,mb->fab", phi, 1.0 / den, phi)                          # (F, E+2, E+2)
        E = self.n_elements
        g_ee, g_et, g_re, g_rt = G[:, :E, :E], G[:, :E, E], G[:, E + 1, :E], G[:, E + 1, E]
        fc = params["f_off"] + c * (params["f_on"] - params["f_off"])                 # (B, E)
        inv_alpha = (fc[:, None, :] ** 2 - f[None, :, None] ** 2 - 1j * self.gamma * f[None, :, None]) / self.strength
        eye = xp.eye(E)
        A = inv_alpha[..., :, None] * eye - g_ee[None]                                # (B, F, E, E)
        sol = xp.linalg.solve(A, xp.broadcast_to(g_et[None, :, :, None], A.shape[:-1] + (1,)))[..., 0]
        return g_rt[None] + xp.einsum("fe,bfe->bf", g_re, sol)

    def model(self, params, u, xp):
        code = self.paper_bits if self.coding == "paper" else self.bits
        c = code(u, xp, ste=xp is not np)
        return xp.abs(self.response(params, c, xp)) * 10.0

    def twin_macs_per_sample(self) -> float:
        E = self.n_elements
        return float(len(self.freqs) * (E ** 3 / 3 + 4 * E * E))  # one complex LU solve per frequency


__all__ = ["Metasurface"]
