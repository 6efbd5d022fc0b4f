"""NIR (Neuromorphic Intermediate Representation, ``nir`` 1.0.8) export and import for neurosim networks.

**Discretisation, stated once for both directions.** NIR neurons are continuous-time ODEs; neurosim steps them
with a fixed ``dt``. On *export* a neuron's per-step decay β becomes the time constant that forward Euler with the
export ``dt`` maps back to β exactly, ``τ = dt / (1 − β)``, with ``r = τ / dt`` for unit input gain (the convention
snnTorch, Norse and py-spinnaker2's Forward-Euler importer use; snnTorch fixes ``dt = 1e-4``, our default).
A neuron built from ``tau_mem`` with the exact exponential update records its own τ and dt in the node metadata.
On *import*, ``method="euler"`` (default) inverts that mapping exactly; ``method="exact"`` uses β = e^{−dt/τ}.

**What maps.** ``Dense`` → ``Affine`` (``Linear`` without bias; NIR weights are (out, in)); sparse projections are
written as dense ``Affine`` weights (NIR has no sparse type) with ``metadata["neurosim.sparse"] = True``;
``LIF`` → ``LIF``; ``CubaLIF`` → ``CubaLIF``; ``IF`` → ``IF``; ``LI`` → ``LI``; a recurrent layer → a cycle
``LIF → Affine → LIF``. NIR's reset is "on spike, v ← v_reset"; reset by subtraction, no reset and delayed resets
have no NIR form, so export says so (a :class:`NIRConventionWarning`) and records them as node metadata
(``neurosim.reset``, ``neurosim.reset_delay``): neurosim → NIR → neurosim is exact, other importers reset to
``v_reset``. Refractoriness, adaptive thresholds (ALIF), conductance-based neurons and EGRU gates have no NIR
primitive and are refused with a message saying so — never silently approximated. Import takes the time step a
neurosim export recorded (``neurosim.dt``) and refuses a conflicting one; non-finite values are refused.

**snnTorch.** snnTorch 1.0.0's own exporter fails with nir 1.0.8 on a plain ``Linear``+``Leaky`` stack (its sample
input's batch dimension leaks into the graph's input type: "type mismatch: input.output: [[1 4]] -> 0.input:
[[4]]"). :func:`from_snntorch` converts such ``torch.nn.Sequential`` models directly, with the same conventions.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from neurosim.errors import DataFormatError, ValidationError
from neurosim.io import nir_conv

DEFAULT_DT = 1e-4


def _nir():
    try:
        import nir
    except ImportError as exc:  # pragma: no cover - nir is in the [nir] and [torch] extras
        raise ImportError("NIR support needs the 'nir' package: pip install 'neurosim[nir]'", name="nir") from exc
    return nir


# ---------------------------------------------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------------------------------------------
def _dense_weight(proj, params) -> tuple[np.ndarray, np.ndarray | None, bool]:
    from neurosim.core.projections import Dense, EventCSR, SparseLinear

    if isinstance(proj, Dense):
        w = np.asarray(params["w"], np.float32).T
        b = np.asarray(params["b"], np.float32) if proj.bias else None
        return w, b, False
    if isinstance(proj, (SparseLinear, EventCSR)):
        values = np.full(proj.nnz, proj.weight, np.float32) if getattr(proj, "homogeneous", False) else \
            np.asarray(params["w"], np.float32)
        return proj.conn.to_dense(values).T.astype(np.float32), None, True
    if type(proj).__name__ == "BatchNorm":
        raise ValidationError("export: NIR has no batch-norm node; fold the batch norms into the projections "
                              "before them first: model, params = neurosim.fold_batch_norms(model, params)")
    raise ValidationError(f"export: projection {type(proj).__name__} has no NIR equivalent")


def _tau_from_decay(decay, dt):
    decay = np.asarray(decay, np.float64)
    if np.any(decay >= 1.0):
        return None
    return (dt / (1.0 - decay)).astype(np.float32)


def _neuron_node(neuron, name: str, dt: float, shape: tuple | None = None):
    from neurosim.core.neurons import ALIF, IF, LI, LIF, CobaLIF, CubaLIF

    nir = _nir()
    n = neuron.size
    shape = tuple(shape) if shape is not None and math.prod(shape) == n else (n,)  # feature maps keep their shape
    full = lambda v: np.broadcast_to(np.asarray(v, np.float32).reshape(-1), (n,)).reshape(shape).copy()  # noqa: E731
    if isinstance(neuron, (ALIF, CobaLIF)):
        raise ValidationError(f"export: {name} is {type(neuron).__name__}; NIR has no "
                              f"{'adaptive-threshold' if isinstance(neuron, ALIF) else 'conductance-based'} neuron")
    if neuron.learn:
        raise ValidationError(f"export: {name} has trainable neuron constants {neuron.learn}; export after "
                              "folding them into a new neuron group")
    c = {k: np.asarray(v) for k, v in neuron.const.items()}
    if isinstance(neuron, LI):
        tau = _tau_from_decay(c["decay"], dt)
        if tau is None:
            raise ValidationError(f"export: {name} is a non-leaky LI (beta = 1), which NIR's LI cannot express")
        return nir.LI(tau=full(tau), r=full(c["gain"] * tau / dt), v_leak=full(c["v_leak"]))
    rule = neuron.rule
    if rule.n_ref:
        raise ValidationError(f"export: {name} uses a refractory period; NIR neurons have none (build the neuron "
                              "with t_ref=0 to export it)")
    if rule.reset != "value" or rule.reset_delay:
        import warnings

        what = ", ".join(w for w in ("reset by subtraction" if rule.reset == "subtract" else
                                     "no reset" if rule.reset == "none" else "",
                                     "a delayed reset" if rule.reset_delay else "") if w)
        warnings.warn(f"export: {name} uses {what}, which NIR cannot express (NIR neurons reset to v_reset in the "
                      "spiking step); the convention is carried as neurosim metadata (neurosim.reset, "
                      "neurosim.reset_delay): neurosim re-imports it exactly, other NIR importers will reset to "
                      "v_reset", NIRConventionWarning, stacklevel=4)
    if isinstance(neuron, IF):
        return nir.IF(r=full(c["gain"]), v_threshold=full(c["v_th"]), v_reset=full(c["v_reset"]))
    if isinstance(neuron, CubaLIF):
        tau_mem, tau_syn = _tau_from_decay(c["decay"], dt), _tau_from_decay(c["alpha"], dt)
        if tau_mem is None or tau_syn is None:
            raise ValidationError(f"export: {name} has a decay of 1, which NIR's CubaLIF cannot express")
        # neurosim: i += w_in x ; v = beta v + gain i.  NIR Euler: i += dt/tau_syn (w_in S - i), v += dt/tau_mem (R i - v)
        return nir.CubaLIF(tau_syn=full(tau_syn), tau_mem=full(tau_mem), r=full(c["gain"] * tau_mem / dt),
                           v_leak=full(c["v_leak"]), v_threshold=full(c["v_th"]), v_reset=full(c["v_reset"]),
                           w_in=full(c["w_in"] * tau_syn / dt))
    if isinstance(neuron, LIF):
        tau = _tau_from_decay(c["decay"], dt)
        if tau is None:
            raise ValidationError(f"export: {name} has beta = 1; export it as IF")
        return nir.LIF(tau=full(tau), r=full(c["gain"] * tau / dt), v_leak=full(c["v_leak"]),
                       v_threshold=full(c["v_th"]), v_reset=full(c["v_reset"]))
    raise ValidationError(f"export: neuron {type(neuron).__name__} has no NIR equivalent")


def export_nir(model, params, path: str | os.PathLike | None = None, *, dt: float = DEFAULT_DT):
    """NIR graph of a :class:`~neurosim.core.sequential.Sequential` of :class:`~neurosim.core.layer.Layer` objects;
    written atomically to ``path`` (HDF5) when given. See the module docstring for conventions and refusals."""
    from neurosim.core.layer import Layer
    from neurosim.core.sequential import Sequential
    from neurosim.io.atomic import atomic_path

    nir = _nir()
    if not isinstance(model, Sequential):
        raise ValidationError(f"export: expected a Sequential model, got {type(model).__name__}")
    if not dt > 0:
        raise ValidationError(f"dt: must be > 0, got {dt}")
    from neurosim.core.projections import Chain
    from neurosim.core.projections.flatten import Flatten
    from neurosim.core.projections.window import Windowed
    from neurosim.core.stage import Stage

    first = next(iter(model.layers.values()))
    first_proj = first.proj if isinstance(first, (Layer, Stage)) else None
    if isinstance(first_proj, Chain):
        first_proj = first_proj.first
    shape = tuple(first_proj.in_shape) if isinstance(first_proj, (Windowed, Flatten)) else (model.n_in,)
    nodes = {"input": nir.Input(input_type={"input": np.array(shape)})}
    edges, prev = [], "input"

    def add(key, node, out_shape):
        nonlocal prev, shape
        nodes[key] = node
        edges.append((prev, key))
        prev, shape = key, out_shape

    def add_projection(key, proj, p):
        if isinstance(proj, Chain):
            for i, stage in enumerate(proj.stages):
                add_projection(f"{key}.{i}", stage, p.get(str(i), {}))
        elif isinstance(proj, (Windowed, Flatten)):
            add(key, nir_conv.to_node(proj, p), tuple(proj.out_shape))
        else:
            w, b, sparse = _dense_weight(proj, p)
            node = nir.Affine(weight=w, bias=b) if b is not None else nir.Linear(weight=w)
            node.metadata = {"neurosim.sparse": sparse}
            add(key, node, (proj.n_out,))

    for name, layer in model.layers.items():
        if isinstance(layer, Stage):
            add_projection(name, layer.proj, {})
            continue
        if not isinstance(layer, Layer):
            raise ValidationError(f"export: layer {name!r} is {type(layer).__name__} (e.g. EGRU gates), which NIR "
                                  "cannot express; no approximation is exported")
        p = params[name]
        if layer.proj is not None:
            add_projection(f"{name}.proj", layer.proj, p.get("proj", {}))
        neuron = _neuron_node(layer.neuron, name, dt, shape)
        neuron.metadata = {"neurosim.dt": dt, "neurosim.class": type(layer.neuron).__name__}
        rule = getattr(layer.neuron, "rule", None)
        if rule is not None and (rule.reset != "value" or rule.reset_delay):
            neuron.metadata["neurosim.reset"] = rule.reset
            neuron.metadata["neurosim.reset_delay"] = int(bool(rule.reset_delay))
        if getattr(layer.neuron, "dt", None) is not None:
            neuron.metadata["neurosim.model_dt"] = float(layer.neuron.dt)
        nodes[f"{name}.neuron"] = neuron
        edges.append((prev, f"{name}.neuron"))
        if layer.recurrent is not None:
            w, b, sparse = _dense_weight(layer.recurrent, p.get("rec", {}))
            rec = nir.Affine(weight=w, bias=b) if b is not None else nir.Linear(weight=w)
            rec.metadata = {"neurosim.sparse": sparse}
            nodes[f"{name}.rec"] = rec
            edges += [(f"{name}.neuron", f"{name}.rec"), (f"{name}.rec", f"{name}.neuron")]
        prev = f"{name}.neuron"
    nodes["output"] = nir.Output(output_type={"output": np.array(shape)})
    edges.append((prev, "output"))
    # nir 1.0.8's type inference takes a convolution's input channels from weight.shape[1], ignoring groups, and
    # refuses a correct grouped convolution; such graphs are written without its type check
    grouped = any(isinstance(n, (nir.Conv1d, nir.Conv2d)) and int(n.groups) > 1 for n in nodes.values())
    graph = nir.NIRGraph(nodes=nodes, edges=edges, type_check=not grouped)
    if path is not None:
        path = Path(path)
        with atomic_path(path) as tmp:
            nir.write(tmp, graph)
    return graph


# ---------------------------------------------------------------------------------------------------------------
# import
# ---------------------------------------------------------------------------------------------------------------
def _flatten_subgraphs(graph):
    """Inline nested NIRGraph nodes (snnTorch writes recurrent layers as subgraphs)."""
    nir = _nir()
    nodes, edges = dict(graph.nodes), list(graph.edges)
    for key, node in list(nodes.items()):
        if not isinstance(node, nir.NIRGraph):
            continue
        sub = _flatten_subgraphs(node)
        inner_in = [k for k, v in sub.nodes.items() if isinstance(v, nir.Input)]
        inner_out = [k for k, v in sub.nodes.items() if isinstance(v, nir.Output)]
        del nodes[key]
        for k, v in sub.nodes.items():
            if k not in inner_in + inner_out:
                nodes[f"{key}.{k}"] = v
        first = [f"{key}.{d}" for s, d in sub.edges if s in inner_in]
        last = [f"{key}.{s}" for s, d in sub.edges if d in inner_out]
        new_edges = []
        for s, d in edges:
            if d == key:
                new_edges += [(s, f) for f in first]
            elif s == key:
                new_edges += [(l, d) for l in last]
            else:
                new_edges.append((s, d))
        new_edges += [(f"{key}.{s}", f"{key}.{d}") for s, d in sub.edges if s not in inner_in and d not in inner_out]
        edges = new_edges
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def _decay(tau, dt, method, key: str = "?", field: str = "tau"):
    tau = np.asarray(tau, np.float64)
    if np.any(tau <= 0):
        raise DataFormatError(f"NIR node {key!r}: time constant {field} must be > 0, got min {tau.min():g}")
    return np.exp(-dt / tau) if method == "exact" else 1.0 - dt / tau


class NIRConventionWarning(UserWarning):
    """A neurosim convention NIR cannot express was exported as neurosim metadata."""


def _reset_convention(node, key: str) -> dict:
    """``reset``/``reset_delay`` for a neuron node: NIR's (reset to v_reset) unless a neurosim export recorded
    another convention in the metadata."""
    meta = getattr(node, "metadata", None) or {}
    reset = meta.get("neurosim.reset", "value")
    reset = reset.decode() if isinstance(reset, bytes) else str(np.asarray(reset).reshape(-1)[0]) \
        if not isinstance(reset, str) else reset
    if reset not in ("value", "subtract", "none"):
        raise DataFormatError(f"NIR node {key!r}: unknown neurosim.reset {reset!r}")
    delay = bool(int(np.asarray(meta.get("neurosim.reset_delay", 0)).reshape(-1)[0]))
    return {"reset": reset, "reset_delay": delay}


def _check_finite(nodes) -> None:
    """Refuse NaN/inf in any numeric field of any node, naming the node and the field (a NaN weight would
    otherwise simulate to NaN potentials and be priced as if it were a network)."""
    import dataclasses

    for key, node in nodes.items():
        if not dataclasses.is_dataclass(node):
            continue
        for f in dataclasses.fields(node):
            if f.name in ("metadata", "input_type", "output_type"):
                continue
            value = getattr(node, f.name, None)
            if value is None or isinstance(value, (str, bool, dict)):
                continue
            try:
                arr = np.asarray(value, np.float64)
            except (TypeError, ValueError):
                continue
            bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
            if bad:
                kinds = sorted({"NaN" if np.isnan(v) else "inf" for v in arr.reshape(-1) if not np.isfinite(v)})
                raise DataFormatError(f"NIR node {key!r} ({type(node).__name__}): {f.name} has {bad} non-finite "
                                      f"value(s) ({'/'.join(kinds)}) of {np.size(arr)}; refusing to import it")


def recorded_dt(graph) -> float | None:
    """The time step (s) a neurosim export recorded in its neuron nodes' metadata (``"neurosim.dt"``), or None for
    files from other frameworks. A file whose nodes disagree is refused."""
    found = {}
    for key, node in graph.nodes.items():
        meta = getattr(node, "metadata", None) or {}
        if "neurosim.dt" in meta:
            value = float(np.asarray(meta["neurosim.dt"]).reshape(-1)[0])
            if not (np.isfinite(value) and value > 0):
                raise DataFormatError(f"NIR node {key!r}: recorded neurosim.dt must be a positive number, got "
                                      f"{value!r}")
            found[key] = value
    values = sorted(set(found.values()))
    if len(values) > 1:
        raise DataFormatError(f"NIR: neuron nodes record different time steps {values} s; the file is inconsistent")
    return values[0] if values else None


def _resolve_dt(graph, dt):
    """One dt for the whole import: the caller's, the file's recorded one, or :data:`DEFAULT_DT`; a caller's dt that
    contradicts the file's is refused with both values (importing at another dt changes every decay)."""
    rec = recorded_dt(graph)
    if dt is None:
        return rec if rec is not None else DEFAULT_DT
    if not (isinstance(dt, (int, float)) and np.isfinite(dt) and dt > 0):
        raise ValidationError(f"dt: must be a positive number of seconds, got {dt!r}")
    if rec is not None and not math.isclose(float(dt), rec, rel_tol=1e-9):
        raise ValidationError(f"dt: the NIR file was exported by neurosim at dt = {rec:g} s, and import was asked for "
                              f"dt = {float(dt):g} s; importing at another dt changes every neuron's decay (a network "
                              "can go silent). Leave dt out (CLI: drop --dt) to use the file's, or re-export at the "
                              "dt you want")
    return float(dt)


