"""NIR nodes for feature-map projections, both directions: ``Conv1d``/``Conv2d`` ↔ :class:`~neurosim.Conv1d`/
:class:`~neurosim.Conv2d`, ``SumPool2d``/``AvgPool2d`` ↔ the pooling projections, ``Flatten`` ↔ :class:`~neurosim.Flatten`.

NIR conventions: weights (C_out, C_in/groups, *kernel) as in PyTorch; a convolution's ``input_shape`` is the
spatial shape only (the channels come from the weight and ``groups``); ``padding`` is ints per dimension or
``"valid"``/``"same"``; graphs have no batch axis, so a full ``Flatten`` is ``start_dim=0``. NIR has no max
pooling: a ``MaxPool2d`` is refused on export with a message saying so. Feature maps travel flat in channel-major
order in neurosim, which is what NIR's ``Flatten`` produces, so no data moves.
"""

from __future__ import annotations

import math

import numpy as np

from neurosim.errors import DataFormatError, ValidationError


def _ints(v, n: int) -> tuple[int, ...]:
    a = np.atleast_1d(np.asarray(v)).astype(np.int64).reshape(-1)
    if a.size == 1:
        a = np.repeat(a, n)
    return tuple(int(x) for x in a)


def _padding(pad, kernel, dilation, key) -> tuple[int, ...]:
    if isinstance(pad, (str, bytes)):
        pad = pad.decode() if isinstance(pad, bytes) else pad
        if pad == "valid":
            return (0,) * len(kernel)
        if pad == "same":
            if any((d * (k - 1)) % 2 for k, d in zip(kernel, dilation)):
                raise DataFormatError(f"NIR node {key!r}: padding='same' with an even kernel is asymmetric, which "
                                      "neurosim's symmetric zero padding cannot express")
            return tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation))
        raise DataFormatError(f"NIR node {key!r}: unknown padding {pad!r}")
    return _ints(pad, len(kernel))


# -- export -------------------------------------------------------------------------------------------------------
def to_node(proj, params: dict):
    """The NIR node of a windowed or flatten projection (``params`` = its parameters)."""
    import nir

    from neurosim.core.projections import AvgPool2d, Conv1d, Conv2d, Flatten, MaxPool2d, SumPool2d

    if isinstance(proj, (Conv1d, Conv2d)):
        w = np.asarray(params["w"], np.float32)
        b = np.asarray(params["b"], np.float32) if proj.bias else np.zeros(proj.out_shape[0], np.float32)
        spatial = proj.in_shape[1:]
        if isinstance(proj, Conv1d):
            node = nir.Conv1d(input_shape=int(spatial[0]), weight=w, stride=int(proj.stride[0]),
                              padding=int(proj.padding[0]), dilation=int(proj.dilation[0]), groups=int(proj.groups),
                              bias=b)
        else:
            node = nir.Conv2d(input_shape=tuple(int(s) for s in spatial), weight=w, stride=tuple(proj.stride),
                              padding=tuple(proj.padding), dilation=tuple(proj.dilation), groups=int(proj.groups),
                              bias=b)
        node.metadata = {"neurosim.bias": proj.bias}
        return node
    if isinstance(proj, (SumPool2d, AvgPool2d)):
        cls = nir.SumPool2d if isinstance(proj, SumPool2d) else nir.AvgPool2d
        return cls(kernel_size=np.array(proj.kernel_size), stride=np.array(proj.stride),
                   padding=np.array(proj.padding))
    if isinstance(proj, MaxPool2d):
        raise ValidationError("export: MaxPool2d has no NIR primitive (NIR 1.0 pools by sum or average); use "
                              "SumPool2d (on binary spikes a sum pool followed by a threshold of 0.5 is the same OR)")
    if isinstance(proj, Flatten):
        return nir.Flatten(input_type={"input": np.array(proj.in_shape)}, start_dim=0, end_dim=-1)
    raise ValidationError(f"export: projection {type(proj).__name__} has no NIR equivalent")


# -- import -------------------------------------------------------------------------------------------------------
def from_node(node, key: str, shape: tuple[int, ...]):
    """``(projection, params, out_shape)`` for a NIR feature-map node fed a map of ``shape`` (C, *spatial)."""
    import jax.numpy as jnp
    import nir

    import neurosim as ns

    if isinstance(node, (nir.Conv1d, nir.Conv2d)):
        nd = 1 if isinstance(node, nir.Conv1d) else 2
        w = np.asarray(node.weight, np.float32)
        if w.ndim != nd + 2:
            raise DataFormatError(f"NIR node {key!r}: {type(node).__name__} weight must be {nd + 2}-D, got {w.shape}")
        groups = int(np.asarray(node.groups).reshape(-1)[0]) if np.size(node.groups) else 1
        c_in = w.shape[1] * groups
        spatial = shape[1:] if len(shape) == nd + 1 else ()
        if node.input_shape is not None and np.size(node.input_shape):
            spatial = _ints(node.input_shape, nd)
        if len(spatial) != nd:
            raise DataFormatError(f"NIR node {key!r}: cannot tell the input's spatial shape (input_shape is "
                                  f"missing and the incoming shape is {shape})")
        in_shape = (c_in,) + tuple(spatial)
        if math.prod(in_shape) != math.prod(shape):
            raise DataFormatError(f"NIR node {key!r}: expects input {in_shape} ({math.prod(in_shape)} values), the "
                                  f"graph feeds {shape} ({math.prod(shape)} values)")
        kernel = tuple(w.shape[2:])
        dilation = _ints(node.dilation, nd)
        cls = ns.Conv1d if nd == 1 else ns.Conv2d
        bias = node.bias is not None and np.size(node.bias) > 0
        if bias and not bool(np.asarray((node.metadata or {}).get("neurosim.bias", True))) and not np.any(node.bias):
            bias = False  # written by neurosim from a bias-free conv
        proj = cls(in_shape, w.shape[0], kernel, stride=_ints(node.stride, nd),
                   padding=_padding(node.padding, kernel, dilation, key), dilation=dilation, groups=groups, bias=bias)
        params = {"w": jnp.asarray(w)}
        if bias:
            params["b"] = jnp.asarray(np.asarray(node.bias, np.float32).reshape(-1))
        return proj, params, proj.out_shape
    if isinstance(node, (nir.SumPool2d, nir.AvgPool2d)):
        if len(shape) != 3:
            raise DataFormatError(f"NIR node {key!r}: {type(node).__name__} needs a (C, H, W) input, got {shape}")
        cls = ns.SumPool2d if isinstance(node, nir.SumPool2d) else ns.AvgPool2d
        kernel = _ints(node.kernel_size, 2)
        stride = _ints(node.stride, 2) if node.stride is not None and np.size(node.stride) else kernel
        pad = _ints(node.padding, 2) if node.padding is not None and np.size(node.padding) else (0, 0)
        proj = cls(shape, kernel, stride, pad)
        return proj, {}, proj.out_shape
    if isinstance(node, nir.Flatten):
        start = int(node.start_dim)
        end = int(node.end_dim)
        nd = len(shape)
        start, end = start % nd, end % nd
        out = shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:]
        return ns.Flatten(shape), {}, out
    raise DataFormatError(f"NIR node {key!r}: {type(node).__name__} is not a feature-map node")


def is_feature_node(node) -> bool:
    import nir

    return isinstance(node, (nir.Conv1d, nir.Conv2d, nir.SumPool2d, nir.AvgPool2d, nir.Flatten))
