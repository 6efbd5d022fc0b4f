"""A network of neuron populations connected by projections (biophysical style: E/I nets, reservoirs).

Per step :math:`t`:

1. every projection reads its source's spikes — of step :math:`t` for an input population (the external input
   of this step), of step :math:`t-1` for a neuron population (one-step synaptic delay) — applies its weights and
   its synaptic filter (:mod:`neurosim.core.synapse`), and adds the result to the target's receptor
   (``"current"``, ``"exc"``, ``"inh"``);
2. every population updates with the summed receptor inputs plus its constant ``bias`` current.

This is the update order of BrainPy's ``ProjAlignPost`` projections, so a BrainPy network and its neurosim twin
step in lock-step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import numpy as np
import jax.numpy as jnp

from neurosim import validate
from neurosim.core import timestep
from neurosim.core.activity import StaticCounts, StepCounts, event_counts, fan_matrix, static_counts
from neurosim.core.dynamics import Component
from neurosim.core.neurons.group import NeuronGroup
from neurosim.core.projections.base import Projection
from neurosim.core.projections.event import EventCSR, FusedEventCSR
from neurosim.core.spec import LayerSpec
from neurosim.core.synapse import Delta
from neurosim.errors import ValidationError


@dataclass
class Connection:
    source: str
    target: str
    proj: Projection
    synapse: Any
    receptor: str


class Network(Component):
    """Populations and projections. Build with :meth:`add_input`, :meth:`add` and :meth:`connect`. ``dt`` (ms):
    the network's time step; left out, the first population or synapse built for one sets it (default 1 ms); a
    part built for another is refused, naming both values (see :mod:`neurosim.core.timestep`)."""

    def __init__(self, dt: float | None = None, name: str | None = None):
        super().__init__(name=name)
        self.dt, self._dt_fixed = timestep.resolve("Network", dt, {})
        self.inputs: dict[str, int] = {}
        self.populations: dict[str, NeuronGroup] = {}
        self.bias: dict[str, float] = {}
        self.connections: dict[str, Connection] = {}

    # ---- building -------------------------------------------------------------------------------------------
    def add_input(self, name: str, size: int) -> str:
        """An input population of ``size`` channels; its activity at step t is the external input of step t."""
        self._new_name(name)
        self.inputs[name] = validate.positive_int("size", size)
        return name

    def add(self, name: str, group: NeuronGroup, *, bias: float = 0.0) -> str:
        """A neuron population with a constant bias current (e.g. the COBA benchmark's 20 mV drive)."""
        self._new_name(name)
        if not isinstance(group, NeuronGroup):
            raise ValidationError(f"{name}: expected a NeuronGroup, got {type(group).__name__}")
        self._adopt_dt(f"population {name!r} ({type(group).__name__})", group.time_step())
        self.populations[name] = group
        self.bias[name] = float(validate.finite("bias", bias))
        self._changed()
        return name

    def _adopt_dt(self, what: str, value) -> None:
        """The first part built for a time step pins an unpinned network's dt; later parts must agree."""
        if value is not None and not self._dt_fixed:  # earlier parts (if any) work at any dt
            self.dt, self._dt_fixed = float(value), True
            return
        timestep.check_part("Network", self.dt, what, value)

    def _changed(self) -> None:
        self.__dict__.pop("_fan_cache", None)
        self.__dict__.pop("_fused_cache", None)
        if self.__dict__.get("_ns_init_depth", 0) == 0:  # after construction: keep the BrainPy face current
            self._sync_children()
            self.reset_state()

    def time_step(self) -> float | None:
        return self.dt if self._dt_fixed else None

    def _param_children(self):
        return {**self.populations, **{n: c.proj for n, c in self.connections.items()}}

    def connect(self, source: str, target: str, proj: Projection, *, synapse=None, receptor: str = "current",
                name: str | None = None) -> str:
        if source not in self.inputs and source not in self.populations:
            raise ValidationError(f"source: unknown population {source!r}")
        if target not in self.populations:
            raise ValidationError(f"target: unknown neuron population {target!r}")
        n_src = self.inputs.get(source) or self.populations[source].size
        if (proj.n_in, proj.n_out) != (n_src, self.populations[target].size):
            raise ValidationError(
                f"proj: shape ({proj.n_in}, {proj.n_out}) does not match {source}->{target} "
                f"({n_src}, {self.populations[target].size})")
        receptors = self.populations[target].receptors
        validate.choice("receptor", receptor, receptors)
        name = name or f"{source}->{target}"
        self._new_name(name)
        synapse = synapse or Delta()
        self._adopt_dt(f"the synapse of {name!r} ({type(synapse).__name__})", synapse.time_step())
        self.connections[name] = Connection(source, target, proj, synapse, receptor)
        self._changed()
        return name

    def _new_name(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValidationError(f"name: expected a non-empty string, got {name!r}")
        if name in self.inputs or name in self.populations or name in getattr(self, "connections", {}):
            raise ValidationError(f"name: {name!r} is already used in this network")

    @property
    def n_in(self) -> int:
        return sum(self.inputs.values())

    def layer_sizes(self) -> dict[str, tuple[int, bool]]:
        return {k: (g.size, g.spiking) for k, g in self.populations.items()}

    def describe(self) -> list[LayerSpec]:
        """One spec per neuron population, with its incoming projections (stored at the target)."""
        specs = []
        for name, group in self.populations.items():
            projs = tuple(c.proj.spec(recurrent=c.source in self.populations, source=c.source)
                          for c in self.connections.values() if c.target == name)
            n_state = len(group.init_state(()))
            specs.append(LayerSpec(name, group.size, "lif" if group.spiking else "readout", projs,
                                   spiking=group.spiking, state_vars=n_state))
        return specs

    def static_counts(self) -> dict[str, StaticCounts]:
        """Work is charged to the *target* population, where the synapses are stored and processed."""
        return {name: static_counts([c.proj for c in self.connections.values() if c.target == name], group.size)
                for name, group in self.populations.items()}

    def _fans(self) -> dict[tuple[str, str], np.ndarray]:
        """Per (source, target) pair: the fan matrix of the projections between them (built once)."""
        if "_fan_cache" not in self.__dict__:
            pairs: dict[tuple[str, str], list] = {}
            for c in self.connections.values():
                pairs.setdefault((c.source, c.target), []).append(c.proj)
            self.__dict__["_fan_cache"] = {k: fan_matrix(v) for k, v in pairs.items()}
        return self.__dict__["_fan_cache"]

    def _fused(self) -> list[tuple[list[str], FusedEventCSR]]:
        """Groups of connections run as one event-kernel call: homogeneous :class:`EventCSR` projections that read
        the same source with the same weight (e.g. E→E and E→I); bit for bit the separate calls (built once)."""
        if "_fused_cache" not in self.__dict__:
            groups: dict[tuple[str, float], list[str]] = {}
            for name, c in self.connections.items():
                if isinstance(c.proj, EventCSR) and c.proj.homogeneous:
                    groups.setdefault((c.source, c.proj.weight), []).append(name)
            self.__dict__["_fused_cache"] = [
                (names, FusedEventCSR([self.connections[n].proj for n in names]))
                for names in groups.values() if len(names) > 1]
        return self.__dict__["_fused_cache"]

    # ---- pure interface -------------------------------------------------------------------------------------
    def init(self, key):
        keys = jax.random.split(key, len(self.populations) + len(self.connections) + 1)
        params = {}
        for k, (name, group) in zip(keys, self.populations.items()):
            params[name] = group.init(k)
        for k, (name, conn) in zip(keys[len(self.populations):], self.connections.items()):
            params[name] = conn.proj.init(k)
        return params

    def init_state(self, batch_shape=()):
        state = {name: g.init_state(batch_shape) for name, g in self.populations.items()}
        for name, conn in self.connections.items():
            state[name] = conn.synapse.init_state(tuple(batch_shape) + (self.populations[conn.target].size,))
        return state

    def _split_inputs(self, x):
        """External input of one step: a dict by input name, or one array split over the inputs in order."""
        if isinstance(x, dict):
            missing = set(self.inputs) - set(x)
            if missing:
                raise ValidationError(f"input: missing entries for {sorted(missing)}")
            return x
        if not self.inputs:
            return {}
        if x is None:
            raise ValidationError(f"input: the network has inputs {list(self.inputs)} but none were given")
        out, start = {}, 0
        for name, size in self.inputs.items():
            out[name] = x[..., start:start + size]
            start += size
        if x.shape[-1] != start:
            raise ValidationError(f"input: expected last dimension {start}, got shape {x.shape}")
        return out

    def _advance(self, params, state, x):
        """One step: (new state, outputs, the activity each projection read, keyed by source)."""
        ext = self._split_inputs(x)
        sources = {c.source: ext[c.source] if c.source in ext else state[c.source].spike
                   for c in self.connections.values()}
        receptor_in: dict[str, dict[str, jax.Array]] = {p: {} for p in self.populations}
        new_state = {}
        fused = {}
        for names, op in self._fused():
            fused.update(zip(names, op.apply(sources[self.connections[names[0]].source])))
        for name, conn in self.connections.items():
            y = fused[name] if name in fused else conn.proj.apply(params[name], sources[conn.source])
            new_state[name], y = conn.synapse.step(state[name], y)
            acc = receptor_in[conn.target]
            acc[conn.receptor] = acc[conn.receptor] + y if conn.receptor in acc else y
        outputs = {}
        for name, group in self.populations.items():
            inp = receptor_in[name]
            if self.bias[name]:
                inp["current"] = inp.get("current", 0.0) + self.bias[name]
            if "current" in inp:
                inp["current"] = jnp.broadcast_to(inp["current"], state[name].v.shape)
            arg = inp if len(group.receptors) > 1 else inp.get("current", jnp.zeros_like(state[name].v))
            new_state[name], outputs[name] = group.step(params[name], state[name], arg)
        return new_state, outputs, sources

    def _spike_counts(self, outputs) -> dict[str, jax.Array]:
        z = jnp.zeros((), jnp.int32)
        return {name: jnp.sum(outputs[name] != 0, dtype=jnp.int32) if group.spiking else z
                for name, group in self.populations.items()}

    def step_with_counts(self, params, state, x=None):
        new_state, outputs, sources = self._advance(params, state, x)
        z = jnp.zeros((), jnp.int32)
        work = {p: [z, z] for p in self.populations}
        for (src, tgt), fan in self._fans().items():
            events, macs = event_counts(sources[src], fan)
            work[tgt][0] = work[tgt][0] + events
            work[tgt][1] = work[tgt][1] + macs
        spikes = self._spike_counts(outputs)
        counts = {name: StepCounts(spikes[name], *work[name]) for name in self.populations}
        return new_state, outputs, counts

    # ---- activity accumulated over a chunk (what simulate uses: no per-step event reductions) ---------------
    def activity_init(self, state) -> dict[str, jax.Array]:
        """Per source: how often each of its channels was active so far (int32, batch shape kept)."""
        sizes = {**self.inputs, **{n: g.size for n, g in self.populations.items()}}
        batch = next(iter(state[n].v.shape[:-1] for n in self.populations)) if self.populations else ()
        return {src: jnp.zeros(batch + (sizes[src],), jnp.int32) for src, _ in self._fans()}

    def step_with_activity(self, params, state, x, active):
        """:meth:`step` plus per-step spike counts and the running per-channel activity of every source; the
        synaptic events and MACs follow exactly from it (:meth:`counts_from_activity`), at a fraction of the cost
        of reducing them every step (15 % of a 64k-neuron COBA step)."""
        new_state, outputs, sources = self._advance(params, state, x)
        active = {src: a + (sources[src] != 0).astype(jnp.int32) for src, a in active.items()}
        return new_state, outputs, self._spike_counts(outputs), active

    def counts_from_activity(self, spikes, active) -> dict[str, StepCounts]:
        """Counts of a chunk from its per-step spikes and per-channel activity (host arrays): events and MACs
        in int64, as one total per chunk."""
        work = {p: np.zeros(2, np.int64) for p in self.populations}
        for (src, tgt), fan in self._fans().items():
            a = np.asarray(active[src], np.int64).reshape(-1, fan.shape[0]).sum(axis=0)
            work[tgt] += a @ fan.astype(np.int64)
        return {name: StepCounts(np.asarray(spikes[name]), work[name][:1], work[name][1:])
                for name in self.populations}

    def step(self, params, state, x=None):
        new_state, outputs, _ = self._advance(params, state, x)
        return new_state, outputs

    def __repr__(self):
        pops = ", ".join(f"{k}={v!r}" for k, v in self.populations.items())
        return f"Network(inputs={self.inputs}, {pops}, connections={list(self.connections)})"
