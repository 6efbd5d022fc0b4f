r"""Coherent light through a multiple-scattering medium, detected as intensity (speckle): an optical physical layer.

Model. The encoded input :math:`u \in [0, 1]^{n}` sets the field amplitudes of ``n`` SLM pixels (amplitude
modulation, ``levels`` grey levels). A multiple-scattering medium (multimode fibre / cavity / diffuser) is a complex
transmission matrix :math:`T \in \mathbb{C}^{M \times n}` with i.i.d. circular Gaussian entries,
:math:`T_{mj} \sim \mathcal{CN}(0, 1/n)` (the random-matrix model of a strongly scattering medium, valid for a
fully developed speckle). A camera records the intensity

.. math::

    I_m = |(T u)_m|^2, \qquad \text{optional saturable absorber: } I_m \leftarrow \frac{I_m}{1 + I_m / I_\mathrm{sat}},

then neighbouring pixels are averaged in groups of ``pool`` (camera binning), giving ``M / pool`` outputs.
Noise: relative Gaussian (``noise``, e.g. laser power fluctuation and shot noise) and an additive floor (dark
current). The intensity detection :math:`|\cdot|^2` is the nonlinearity: it mixes every pair of input pixels,
:math:`I_m = \sum_{jk} T_{mj} T^*_{mk} u_j u_k`.

Invariants (tested): :math:`\mathbb{E}|T_{mj}|^2 = 1/n`, real and imaginary parts uncorrelated with variance
:math:`1/(2n)`; for a fixed input the unpooled speckle intensities are exponentially distributed with mean
:math:`\lVert u\rVert^2 / n` (speckle contrast :math:`\sigma_I/\langle I\rangle = 1`).

Drift (``perturb``): :math:`T \leftarrow \sqrt{1-r^2}\,T + r\,T'` with an independent :math:`T'` (a decorrelated
fraction ``r`` of the field, e.g. a fibre bent or heated), so :math:`\mathbb{E}|T|^2` is unchanged.
This is the model used in the optics simulations of Momeni et al. (Science 2023), without the Fourier-plane masks.
"""

from __future__ import annotations

import numpy as np

from neurosim import validate
from neurosim.physical.base import Encoding, PhysicalLayer


def transmission_matrix(n_out: int, n_in: int, seed: int = 0) -> np.ndarray:
    """Complex Gaussian transmission matrix :math:`\\mathcal{CN}(0, 1/n_{in})`, shape (n_out, n_in)."""
    rng = np.random.default_rng(seed)
    s = np.sqrt(0.5 / n_in)
    return (rng.standard_normal((n_out, n_in)) + 1j * rng.standard_normal((n_out, n_in))) * s


class ScatteringMedium(PhysicalLayer):
    """Scattering medium + camera (module docstring). ``n_in`` SLM pixels, ``n_modes`` camera pixels before
    ``pool``-fold binning (``n_out = n_modes // pool``); ``saturation`` :math:`I_\\mathrm{sat}` (``None``: linear
    detection); default encoding clip to [0, 1] with 256 SLM levels; ``power`` scales the input field."""

    name = "scattering_medium"
    drift_keys = ("T_re", "T_im")

    def __init__(self, n_in: int, n_modes: int = 512, *, pool: int = 2, seed: int = 0, saturation: float | None = None,
                 power: float = 1.0, encoding: Encoding | None = None, noise: float = 0.02, noise_floor: float = 1e-4,
                 drift_rate: float = 0.0):
        pool = validate.positive_int("pool", pool)
        n_modes = validate.positive_int("n_modes", n_modes)
        if n_modes % pool:
            from neurosim.errors import ValidationError

            raise ValidationError(f"n_modes: must be a multiple of pool={pool}, got {n_modes}")
        super().__init__(n_in, n_modes // pool, encoding=encoding or Encoding("clip01", levels=256), noise=noise,
                         noise_floor=noise_floor, drift_rate=drift_rate)
        self.pool, self.n_modes, self.seed = pool, n_modes, seed
        self.saturation = None if saturation is None else float(validate.positive("saturation", saturation))
        self.power = float(validate.positive("power", power))
        T = transmission_matrix(n_modes, n_in, seed)
        self.params = {"T_re": T.real, "T_im": T.imag}
        self._finish_init()

    @property
    def T(self) -> np.ndarray:
        return self.params["T_re"] + 1j * self.params["T_im"]

    def intensity(self, params, u, xp):
        """Unpooled camera intensities :math:`|T u|^2` (before the absorber), shape (batch, n_modes)."""
        a = np.sqrt(self.power) * u
        re, im = a @ params["T_re"].T, a @ params["T_im"].T
        return re * re + im * im

    def model(self, params, u, xp):
        intensity = self.intensity(params, u, xp)
        if self.saturation is not None:
            intensity = intensity / (1.0 + intensity / self.saturation)
        b = intensity.shape[0]
        return xp.mean(intensity.reshape(b, self.n_out, self.pool), axis=-1) * self.n_in

    def _perturb_param(self, name, value, rel, rng):
        # handled jointly in perturb (a decorrelated fraction of the complex field)
        return value

    def perturb(self, rel: float = 0.1, seed: int = 0) -> "ScatteringMedium":
        new = super().perturb(rel, seed)
        fresh = transmission_matrix(self.n_modes, self.n_in, seed + 7919)
        T = np.sqrt(1.0 - rel ** 2) * self.T + rel * fresh
        new.params = dict(new.params, T_re=T.real, T_im=T.imag)
        return new

    def twin_macs_per_sample(self) -> float:
        return float(2 * self.n_in * self.n_modes + 2 * self.n_modes)  # two real matmuls + |.|^2


__all__ = ["ScatteringMedium", "transmission_matrix"]
