"""A layer: projection → neuron group, with an optional recurrent projection from the layer's own spikes.

Per step: :math:`x^{(l)}_t = \\mathrm{proj}(x^{(l-1)}_t) + \\mathrm{rec}(s^{(l)}_{t-1})`, then the neuron update.
:meth:`Layer.run` processes a whole sequence: because the feed-forward projection does not depend on the layer's
state, it is applied to all time steps at once (one large matmul instead of ``T`` small ones, forward and
backward), and only the neuron (and recurrent) update is scanned over time. ``run`` and a scan of ``step`` give
identical results (tested).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

import numpy as np

from neurosim.core.projections.batchnorm import apply_train as bn_apply_train
from neurosim.core.projections.batchnorm import has_batch_norm, update_running
from neurosim.core.activity import StaticCounts, StepCounts, event_counts, fan_matrix, static_counts
from neurosim.core.dynamics import Component
from neurosim.core.run import Run
from neurosim.core.neurons.group import NeuronGroup
from neurosim.core.projections.base import Projection
from neurosim.core.spec import LayerSpec
from neurosim.errors import ValidationError


class LayerState(NamedTuple):
    neuron: tuple


class SequenceLayer(Component):
    """Interface of anything :class:`~neurosim.core.sequential.Sequential` can stack.

    Attributes ``n_in``, ``n_out``, ``spiking``; methods ``init``, ``init_state``, ``step_with_counts(params,
    state, x) -> (state, out, StepCounts)``, ``run(params, state, xs, *, key=None, train=False) ->``
    :class:`~neurosim.core.run.Run` over time-major ``xs`` and ``static_counts() -> StaticCounts``. ``key``/``train`` drive
    stochastic training-time regularisers (dropout, zoneout); deterministic layers ignore them.
    """

    n_in: int
    n_out: int
    spiking: bool = True

    def run_fields(self) -> dict[str, str]:
        """State fields whose per-step values a whole-sequence ``run`` reports, and where: ``"output"`` (the field
        is the layer's output) or ``"states"`` (in ``extras["states"]``). :func:`neurosim.simulate` records these
        from the time-batched ``run``; any other field needs the step-by-step scan."""
        return {}

    def step(self, params, state, x):
        state, out, _ = self.step_with_counts(params, state, x)
        return state, out

    def batch_separable(self) -> bool:
        """Whether this layer's training output, penalty and statistics for each example of a batch depend on
        that example alone (then a batch's gradient may be accumulated over slices of it:
        :mod:`neurosim.learn.micro_batch`). False unless a layer says so."""
        return False


class Layer(SequenceLayer):
    """``proj`` (may be None: identity, then ``n_in == neuron.size``) feeding ``neuron``; ``recurrent`` optional."""

    def __init__(self, proj: Projection | None, neuron: NeuronGroup, recurrent: Projection | None = None,
                 name: str | None = None):
        super().__init__(name=name)
        if not isinstance(neuron, NeuronGroup):
            raise ValidationError(f"neuron: expected a NeuronGroup, got {type(neuron).__name__}")
        if proj is not None and proj.n_out != neuron.size:
            raise ValidationError(f"proj: n_out={proj.n_out} does not match neuron size {neuron.size}")
        if recurrent is not None:
            if not neuron.spiking:
                raise ValidationError("recurrent: a non-spiking readout cannot have a recurrent projection")
            if (recurrent.n_in, recurrent.n_out) != (neuron.size, neuron.size):
                raise ValidationError(
                    f"recurrent: expected shape ({neuron.size}, {neuron.size}), got ({recurrent.n_in}, {recurrent.n_out})")
        self.proj, self.neuron, self.recurrent = proj, neuron, recurrent
        self.n_in = proj.n_in if proj is not None else neuron.size
        self.n_out = neuron.size
        self._fan_in = fan_matrix([proj]) if proj is not None else None
        self._fan_rec = fan_matrix([recurrent]) if recurrent is not None else None

    def describe(self, name: str = "layer") -> LayerSpec:
        projs = []
        if self.proj is not None:
            projs.append(self.proj.spec())
        if self.recurrent is not None:
            projs.append(self.recurrent.spec(recurrent=True, source=name))
        n_state = len(self.neuron.init_state(()))
        return LayerSpec(name, self.n_out, "lif" if self.spiking else "readout", tuple(projs),
                         spiking=self.spiking, state_vars=n_state)

    def static_counts(self) -> StaticCounts:
        """Activity-independent work per sample and step."""
        return static_counts([p for p in (self.proj, self.recurrent) if p is not None], self.n_out)

    @property
    def spiking(self) -> bool:
        return self.neuron.spiking

    @property
    def dt(self) -> float:
        return self.neuron.dt

    def time_step(self) -> float | None:
        return self.neuron.time_step()

    def run_fields(self) -> dict[str, str]:
        return {self.neuron.output_field: "output"}

    def _param_children(self):
        children = {"neuron": self.neuron}
        if self.proj is not None:
            children["proj"] = self.proj
        if self.recurrent is not None:
            children["rec"] = self.recurrent
        return children

    def init(self, key):
        k1, k2, k3 = jax.random.split(key, 3)
        params = {"neuron": self.neuron.init(k2)}
        if self.proj is not None:
            params["proj"] = self.proj.init(k1)
        if self.recurrent is not None:
            params["rec"] = self.recurrent.init(k3)
        return params

    def init_state(self, batch_shape=()):
        return LayerState(self.neuron.init_state(batch_shape))

    # ---- one step -------------------------------------------------------------------------------------------
    def _feedforward(self, params, x):
        return self.proj.apply(params["proj"], x) if self.proj is not None else x

    def _cell(self, params, state: LayerState, current):
        """Neuron update on a precomputed feed-forward current (adds the recurrent input)."""
        rec_counts = None
        if self.recurrent is not None:
            prev = state.neuron.spike
            current = current + self.recurrent.apply(params["rec"], prev)
            rec_counts = event_counts(prev, self._fan_rec)
        nstate, out = self.neuron.step(params["neuron"], state.neuron, current)
        return LayerState(nstate), out, rec_counts

    def step_with_counts(self, params, state, x):
        if x.shape[-1] != self.n_in:
            raise ValidationError(f"input: expected last dimension {self.n_in}, got shape {x.shape}")
        state, out, rec = self._cell(params, state, self._feedforward(params, x))
        return state, out, self._counts(x, out, rec)

    # ---- a whole sequence (time-major xs: (T, *batch, n_in)) ------------------------------------------------
    @property
    def has_batch_norm(self) -> bool:
        return self.proj is not None and has_batch_norm(self.proj)

    def run(self, params, state, xs, *, key=None, train=False) -> Run:
        """The whole sequence (:class:`~neurosim.core.run.Run`); in training, ``extras["batch_stats"]`` carries the
        batch statistics of the projection's batch norms (see :mod:`~neurosim.core.projections.batchnorm`)."""
        if xs.shape[-1] != self.n_in:
            raise ValidationError(f"input: expected last dimension {self.n_in}, got shape {xs.shape}")
        stats = None
        if train and self.has_batch_norm:
            currents, stats = bn_apply_train(self.proj, params["proj"], xs)
        else:
            currents = self._feedforward(params, xs)
        state, outs, counts = self._run_currents(params, state, xs, currents)
        extras = {"penalty": jnp.zeros((), jnp.float32)}
        if stats is not None:
            extras["batch_stats"] = stats
        return Run(state, outs, counts, extras)

    def batch_separable(self) -> bool:
        """Separable unless a batch norm normalises with the batch's statistics."""
        return not self.has_batch_norm

    def update_batch_stats(self, params, stats, previous=None):
        """``params`` with the running statistics of the projection's batch norms updated from ``stats``
        (moving from those in ``previous``, default ``params``)."""
        if stats is None:
            return params
        previous = params if previous is None else previous
        return {**params, "proj": update_running(self.proj, params["proj"], stats, previous["proj"])}

    def _run_currents(self, params, state, xs, currents):
        if self.recurrent is None and hasattr(self.neuron, "run_currents"):
            nstate, outs = self.neuron.run_currents(params["neuron"], state.neuron, currents)
            counts = jax.vmap(lambda x, o: self._counts(x, o, None))(xs, outs)
            return LayerState(nstate), outs, counts

        def body(st, cur):
            st, out, rec = self._cell(params, st, cur)
            return st, (out, rec)

        state, (outs, rec) = jax.lax.scan(body, state, currents)
        counts = jax.vmap(self._counts)(xs, outs, rec)
        return state, outs, counts

    def _counts(self, x, out, rec_counts) -> StepCounts:
        z = jnp.zeros((), jnp.int32)
        events, macs = event_counts(x, self._fan_in) if self.proj is not None else (z, z)
        if rec_counts is not None:
            events, macs = events + rec_counts[0], macs + rec_counts[1]
        spikes = jnp.sum(out != 0, dtype=jnp.int32) if self.spiking else z
        return StepCounts(spikes, events, macs)

    def __repr__(self):
        rec = f", recurrent={type(self.recurrent).__name__}" if self.recurrent is not None else ""
        proj = type(self.proj).__name__ if self.proj is not None else "identity"
        return f"Layer({proj} {self.n_in}->{self.n_out}, {self.neuron!r}{rec})"
