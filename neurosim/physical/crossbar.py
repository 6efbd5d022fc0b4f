r"""A resistive-memory crossbar as a physical layer: fixed random weights programmed into device conductances,
read with device noise, followed by a saturating sense amplifier.

Model. A random weight matrix :math:`W_0 \in \mathbb{R}^{n_{in}\times n_{out}}` (i.i.d.
:math:`\mathcal{N}(0, 1/n_{in})`) is programmed once onto differential pairs of devices of a
:mod:`neurosim.devices` preset (:func:`neurosim.devices.program_weights`: programming noise, stuck cells, d2d
variation). Each call is one analogue matrix–vector product at device time ``t``
(:func:`neurosim.devices.analog_matmul`: conductance drift since programming, fresh read noise, the preset's crossbar
periphery — IR drop, DAC/ADC, output noise), followed by a sense amplifier

.. math::

    y = \tanh\!\big(g\,x^\top W(t)\big) \quad(\text{``activation='tanh'``}) \qquad\text{or}\qquad y = |x^\top W(t)|.

Inputs are clipped to [-1, 1] (the DAC range) after the layer's encoding. :meth:`advance` moves device time on
(conductance drift follows the preset's physics) and :meth:`perturb` scales the programmed conductances by ±rel
(a temperature change, say). The twin is the *target* weights :math:`W_0` without devices — the usual mismatch of
hardware-aware training.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import devices as dev
from neurosim import validate
from neurosim.physical.base import Encoding, PhysicalLayer


class CrossbarLayer(PhysicalLayer):
    """Random resistive crossbar + sense amplifier (module docstring). ``device``: a preset name or a
    :class:`neurosim.devices.DeviceModel`; ``t0`` the read time (s after programming); ``gain`` the amplifier gain."""

    name = "crossbar"
    drift_keys = ()

    def __init__(self, n_in: int, n_out: int, *, device="rram-wan2022", seed: int = 0, t0: float = 1.0,
                 gain: float = 1.0, activation: str = "tanh", encoding: Encoding | None = None, noise: float = 0.0,
                 noise_floor: float = 0.0):
        super().__init__(n_in, n_out, encoding=encoding or Encoding("none"), noise=noise, noise_floor=noise_floor)
        self.device = dev.get_preset(device) if isinstance(device, str) else device
        self.activation = validate.choice("activation", activation, ("tanh", "abs"))
        self.gain = float(validate.positive("gain", gain))
        rng = np.random.default_rng(seed)
        w0 = (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(np.float32)
        self.state = dev.program_weights(jax.random.PRNGKey(seed), w0, self.device)
        self.time = float(validate.positive("t0", t0))
        self.params = {"w0": w0}
        self._finish_init()

    def _act(self, z, xp):
        return xp.tanh(self.gain * z) if self.activation == "tanh" else xp.abs(z)

    def host_forward(self, x, key_words):
        u = np.clip(self.encoding(np.asarray(x, np.float64), np), -1.0, 1.0).astype(np.float32)
        key = jnp.asarray(np.asarray(key_words, np.uint32))
        z = np.asarray(dev.analog_matmul(key, jnp.asarray(u), self.state, self.time, self.device), np.float64)
        rng = np.random.default_rng(np.asarray(key_words, np.uint32).tolist())
        return np.asarray(self._noise(self._act(z, np), rng), np.float32)

    def model(self, params, u, xp):
        return self._act(xp.clip(u, -1.0, 1.0) @ params["w0"], xp)

    def advance(self, dt: float) -> None:
        self.time += float(validate.positive("dt", dt, allow_zero=True))

    def describe(self, name: str = "crossbar") -> list:
        """The crossbar as a hardware workload layer (one dense ``n_in × n_out`` analog matrix-vector product per
        evaluation, real-valued inputs), so ``neurosim.hardware.from_rates(layer, steps=evaluations,
        activity=1.0)`` prices it on a target profile (``imc-rram-40nm``: tiles, DAC/ADC, energy)."""
        from neurosim.hardware.workload import describe_layer

        return [describe_layer(name, self.n_out, update="readout", inputs=[("input", self.n_in, 1.0)],
                               spiking=False, graded=True)]

    def perturb(self, rel: float = 0.1, seed: int = 0) -> "CrossbarLayer":
        new = super().perturb(rel, seed)
        rng = np.random.default_rng(seed)

        def scale(cells):
            f = 1.0 + rel * rng.choice(np.array([-1.0, 1.0]), size=np.shape(cells.g))
            return cells._replace(g=jnp.asarray(np.asarray(cells.g) * f, cells.g.dtype))

        new.state = self.state._replace(plus=scale(self.state.plus), minus=scale(self.state.minus))
        return new


__all__ = ["CrossbarLayer"]
