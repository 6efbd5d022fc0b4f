"""Regenerate ``cnn_sinabs_reference.h5``: the NIR paper's N-MNIST CNN (``cnn_sinabs.nir``) run on a real N-MNIST
recording by a plain PyTorch interpreter of the NIR graph, independent of neurosim.

Input: the N-MNIST sample of ``../shared/data/events/sample_nmnist.bin`` (tonic's test data, Orchard et al.),
binned into 300 frames of 1 ms (event counts per pixel and polarity, channel 0 = OFF, 1 = ON), shape
(300, 2, 34, 34) — the binning of the NIR paper's ``cnn_numbers.npy`` (300 steps, 1 ms). Semantics, as in the
NIR specification: ``Conv2d`` = ``torch.nn.functional.conv2d`` with the node's stride/padding/dilation/groups and
bias; ``SumPool2d`` = window sum (``avg_pool2d(..., divisor_override=1)``); ``Flatten`` over (C, H, W); ``Affine``
= ``x W^T + b``; ``IF`` per step: ``v += r * I``, spike ``z = [v > v_threshold]``, then ``v = v_reset`` where
``z`` (NIR's reset-to-value in the spiking step). Run from the repository root::

    .venv/bin/python tests/data/nir/make_cnn_reference.py
"""

from pathlib import Path

import h5py
import nir
import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[2].parent / "shared" / "data" / "events" / "sample_nmnist.bin"


def nmnist_frames(path: Path, steps: int = 300, dt_us: int = 1000) -> np.ndarray:
    raw = np.frombuffer(path.read_bytes(), np.uint8).reshape(-1, 5).astype(np.int64)
    x, y = raw[:, 0], raw[:, 1]
    p = raw[:, 2] >> 7
    t = ((raw[:, 2] & 0x7F) << 16) | (raw[:, 3] << 8) | raw[:, 4]
    frames = np.zeros((steps, 2, 34, 34), np.int64)
    b = t // dt_us
    keep = b < steps
    np.add.at(frames, (b[keep], p[keep], y[keep], x[keep]), 1)
    return frames.astype(np.uint8)


def run(graph, frames: np.ndarray):
    order, cur = [], "input"
    succ = {s: d for s, d in graph.edges}
    while succ[cur] != "output":
        cur = succ[cur]
        order.append(cur)
    v = {k: None for k in order}
    out, counts = [], {k: 0 for k in order if isinstance(graph.nodes[k], nir.IF)}
    with torch.no_grad():
        for t in range(frames.shape[0]):
            x = torch.tensor(frames[t:t + 1], dtype=torch.float32)
            for k in order:
                n = graph.nodes[k]
                if isinstance(n, nir.Conv2d):
                    x = F.conv2d(x, torch.tensor(n.weight), torch.tensor(n.bias), stride=tuple(n.stride),
                                 padding=tuple(n.padding), dilation=tuple(n.dilation), groups=int(n.groups))
                elif isinstance(n, nir.SumPool2d):
                    x = F.avg_pool2d(x, tuple(n.kernel_size), tuple(n.stride), tuple(n.padding), divisor_override=1)
                elif isinstance(n, nir.Flatten):
                    x = x.flatten(1)
                elif isinstance(n, nir.Affine):
                    x = x @ torch.tensor(n.weight).T + torch.tensor(n.bias)
                elif isinstance(n, nir.IF):
                    r, thr, vr = (torch.tensor(np.asarray(a, np.float32)).unsqueeze(0)
                                  for a in (n.r, n.v_threshold, n.v_reset))
                    vk = (torch.zeros_like(x) if v[k] is None else v[k]) + r * x
                    z = (vk > thr).float()
                    v[k] = torch.where(z > 0, vr, vk)
                    counts[k] += int(z.sum())
                    x = z
                else:
                    raise TypeError(type(n).__name__)
            out.append(x.numpy()[0].copy())
    return np.array(out, np.uint8), counts


def main():
    graph = nir.read(HERE / "cnn_sinabs.nir")
    frames = nmnist_frames(SAMPLE)
    spikes, counts = run(graph, frames)
    with h5py.File(HERE / "cnn_sinabs_reference.h5", "w") as f:
        f.create_dataset("input", data=frames, compression="gzip", compression_opts=9)
        f.create_dataset("output_spikes", data=spikes, compression="gzip")
        f.attrs["if_spike_counts"] = np.array([counts[k] for k in counts], np.int64)
        f.attrs["if_nodes"] = np.array(list(counts), dtype="S")
        f.attrs["origin"] = ("graph: github.com/neuromorphs/NIR paper/02_cnn/cnn_sinabs.nir (commit 7232ada, "
                             "BSD-3-Clause, NIR Team); input: tonic test data N-MNIST sample (Orchard et al. 2015), "
                             "300 x 1 ms bins; output: PyTorch interpreter in make_cnn_reference.py")
    print("output spikes per class:", spikes.sum(0), "IF spikes per layer:", counts)


if __name__ == "__main__":
    main()
