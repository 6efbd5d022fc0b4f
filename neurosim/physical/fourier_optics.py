r"""The optical system of the PhyLL optics code: a multimode optical cavity addressed in the Fourier plane, detected
as the field modulus.

Pipeline (Momeni et al., Science 2023, ``Optics/optics_pnn.py``, with a random-matrix stand-in for the measured
transmission matrix, which is not public):

1. the *signed* input image :math:`x \in \mathbb{R}^{H\times W}` (no clipping: the SLM writes amplitude and sign as
   phase) is Fourier transformed, :math:`\tilde x = \mathrm{fftshift}(\mathrm{FFT2}(x))`;
2. the input Fourier mask keeps the :math:`K_\mathrm{in}` components inside a centred disc of radius
   ``r_in`` (the SLM aperture in the Fourier plane);
3. the cavity maps them through a complex transmission matrix :math:`T \in \mathbb{C}^{K_\mathrm{out}\times
   K_\mathrm{in}}`, i.i.d. :math:`\mathcal{CN}(0, 1/K_\mathrm{in})` (the random-matrix model of a strongly scattering
   medium);
4. the output Fourier mask places the :math:`K_\mathrm{out}` outputs on the components inside a disc of radius
   ``r_out``, zeros elsewhere, and the camera sees :math:`y = \mathrm{IFFT2}(\mathrm{ifftshift}(\cdot))`;
5. detection: the modulus :math:`|y|` (``detection="modulus"``, as in the code) or the intensity :math:`|y|^2`
   (``"intensity"``); then average pooling 3 × 3, stride 2, zero padding 1 (PyTorch ``AvgPool2d(3, 2, 1)``, padding
   counted), giving :math:`\lceil H/2\rceil \times \lceil W/2\rceil` outputs (51 × 51 → 26 × 26 in the paper).

The modulus is the only nonlinearity. Noise: relative Gaussian (``noise``) and an additive floor, as for the other
systems. Drift (``perturb``): a decorrelated fraction of :math:`T`, as :class:`~neurosim.physical.ScatteringMedium`.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.errors import ValidationError
from neurosim.physical.base import Encoding, PhysicalLayer
from neurosim.physical.scattering import transmission_matrix


def disc_mask(h: int, w: int, radius: float) -> np.ndarray:
    """Boolean (h, w) mask of the components within ``radius`` of the centre of a shifted spectrum."""
    yy, xx = np.mgrid[0:h, 0:w]
    return (yy - h // 2) ** 2 + (xx - w // 2) ** 2 <= radius ** 2


def _avg_pool_3_2_1(a, xp):
    """AvgPool2d(kernel 3, stride 2, padding 1, zero padding counted) over the last two axes."""
    h, w = a.shape[-2:]
    p = xp.pad(a, [(0, 0)] * (a.ndim - 2) + [(1, 1), (1, 1)])
    ho, wo = (h + 2 - 3) // 2 + 1, (w + 2 - 3) // 2 + 1
    acc = 0.0
    for dy in range(3):
        for dx in range(3):
            acc = acc + p[..., dy:dy + 2 * ho:2, dx:dx + 2 * wo:2]
    return acc / 9.0


class FourierScatteringMedium(PhysicalLayer):
    """Fourier-plane-addressed optical cavity with modulus detection (module docstring).

    ``image_shape`` (H, W): the input image, flattened row-major to ``n_in = H·W``; ``r_in``/``r_out``: radii of the
    Fourier apertures (pixels of the shifted spectrum; default a quarter of the smaller side);
    ``detection``: ``"modulus"`` (paper) or ``"intensity"``; output ``n_out = ceil(H/2)·ceil(W/2)``."""

    name = "fourier_scattering_medium"
    drift_keys = ("T_re", "T_im")

    def __init__(self, image_shape=(28, 28), *, r_in: float | None = None, r_out: float | None = None,
                 detection: str = "modulus", seed: int = 0, noise: float = 0.02, noise_floor: float = 1e-4,
                 drift_rate: float = 0.0):
        if len(tuple(image_shape)) != 2:
            raise ValidationError(f"image_shape: expected (H, W), got {image_shape}")
        h, w = (validate.positive_int("image_shape", v) for v in image_shape)
        self.image_shape = (h, w)
        self.detection = validate.choice("detection", detection, ("modulus", "intensity"))
        r_def = min(h, w) / 4.0
        self.r_in = float(validate.positive("r_in", r_def if r_in is None else r_in))
        self.r_out = float(validate.positive("r_out", r_def if r_out is None else r_out))
        self.mask_in, self.mask_out = disc_mask(h, w, self.r_in), disc_mask(h, w, self.r_out)
        self.k_in, self.k_out = int(self.mask_in.sum()), int(self.mask_out.sum())
        self.out_shape = (math.ceil(h / 2), math.ceil(w / 2))
        super().__init__(h * w, self.out_shape[0] * self.out_shape[1], encoding=Encoding("none"), noise=noise,
                         noise_floor=noise_floor, drift_rate=drift_rate)
        self.seed = seed
        T = transmission_matrix(self.k_out, self.k_in, seed)
        self.params = {"T_re": T.real, "T_im": T.imag}
        self._idx_in = np.flatnonzero(self.mask_in.ravel())
        self._idx_out = np.flatnonzero(self.mask_out.ravel())
        self._finish_init()

    @property
    def T(self) -> np.ndarray:
        return self.params["T_re"] + 1j * self.params["T_im"]

    def field(self, params, u, xp):
        """Complex camera field (batch, H, W) before detection."""
        h, w = self.image_shape
        fft = np.fft if xp is np else jnp.fft
        img = u.reshape(u.shape[:-1] + (h, w))
        spec = fft.fftshift(fft.fft2(img), axes=(-2, -1)).reshape(u.shape[:-1] + (h * w,))
        sel = spec[..., self._idx_in]                                           # (B, K_in)
        T = params["T_re"] + 1j * params["T_im"]
        out = sel @ T.T                                                         # (B, K_out)
        full = xp.zeros(u.shape[:-1] + (h * w,), dtype=out.dtype)
        full = full.at[..., self._idx_out].set(out) if xp is not np else _np_set(full, self._idx_out, out)
        return fft.ifft2(fft.ifftshift(full.reshape(u.shape[:-1] + (h, w)), axes=(-2, -1)))

    def model(self, params, u, xp):
        y = self.field(params, u, xp)
        a = xp.abs(y) if self.detection == "modulus" else xp.real(y * xp.conj(y))
        pooled = _avg_pool_3_2_1(a, xp)
        return pooled.reshape(u.shape[:-1] + (self.n_out,))

    def _perturb_param(self, name, value, rel, rng):
        return value  # handled jointly in perturb

    def perturb(self, rel: float = 0.1, seed: int = 0) -> "FourierScatteringMedium":
        new = super().perturb(rel, seed)
        fresh = transmission_matrix(self.k_out, self.k_in, seed + 7919)
        T = np.sqrt(1.0 - rel ** 2) * self.T + rel * fresh
        new.params = dict(new.params, T_re=T.real, T_im=T.imag)
        return new

    def twin_macs_per_sample(self) -> float:
        h, w = self.image_shape
        fft = 5 * h * w * math.log2(max(h * w, 2))  # two FFTs ≈ 2 × 2.5 N log2 N complex flops
        return float(4 * self.k_in * self.k_out + fft + 9 * self.n_out)


def _np_set(full, idx, values):
    full = full.copy()
    full[..., idx] = values
    return full


__all__ = ["FourierScatteringMedium", "disc_mask"]
