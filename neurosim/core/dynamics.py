"""The BrainPy face of every neurosim component.

A neurosim component (neuron group, projection, layer, network) is a :class:`brainpy.DynamicalSystem`, so a BrainPy
user can put it in a ``bp.DynSysGroup`` and run it with ``bm.for_loop`` or ``bp.DSRunner``. Underneath sits a
*pure* step function over explicit pytrees (Norse/optax style)::

    params = comp.init(key)                   # trainable arrays (a dict pytree)
    state  = comp.init_state(batch_shape)     # a NamedTuple pytree of arrays
    state, out = comp.step(params, state, x)  # jit-able, differentiable, vmappable

:class:`Component` implements the object-oriented side once: ``reset_state`` creates one ``bm.Variable`` per state
field and ``update`` threads them through ``step``. Subclasses implement ``init``, ``init_state`` and ``step`` only.
"""

from __future__ import annotations

from typing import Any

import brainpy as bp
import brainpy.math as bm
import jax
import jax.numpy as jnp

from neurosim.errors import ValidationError


class Component(bp.DynamicalSystem):
    """Base class: a BrainPy dynamical system backed by a pure ``step(params, state, x)``."""

    #: subclasses set the tuple of record-able state fields (a NamedTuple's ``_fields``)
    def __init__(self, name: str | None = None):
        super().__init__(name=name)
        self._param_values: Any = None

    # ---- pure interface (override) -------------------------------------------------------------------------
    def init(self, key: jax.Array) -> dict:
        """Trainable parameters as a pytree (empty dict for parameter-free components)."""
        return {}

    def init_state(self, batch_shape: tuple[int, ...] = ()):  # pragma: no cover - abstract
        raise NotImplementedError

    def step(self, params, state, x):  # pragma: no cover - abstract
        raise NotImplementedError

    # ---- BrainPy interface ---------------------------------------------------------------------------------
    @property
    def param_values(self):
        """Parameter values used by the object-oriented ``update`` (initialised from key 0 on first use)."""
        if self._param_values is None:
            self._param_values = self.init(jax.random.PRNGKey(0))
        return self._param_values

    @param_values.setter
    def param_values(self, value):
        self._param_values = value

    def reset_state(self, batch_or_mode=None, **kwargs):
        """Create/reset one ``bm.Variable`` per state field; ``batch_or_mode`` is an int batch size or None."""
        if isinstance(batch_or_mode, int):
            batch_shape = (batch_or_mode,)
        elif batch_or_mode is None or isinstance(batch_or_mode, bm.Mode):
            batch_shape = ()
        else:
            raise ValidationError(f"batch_or_mode: expected an int batch size or None, got {batch_or_mode!r}")
        state = self.init_state(batch_shape)
        self._state_fields = type(state)
        for field, value in zip(state._fields, state):
            if hasattr(self, field) and isinstance(getattr(self, field), bm.Variable):
                getattr(self, field).value = value
            else:
                setattr(self, field, bm.Variable(value, batch_axis=0 if batch_shape else None))

    def current_state(self):
        if not hasattr(self, "_state_fields"):
            self.reset_state()
        return self._state_fields(*(getattr(self, f).value for f in self._state_fields._fields))

    def update(self, x=None):
        state, out = self.step(self.param_values, self.current_state(), x)
        for field, value in zip(state._fields, state):
            getattr(self, field).value = value
        return out


def as_float_array(value, dtype=jnp.float32):
    """A per-neuron constant as a float array (kept as a NumPy-backed JAX constant)."""
    return jnp.asarray(value, dtype=dtype)
