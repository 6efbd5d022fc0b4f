"""Convolutional spiking networks for event cameras (feature maps flat in channel-major order, see
:mod:`neurosim.core.projections.window`).

:func:`spiking_cnn` is the small classifier of ``benchmarks/vision_cnn.py`` and notebook 06: per block a 3×3
convolution (padding 1) into LIF neurons, then 2×2 sum pooling as a stage (NIR-exportable, like the NIR paper's
N-MNIST CNN); a dense LIF layer (optional) and a leaky-integrator readout.
"""

from __future__ import annotations

from typing import Sequence

from neurosim import validate


def spiking_cnn(in_shape: Sequence[int], n_classes: int, *, channels: Sequence[int] = (8, 16), hidden: int = 0,
                beta: float = 0.9, v_th: float = 1.0, readout_beta: float = 0.9,
                surrogate=("fast_sigmoid", 25.0), reset: str = "subtract"):
    """``Sequential`` of conv(3×3) → LIF → SumPool(2) blocks, Flatten, [Dense → LIF], Dense → LI readout."""
    import neurosim as ns

    shape = tuple(validate.positive_int("in_shape", int(v)) for v in in_shape)
    n_classes = validate.positive_int("n_classes", n_classes)
    layers, names = [], []
    for b, c in enumerate(channels):
        conv = ns.Conv2d(shape, c, 3, padding=1, bias=False)
        layers.append(ns.Layer(conv, ns.LIF(conv.n_out, beta=beta, v_th=v_th, reset=reset, surrogate=surrogate)))
        names.append(f"conv{b + 1}")
        pool = ns.SumPool2d(conv.out_shape, 2)
        layers.append(pool)
        names.append(f"pool{b + 1}")
        shape = pool.out_shape
    flat = ns.Flatten(shape)
    layers.append(flat)
    names.append("flatten")
    width = flat.n_out
    if hidden:
        layers.append(ns.Layer(ns.Dense(width, hidden), ns.LIF(hidden, beta=beta, v_th=v_th, reset=reset,
                                                                 surrogate=surrogate)))
        names.append("fc")
        width = hidden
    layers.append(ns.Layer(ns.Dense(width, n_classes), ns.LI(n_classes, beta=readout_beta)))
    names.append("readout")
    return ns.Sequential(layers, names=names)
