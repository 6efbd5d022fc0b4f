r"""Event-based gated recurrent unit (EGRU; Subramoney et al., ICLR 2023) as a neurosim layer.

Two reset conventions behind ``reset_form`` (sources: the paper's Eq. 1–2 and Fig. 1; the official code, repository
Efficient-Scalable-Machine-Learning/EvNN, ``frameworks/pytorch/egru.py`` and ``lib/egru_forward_cpu.cc``):

``"code"`` — the official EvNN code (cuDNN gate layout ``[z, r, g]``; needed for EvNN checkpoints)::

    z = σ(Wx_z + R_z y_{t-1} + b_z)        r = σ(Wx_r + R_r y_{t-1} + b_r)
    g = tanh(Wx_g + r ⊙ (R_g y_{t-1} + b_rg))
    ĉ_t = z ⊙ h_{t-1} + (1 − z) ⊙ g          o_t = H(ĉ_t − ϑ)     y_t = o_t ⊙ ĉ_t
    h_t = ĉ_t − o_t ⊙ ϑ                      (reset: subtract the threshold, inside the next gate blend)

``"paper"`` — the paper's equations (reset gate before the recurrent weight, previous event subtracted)::

    u = σ(Wx_u + R_u y_{t-1} + b_u)          r = σ(Wx_r + R_r y_{t-1} + b_r)
    z = tanh(Wx_z + R_z (r ⊙ y_{t-1}) + b_z)
    c_t = u ⊙ z + (1 − u) ⊙ c_{t-1} − y_{t-1} o_t = H(c_t − ϑ)       y_t = o_t ⊙ c_t

Graded events: a unit sends the real value of its state, only when it crosses its threshold, so the recurrent
product needs the rows of active units only (``inference="event"``). The Heaviside step has the triangular
pseudo-derivative γ·max(0, 1 − |c − ϑ|/ε) (EvNN: γ = ``dampening_factor`` 0.7, ε = 1/``pseudo_derivative_support``).
Thresholds are per unit: ``"sigmoid"`` parameterisation ϑ = σ(θ), θ ~ N(mean, √2) (paper era) or ``"direct"``
ϑ ~ Beta(α, 3), α = 3m/(1−m), clamped to [0, 1] (EvNN v0.2); learnable or frozen.
Optional: zoneout, DropConnect on ``R``, an output trace ``trace_t = 0.9 trace_{t-1} + 0.1 y_t`` used as output.

Sparsity reporting: activity sparsity = fraction of unit-steps with ``y = 0``; backward sparsity = fraction with
``|ĉ − ϑ| ≥ ε`` (pseudo-derivative exactly zero), both from :func:`sparsity` on recorded states.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.core.activity import StaticCounts, StepCounts
from neurosim.core.layer import SequenceLayer
from neurosim.core.run import Run
from neurosim.core.spec import LayerSpec, ProjectionSpec
from neurosim.core.surrogate import spike, surrogate
from neurosim.models import gates


class EGRUState(NamedTuple):
    c: jax.Array  # internal state after the reset (code form: h_t; paper form: c_t)
    y: jax.Array  # graded events of the last step
    trace: jax.Array  # low-pass filtered events (zeros unless trace=True)
    pre: jax.Array  # pre-threshold state ĉ_t (for sparsity / regularisers)


class EGRU(SequenceLayer):
    """One EGRU layer with ``hidden`` units on ``n_in`` inputs.

    Args:
      reset_form: ``"code"`` (EvNN) or ``"paper"``.
      threshold: ``"sigmoid"`` or ``"direct"`` parameterisation; ``threshold_mean``: its initial mean (of θ for
        sigmoid, default −0.2465 as in EvNN's DVS runs; of ϑ for direct, default 0.3).
      learn_threshold: train the thresholds (else frozen, as in the EvNN v0.2 LM release).
      dampening: γ; support: s = 1/ε of the triangular pseudo-derivative.
      zoneout, dropconnect: regularisation rates (training only; zoneout blends at evaluation).
      trace: output the trace instead of the events.
      activity_target, activity_weight: target-rate regulariser λ_a·(mean(o) − ρ*)² (EvNN DVS/sMNIST form).
      voltage_target, voltage_weight: voltage regulariser λ_v·mean((ĉ − v*)²) (EvNN sMNIST form, v* = −0.9).
      inference: ``"dense"`` or ``"event"`` recurrent product when not training; ``capacity``: fraction of units
        the event path gathers at most per sample (in power-of-two buckets, :func:`~neurosim.models.gates.buckets`)
        before it falls back to dense (exact either way).
    """

    def __init__(self, n_in: int, hidden: int, *, reset_form: str = "code", threshold: str = "sigmoid",
                 threshold_mean: float | None = None, learn_threshold: bool = True, dampening: float = 0.7,
                 support: float = 1.0, zoneout: float = 0.0, dropconnect: float = 0.0, trace: bool = False,
                 activity_target: float = 0.05, activity_weight: float = 0.0, voltage_target: float = -0.9,
                 voltage_weight: float = 0.0, inference: str = "dense", capacity: float = 0.25,
                 name: str | None = None):
        super().__init__(name=name)
        self.n_in = validate.positive_int("n_in", n_in)
        self.hidden = self.n_out = validate.positive_int("hidden", hidden)
        self.reset_form = validate.choice("reset_form", reset_form, ("code", "paper"))
        self.threshold_kind = validate.choice("threshold", threshold, ("sigmoid", "direct"))
        default_mean = -0.2465 if threshold == "sigmoid" else 0.3
        self.threshold_mean = float(validate.finite("threshold_mean", default_mean if threshold_mean is None
                                                     else threshold_mean))
        if self.threshold_kind == "direct":
            validate.in_range("threshold_mean", self.threshold_mean, 0.0, 1.0, lo_open=True, hi_open=True)
        self.learn_threshold = bool(learn_threshold)
        self.frozen_params = () if self.learn_threshold else ("theta",)
        self.support = float(validate.positive("support", support))
        self.surrogate = surrogate("triangle", scale=1.0 / self.support,
                                   height=float(validate.positive("dampening", dampening)))
        gates.check_rates(dropconnect, zoneout)
        self.zoneout_p, self.dropconnect_p = float(zoneout), float(dropconnect)
        self.use_trace = bool(trace)
        self.activity_target = float(validate.in_range("activity_target", activity_target, 0.0, 1.0))
        self.activity_weight = float(validate.positive("activity_weight", activity_weight, allow_zero=True))
        self.voltage_target = float(validate.finite("voltage_target", voltage_target))
        self.voltage_weight = float(validate.positive("voltage_weight", voltage_weight, allow_zero=True))
        self.inference = validate.choice("inference", inference, ("dense", "event"))
        frac = float(validate.in_range("capacity", capacity, 0.0, 1.0, lo_open=True))
        self.capacity = max(1, int(np.ceil(frac * self.hidden)))

    # ---- parameters -----------------------------------------------------------------------------------------
    def init(self, key):
        k1, k2 = jax.random.split(key)
        params = gates.init_gate_weights(k1, self.n_in, self.hidden)
        params["theta"] = self._init_threshold(k2)  # frozen thresholds stay in the pytree, behind stop_gradient
        return params

    def _init_threshold(self, key):
        if self.threshold_kind == "sigmoid":
            return self.threshold_mean + jnp.sqrt(2.0) * jax.random.normal(key, (self.hidden,), jnp.float32)
        m = self.threshold_mean
        return jax.random.beta(key, 3.0 * m / (1.0 - m), 3.0, (self.hidden,)).astype(jnp.float32)

    def threshold(self, params):
        """Per-unit thresholds ϑ (H,)."""
        theta = params["theta"] if self.learn_threshold else jax.lax.stop_gradient(params["theta"])
        if self.threshold_kind == "sigmoid":
            return jax.nn.sigmoid(theta)
        return jnp.clip(theta, 0.0, 1.0)

    def init_state(self, batch_shape=()):
        z = jnp.zeros(tuple(batch_shape) + (self.hidden,), jnp.float32)
        return EGRUState(z, z, z, z)

    # ---- dynamics -------------------------------------------------------------------------------------------
    def _recurrent(self, y, R, event: bool):
        return gates.event_product(y, R, self.capacity) if event else gates.dense_product(y, R)

    def _cell(self, params, R, thr, state: EGRUState, wx, key, train: bool, event: bool):
        H = self.hidden
        b_r = params["b_r"]
        if self.reset_form == "code":
            rh = self._recurrent(state.y, R, event) + b_r
            z = jax.nn.sigmoid(wx[..., :H] + rh[..., :H])
            r = jax.nn.sigmoid(wx[..., H:2 * H] + rh[..., H:2 * H])
            g = jnp.tanh(wx[..., 2 * H:] + r * rh[..., 2 * H:])
            c_hat = z * state.c + (1.0 - z) * g
        else:
            rh = self._recurrent(state.y, R[:, :2 * H], event) + b_r[:2 * H]
            u = jax.nn.sigmoid(wx[..., :H] + rh[..., :H])
            r = jax.nn.sigmoid(wx[..., H:2 * H] + rh[..., H:2 * H])
            cand = jnp.tanh(wx[..., 2 * H:] + self._recurrent(r * state.y, R[:, 2 * H:], event) + b_r[2 * H:])
            c_hat = u * cand + (1.0 - u) * state.c - state.y
        c_hat = gates.zoneout(key, state.c, c_hat, self.zoneout_p, train)
        o = spike(c_hat - thr, self.surrogate)
        y = o * c_hat
        c_new = c_hat - o * thr if self.reset_form == "code" else c_hat
        trace = 0.9 * state.trace + 0.1 * y if self.use_trace else state.trace
        return EGRUState(c_new, y, trace, c_hat)

    def _weights(self, params, key, train):
        R = params["R"]
        if train and self.dropconnect_p > 0.0 and key is not None:
            R = gates.dropconnect(jax.random.fold_in(key, 1), R, self.dropconnect_p)
        return R

    def run_fields(self) -> dict[str, str]:
        return {f: "states" for f in EGRUState._fields}

    def _output(self, state: EGRUState):
        return state.trace if self.use_trace else state.y

    def step_with_counts(self, params, state, x):
        if x.shape[-1] != self.n_in:
            raise validate.ValidationError(f"input: expected last dimension {self.n_in}, got shape {x.shape}")
        wx = x @ params["W"] + params["b_x"]
        event = self.inference == "event"
        new = self._cell(params, params["R"], self.threshold(params), state, wx, None, False, event)
        return new, self._output(new), self._counts(x, state.y, new.y, event)

    def _scan(self, params, state, xs, key, train):
        if xs.shape[-1] != self.n_in:
            raise validate.ValidationError(f"input: expected last dimension {self.n_in}, got shape {xs.shape}")
        wxs = gates.input_projection(params, xs)
        R = self._weights(params, key, train)
        thr = self.threshold(params)
        event = (not train) and self.inference == "event"
        keys = jax.random.split(key, xs.shape[0]) if key is not None else None

        def body(st, inp):
            wx, k = inp
            new = self._cell(params, R, thr, st, wx, k, train, event)
            return new, (self._output(new), st.y, new)

        state, (outs, y_prev, states) = jax.lax.scan(body, state, (wxs, keys))
        return state, outs, y_prev, states, event

    def run(self, params, state, xs, *, key=None, train=False) -> Run:
        """The whole sequence (:class:`~neurosim.core.run.Run`): ``extras["penalty"]`` is the activity-regulariser
        penalty, ``extras["states"]`` the per-step :class:`EGRUState` (for sparsity measures; unused entries cost
        nothing under ``jit``)."""
        state, outs, y_prev, states, event = self._scan(params, state, xs, key, train)
        counts = jax.vmap(lambda x, yp, y: self._counts(x, yp, y, event))(xs, y_prev, states.y)
        return Run(state, outs, counts, {"penalty": self.penalty(params, states), "states": states})

    def batch_separable(self) -> bool:
        """Separable unless the activity penalty squares the batch-mean rate's distance from its target (the
        voltage penalty, a mean of squares, is) or dropconnect draws one weight mask for the whole batch."""
        return not self.activity_weight and not self.dropconnect_p

    def penalty(self, params, states: EGRUState):
        """Activity regularisers on recorded states (0 when both weights are 0)."""
        total = jnp.zeros((), jnp.float32)
        if self.activity_weight:
            o = spike(states.pre - self.threshold(params), self.surrogate)
            total = total + self.activity_weight * (jnp.mean(o) - self.activity_target) ** 2
        if self.voltage_weight:
            total = total + self.voltage_weight * jnp.mean((states.pre - self.voltage_target) ** 2)
        return total

    # ---- workload -------------------------------------------------------------------------------------------
    def _counts(self, x, y_prev, y, event: bool) -> StepCounts:
        fan = 3 * self.hidden
        in_events = jnp.sum(x != 0, dtype=jnp.int32) * fan
        rec_events = jnp.sum(y_prev != 0, dtype=jnp.int32) * fan
        spikes = jnp.sum(y != 0, dtype=jnp.int32)
        # executed = what the bucketed gather kernel ran (its padding included); the modelled event-driven work
        # (active units x fan-out) is the synaptic-event count
        macs_event = gates.executed_macs(y_prev, fan, self.capacity) if event else jnp.zeros((), jnp.int32)
        return StepCounts(spikes, in_events + rec_events, macs_event)

    def describe(self, name: str = "egru") -> LayerSpec:
        """Gated units: three weights (z, r, g) per input and recurrent synapse; events carry values."""
        projs = (ProjectionSpec(self.n_in, self.hidden, self.n_in * self.hidden),
                 ProjectionSpec(self.hidden, self.hidden, self.hidden * self.hidden, recurrent=True, source=name))
        return LayerSpec(name, self.hidden, "gated", projs, graded=True, state_vars=2, weights_per_synapse=3)

    def static_counts(self) -> StaticCounts:
        fan = 3 * self.hidden
        dense = (self.n_in + self.hidden) * fan
        static = self.n_in * fan if self.inference == "event" else dense
        return StaticCounts(dense, static, self.hidden)

    def __repr__(self):
        return (f"EGRU({self.n_in}->{self.hidden}, reset_form={self.reset_form!r}, threshold={self.threshold_kind!r}, "
                f"inference={self.inference!r})")


def sparsity(states: EGRUState, thr, support: float) -> dict:
    """Activity sparsity (fraction of unit-steps with y = 0) and backward sparsity (fraction with
    |ĉ − ϑ| ≥ 1/s, where the pseudo-derivative is exactly zero) of recorded states."""
    y = np.asarray(states.y)
    pre = np.asarray(states.pre)
    return {"activity_sparsity": float(np.mean(y == 0)),
            "backward_sparsity": float(np.mean(np.abs(pre - np.asarray(thr)) >= 1.0 / support))}
