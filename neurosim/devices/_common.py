"""Small shared helpers of :mod:`neurosim.devices` (not public API).

* :func:`static_config` turns a class into a frozen, hashable dataclass registered with
  ``jax.tree_util.register_static``: a pytree with no leaves, so a device configuration can be passed to a
  ``jax.jit``-compiled function as an ordinary argument (it becomes part of the compiled signature, like a
  static argument) and is ignored by ``jax.vmap``.
* Field checks that raise :class:`~neurosim.errors.ValidationError` naming the field.
* Host-side normal-distribution helpers used by the analytic expectations (forming fraction, moments).
"""

from __future__ import annotations

import dataclasses
import math
from statistics import NormalDist

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.errors import ValidationError


def static_config(cls):
    """Decorator: frozen dataclass + ``jax.tree_util.register_static`` (hashable, leaf-free pytree)."""
    cls = dataclasses.dataclass(frozen=True)(cls)
    jax.tree_util.register_static(cls)
    return cls


def set_field(obj, name: str, value) -> None:
    """Assign a normalised value to a field of a frozen dataclass from ``__post_init__``."""
    object.__setattr__(obj, name, value)


def as_float(name: str, value, *, lo: float | None = None, hi: float | None = None, lo_open: bool = False,
             hi_open: bool = False) -> float:
    """A finite Python float, optionally within bounds; the error names ``name``."""
    arr = validate.finite(name, value)
    if arr.ndim != 0:
        raise ValidationError(f"{name}: expected a scalar, got shape {arr.shape}")
    if hi is None and lo == 0.0:
        validate.positive(name, arr, allow_zero=not lo_open)
    elif hi is None and lo is not None and not lo_open and arr < lo:
        raise ValidationError(f"{name}: must be >= {lo:g}, got {float(arr):g}")
    elif hi is None and lo is not None and lo_open and arr <= lo:
        raise ValidationError(f"{name}: must be > {lo:g}, got {float(arr):g}")
    elif lo is not None or hi is not None:
        validate.in_range(name, arr, -math.inf if lo is None else lo, math.inf if hi is None else hi,
                          lo_open=lo_open, hi_open=hi_open)
    return float(arr)


def as_coeffs(name: str, value) -> tuple[float, ...]:
    """A non-empty tuple of finite floats (polynomial coefficients)."""
    arr = validate.finite(name, value)
    if arr.ndim != 1 or arr.size == 0:
        raise ValidationError(f"{name}: expected a non-empty 1-D sequence of numbers, got shape {arr.shape}")
    return tuple(float(v) for v in arr)


def as_optional_int(name: str, value, *, minimum: int) -> int | None:
    if value is None:
        return None
    value = validate.positive_int(name, value)
    if value < minimum:
        raise ValidationError(f"{name}: must be >= {minimum}, got {value}")
    return value


def check_instance(name: str, value, types, *, optional: bool = True):
    if value is None and optional:
        return None
    if not isinstance(value, types):
        names = " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        raise ValidationError(f"{name}: expected {names}{' or None' if optional else ''}, got {type(value).__name__}")
    return value


def is_concrete(x) -> bool:
    return not isinstance(x, jax.core.Tracer)


def check_time(name: str, t):
    """Require a time (s) ``>= 0`` and finite when concrete; return it as a float array."""
    if is_concrete(t):
        arr = validate.finite(name, t)
        if np.any(arr < 0):
            raise ValidationError(f"{name}: must be >= 0 s, got {float(arr[arr < 0].flat[0]):g}")
    return jnp.asarray(t, jnp.float32) if not hasattr(t, "dtype") else t


def float_array(name: str, x):
    """``x`` as a floating JAX array (float32 unless it already is wider); NaN/inf rejected when concrete."""
    validate.input_array(name, x, min_ndim=0)
    x = jnp.asarray(x)
    return x.astype(jnp.promote_types(x.dtype, jnp.float32))


_STD_NORMAL = NormalDist()


def norm_cdf(z: float) -> float:
    return _STD_NORMAL.cdf(z)


def norm_pdf(z: float) -> float:
    return _STD_NORMAL.pdf(z)


def norm_ppf(p: float) -> float:
    return _STD_NORMAL.inv_cdf(p)
