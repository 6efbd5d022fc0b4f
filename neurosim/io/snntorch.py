"""Direct conversion of snnTorch models — ``torch.nn.Sequential`` stacks, or ``nn.Module`` classes whose
``forward`` runs a plain stack over time steps as in snnTorch's tutorials (traced with ``torch.fx``), of ``Linear``,
``Conv1d``, ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``, ``BatchNorm1d/2d``, ``Flatten`` (and ``Dropout``/``Identity``,
dropped) with ``snntorch.Leaky`` / ``Synaptic`` / ``RLeaky`` / ``RSynaptic`` neurons (defaults included: reset by
subtraction, delayed reset; per-neuron tensor ``beta``/``threshold``/``alpha``) — into a neurosim ``Sequential`` and
its parameters, matching snnTorch spike for spike.

Unlike the NIR path (:func:`neurosim.io.nir.from_snntorch`), nothing has to fit NIR's vocabulary: snnTorch's
defaults (reset by subtraction, delayed reset), max pooling and per-neuron β carry over exactly. Time stays
discrete: snnTorch's ``mem = β mem + input`` is neurosim's ``LIF(beta=β, r=1)``.

Grouping: modules between two neuron modules form one :class:`~neurosim.core.layer.Layer`'s projection (a
:class:`~neurosim.core.projections.chain.Chain` when there are several, e.g. ``Conv2d → MaxPool2d`` of the
snnTorch tutorials); parameter-free modules right after a neuron (or at the input) become pooling / flatten
stages. Feature maps are flat in channel-major order, as ``nn.Flatten`` leaves them, so ``Linear`` weights need
no permutation.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from neurosim.errors import ValidationError


def _np(t) -> np.ndarray:
    import torch

    return t.detach().cpu().numpy().astype(np.float32) if torch.is_tensor(t) else np.asarray(t, np.float32)


def _scalar_or_vector(name: str, value, size: int, i: int) -> np.ndarray | float:
    a = _np(value).reshape(-1)
    if a.size == 1:
        return float(a[0])
    if a.size != size:
        raise ValidationError(f"from snnTorch: module {i} has {a.size} values of {name} for {size} neurons")
    return a


def _neuron(m, size: int, i: int):
    import snntorch as snn

    import neurosim as ns

    if getattr(m, "inhibition", False):
        raise ValidationError(f"from snnTorch: module {i} uses inhibition=True (winner-take-all), which neurosim's "
                              "LIF does not model")
    if getattr(m, "state_quant", False):
        raise ValidationError(f"from snnTorch: module {i} quantises its state (state_quant), not modelled")
    if float(getattr(m, "graded_spikes_factor", 1.0)) != 1.0:
        raise ValidationError(f"from snnTorch: module {i} scales its spikes (graded_spikes_factor != 1)")
    reset = {"subtract": "subtract", "zero": "value", "none": "none"}[m.reset_mechanism]
    beta = np.clip(_np(m.beta).reshape(-1), 0.0, 1.0)
    beta = float(beta[0]) if beta.size == 1 else beta
    thr = _scalar_or_vector("threshold", m.threshold, size, i)
    common = dict(beta=beta, v_th=thr, reset=reset, reset_delay=bool(m.reset_delay))
    if isinstance(m, (snn.Synaptic, snn.RSynaptic)):
        alpha = np.clip(_np(m.alpha).reshape(-1), 0.0, 1.0)
        return ns.CubaLIF(size, alpha=float(alpha[0]) if alpha.size == 1 else alpha, w_in=1.0, r=1.0, **common)
    return ns.LIF(size, r=1.0, **common)


NEURONS = ("Leaky", "Synaptic", "RLeaky", "RSynaptic")


def _is_neuron(m) -> bool:
    import snntorch as snn

    return isinstance(m, tuple(getattr(snn, n) for n in NEURONS))


def _recurrent(m, size: int, i: int):
    """The recurrent projection of an ``RLeaky``/``RSynaptic`` (``mem += recurrent(spk_{t-1})``) and its params."""
    import jax.numpy as jnp
    import snntorch as snn
    import torch

    import neurosim as ns

    if not isinstance(m, (snn.RLeaky, snn.RSynaptic)):
        return None, None
    rec = m.recurrent
    if isinstance(rec, torch.nn.Linear):
        if (rec.in_features, rec.out_features) != (size, size):
            raise ValidationError(f"from snnTorch: module {i} has a {rec.in_features}->{rec.out_features} recurrent "
                                  f"Linear for {size} neurons")
        proj = ns.Dense(size, size, bias=rec.bias is not None)
        p = {"w": jnp.asarray(_np(rec.weight).T)}
        if rec.bias is not None:
            p["b"] = jnp.asarray(_np(rec.bias))
        return proj, p
    if type(rec).__name__ == "RecurrentOneToOne":  # all_to_all=False: spk * V, element-wise
        v = np.broadcast_to(_np(rec.V).reshape(-1), (size,))
        return ns.Dense(size, size, bias=False), {"w": jnp.asarray(np.diag(v).astype(np.float32))}
    raise ValidationError(f"from snnTorch: module {i} ({type(m).__name__}) has a {type(rec).__name__} recurrent "
                          "connection (convolutional recurrence), which does not convert; use all_to_all with "
                          "linear_features, or all_to_all=False")


def _traced_modules(module):
    """The modules a ``torch.nn.Module``'s ``forward`` applies, in order, when it is a plain stack unrolled over a
    fixed number of time steps (traced with ``torch.fx``, snnTorch neurons as leaves). Data-dependent control flow,
    functional ops between the layers and neuron states that do not come from the neuron's own previous step are
    refused with a message saying which."""
    import torch
    import torch.fx as fx

    class _Tracer(fx.Tracer):
        def is_leaf_module(self, m, qualname):
            return _is_neuron(m) or super().is_leaf_module(m, qualname)

    name = type(module).__name__
    try:
        graph = _Tracer().trace(module)
    except Exception as exc:  # fx raises TraceError, TypeError, ... on control flow it cannot follow
        raise ValidationError(f"from snnTorch: {name}.forward cannot be traced with torch.fx ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0][:200]}); only a plain stack of layers converts (a loop "
                              "over a fixed number of time steps is fine, control flow that depends on data is "
                              "not) - or write the model as an nn.Sequential") from None
    mods = dict(module.named_modules())
    calls = [n for n in graph.nodes if n.op == "call_module"]
    if not calls:
        raise ValidationError(f"from snnTorch: {name}.forward applies no modules")
    first = calls[0].target
    period = next((j for j in range(1, len(calls)) if calls[j].target == first), len(calls))
    order = [c.target for c in calls[:period]]
    if len(set(order)) != len(order) or len(calls) % period or any(
            c.target != order[k % period] for k, c in enumerate(calls)):
        raise ValidationError(f"from snnTorch: {name}.forward calls its modules in the order "
                              f"{[c.target for c in calls[:2 * period]]}...; only the same stack at every time step "
                              "converts")

    def source(node):
        """The call_module (or placeholder) a value comes from, through tuple indexing."""
        while node.op == "call_function" and node.target is operator.getitem:
            node = node.args[0]
        return node

    def as_module(node):
        """A functional op between layers as the module it equals (tutorial 6 writes F.max_pool2d and
        x.view(batch, -1)); None when it has no module form."""
        F = torch.nn.functional
        args, kw = list(node.args[1:]), dict(node.kwargs)
        if node.op == "call_function" and node.target in (F.max_pool2d, F.avg_pool2d):
            names = ("kernel_size", "stride", "padding")
            opts = {n: (args[j] if j < len(args) else kw.get(n)) for j, n in enumerate(names)}
            cls = torch.nn.MaxPool2d if node.target is F.max_pool2d else torch.nn.AvgPool2d
            return cls(opts["kernel_size"], opts["stride"], opts["padding"] or 0)
        flat = ((node.op == "call_function" and node.target is torch.flatten and (args[:1] == [1] or kw.get("start_dim") == 1))
                or (node.op == "call_method" and node.target == "flatten" and (args[:1] == [1] or kw.get("start_dim") == 1))
                or (node.op == "call_method" and node.target in ("view", "reshape") and len(args) == 2 and args[1] == -1))
        return torch.nn.Flatten() if flat else None

    sequence = []
    for k, c in enumerate(calls):
        arg = c.args[0] if c.args else None
        if not isinstance(arg, fx.Node):
            raise ValidationError(f"from snnTorch: {c.target} is called without a tensor input")
        src, between = source(arg), []
        if k % period == 0:
            while src.op == "call_method" and src.target in ("view", "reshape", "flatten", "float"):
                src = source(src.args[0])  # x.view(B, -1), x[step] ... of the input
            if src.op != "placeholder":
                raise ValidationError(f"from snnTorch: the first module {c.target} reads {src.op} "
                                      f"{src.target!r}, not the model input")
        else:
            while src is not calls[k - 1] and src.op in ("call_function", "call_method"):
                op = as_module(src)
                if op is None:
                    break
                between.insert(0, op)
                src = source(src.args[0])
            if src is not calls[k - 1]:
                raise ValidationError(f"from snnTorch: {c.target} reads {src.op} {src.target!r}, not the output of "
                                      f"{calls[k - 1].target}; forward must pass each module's output to the next "
                                      "(between layers only max/avg pooling and flattening convert as functions: "
                                      "use modules for anything else)")
        m = mods[c.target]
        if _is_neuron(m) and k >= period:
            prev = calls[k - period]
            for a in c.args[1:]:
                if isinstance(a, fx.Node) and source(a) is not prev:
                    raise ValidationError(f"from snnTorch: a state passed to {c.target} at step {k // period} does "
                                          "not come from its own previous step")
        if k < period:
            sequence += between + [m]
    return sequence


def convert_snntorch(module, in_shape, *, dt: float | None = None):
    """``(model, params)`` for an snnTorch model: an ``nn.Sequential`` (neurons with ``init_hidden=True``), or an
    ``nn.Module`` class whose ``forward`` is a plain stack run over time steps as in snnTorch's tutorials (traced
    with ``torch.fx``; see :func:`_traced_modules`). ``in_shape`` is one sample's input shape without the batch
    axis (``(C, H, W)`` for a convolutional model, ``(n,)`` or ``n`` for a dense one). ``dt`` (ms) is recorded as
    the model's time step (β is used as is). The converted model outputs the last neuron layer's spikes."""
    import jax.numpy as jnp
    import snntorch as snn
    import torch

    import neurosim as ns

    nn = torch.nn
    traced = not isinstance(module, nn.Sequential) and not _is_neuron(module) and any(True for _ in module.children())
    if isinstance(module, nn.Sequential):
        mods = list(module.children())
    elif traced:
        mods = _traced_modules(module)
    else:
        mods = [module]
    shape = (int(in_shape),) if isinstance(in_shape, (int, np.integer)) else tuple(int(s) for s in in_shape)
    layers, names, params, pending = [], [], {}, []

    def flat(i, n):
        if math.prod(shape) != n:
            raise ValidationError(f"from snnTorch: module {i} ({type(mods[i]).__name__}) expects {n} inputs, gets "
                                  f"{shape} = {math.prod(shape)} values")

    for i, m in enumerate(mods):
        proj, p = None, {}
        if isinstance(m, (nn.Dropout, nn.Identity)):
            continue
        if isinstance(m, nn.Linear):
            flat(i, m.in_features)
            proj = ns.Dense(m.in_features, m.out_features, bias=m.bias is not None)
            p = {"w": jnp.asarray(_np(m.weight).T)}
            if m.bias is not None:
                p["b"] = jnp.asarray(_np(m.bias))
            out = (m.out_features,)
        elif isinstance(m, (nn.Conv1d, nn.Conv2d)):
            nd = 1 if isinstance(m, nn.Conv1d) else 2
            if len(shape) != nd + 1 or shape[0] != m.in_channels:
                raise ValidationError(f"from snnTorch: module {i} ({type(m).__name__}) expects ({m.in_channels}, "
                                      f"{', '.join(['...'] * nd)}) input, gets {shape}")
            if m.padding_mode != "zeros" or (isinstance(m.padding, str) and m.padding != "valid"):
                raise ValidationError(f"from snnTorch: module {i} uses padding={m.padding!r}, padding_mode="
                                      f"{m.padding_mode!r}; only explicit zero padding (or 'valid') converts")
            pad = (0,) * nd if m.padding == "valid" else tuple(m.padding)
            cls = ns.Conv1d if nd == 1 else ns.Conv2d
            proj = cls(shape, m.out_channels, tuple(m.kernel_size), stride=tuple(m.stride), padding=pad,
                       dilation=tuple(m.dilation), groups=m.groups, bias=m.bias is not None)
            p = {"w": jnp.asarray(_np(m.weight))}
            if m.bias is not None:
                p["b"] = jnp.asarray(_np(m.bias))
            out = proj.out_shape
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            if len(shape) != 3:
                raise ValidationError(f"from snnTorch: module {i} ({type(m).__name__}) needs a (C, H, W) input, "
                                      f"gets {shape}")
            if getattr(m, "ceil_mode", False):
                raise ValidationError(f"from snnTorch: module {i} uses ceil_mode=True, not supported")
            if isinstance(m, nn.MaxPool2d) and m.dilation not in (1, (1, 1)):
                raise ValidationError(f"from snnTorch: module {i} is a dilated max pool, not supported")
            if isinstance(m, nn.AvgPool2d) and (not m.count_include_pad or m.divisor_override is not None):
                raise ValidationError(f"from snnTorch: module {i}: AvgPool2d converts with count_include_pad=True "
                                      "and no divisor_override")
            cls = ns.MaxPool2d if isinstance(m, nn.MaxPool2d) else ns.AvgPool2d
            proj = cls(shape, m.kernel_size, m.stride if m.stride is not None else m.kernel_size, m.padding)
            out = proj.out_shape
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            if not m.track_running_stats or m.running_mean is None:
                raise ValidationError(f"from snnTorch: module {i} ({type(m).__name__}) keeps no running statistics "
                                      "(track_running_stats=False); only the inference form converts")
            if shape[0] != m.num_features:
                raise ValidationError(f"from snnTorch: module {i} ({type(m).__name__}) normalises "
                                      f"{m.num_features} channels, gets {shape}")
            proj = ns.BatchNorm(shape, momentum=m.momentum if m.momentum is not None else 0.1, eps=m.eps)
            c = m.num_features
            p = {"scale": jnp.asarray(_np(m.weight)) if m.affine else jnp.ones((c,), jnp.float32),
                 "shift": jnp.asarray(_np(m.bias)) if m.affine else jnp.zeros((c,), jnp.float32),
                 "mean": jnp.asarray(_np(m.running_mean)), "var": jnp.asarray(_np(m.running_var))}
            out = shape
        elif isinstance(m, nn.Flatten):
            if m.start_dim not in (1, -len(shape) - 1) or m.end_dim != -1:
                raise ValidationError(f"from snnTorch: module {i}: only Flatten(start_dim=1, end_dim=-1) converts")
            proj = ns.Flatten(shape)
            out = (proj.n_out,)
        elif _is_neuron(m):
            if not traced and not getattr(m, "init_hidden", False):
                raise ValidationError(f"from snnTorch: module {i} has init_hidden=False; inside nn.Sequential "
                                      "snnTorch neurons need init_hidden=True")
            size = math.prod(shape)
            neuron = _neuron(m, size, i)
            rec, rec_p = _recurrent(m, size, i)
            name = f"layer{len(layers)}"
            lp = {"neuron": {}}
            if rec is not None:
                lp["rec"] = rec_p
            if len(pending) == 1:
                lproj, lp["proj"] = pending[0]
            elif pending:
                lproj = ns.Chain(*[q for q, _ in pending])
                lp["proj"] = {str(k): pp for k, (_, pp) in enumerate(pending)}
            else:
                lproj = None
            if lproj is not None and not lp["proj"]:
                lp.pop("proj")
            layers.append(ns.Layer(lproj, neuron, recurrent=rec))
            names.append(name)
            params[name] = lp
            pending = []
            continue
        else:
            raise ValidationError(f"from snnTorch: module {i} ({type(m).__name__}) is not supported (Linear, Conv1d, "
                                  "Conv2d, MaxPool2d, AvgPool2d, BatchNorm1d/2d, Flatten, Dropout, Identity, "
                                  "snntorch.Leaky, Synaptic, RLeaky, RSynaptic)")
        if not pending and not p:
            layers.append(proj)
            names.append(f"layer{len(layers) - 1}")
            params[names[-1]] = {}
        else:
            pending.append((proj, p))
        shape = tuple(out)
    if pending:
        raise ValidationError("from snnTorch: the model ends with a weight layer and no neuron; add a Leaky "
                              "(e.g. snn.Leaky(beta=..., init_hidden=True, output=False)) or read the currents "
                              "from a non-spiking LI layer")
    if not layers:
        raise ValidationError("from snnTorch: no layers to convert")
    return ns.Sequential(layers, names=names, dt=dt), params
