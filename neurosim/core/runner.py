"""Run a model over an input sequence with ``jax.lax.scan``, recording chosen variables and activity statistics.

``simulate(model, inputs)`` works for any neurosim model (:class:`Sequential`, :class:`Network`, a single
:class:`Layer`). Long runs are cut into chunks of ``chunk_size`` steps: each chunk is one compiled scan, its
records are moved to the host (or handed to ``on_chunk``, e.g. an HDF5 writer, and dropped), and the state is
carried to the next chunk — memory stays constant in the simulated time.

Record names are ``"<layer>.<field>"`` (``"E.spike"``, ``"layer0.v"``), a bare field name (``"spike"``: that
field of every layer that has it) or ``"output"`` (the model's output).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.core.activity import Activity
from neurosim.errors import ValidationError


@dataclass
class SimulationResult:
    """What a run produced: ``records`` (name → array with time first; ``result["output"]`` is the model output
    per step when ``record`` included ``"output"``), ``activity``, ``final_state`` and the ``dt`` in ms."""

    records: dict[str, np.ndarray]
    activity: Activity
    final_state: Any
    dt: float
    steps: int
    extra: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.records[name]

    def __repr__(self):
        recs = ", ".join(f"{k!r}: {tuple(np.shape(v))} {getattr(v, 'dtype', '')}".rstrip()
                         for k, v in list(self.records.items())[:6])
        more = f", … (+{len(self.records) - 6})" if len(self.records) > 6 else ""
        extra = f", extra: {', '.join(map(str, self.extra))}" if self.extra else ""
        return (f"SimulationResult(steps={self.steps}, dt={self.dt:g} ms, records {{{recs}{more}}}{extra};\n  "
                f"{self.activity!r})")


def _fields(state) -> Sequence[str]:
    inner = getattr(state, "neuron", state)
    return getattr(inner, "_fields", ())


def _resolve_records(model, state0, record: Sequence[str]) -> list[tuple[str, str, str]]:
    """(record name, layer, field) triples; layer '' with field 'output' for the model output."""
    out = []
    layers = [k for k in state0 if hasattr(state0[k], "_fields") and _fields(state0[k])]
    for name in record:
        if name == "output":
            out.append(("output", "", "output"))
            continue
        if "." in name:
            layer, fld = name.rsplit(".", 1)
            if layer not in state0 or fld not in _fields(state0[layer]):
                known = [f"{k}.{f}" for k in layers for f in _fields(state0[k])]
                raise ValidationError(f"record: unknown variable {name!r}; known: {', '.join(known)}")
            out.append((name, layer, fld))
        else:
            hits = [(f"{k}.{name}", k, name) for k in layers if name in _fields(state0[k])]
            if not hits:
                raise ValidationError(f"record: no layer has a field {name!r}")
            out.extend(hits)
    return out


def _get(state, layer: str, fld: str):
    s = state[layer]
    s = getattr(s, "neuron", s)
    return getattr(s, fld)


PATHS = ("auto", "step", "sequence")


def _sequence_path(model, targets, path: str, with_input: bool) -> bool:
    """Whether ``simulate`` runs the model's time-batched ``run`` (each layer over the whole chunk: one matmul
    over all steps, the LIF fast path) rather than a scan of ``step_with_counts``. Both give the same records and
    the same counts (graded values to float32 rounding); ``"auto"`` takes the time-batched one wherever the model
    allows."""
    validate.choice("path", path, PATHS)
    if path == "step":
        return False
    why = None
    if not with_input:
        why = "the run has no input (steps=)"
    elif not hasattr(model, "unrecordable"):
        why = f"{type(model).__name__} is not a feed-forward stack (each step depends on the last step's outputs)"
    else:
        missed = model.unrecordable(targets)
        if missed:
            why = f"the time-batched run does not report {', '.join(missed)} (record them with path='step')"
    if why is not None and path == "sequence":
        raise ValidationError(f"path='sequence': {why}")
    return why is None


def _accumulates(model, sequence: bool) -> bool:
    """Whether a chunk sums per-channel activity and prices events after it (a scanned model that can)."""
    return not sequence and hasattr(model, "step_with_activity")


def _compile_chunk(model, targets, with_input: bool, sequence: bool = False):
    if sequence:
        def run_chunk(params, state, xs):
            ran = model.run(params, state, xs, record_outputs=True)
            return ran.state, (model.records_from_run(ran, targets), ran.counts), _nonfinite(xs)

        return jax.jit(run_chunk)

    def record(st, out):
        return {name: (out if fld == "output" else _get(st, layer, fld)) for name, layer, fld in targets}

    if _accumulates(model, sequence):  # events and MACs from per-channel activity after the chunk
        def scan(params, state, xs, n):
            def body(carry, x):
                st, active = carry
                st, out, spikes, active = model.step_with_activity(params, st, x, active)
                return (st, active), (record(st, out), spikes)

            (state, active), (rec, spikes) = jax.lax.scan(body, (state, model.activity_init(state)), xs, length=n)
            return state, (rec, (spikes, active))
    else:
        def scan(params, state, xs, n):
            def body(st, x):
                st, out, counts = model.step_with_counts(params, st, x)
                return st, (record(st, out), counts)

            return jax.lax.scan(body, state, xs, length=n)

    if with_input:
        return jax.jit(lambda params, state, xs: (*scan(params, state, xs, None), _nonfinite(xs)))
    return jax.jit(lambda params, state, n: (*scan(params, state, None, n), jnp.zeros((), jnp.int32)),
                   static_argnums=2)


def _nonfinite(xs):
    """The number of NaN/inf input values, counted inside the compiled chunk (no separate pass or sync)."""
    return jnp.sum(~jnp.isfinite(xs), dtype=jnp.int32)


def _host_counts(model, counts, sequence: bool):
    """Counts as the Activity takes them: a scanned chunk's accumulated activity is converted on the host."""
    if _accumulates(model, sequence):
        spikes, active = jax.device_get(counts)
        return model.counts_from_activity(spikes, active)
    return counts