def _f(a):
    """A neuron parameter as a flat float array (NIR stores feature-map neurons with the map's shape)."""
    return None if a is None else np.asarray(a, np.float64).reshape(-1)


def _neuron_from_node(node, key: str, dt: float, method: str):
    import neurosim as ns

    nir = _nir()
    if isinstance(node, nir.LIF):
        beta = _decay(_f(node.tau), dt, method, key)
        gain = np.asarray(_f(node.r)) * (1 - beta) if method == "exact" else np.asarray(_f(node.r)) * dt / np.asarray(_f(node.tau))
        v_reset = _f(node.v_reset) if node.v_reset is not None else np.zeros_like(_f(node.v_threshold))
        n = np.size(_f(node.v_threshold))
        return ns.LIF(n, beta=beta, r=gain, v_leak=_f(node.v_leak), v_th=_f(node.v_threshold), v_reset=v_reset,
                      **_reset_convention(node, key))
    if isinstance(node, nir.CubaLIF):
        beta = _decay(_f(node.tau_mem), dt, method, key, "tau_mem")
        alpha = _decay(_f(node.tau_syn), dt, method, key, "tau_syn")
        gain = np.asarray(_f(node.r)) * dt / np.asarray(_f(node.tau_mem))
        w_in = np.asarray(_f(node.w_in)) * dt / np.asarray(_f(node.tau_syn))
        v_reset = _f(node.v_reset) if node.v_reset is not None else np.zeros_like(_f(node.v_threshold))
        n = np.size(_f(node.v_threshold))
        return ns.CubaLIF(n, alpha=alpha, beta=beta, w_in=w_in, r=gain, v_leak=_f(node.v_leak), v_th=_f(node.v_threshold),
                          v_reset=v_reset, **_reset_convention(node, key))
    if isinstance(node, nir.IF):
        v_reset = _f(node.v_reset) if node.v_reset is not None else np.zeros_like(_f(node.v_threshold))
        return ns.IF(np.size(_f(node.v_threshold)), r=_f(node.r), v_th=_f(node.v_threshold), v_reset=v_reset,
                     **_reset_convention(node, key))
    if isinstance(node, nir.LI):
        beta = _decay(_f(node.tau), dt, method, key)
        return ns.LI(np.size(_f(node.tau)), beta=beta, r=np.asarray(_f(node.r)) * dt / np.asarray(_f(node.tau)),
                     v_leak=_f(node.v_leak))
    raise DataFormatError(f"NIR node {key!r}: {type(node).__name__} is not supported by neurosim's importer "
                          "(supported: Affine, Linear, Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten, LIF, CubaLIF, IF, LI and "
                          "recurrent LIF/CubaLIF cycles)")


