"""The BrainPy face of every neurosim component.

A neurosim component (neuron group, projection, layer, network) is a :class:`brainpy.DynamicalSystem`, so a BrainPy
user can put it in a ``bp.DynSysGroup`` and run it with ``bm.for_loop``, ``bp.DSRunner`` or train it with
``bp.BPTT``. Underneath sits a *pure* step function over explicit pytrees (Norse/optax style)::

    params = comp.init(key)                   # trainable arrays (a dict pytree)
    state  = comp.init_state(batch_shape)     # a NamedTuple (or dict) pytree of arrays
    state, out = comp.step(params, state, x)  # jit-able, differentiable, vmappable

:class:`Component` implements the object-oriented side once, for every subclass:

* **Parameters** are ``bm.TrainVar`` objects, created when the component is constructed (never lazily inside a
  trace), drawn from BrainPy's global generator (``bm.random.seed(s)`` makes them reproducible), as BrainPy's own
  layers do. A *leaf* (projection, neuron group, EGRU, GRU) owns its variables; a *composite* (``Layer``,
  ``Sequential``, ``Network``, ``Chain``) owns none and composes its children's, so ``train_vars()`` of any
  enclosing ``bp.DynSysGroup`` lists every neurosim weight exactly once. ``comp.param_values`` reads them as the
  pytree ``step`` takes; assigning ``comp.param_values = params`` (e.g. trained ones) writes them, checked
  against the component's structure. Entries a component marks ``frozen_params`` (batch-norm running statistics,
  frozen EGRU thresholds) are plain ``bm.Variable`` s, not trained by BrainPy.
* **State** is one ``bm.Variable`` per leaf of ``init_state``'s pytree (NamedTuple fields of a neuron group are
  also attributes: ``lif.v``, ``lif.spike``), created at construction and by ``reset_state(batch_size)``.
* ``update(x)`` threads them through ``step``. It reads BrainPy's shared ``dt`` (``bp.share``, set by ``DSRunner``
  and ``bm.set_dt``); a component whose constants were derived for another time step refuses to run, naming
  both values (the one owner of dt is the model, see :mod:`neurosim.core.timestep`). neurosim's updates are
  time-invariant, so ``t`` is not read.

Subclasses implement ``init``, ``init_state`` and ``step``; composites also ``_param_children``.
"""

from __future__ import annotations

import functools
from typing import Any

import brainpy as bp
import brainpy.math as bm
import jax
import jax.numpy as jnp
import numpy as np

from neurosim.errors import ValidationError


def _path_key(path) -> str:
    return ".".join(str(getattr(k, "key", getattr(k, "name", getattr(k, "idx", k)))) for k in path) or "value"


def _split_key() -> jax.Array:
    """A new key from BrainPy's global generator (``bm.random.seed(s)`` makes the draws reproducible).

    A freshly seeded generator holds raw ``uint32[2]`` key data, which brainstate turns into a typed key on first
    read through ``saiunit``'s array-backend detection, and that imports PyTorch whenever it is installed (1.4 s
    and ~180 MB on the development VM, before any network exists). The same lossless ``wrap_key_data`` is done
    here directly; a generator already holding a typed key is used as it is."""
    state = bm.random.DEFAULT
    raw = state.__dict__.get("_value")
    if isinstance(raw, np.ndarray) and raw.dtype == np.uint32 and raw.shape == (2,):
        state._value = jax.random.wrap_key_data(jnp.asarray(raw, jnp.uint32))
    return bm.random.split_key()


