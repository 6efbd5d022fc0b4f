"""A feed-forward stack of :class:`~neurosim.core.layer.Layer` objects (deep-learning style SNN).

Within a step, layer ``l`` receives layer ``l-1``'s output of the *same* step (as in snnTorch/Norse). Training
and fast simulation use :meth:`Sequential.run`, which runs layer after layer over the whole sequence.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import jax
import jax.numpy as jnp

from neurosim.core import timestep
from neurosim.core.dynamics import Component
from neurosim.core.layer import SequenceLayer
from neurosim.core.run import Run
from neurosim.core.projections.base import Projection
from neurosim.core.stage import Stage
from neurosim.errors import ValidationError


class Sequential(Component):
    """Layers applied in order. ``names`` default to ``layer0, layer1, ...``. ``dt`` (ms): the model's time step;
    left out, the one its layers were built for (see :mod:`neurosim.core.timestep`); a layer built for another is
    refused, naming both values."""

    def __init__(self, layers: Sequence[SequenceLayer], names: Sequence[str] | None = None,
                 dt: float | None = None, name: str | None = None):
        super().__init__(name=name)
        layers = [Stage(l) if isinstance(l, Projection) else l for l in layers]
        if not layers:
            raise ValidationError("layers: need at least one layer")
        for i, layer in enumerate(layers):
            if not isinstance(layer, SequenceLayer):
                raise ValidationError(f"layers[{i}]: expected a layer (Layer, EGRU, GRU ...) or a pooling/flatten "
                                      f"stage, got {type(layer).__name__}")
        for i in range(1, len(layers)):
            if layers[i].n_in != layers[i - 1].n_out:
                raise ValidationError(
                    f"layers[{i}]: n_in={layers[i].n_in} does not match layers[{i-1}] n_out={layers[i-1].n_out}")
        self.names = list(names) if names is not None else [f"layer{i}" for i in range(len(layers))]
        if len(self.names) != len(layers) or len(set(self.names)) != len(self.names):
            raise ValidationError("names: need one unique name per layer")
        self.layers = dict(zip(self.names, layers))
        self.dt, self._dt_fixed = timestep.resolve("Sequential", dt, {
            f"layer {n!r} ({type(l).__name__})": l.time_step() for n, l in self.layers.items()})
        self.n_in = layers[0].n_in
        self.n_out = layers[-1].n_out

    def time_step(self) -> float | None:
        return self.dt if self._dt_fixed else None

    def _param_children(self):
        return self.layers

    def layer_sizes(self) -> dict[str, tuple[int, bool]]:
        return {k: (l.n_out, l.spiking) for k, l in self.layers.items()}

    def describe(self) -> list:
        """One :class:`~neurosim.core.spec.LayerSpec` per layer, in order; a layer's feed-forward input is the
        previous layer (``source`` = its name), the first layer's is ``"input"``. ``Flatten`` stages do no work
        and have no spec (the next layer's source is the layer before them)."""
        specs, prev = [], "input"
        for name, layer in self.layers.items():
            spec = layer.describe(name)
            if spec is None:
                continue
            projs = tuple(p if p.recurrent or p.source != "input" else dataclasses.replace(p, source=prev)
                          for p in spec.projections)
            specs.append(dataclasses.replace(spec, projections=projs))
            prev = name
        return specs

    def static_counts(self):
        return {k: l.static_counts() for k, l in self.layers.items()}

    def batch_separable(self) -> bool:
        """Whether every layer maps each example of a batch on its own (see :mod:`neurosim.learn.micro_batch`)."""
        return all(layer.batch_separable() for layer in self.layers.values())

    def init(self, key):
        keys = jax.random.split(key, len(self.layers))
        return {name: layer.init(k) for (name, layer), k in zip(self.layers.items(), keys)}

    def init_state(self, batch_shape=()):
        return {name: layer.init_state(batch_shape) for name, layer in self.layers.items()}

    def step_with_counts(self, params, state, x):
        new_state, counts = {}, {}
        for name, layer in self.layers.items():
            new_state[name], x, counts[name] = layer.step_with_counts(params[name], state[name], x)
        return new_state, x, counts

    def step(self, params, state, x):
        state, out, _ = self.step_with_counts(params, state, x)
        return state, out

    def run(self, params, state, xs, *, record_outputs: bool = False, key=None, train: bool = False) -> Run:
        """Run over time-major ``xs`` (T, *batch, n_in); a :class:`~neurosim.core.run.Run` whose ``counts`` map
        layer name → per-step counts and whose ``extras`` hold ``"penalty"`` (the sum of the layers'
        activity-regulariser penalties), ``"outputs"`` (layer name → (T, *batch, n) when ``record_outputs``),
        ``"states"`` (layer name → per-step states, for layers that report them, when ``record_outputs``) and
        ``"batch_stats"`` (with ``train``, the batch norms' batch statistics: see :meth:`update_batch_stats`).
        ``key`` and ``train`` reach layers with stochastic regularisers (dropout, zoneout)."""
        new_state, counts, layer_outs, layer_states, batch_stats = {}, {}, {}, {}, {}
        penalty = jnp.zeros((), jnp.float32)
        keys = jax.random.split(key, len(self.layers)) if key is not None else [None] * len(self.layers)
        for (name, layer), k in zip(self.layers.items(), keys):
            new_state[name], xs, counts[name], extras = layer.run(params[name], state[name], xs, key=k, train=train)
            penalty = penalty + extras.get("penalty", 0.0)
            if extras.get("batch_stats") is not None:
                batch_stats[name] = extras["batch_stats"]
            if record_outputs:
                layer_outs[name] = xs
                if "states" in extras:
                    layer_states[name] = extras["states"]
        out = {"outputs": layer_outs, "penalty": penalty, "batch_stats": batch_stats}
        if layer_states:
            out["states"] = layer_states
        return Run(new_state, xs, counts, out)

    def unrecordable(self, targets) -> list[str]:
        """Of the records ``targets`` (``(name, layer, field)`` triples of :func:`neurosim.simulate`), those the
        time-batched :meth:`run` does not report (see ``SequenceLayer.run_fields``); empty: ``simulate`` may take
        the time-batched path."""
        return [name for name, layer, fld in targets
                if fld != "output" and fld not in self.layers[layer].run_fields()]

    def records_from_run(self, run: Run, targets) -> dict:
        """The per-step records of ``targets`` from a ``run(..., record_outputs=True)``."""
        rec = {}
        for name, layer, fld in targets:
            if fld == "output":
                rec[name] = run.outputs
            elif self.layers[layer].run_fields()[fld] == "output":
                rec[name] = run.extras["outputs"][layer]
            else:
                rec[name] = getattr(run.extras["states"][layer], fld)
        return rec

    def update_batch_stats(self, params, batch_stats: dict, previous=None):
        """``params`` with the batch norms' running statistics updated from ``extras["batch_stats"]`` of a
        training ``run`` (what :class:`~neurosim.learn.Trainer` does after every step). ``previous``: the
        parameters the running statistics move from (those before an optimiser step, which must not change
        them; default ``params``)."""
        if not batch_stats:
            return params
        previous = params if previous is None else previous
        return {name: (self.layers[name].update_batch_stats(p, batch_stats[name], previous[name])
                       if name in batch_stats else p) for name, p in params.items()}

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in self.layers.items())
        return f"Sequential({inner})"