class NIRTypeInferenceWarning(UserWarning):
    """A NIR file failed ``nir``'s type inference and was read without it."""


def _read(nir, path):
    """``nir.read`` with nir's type inference; a file it refuses (grouped convolutions, which nir 1.0.8 infers
    wrongly, or older files whose recorded types disagree with nir's inference) is read again without it, with a
    warning. Other errors (a corrupt file) propagate."""
    import warnings

    try:
        return nir.read(path)
    except Exception as exc:  # nir raises ValueError/KeyError/... from its inference; retry once without it
        try:
            graph = nir.read(path, type_check=False)
        except Exception:
            raise exc from None
        grouped = any(isinstance(n, (nir.Conv1d, nir.Conv2d)) and int(n.groups) > 1 for n in graph.nodes.values())
        if not grouped:  # grouped convolutions: nir 1.0.8's known misinference (see export_nir), not the file's fault
            warnings.warn(f"{path}: nir's type inference failed ({type(exc).__name__}: {str(exc)[:200]}); read without "
                          "it. neurosim checks every shape while importing", NIRTypeInferenceWarning, stacklevel=3)
        return graph


def import_nir(graph_or_path, *, dt: float | None = None, method: str = "euler"):
    """Build ``(model, params)`` from a NIR graph or file: a chain of (Affine|Linear) → neuron pairs, with optional
    recurrent cycles. ``method`` as in the module docstring. ``dt`` (s): None uses the time step a neurosim export
    recorded in the file (:func:`recorded_dt`), else :data:`DEFAULT_DT` (snnTorch's); a ``dt`` that contradicts the
    recorded one is refused naming both. Raises ``DataFormatError`` on unsupported graphs, non-finite weights or
    time constants (naming the node) and files that cannot be read; a file that fails nir's own type inference is
    read without it, with a :class:`NIRTypeInferenceWarning` (the importer checks every shape itself)."""
    import jax.numpy as jnp

    import neurosim as ns

    nir = _nir()
    if method not in ("euler", "exact"):
        raise ValidationError(f"method: must be 'euler' or 'exact', got {method!r}")
    if isinstance(graph_or_path, (str, os.PathLike)):
        path = Path(graph_or_path)
        if not path.exists():
            raise DataFormatError(f"{path}: no such NIR file")
        try:
            graph = _read(nir, path)
        except Exception as exc:  # h5py/nir raise many kinds of errors on corrupt files
            raise DataFormatError(f"{path}: not a readable NIR file: {type(exc).__name__}: {exc}") from exc
    else:
        graph = graph_or_path
    graph = _flatten_subgraphs(graph)
    dt = _resolve_dt(graph, dt)
    _check_finite(graph.nodes)
    nodes, edges = graph.nodes, [tuple(e) for e in graph.edges]
    succ: dict[str, list[str]] = {}
    for s, d in edges:
        succ.setdefault(s, []).append(d)
    inputs = [k for k, v in nodes.items() if isinstance(v, nir.Input)]
    if len(inputs) != 1:
        raise DataFormatError(f"NIR: expected exactly one Input node, found {len(inputs)}")
    in_type = nodes[inputs[0]].input_type.get("input") if nodes[inputs[0]].input_type else None
    shape = tuple(int(v) for v in np.asarray(in_type).reshape(-1)) if in_type is not None else None
    layers, names, params, pending, cur, seen = [], [], {}, [], inputs[0], set()

    def flat_shape(key, width):
        if shape is not None and math.prod(shape) != width:
            raise DataFormatError(f"NIR node {key!r}: expects {width} inputs, the graph feeds {shape} "
                                  f"({math.prod(shape)} values)")
        return (width,)

    while True:
        nxt = [d for d in succ.get(cur, []) if d not in seen]
        if isinstance(nodes[cur], (nir.LIF, nir.CubaLIF)):
            nxt = [d for d in nxt if not (isinstance(nodes[d], (nir.Affine, nir.Linear)) and cur in succ.get(d, []))]
        if not nxt:
            raise DataFormatError(f"NIR: node {cur!r} does not lead to an Output")
        if len(nxt) > 1:
            raise DataFormatError(f"NIR: node {cur!r} branches to {nxt}; only chains (with recurrent loops) import")
        key = nxt[0]
        seen.add(key)
        node = nodes[key]
        if isinstance(node, nir.Output):
            break
        if isinstance(node, (nir.Affine, nir.Linear)):
            w = np.asarray(node.weight, np.float32)
            if w.ndim != 2:
                raise DataFormatError(f"NIR node {key!r}: weight must be 2-D (out, in), got shape {w.shape}")
            b = np.asarray(node.bias, np.float32) if isinstance(node, nir.Affine) and node.bias is not None else None
            flat_shape(key, w.shape[1])
            p = {"w": jnp.asarray(w.T)}
            if b is not None:
                p["b"] = jnp.asarray(b)
            pending.append((ns.Dense(w.shape[1], w.shape[0], bias=b is not None), p))
            shape = (w.shape[0],)
        elif nir_conv.is_feature_node(node):
            if shape is None:
                raise DataFormatError(f"NIR node {key!r}: the graph's Input has no shape, so the feature map "
                                      f"feeding {type(node).__name__} is unknown")
            proj, p, shape = nir_conv.from_node(node, key, shape)
            if not pending and not p:  # pooling / flatten right after a neuron layer (or the input): a stage
                layers.append(proj)
                names.append(f"layer{len(layers) - 1}")
                params[names[-1]] = {}
            else:
                pending.append((proj, p))
        else:
            neuron = _neuron_from_node(node, key, dt, method)
            if shape is not None and math.prod(shape) != neuron.size:
                raise DataFormatError(f"NIR node {key!r}: {neuron.size} neurons fed {math.prod(shape)} values")
            name = f"layer{len(layers)}"
            p = {"neuron": {}}
            proj = None
            if len(pending) == 1:
                proj, p["proj"] = pending[0]
            elif pending:
                proj = ns.Chain(*[q for q, _ in pending])
                p["proj"] = {str(i): pp for i, (_, pp) in enumerate(pending)}
            if proj is not None and not p["proj"]:
                p.pop("proj")
            rec = None
            loop = [d for d in succ.get(key, []) if isinstance(nodes[d], (nir.Affine, nir.Linear))
                    and key in succ.get(d, [])]
            if loop:
                rnode = nodes[loop[0]]
                wr = np.asarray(rnode.weight, np.float32)
                br = np.asarray(rnode.bias, np.float32) if isinstance(rnode, nir.Affine) and rnode.bias is not None \
                    else None
                rec = ns.Dense(wr.shape[1], wr.shape[0], bias=br is not None)
                p["rec"] = {"w": jnp.asarray(wr.T)}
                if br is not None:
                    p["rec"]["b"] = jnp.asarray(br)
                seen.add(loop[0])
            layers.append(ns.Layer(proj, neuron, recurrent=rec))
            names.append(name)
            params[name] = p
            pending = []
            shape = shape if shape is not None else (neuron.size,)
        cur = key
    if not any(isinstance(l, ns.Layer) for l in layers):
        raise DataFormatError("NIR: the graph has no neuron layer")
    if pending:
        raise DataFormatError("NIR: a weight node feeds the Output directly; add a neuron (e.g. LI) after it")
    return ns.Sequential(layers, names=names), params