class Component(bp.DynamicalSystem):
    """Base class: a BrainPy dynamical system backed by a pure ``step(params, state, x)``."""

    #: top-level parameter entries that are not trained (plain ``bm.Variable`` instead of ``bm.TrainVar``)
    frozen_params: tuple[str, ...] = ()

    def __init__(self, name: str | None = None):
        super().__init__(name=name)
        self._param_tree = None  # treedef of a leaf's parameters (None until built)

    def __init_subclass__(cls, **kwargs):
        """Wrap each subclass ``__init__`` so the BrainPy variables are built once, after the outermost
        constructor has finished (children and sizes are known then)."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return

        @functools.wraps(init)
        def wrapped(self, *args, **kw):
            depth = self.__dict__.get("_ns_init_depth", 0)
            self.__dict__["_ns_init_depth"] = depth + 1
            try:
                init(self, *args, **kw)
            finally:
                self.__dict__["_ns_init_depth"] = depth
            if depth == 0:
                self._build_variables()

        cls.__init__ = wrapped

    # ---- pure interface (override) -------------------------------------------------------------------------
    def init(self, key: jax.Array) -> dict:
        """Trainable parameters as a pytree (empty dict for parameter-free components)."""
        return {}

    def init_state(self, batch_shape: tuple[int, ...] = ()):  # pragma: no cover - abstract
        raise NotImplementedError

    def step(self, params, state, x):  # pragma: no cover - abstract
        raise NotImplementedError

    def _param_children(self) -> dict[str, "Component"]:
        """Composites: ``{params key: child component}``; the composite's parameter pytree is exactly
        ``{key: child.param_values}``. Leaves return ``{}`` and own their parameters."""
        return {}

    def time_step(self) -> float | None:
        """The time step (ms) this component's constants were derived for, or None when they do not depend on
        one (see :mod:`neurosim.core.timestep`)."""
        return None

    # ---- BrainPy variables ---------------------------------------------------------------------------------
    def _build_variables(self) -> None:
        self._sync_children()
        if not self._param_children():
            values = self.init(_split_key())
            leaves, self._param_tree = jax.tree_util.tree_flatten_with_path(values)
            self._param_keys = [_path_key(path) for path, _ in leaves]
            self.param_vars = bm.VarDict({
                _path_key(path): (bm.Variable if _path_key(path[:1]) in self.frozen_params else bm.TrainVar)(
                    jnp.asarray(leaf)) for path, leaf in leaves})
        self.reset_state()

    def _sync_children(self) -> None:
        """Register the children with BrainPy (a ``bm.NodeDict``), so its collectors (``train_vars``, ``nodes``)
        see them; composites built incrementally (``Network.add/connect``) call it again."""
        children = self._param_children()
        if children:
            self.ns_children = bm.NodeDict({k.replace(".", "_"): c for k, c in children.items()})

    @property
    def param_values(self):
        """The parameter pytree ``step`` takes, read from the BrainPy variables."""
        children = self._param_children()
        if children:
            return {k: c.param_values for k, c in children.items()}
        if self._param_tree is None:
            raise ValidationError(f"{type(self).__name__}: parameters are built when the constructor finishes")
        leaves = [self.param_vars[k].value for k in self._param_keys]
        return jax.tree_util.tree_unflatten(self._param_tree, leaves)

    @param_values.setter
    def param_values(self, value):
        children = self._param_children()
        if children:
            if not isinstance(value, dict) or set(value) != set(children):
                got = sorted(value) if isinstance(value, dict) else type(value).__name__
                raise ValidationError(f"{type(self).__name__}.param_values: expected keys {sorted(children)}, "
                                      f"got {got}")
            for k, c in children.items():
                try:
                    c.param_values = value[k]
                except ValidationError as exc:
                    raise ValidationError(f"[{k!r}] {exc}") from None
            return
        leaves, tree = jax.tree_util.tree_flatten_with_path(value)
        if tree != self._param_tree:
            raise ValidationError(f"{type(self).__name__}.param_values: structure {tree} does not match the "
                                  f"component's {self._param_tree}")
        for path, leaf in leaves:
            var = self.param_vars[_path_key(path)]
            if tuple(np.shape(leaf)) != tuple(var.value.shape):
                raise ValidationError(f"{type(self).__name__}.param_values[{_path_key(path)!r}]: shape "
                                      f"{tuple(np.shape(leaf))}, expected {tuple(var.value.shape)}")
            var.value = jnp.asarray(leaf, var.value.dtype)

    def reset_state(self, batch_or_mode=None, **kwargs):
        """Create/reset one ``bm.Variable`` per state leaf; ``batch_or_mode`` is an int batch size or None."""
        if isinstance(batch_or_mode, int) and not isinstance(batch_or_mode, bool):
            batch_shape = (batch_or_mode,)
        elif batch_or_mode is None or isinstance(batch_or_mode, bm.Mode):
            batch_shape = ()
        else:
            raise ValidationError(f"batch_or_mode: expected an int batch size or None, got {batch_or_mode!r}")
        state = self.init_state(batch_shape)
        leaves, self._state_tree = jax.tree_util.tree_flatten_with_path(state)
        axis = 0 if batch_shape else None
        existing = self.__dict__.get("state_vars")
        same = existing is not None and list(existing) == [_path_key(p) for p, _ in leaves] and all(
            tuple(existing[_path_key(p)].value.shape) == tuple(np.shape(leaf)) for p, leaf in leaves)
        if same:  # keep the Variable objects (a compiled BrainPy loop may hold them)
            for path, leaf in leaves:
                existing[_path_key(path)].value = leaf
        else:
            self.state_vars = bm.VarDict({_path_key(p): bm.Variable(leaf, batch_axis=axis) for p, leaf in leaves})
        # flat NamedTuple states (neuron groups): the fields as attributes too (lif.v, lif.spike)
        fields = getattr(state, "_fields", ())
        if fields and len(fields) == len(leaves) and all(_path_key(p) == f for (p, _), f in zip(leaves, fields)):
            for f in fields:
                current = self.__dict__.get(f)
                if current is None or isinstance(current, bm.Variable):
                    self.__dict__[f] = self.state_vars[f]

    def current_state(self):
        leaves = [v.value for v in self.state_vars.values()]
        return jax.tree_util.tree_unflatten(self._state_tree, leaves)

    def _check_shared_dt(self) -> None:
        own = self.time_step()
        shared = bp.share.load("dt", None)
        if own is None or shared is None:
            return
        shared = float(shared)
        if not np.isclose(shared, own, rtol=1e-9, atol=0.0):
            raise ValidationError(f"{type(self).__name__}: BrainPy runs at dt = {shared:g} ms (bm.set_dt / "
                                  f"DSRunner(dt=...)), but this component's constants were derived for dt = "
                                  f"{own:g} ms; run BrainPy at dt = {own:g} or rebuild the component with "
                                  f"dt={shared:g}")

    def update(self, x=None):
        self._check_shared_dt()
        state, out = self.step(self.param_values, self.current_state(), x)
        new_leaves = jax.tree_util.tree_leaves(state)
        for var, value in zip(self.state_vars.values(), new_leaves):
            var.value = value
        return out


def as_float_array(value, dtype=jnp.float32):
    """A per-neuron constant as a float array (kept as a NumPy-backed JAX constant)."""
    return jnp.asarray(value, dtype=dtype)