def simulate(
    model,
    inputs=None,
    *,
    steps: int | None = None,
    params=None,
    state=None,
    key: jax.Array | None = None,
    record: Sequence[str] = ("spike",),
    batch_first: bool = False,
    chunk_size: int | None = None,
    on_chunk: Callable[[int, dict[str, np.ndarray]], None] | None = None,
    keep_records: bool = True,
    progress: bool = False,
    devices=None,
    path: str = "auto",
) -> SimulationResult:
    """Simulate ``model`` on ``inputs`` (time-major ``(T, *batch, n_in)``; ``batch_first=True`` for ``(B, T, n)``).

    Args:
      steps: number of steps when the model takes no input (e.g. a network driven by bias currents).
      params: parameters (default ``model.init(key)``; ``key`` defaults to ``PRNGKey(0)``).
      state: initial state (default ``model.init_state(batch_shape)``).
      record: variables to record (see module docstring); ``()`` records nothing but activity.
      chunk_size: steps per compiled chunk (default: all at once).
      on_chunk: ``on_chunk(start_step, records)`` called after every chunk with host arrays.
      keep_records: keep records in memory (set False with ``on_chunk`` for constant-memory long runs).
      progress: show a progress bar over chunks.
      devices: run the batch data-parallel over these devices (a count, a list, or a ``Mesh``; see
        :mod:`neurosim.parallel`); the batch size must divide evenly.
      path: ``"auto"`` (default) runs a feed-forward ``Sequential`` layer by layer over each whole chunk (its
        time-batched ``run``: one matmul over all steps) when every record is one that ``run`` reports (outputs,
        spikes, EGRU states), else scans ``step``; ``"step"`` always scans ``step``; ``"sequence"`` requires the
        time-batched path (an error says why it cannot be taken). Both paths compute the same equations; a matmul
        over all steps at once may round differently from one per step, so graded values (membranes, EGRU events,
        GRU states) can differ in the last float32 bit (spikes and counts were identical in every test).
    """
    from neurosim.contracts import Simulatable, missing

    if not isinstance(model, Simulatable):
        raise ValidationError(f"simulate: {type(model).__name__} is not a simulatable model (lacks "
                              f"{', '.join(missing(model, Simulatable))}); wrap a single layer in "
                              "ns.Sequential([...])")
    if inputs is None:
        if steps is None:
            raise ValidationError("steps: give the number of steps when there is no input")
        n_steps = validate.positive_int("steps", steps)
        batch_shape: tuple[int, ...] = ()
        xs = None
    else:
        # NaN/inf are counted inside the compiled chunk and refused before anything is returned; a run whose
        # chunks reach a callback (or several chunks) checks first, so no callback ever sees part of a bad input
        in_shape = tuple(getattr(inputs, "shape", None) or np.shape(inputs))
        chunked = on_chunk is not None or (chunk_size is not None and bool(in_shape) and chunk_size < in_shape[0])
        xs = validate.input_array("inputs", inputs, min_ndim=2, check_finite=chunked)
        xs = jnp.asarray(xs, jnp.float32)
        if batch_first:
            if xs.ndim < 3:
                raise ValidationError(f"inputs: batch_first needs (batch, T, n), got shape {xs.shape}")
            xs = jnp.swapaxes(xs, 0, 1)
        n_in = getattr(model, "n_in", xs.shape[-1])
        if xs.shape[-1] != n_in:
            raise ValidationError(f"inputs: expected last dimension {n_in} (model inputs), got shape {tuple(xs.shape)}")
        n_steps = int(xs.shape[0])
        if n_steps == 0:
            raise ValidationError("inputs: empty time axis (T = 0)")
        batch_shape = tuple(xs.shape[1:-1])
        if steps is not None and steps != n_steps:
            raise ValidationError(f"steps: {steps} disagrees with the input length {n_steps}")
    if params is None:
        params = model.init(key if key is not None else jax.random.PRNGKey(0))
    cache = model.__dict__.setdefault("_neurosim_jit_cache", {})
    if state is None:  # one compiled call instead of one eager dispatch per state array
        init = cache.get(("init_state", batch_shape))
        if init is None:
            init = cache[("init_state", batch_shape)] = jax.jit(lambda: model.init_state(batch_shape))
        state = init()
    if devices is not None:
        from neurosim import parallel

        if xs is None or not batch_shape:
            raise ValidationError("devices: data-parallel simulation needs batched inputs (T, batch, n)")
        m = devices if isinstance(devices, parallel.Mesh) else parallel.mesh(devices)
        xs = parallel.shard(xs, m, 1)
        state = jax.tree_util.tree_map(lambda a: parallel.shard(a, m, 0) if getattr(a, "ndim", 0) else a, state)
        params = parallel.replicate(params, m)
    targets = _resolve_records(model, state, tuple(record))
    chunk = validate.positive_int("chunk_size", chunk_size) if chunk_size is not None else n_steps
    sequence = _sequence_path(model, targets, path, xs is not None)
    key_ = (tuple(targets), xs is not None, sequence)
    if key_ not in cache:
        cache[key_] = _compile_chunk(model, targets, xs is not None, sequence)
    run_chunk = cache[key_]

    batch = int(np.prod(batch_shape)) if batch_shape else 1
    activity = Activity.empty(model.layer_sizes(), batch, getattr(model, "dt", 1.0))
    static = model.static_counts()
    kept: dict[str, list[np.ndarray]] = {name: [] for name, _, _ in targets}
    starts = range(0, n_steps, chunk)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="simulate", unit="chunk")
    for start in starts:
        stop = min(start + chunk, n_steps)
        if xs is not None:
            new_state, (rec, counts), n_bad = run_chunk(params, state, xs if stop - start == n_steps else xs[start:stop])
        else:
            new_state, (rec, counts), n_bad = run_chunk(params, state, stop - start)
        rec, counts, n_bad = jax.device_get((rec, counts, n_bad))  # one transfer for the chunk's results
        if n_bad:
            raise ValidationError(f"inputs: contains {int(n_bad)} NaN/inf value(s)")
        state = new_state
        activity.add(_host_counts(model, counts, sequence), static)
        host = {k: jax.tree_util.tree_map(np.asarray, v) for k, v in rec.items()}  # a Network's output is a dict
        if on_chunk is not None:
            on_chunk(start, host)
        if keep_records:
            for k, v in host.items():
                kept[k].append(v)
    records = {k: jax.tree_util.tree_map(lambda *chunks: np.concatenate(chunks, axis=0), *v)
               for k, v in kept.items() if v}
    return SimulationResult(records, activity, state, activity.dt, n_steps)
