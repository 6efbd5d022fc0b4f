"""Deploying a trained network's weights onto resistive-memory devices, and reading them back at a time after
programming.

:func:`program_params` programs every weight array of a parameter pytree (by default every floating array with two
or more axes: dense matrices, recurrent matrices, convolution kernels; biases, thresholds and time constants stay
digital) onto differential device pairs of a :class:`~neurosim.devices.model.DeviceModel`, once.
:func:`read_params` reads the same programmed chip at ``t`` seconds after programming — drift, fresh read noise,
stuck cells — optionally with global drift compensation, and returns a parameter pytree of the original structure
that any model's ``run``/``step`` takes. One programmed chip read at several times is the deployment protocol of
aihwkit's inference simulations (``program_analog_weights`` once, then ``drift_analog_weights(t)`` per time).

Each array is mapped with its own ``w_max = max |w|`` onto ``g_max`` (per-array weight scaling), unless ``w_max``
is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import jax
import jax.numpy as jnp

from neurosim.devices.model import DeviceModel, _check_model, program_weights, read_weights
from neurosim.errors import ValidationError


def is_weight(path, leaf) -> bool:
    """Default selector: floating arrays with two or more axes (matrices and kernels) are weights."""
    return hasattr(leaf, "ndim") and leaf.ndim >= 2 and jnp.issubdtype(leaf.dtype, jnp.floating)


def path_name(path) -> str:
    """``"layer0/W"`` for a pytree key path."""
    parts = []
    for k in path:
        parts.append(str(getattr(k, "key", getattr(k, "name", getattr(k, "idx", k)))))
    return "/".join(parts)


def selected_leaves(params, select: Callable = is_weight) -> list[str]:
    """Names of the leaves of ``params`` that ``select(path, leaf)`` marks as device-mapped weights."""
    flat, _ = jax.tree_util.tree_flatten_with_path(params)
    return [path_name(p) for p, leaf in flat if select(p, leaf)]


@dataclass(frozen=True)
class ProgrammedParams:
    """A parameter pytree with its weight arrays programmed onto devices: ``states[i]`` is the
    :class:`DeviceState` of flat leaf ``i`` (``None`` for digital leaves, which are kept in ``digital[i]``)."""

    treedef: Any
    digital: tuple
    states: tuple
    names: tuple
    model: DeviceModel

    @property
    def n_weights(self) -> int:
        return sum(s is not None for s in self.states)

    @property
    def n_cells(self) -> int:
        """Devices used: two per weight (a differential pair)."""
        return int(sum(2 * s.plus.g.size for s in self.states if s is not None))


def program_params(key, params, model: DeviceModel, *, select: Callable = is_weight, w_max=None) -> ProgrammedParams:
    """Program the weights of ``params`` onto ``model`` devices (one key per array, folded from ``key``)."""
    model = _check_model(model)
    flat, treedef = jax.tree_util.tree_flatten_with_path(params)
    digital, states, names = [], [], []
    for i, (path, leaf) in enumerate(flat):
        if select(path, leaf):
            states.append(program_weights(jax.random.fold_in(key, i), leaf, model, w_max=w_max))
            digital.append(None)
        else:
            states.append(None)
            digital.append(leaf)
        names.append(path_name(path))
    if not any(s is not None for s in states):
        raise ValidationError("params: no leaf is a weight array to program (select marked none; the default "
                              "takes floating arrays with >= 2 axes)")
    return ProgrammedParams(treedef, tuple(digital), tuple(states), tuple(names), model)


def read_params(key, programmed: ProgrammedParams, t, *, compensate_drift: bool = True):
    """The parameters as the chip holds them ``t`` s after programming: one read (fresh read noise from ``key``)
    of every programmed array, drift-compensated per array when ``compensate_drift``; digital leaves unchanged."""
    if not isinstance(programmed, ProgrammedParams):
        raise ValidationError(f"programmed: expected the ProgrammedParams of program_params, got "
                              f"{type(programmed).__name__}")
    leaves = []
    for i, (d, s) in enumerate(zip(programmed.digital, programmed.states)):
        if s is None:
            leaves.append(d)
        else:
            leaves.append(read_weights(jax.random.fold_in(key, i), s, t, programmed.model,
                                       compensate_drift=compensate_drift))
    return jax.tree_util.tree_unflatten(programmed.treedef, leaves)


def weight_error(params, read, *, select: Callable = is_weight) -> dict[str, float]:
    """Relative error ``‖w_read − w‖ / ‖w‖`` of every programmed array (a quick look at what a read did)."""
    flat, _ = jax.tree_util.tree_flatten_with_path(params)
    flat_r = jax.tree_util.tree_leaves(read)
    out = {}
    for (path, w), r in zip(flat, flat_r):
        if select(path, w):
            n = float(jnp.linalg.norm(w))
            out[path_name(path)] = float(jnp.linalg.norm(r - w)) / n if n > 0 else 0.0
    return out


__all__ = ["ProgrammedParams", "program_params", "read_params", "is_weight", "selected_leaves", "weight_error"]
