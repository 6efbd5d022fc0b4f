"""Argument checks shared by every public constructor and entry point.

Each check raises :class:`neurosim.errors.ValidationError` with a message that names the parameter, so a user
sees *which* argument is wrong and why, never a JAX tracer error from deep inside a scan.
Checks run on concrete (host) values at construction or call time, never inside jitted code.
"""

from __future__ import annotations

import functools
import math
from typing import Iterable, Sequence

import numpy as np

from neurosim.errors import ValidationError


def _as_array(name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{name}: expected a number or an array of numbers, got {type(value).__name__}") from exc
    return arr


def finite(name: str, value) -> np.ndarray:
    """Require every element of ``value`` to be a finite number; return it as a float64 array."""
    arr = _as_array(name, value)
    if arr.size and not np.all(np.isfinite(arr)):
        bad = "NaN" if np.any(np.isnan(arr)) else "inf"
        raise ValidationError(f"{name}: contains {bad}; all values must be finite")
    return arr


def positive(name: str, value, *, allow_zero: bool = False) -> np.ndarray:
    """Require finite values > 0 (or >= 0 with ``allow_zero``)."""
    arr = finite(name, value)
    bad = arr < 0 if allow_zero else arr <= 0
    if np.any(bad):
        worst = float(arr[bad].flat[0]) if arr.ndim else float(arr)
        rel = ">= 0" if allow_zero else "> 0"
        raise ValidationError(f"{name}: must be {rel}, got {worst:g}")
    return arr


def in_range(name: str, value, lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> np.ndarray:
    """Require finite values within [lo, hi] (open ends where asked)."""
    arr = finite(name, value)
    below = arr <= lo if lo_open else arr < lo
    above = arr >= hi if hi_open else arr > hi
    if np.any(below | above):
        worst = float(arr[below | above].flat[0]) if arr.ndim else float(arr)
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        raise ValidationError(f"{name}: must lie in {left}{lo:g}, {hi:g}{right}, got {worst:g}")
    return arr


def positive_int(name: str, value, *, allow_zero: bool = False) -> int:
    """Require a Python/NumPy integer > 0 (or >= 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValidationError(f"{name}: expected an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError(f"{name}: must be {'>= 0' if allow_zero else '> 0'}, got {value}")
    return value


def choice(name: str, value, options: Iterable[str]) -> str:
    """Require ``value`` to be one of ``options`` (strings)."""
    options = tuple(options)
    if value not in options:
        raise ValidationError(f"{name}: must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def broadcastable(name: str, value, size: int) -> np.ndarray:
    """Require a scalar or a 1-D array of length ``size`` (a per-neuron parameter)."""
    arr = finite(name, value)
    if arr.ndim == 0 or (arr.ndim == 1 and arr.shape[0] in (1, size)):
        return arr
    raise ValidationError(f"{name}: expected a scalar or shape ({size},), got shape {arr.shape}")


def input_array(name: str, x, *, trailing: Sequence[int] | None = None, min_ndim: int = 1, check_finite: bool = True):
    """Check an input array's trailing shape and (on concrete values) that it has no NaN/inf.

    Returns ``x`` unchanged (a JAX or NumPy array). Tracers skip the value check but keep the shape check.
    """
    shape = tuple(getattr(x, "shape", np.shape(x)))
    if len(shape) < min_ndim:
        raise ValidationError(f"{name}: expected at least {min_ndim} dimension(s), got shape {shape}")
    if trailing is not None:
        trailing = tuple(trailing)
        if shape[len(shape) - len(trailing):] != trailing:
            raise ValidationError(
                f"{name}: expected trailing shape {trailing}, got shape {shape}"
            )
    if check_finite and _is_concrete(x):
        if _is_device_array(x):  # reduce where the data live: no copy of a device array to the host
            import jax
            import jax.numpy as jnp

            if jnp.issubdtype(x.dtype, jnp.inexact) and x.size:
                # one compiled reduction (not several eager dispatches); a concrete array captured inside a jit
                # trace is evaluated now, not as part of the traced graph
                with jax.ensure_compile_time_eval():
                    n_bad = int(_nonfinite_count()(x))
                if n_bad:
                    raise ValidationError(f"{name}: contains {n_bad} NaN/inf value(s)")
            return x
        arr = np.asarray(x)
        if arr.dtype.kind in "fc" and arr.size and not np.all(np.isfinite(arr)):
            n_bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
            raise ValidationError(f"{name}: contains {n_bad} NaN/inf value(s)")
    return x


@functools.cache
def _nonfinite_count():
    import jax
    import jax.numpy as jnp

    return jax.jit(lambda a: jnp.sum(~jnp.isfinite(a), dtype=jnp.int32))


def _is_device_array(x) -> bool:
    try:
        import jax

        return isinstance(x, jax.Array)
    except Exception:  # pragma: no cover - jax always present
        return False


def _is_concrete(x) -> bool:
    try:
        import jax

        return not isinstance(x, jax.core.Tracer)
    except Exception:  # pragma: no cover - jax always present
        return True


def dt_vs_tau(name: str, tau, dt: float) -> None:
    """Warn when the time step is not small against a time constant (Euler becomes unstable at dt >= tau)."""
    tau_min = float(np.min(np.asarray(tau)))
    if dt > tau_min:
        import warnings

        warnings.warn(
            f"{name}: dt={dt:g} is larger than the fastest time constant {tau_min:g}; "
            "the 'exact' discretisation stays stable, 'euler' does not",
            RuntimeWarning,
            stacklevel=3,
        )


def isclose(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
