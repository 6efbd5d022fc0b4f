"""Physical systems as neural-network layers: noisy, drifting, non-differentiable black boxes.

* :class:`PhysicalLayer`, :class:`Encoding` (:mod:`.base`) — the abstraction (host-side physics behind
  ``jax.pure_callback``; any derivative request raises :class:`PhysicalGradientError`).
* :class:`OscillatorChain` (:mod:`.oscillators`) — driven Duffing/FPU chain, RK4, amplitude read-out.
* :class:`ScatteringMedium` (:mod:`.scattering`) — complex Gaussian transmission matrix, intensity detection, pooling,
  optional saturable absorber.
* :class:`FourierScatteringMedium` (:mod:`.fourier_optics`) — the PhyLL optics code's cavity: signed image,
  Fourier-plane apertures, complex transmission matrix, modulus detection, 3×3/2 average pooling.
* :class:`Metasurface` (:mod:`.metasurface`) — programmable metasurface in a rich-scattering cavity (coupled-dipole
  model): binary configuration → |S21(f)|.
* :class:`CrossbarLayer` (:mod:`.crossbar`) — a resistive-memory crossbar with device noise (:mod:`neurosim.devices`).
* :mod:`.twin_fit` — digital twins with a real gap: fitted from measurements (MLP or the system's own model) or
  detuned to a stated error, for physics-aware training.
* :class:`PhysicalSystem` (:mod:`.dynamics`) — any of them as a BrainPy dynamical system (one measurement per step,
  seeded noise keys as a ``bm.Variable``; no physical parameter is a ``TrainVar``).

See ``docs/physical.md``.
"""

from neurosim.physical.base import GRAD_REQUESTS, Encoding, PhysicalGradientError, PhysicalLayer, key_seed
from neurosim.physical.crossbar import CrossbarLayer
from neurosim.physical.dynamics import PhysicalSystem
from neurosim.physical.fourier_optics import FourierScatteringMedium
from neurosim.physical.metasurface import Metasurface
from neurosim.physical.oscillators import OscillatorChain
from neurosim.physical.scattering import ScatteringMedium, transmission_matrix
from neurosim.physical.twin_fit import FittedTwin, fit_mlp_twin, fit_parametric_twin, twin_error, twin_with_error

__all__ = ["PhysicalLayer", "Encoding", "PhysicalGradientError", "GRAD_REQUESTS", "key_seed", "OscillatorChain",
           "ScatteringMedium", "transmission_matrix", "FourierScatteringMedium", "Metasurface", "CrossbarLayer",
           "PhysicalSystem",
           "FittedTwin", "fit_mlp_twin", "fit_parametric_twin", "twin_with_error", "twin_error"]
