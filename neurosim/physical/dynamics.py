"""The BrainPy face of a physical layer: :class:`PhysicalSystem`, a ``bp.DynamicalSystem`` around a
:class:`~neurosim.physical.base.PhysicalLayer`.

A physical layer is a memoryless instrument: each call ``layer(x, key)`` measures the system once. In a BrainPy
network it is a node whose ``update(x)`` makes one measurement per time step. The measurement noise comes from an
explicit key held as a ``bm.Variable`` (split once per step: the same seed gives the same noise, in ``bp.DSRunner``,
``bm.for_loop`` or eagerly, and the sequence equals calling ``layer(x_t, k_t)`` with the keys of
:meth:`PhysicalSystem.keys`). What is *meaningful* here and what is not:

* the physical parameters are the system's true state, set by the lab, not trained by gradient descent: they are
  **not** ``bm.TrainVar``s, so ``train_vars()`` of a group holding a physical system lists none of them;
* a gradient *through* the system raises :class:`~neurosim.physical.base.PhysicalGradientError` (as for the bare
  layer): BrainPy's ``bp.BPTT`` trains digital layers *after* it (a physical reservoir with a trained readout),
  while layers before it need a local rule, or ``twin=True`` (the differentiable digital twin) for
  physics-aware training;
* there is no time constant: the system is independent of ``dt``.
"""

from __future__ import annotations

import brainpy as bp
import brainpy.math as bm
import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.errors import ValidationError
from neurosim.physical.base import PhysicalLayer


class PhysicalSystem(bp.DynamicalSystem):
    """A :class:`PhysicalLayer` as a BrainPy dynamical system: ``update(x)`` measures ``layer(x, k_t)`` with the
    step's key ``k_t`` split from a ``bm.Variable`` seeded by ``seed``.

    ``twin=True`` runs the differentiable, noise-free digital twin instead (``layer.twin()``), e.g. to train the
    digital parts of a BrainPy network by ``bp.BPTT`` before deploying on the physical system."""

    def __init__(self, layer: PhysicalLayer, *, seed: int = 0, twin: bool = False, name: str | None = None):
        if not isinstance(layer, PhysicalLayer):
            raise ValidationError(f"layer: expected a neurosim PhysicalLayer, got {type(layer).__name__}")
        super().__init__(name=name)
        self.layer = layer
        self.seed = validate.positive_int("seed", seed, allow_zero=True)
        self.use_twin = bool(twin)
        self._twin = layer.twin() if self.use_twin else None
        self.key = bm.Variable(jax.random.PRNGKey(self.seed))

    @property
    def n_in(self) -> int:
        return self.layer.n_in

    @property
    def n_out(self) -> int:
        return self.layer.n_out

    def reset_state(self, batch_or_mode=None, **kwargs):
        """Restart the noise sequence from ``seed`` (a physical system has no other state)."""
        self.key.value = jax.random.PRNGKey(self.seed)

    @staticmethod
    def split(key):
        """``(next key, this step's measurement key)`` — the one rule :meth:`update` and :meth:`keys` share."""
        nxt, k = jax.random.split(key)
        return nxt, k

    def keys(self, n: int) -> list:
        """The measurement keys of the first ``n`` steps after :meth:`reset_state` (to reproduce a run)."""
        key, out = jax.random.PRNGKey(self.seed), []
        for _ in range(validate.positive_int("n", n)):
            key, k = self.split(key)
            out.append(k)
        return out

    def update(self, x):
        x = jnp.asarray(x, jnp.float32)
        squeeze = x.ndim == 1
        if squeeze:
            x = x[None]
        nxt, k = self.split(self.key.value)
        self.key.value = nxt
        y = self._twin(x) if self.use_twin else self.layer(x, k)
        return y[0] if squeeze else y
