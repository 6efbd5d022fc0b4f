"""Common machinery of neuron groups: per-neuron constants, learnable subsets, input checks."""

from __future__ import annotations

from typing import Iterable

import jax.numpy as jnp

from neurosim import validate
from neurosim.core.dynamics import Component
from neurosim.errors import ValidationError


class NeuronGroup(Component):
    """``size`` neurons sharing a model. Per-neuron constants live in ``self.const``; names listed in ``learn``
    are moved into the trainable parameter pytree instead (and may then be trained by the BPTT loop)."""

    #: names a user may pass in ``learn=``
    learnable: tuple[str, ...] = ()
    #: names of the inputs (receptors) the group accepts; a plain array goes to the first
    receptors: tuple[str, ...] = ("current",)
    #: whether the group emits spikes (False for readouts such as LI)
    spiking: bool = True
    #: the state field that ``step`` returns as the group's output
    output_field: str = "spike"

    def __init__(self, size: int, learn: Iterable[str] = (), name: str | None = None):
        super().__init__(name=name)
        self.size = validate.positive_int("size", size)
        self.num = self.size
        self.varshape = (self.size,)
        self.learn = tuple(learn)
        for item in self.learn:
            validate.choice("learn", item, self.learnable)
        self.const: dict[str, jnp.ndarray] = {}

    def _set_dt(self, dt, default: float = 1.0) -> float:
        """``self.dt`` (ms) from the argument (None: ``default``); an explicit dt pins the group's time step."""
        self._dt_given = dt is not None
        self._dt_derived = False
        self.dt = float(validate.positive("dt", dt)) if dt is not None else float(default)
        return self.dt

    def time_step(self) -> float | None:
        """The dt (ms) this group was built for when it matters: given explicitly, or used to derive a decay
        from a time constant or a refractory period; None for groups built from discrete constants only."""
        given = self.__dict__.get("_dt_given")
        if given is None:  # a user-defined group that sets self.dt itself: assume its constants use it
            dt = self.__dict__.get("dt")
            return None if dt is None else float(dt)
        return self.dt if (given or self._dt_derived) else None

    def _set_const(self, **values) -> None:
        for key, value in values.items():
            arr = validate.broadcastable(key, value, self.size)
            self.const[key] = jnp.asarray(arr, dtype=jnp.float32)

    def init(self, key=None) -> dict:
        return {k: jnp.broadcast_to(self.const[k], (self.size,)).astype(jnp.float32) for k in self.learn}

    def merged(self, params) -> dict:
        """Constants overridden by the trainable entries of ``params``."""
        if not params:
            return self.const
        return {**self.const, **params}

    def check_input(self, x, name: str = "input"):
        shape = getattr(x, "shape", ())
        if len(shape) == 0 or shape[-1] != self.size:
            raise ValidationError(f"{name}: expected last dimension {self.size} for {type(self).__name__}, got shape {shape}")
        return x

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size})"