# ---------------------------------------------------------------------------------------------------------------
# snnTorch
# ---------------------------------------------------------------------------------------------------------------
def from_snntorch(module, n_in: int | None = None, *, dt: float = DEFAULT_DT):
    """NIR graph of a ``torch.nn.Sequential`` of ``Linear`` and snnTorch ``Leaky`` / ``Synaptic`` modules,
    written with snnTorch's own parameter conventions (τ = dt/(1−β), r = τ/dt; dt = 1e-4)."""
    import snntorch as snn
    import torch

    nir = _nir()
    mods = list(module.children()) if isinstance(module, torch.nn.Sequential) else [module]
    nodes, edges, prev = {}, [], "input"
    width = n_in
    for i, m in enumerate(mods):
        key = f"{i}"
        if isinstance(m, torch.nn.Linear):
            w = m.weight.detach().cpu().numpy().astype(np.float32)
            width = width if width is not None else w.shape[1]
            nodes[key] = (nir.Affine(weight=w, bias=m.bias.detach().cpu().numpy().astype(np.float32))
                          if m.bias is not None else nir.Linear(weight=w))
            out = w.shape[0]
        elif isinstance(m, (snn.Leaky, snn.Synaptic)):
            thr = float(m.threshold.detach().cpu()) if torch.is_tensor(m.threshold) else float(m.threshold)
            beta = np.asarray(m.beta.detach().cpu() if torch.is_tensor(m.beta) else m.beta, np.float64)
            size = out
            tau = np.full(size, dt / (1.0 - float(np.clip(beta, 0, 1 - 1e-9))), np.float32)
            if m.reset_mechanism != "zero" or m.reset_delay:
                raise ValidationError(f"from_snntorch: module {i} uses reset_mechanism={m.reset_mechanism!r}, "
                                      f"reset_delay={m.reset_delay}; NIR can only express an immediate reset to "
                                      "zero (reset_mechanism='zero', reset_delay=False)")
            if isinstance(m, snn.Synaptic):
                alpha = float(m.alpha.detach().cpu() if torch.is_tensor(m.alpha) else m.alpha)
                tau_syn = np.full(size, dt / (1.0 - alpha), np.float32)
                nodes[key] = nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau, r=tau / dt, v_leak=np.zeros(size, np.float32),
                                         v_threshold=np.full(size, thr, np.float32),
                                         v_reset=np.zeros(size, np.float32), w_in=tau_syn / dt)
            else:
                nodes[key] = nir.LIF(tau=tau, r=tau / dt, v_leak=np.zeros(size, np.float32),
                                     v_threshold=np.full(size, thr, np.float32), v_reset=np.zeros(size, np.float32))
        else:
            raise ValidationError(f"from_snntorch: module {i} ({type(m).__name__}) is not supported "
                                  "(Linear, snntorch.Leaky, snntorch.Synaptic)")
        edges.append((prev, key))
        prev = key
    if width is None:
        raise ValidationError("from_snntorch: pass n_in (the model starts without a Linear layer)")
    nodes["input"] = nir.Input(input_type={"input": np.array([width])})
    nodes["output"] = nir.Output(output_type={"output": np.array([out])})
    edges.append((prev, "output"))
    return nir.NIRGraph(nodes=nodes, edges=edges)
