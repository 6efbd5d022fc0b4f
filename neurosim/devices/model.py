r"""The composite device model and its pure pipeline: program signed weights, read them back at time t.

Units: conductances µS, time s (since programming), weights in the caller's units.

:class:`DeviceModel` bundles one choice per physical effect (each ``None`` = ideal). It is a frozen, hashable,
leaf-free pytree, so it can be passed straight to ``jax.jit``-compiled functions (it is compiled in, like a static
argument) and is ignored by ``jax.vmap``. The device *state* (:class:`DeviceState`) is a pytree of arrays.

**Programming** (:func:`program_weights`, once per write; ``key`` split into independent streams):

1. weights → differential pair targets :math:`G_T^\pm` (:func:`~neurosim.devices.crossbar.weights_to_conductances`);
2. optional rounding of the targets to ``n_levels`` uniform levels in [g_min, g_max];
3. programming noise :math:`g = g_T + \sigma(g_T) z` (z ~ N(0,1) kept for the Wan retention model);
4. optional cycle-to-cycle variation :math:`g(1 + \sigma_{c2c} z')` (new every write);
5. device-to-device gain :math:`g \cdot d` (fixed per device) and clipping (g ≥ 0, or [g_min, g_max] with
   ``clip_to_range``);
6. drift/relaxation parameters drawn per device (PCM ν, CMO z, Wan z);
7. stuck-at faults (fixed per device) override the value: ON → g_max, OFF → g_min.

:func:`reprogram` writes new weights into the same devices: d2d gains and stuck cells are kept, everything else
is redrawn.

**Reading** (:func:`read_conductances` / :func:`read_weights`, every call): drift to time t (deterministic given
the state, :func:`conductances_at`), stuck cells re-pinned, fresh read noise from ``key``, clipping;
weights :math:`w = (G^+ - G^-)s`. :func:`analog_matmul` runs a crossbar MVM on the read conductances.

**Random weights** (:func:`random_weights`, :func:`form_weights`; the resistive-memory LSM): cells are
electroformed (:mod:`~neurosim.devices.forming`) and a signed weight is ``"differential"``
:math:`(G_a - G_b)s` of two formed arrays or ``"centered"`` :math:`(G - \bar G)s` with :math:`\bar G` the
array's sample mean; ``scale=None`` picks s so that the weights have unit variance in expectation.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.devices import crossbar as _xb
from neurosim.devices._common import (as_float, as_optional_int, check_instance, check_time, float_array, set_field,
                                      static_config)
from neurosim.devices.drift import DRIFT_MODELS
from neurosim.devices.faults import Faults, apply_stuck, d2d_gains, stuck_codes
from neurosim.devices.forming import Forming, conductance_moments, form
from neurosim.devices.programming import ProgrammingNoise, apply_programming_noise, clip_conductance
from neurosim.devices.quantize import quantize
from neurosim.devices.read_noise import READ_NOISE_MODELS
from neurosim.errors import ValidationError


@static_config
class DeviceModel:
    """A resistive-memory device: conductance range and one model per effect (``None`` = ideal).

    ``g_min``/``g_max`` (µS): the programmable range used for weight mapping, stuck-at values and quantisation.
    ``programming``: :class:`~neurosim.devices.programming.ProgrammingNoise`. ``drift``:
    :class:`~neurosim.devices.drift.PCMDrift`, :class:`~neurosim.devices.drift.CMORelaxation` or
    :class:`~neurosim.devices.drift.WanRetention`. ``read_noise``: :class:`~neurosim.devices.read_noise.PCMReadNoise`,
    :class:`~neurosim.devices.read_noise.CMOReadNoise` or :class:`~neurosim.devices.read_noise.SimpleReadNoise`.
    ``faults``: :class:`~neurosim.devices.faults.Faults`. ``n_levels``: number of programmable levels (None =
    analog). ``forming``: :class:`~neurosim.devices.forming.Forming` (for random weights). ``crossbar``:
    :class:`~neurosim.devices.crossbar.CrossbarParams`. ``clip_to_range``: clip read conductances to
    [g_min, g_max] (else only g ≥ 0). ``name``/``source``: labels.
    """

    name: str = "custom"
    g_min: float = 0.0
    g_max: float = 25.0
    programming: ProgrammingNoise | None = None
    drift: object = None
    read_noise: object = None
    faults: Faults = Faults()
    n_levels: int | None = None
    forming: Forming | None = None
    crossbar: _xb.CrossbarParams = _xb.CrossbarParams()
    clip_to_range: bool = False
    source: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise ValidationError(f"name: expected a string, got {type(self.name).__name__}")
        g_min = as_float("g_min", self.g_min, lo=0.0)
        g_max = as_float("g_max", self.g_max, lo=0.0, lo_open=True)
        if g_min >= g_max:
            raise ValidationError(f"g_min: must be < g_max ({g_max:g} µS), got {g_min:g}")
        set_field(self, "g_min", g_min)
        set_field(self, "g_max", g_max)
        check_instance("programming", self.programming, ProgrammingNoise)
        check_instance("drift", self.drift, DRIFT_MODELS)
        check_instance("read_noise", self.read_noise, READ_NOISE_MODELS)
        check_instance("faults", self.faults, Faults, optional=False)
        set_field(self, "n_levels", as_optional_int("n_levels", self.n_levels, minimum=2))
        check_instance("forming", self.forming, Forming)
        check_instance("crossbar", self.crossbar, _xb.CrossbarParams, optional=False)
        set_field(self, "clip_to_range", bool(self.clip_to_range))
        if not isinstance(self.source, str):
            raise ValidationError(f"source: expected a string, got {type(self.source).__name__}")

    def replace(self, **changes) -> "DeviceModel":
        """A copy with some fields changed (validated again)."""
        bad = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if bad:
            raise ValidationError(f"{bad[0]}: not a DeviceModel field")
        return dataclasses.replace(self, **changes)


class CellState(NamedTuple):
    """One array of cells (all µS unless noted): ``g`` as programmed (t = 0), ``target`` after level rounding,
    ``drift`` per-device drift parameter (PCM ν / CMO z / Wan z; zeros without drift), ``stuck`` int8 fault codes
    (+1 ON, −1 OFF, 0 healthy; fixed), ``d2d`` device-to-device gains (fixed)."""

    g: jax.Array
    target: jax.Array
    drift: jax.Array
    stuck: jax.Array
    d2d: jax.Array


class DeviceState(NamedTuple):
    """Programmed differential pair: ``plus``/``minus`` :class:`CellState`, ``scale`` (weight units per µS)."""

    plus: CellState
    minus: CellState
    scale: jax.Array


def _check_model(model) -> DeviceModel:
    if not isinstance(model, DeviceModel):
        raise ValidationError(f"model: expected DeviceModel (see neurosim.devices.get_preset), got "
                              f"{type(model).__name__}")
    return model


def _check_cells(name: str, cells) -> CellState:
    if not isinstance(cells, CellState):
        raise ValidationError(f"{name}: expected CellState, got {type(cells).__name__}")
    return cells


def _check_state(state) -> DeviceState:
    if not isinstance(state, DeviceState):
        raise ValidationError(f"state: expected DeviceState (from program_weights or form_weights), got "
                              f"{type(state).__name__}")
    return state


def _clip(g, model: DeviceModel):
    return clip_conductance(g, "range" if model.clip_to_range else "nonnegative", model.g_min, model.g_max)


# Public functions check their (concrete) arguments, then call a jitted core: eager callers get one compiled
# program per shape and model instead of dozens of op-by-op dispatches; inside a user's jit the cores inline.

def _program_cells(key, g_target, model: DeviceModel, stuck, d2d) -> CellState:
    shape, dtype = g_target.shape, g_target.dtype
    k_prog, k_c2c, k_d2d, k_drift, k_stuck = jax.random.split(key, 5)
    if model.n_levels is not None:
        g_target = quantize(g_target, model.n_levels, model.g_min, model.g_max)
    z = jax.random.normal(k_prog, shape, dtype)
    if model.programming is not None:
        clip = "range" if model.clip_to_range else model.programming.clip
        noise = dataclasses.replace(model.programming, clip=clip)
        g = apply_programming_noise(g_target, z, noise, g_max=model.g_max, g_min=model.g_min)
    else:
        g = g_target
    f = model.faults
    if f.c2c_std > 0.0:
        g = g * (1.0 + f.c2c_std * jax.random.normal(k_c2c, shape, dtype))
    if d2d is None:
        d2d = (d2d_gains(k_d2d, shape, f.d2d_std, f.d2d_kind).astype(dtype) if f.d2d_std > 0.0
               else jnp.ones(shape, dtype))
    g = _clip(g * d2d, model)
    drift = (model.drift.init(k_drift, g_target, z, g_max=model.g_max) if model.drift is not None
             else jnp.zeros(shape, dtype))
    if stuck is None:
        stuck = (stuck_codes(k_stuck, shape, f.p_stuck_on, f.p_stuck_off) if f.has_stuck
                 else jnp.zeros(shape, jnp.int8))
    g = apply_stuck(g, stuck, g_min=model.g_min, g_max=model.g_max)
    return CellState(g, g_target, drift, stuck, d2d)


@functools.partial(jax.jit, static_argnames=("model",))
def _program_cells_jit(key, g_target, model, stuck, d2d):
    return _program_cells(key, g_target, model, stuck, d2d)


def program_cells(key, g_target, model: DeviceModel, *, stuck=None, d2d=None) -> CellState:
    """Program one array to target conductances ``g_target`` (µS) (steps 2–7 of the module docstring).

    ``stuck``/``d2d`` reuse fixed per-device properties from an earlier :class:`CellState`."""
    model = _check_model(model)
    return _program_cells_jit(key, float_array("g_target", g_target), model, stuck, d2d)


@functools.partial(jax.jit, static_argnames=("model",))
def _program_weights(key, w, model, w_max, plus_fixed, minus_fixed):
    gp, gm, scale = _xb.pair_conductances(w, model.g_max, model.g_min, w_max)
    kp, km = jax.random.split(key)
    return DeviceState(_program_cells(kp, gp, model, *plus_fixed), _program_cells(km, gm, model, *minus_fixed),
                       scale)


def _w_max(w_max):
    if w_max is None or isinstance(w_max, jax.core.Tracer):
        return w_max
    return as_float("w_max", w_max, lo=0.0, lo_open=True)


def program_weights(key, w, model: DeviceModel, *, w_max=None) -> DeviceState:
    """Program signed weights ``w`` onto differential pairs of ``model`` devices; ``w_max`` (default ``max |w|``)
    maps to ``g_max``. Same key → bitwise-identical state."""
    model = _check_model(model)
    return _program_weights(key, float_array("w", w), model, _w_max(w_max), (None, None), (None, None))


def reprogram(key, state: DeviceState, w, model: DeviceModel, *, w_max=None) -> DeviceState:
    """Write new weights ``w`` into the devices of ``state``: stuck cells and d2d gains are kept (they belong to
    the device), programming noise, c2c variation and drift parameters are redrawn."""
    model, state, w = _check_model(model), _check_state(state), float_array("w", w)
    if w.shape != state.plus.g.shape:
        raise ValidationError(f"w: expected shape {state.plus.g.shape} (the programmed array), got {w.shape}")
    return _program_weights(key, w, model, _w_max(w_max), (state.plus.stuck, state.plus.d2d),
                            (state.minus.stuck, state.minus.d2d))


def _conductances_at(cells: CellState, t, model: DeviceModel):
    g = cells.g
    if model.drift is not None:
        g = model.drift.apply(g, cells.target, cells.drift, t, g_max=model.g_max)
    g = apply_stuck(g, cells.stuck, g_min=model.g_min, g_max=model.g_max)
    return _clip(g, model)


def _read_conductances(key, cells: CellState, t, model: DeviceModel):
    g = _conductances_at(cells, t, model)
    if model.read_noise is not None:
        g = _clip(model.read_noise.apply(key, g, cells.g, t, g_max=model.g_max), model)
    return g


def _compensation(state: DeviceState, w_read, model: DeviceModel):
    zero = jnp.zeros((), w_read.dtype)
    w0 = (_conductances_at(state.plus, zero, model) - _conductances_at(state.minus, zero, model)) * state.scale
    den = jnp.sum(jnp.abs(w_read))
    return jnp.where(den > 0, jnp.sum(jnp.abs(w0)) / jnp.where(den > 0, den, 1.0), 1.0)


def _read_weights(key, state: DeviceState, t, model: DeviceModel, compensate_drift: bool):
    kp, km = jax.random.split(key)
    w = (_read_conductances(kp, state.plus, t, model) - _read_conductances(km, state.minus, t, model)) * state.scale
    return w * _compensation(state, w, model) if compensate_drift else w


_conductances_at_jit = jax.jit(_conductances_at, static_argnames=("model",))
_read_conductances_jit = jax.jit(_read_conductances, static_argnames=("model",))
_read_weights_jit = jax.jit(_read_weights, static_argnames=("model", "compensate_drift"))
_compensation_jit = jax.jit(_compensation, static_argnames=("model",))


def _time(t, dtype=jnp.float32):
    return jnp.asarray(check_time("t", t), dtype)


def conductances_at(cells: CellState, t, model: DeviceModel):
    """Noise-free conductances (µS) of ``cells`` at ``t`` s after programming (drift only, stuck re-pinned)."""
    model, cells = _check_model(model), _check_cells("cells", cells)
    return _conductances_at_jit(cells, _time(t, cells.g.dtype), model)


def read_conductances(key, cells: CellState, t, model: DeviceModel):
    """One read of ``cells`` at ``t`` s: drift, then fresh read noise from ``key``, then clipping (µS)."""
    model, cells = _check_model(model), _check_cells("cells", cells)
    return _read_conductances_jit(key, cells, _time(t, cells.g.dtype), model)


def drift_compensation_factor(state: DeviceState, w_read, model: DeviceModel):
    """Global drift compensation: one scalar :math:`\\alpha = \\sum|w(0)| / \\sum|w_\\mathrm{read}|` per array,
    with :math:`w(0)` the noise-free weights right after programming (the idea of aihwkit's
    ``GlobalDriftCompensation``, which measures the same ratio with an all-ones input read)."""
    model, state = _check_model(model), _check_state(state)
    return _compensation_jit(state, float_array("w_read", w_read), model)


def read_weights(key, state: DeviceState, t, model: DeviceModel, *, compensate_drift: bool = False):
    """Effective weights :math:`(G^+(t) - G^-(t))\\,s` of one read at ``t`` s after programming; with
    ``compensate_drift`` they are multiplied by :func:`drift_compensation_factor`."""
    model, state = _check_model(model), _check_state(state)
    return _read_weights_jit(key, state, _time(t, state.plus.g.dtype), model, bool(compensate_drift))


def analog_matmul(key, x, state: DeviceState, t, model: DeviceModel, *, compensate_drift: bool = False):
    """``x @ w`` computed by the crossbar at ``t`` s: one read of the conductances, then
    :func:`~neurosim.devices.crossbar.crossbar_mvm` with ``model.crossbar`` (IR drop, DAC/ADC, output noise);
    ``compensate_drift`` scales the digital output by :func:`drift_compensation_factor`."""
    model, state = _check_model(model), _check_state(state)
    t = _time(t, state.plus.g.dtype)
    k_read, k_out = jax.random.split(key)
    kp, km = jax.random.split(k_read)
    gp = _read_conductances_jit(kp, state.plus, t, model)
    gm = _read_conductances_jit(km, state.minus, t, model)
    y = _xb.crossbar_mvm(x, gp, gm, state.scale, model.crossbar, g_max=model.g_max, key=k_out)
    if compensate_drift:
        y = y * _compensation_jit(state, (gp - gm) * state.scale, model)
    return y


_MODES = ("differential", "centered")


def random_weight_scale(model: DeviceModel, mode: str = "differential") -> float:
    """The ``scale`` (weight units per µS) that gives formed random weights unit variance in expectation."""
    model = _check_model(model)
    validate.choice("mode", mode, _MODES)
    if model.forming is None:
        raise ValidationError(f"model.forming: preset {model.name!r} has no forming parameters "
                              "(use 'rram-forming-random' or set forming=Forming(...))")
    _, var = conductance_moments(model.forming)
    var = 2.0 * var if mode == "differential" else var
    if var <= 0.0:
        raise ValidationError("model.forming: the formed conductances have zero variance")
    return 1.0 / math.sqrt(var)


@functools.partial(jax.jit, static_argnames=("shape", "model", "mode"))
def _form_weights(key, scale, *, shape, model: DeviceModel, mode: str) -> DeviceState:
    ka, kb, kp, km = jax.random.split(key, 4)
    ga = form(ka, shape, model.forming)
    gb = form(kb, shape, model.forming) if mode == "differential" else jnp.full(shape, jnp.mean(ga), ga.dtype)
    f = model.faults

    def cells(k, g):
        k_drift, k_stuck, k_d2d = jax.random.split(k, 3)
        d2d = d2d_gains(k_d2d, shape, f.d2d_std, f.d2d_kind) if f.d2d_std > 0.0 else jnp.ones(shape, g.dtype)
        drift = (model.drift.init(k_drift, g, jnp.zeros_like(g), g_max=model.g_max) if model.drift is not None
                 else jnp.zeros_like(g))
        stuck = (stuck_codes(k_stuck, shape, f.p_stuck_on, f.p_stuck_off) if f.has_stuck
                 else jnp.zeros(shape, jnp.int8))
        g_dev = apply_stuck(g * d2d, stuck, g_min=model.g_min, g_max=model.g_max)
        return CellState(g_dev, g, drift, stuck, d2d)

    return DeviceState(cells(kp, ga), cells(km, gb), jnp.asarray(scale, ga.dtype))


def form_weights(key, shape, model: DeviceModel, *, mode: str = "differential", scale=None) -> DeviceState:
    """Random signed weights by electroforming (no programming): a :class:`DeviceState` whose ideal weights are
    ``(G_a - G_b) * scale`` (``"differential"``) or ``(G - mean(G)) * scale`` (``"centered"``; the minus cells
    hold the array's mean conductance as a reference). Drift/read noise/faults of ``model`` apply on reads.
    ``shape`` must be static under ``jax.jit`` (``static_argnames="shape"``)."""
    model = _check_model(model)
    s = random_weight_scale(model, mode)
    if scale is not None:
        s = scale if isinstance(scale, jax.core.Tracer) else as_float("scale", scale, lo=0.0, lo_open=True)
    shape = tuple(int(v) for v in shape)
    return _form_weights(key, s, shape=shape, model=model, mode=mode)


def random_weights(key, shape, model: DeviceModel, *, mode: str = "differential", scale=None):
    """Random signed weight matrix from electroformed cells (noise-free read at t = 0); see :func:`form_weights`.

    With ``scale=None`` the weights have unit variance in expectation; multiply by the LSM's weight constant."""
    state = form_weights(key, shape, model, mode=mode, scale=scale)
    return (state.plus.g - state.minus.g) * state.scale


__all__ = ["DeviceModel", "DeviceState", "CellState", "program_weights", "program_cells", "reprogram",
           "conductances_at", "read_conductances", "read_weights", "drift_compensation_factor", "analog_matmul",
           "form_weights", "random_weights", "random_weight_scale"]
