"""Training-step speed: neurosim vs snnTorch 1.0.0 on the same network, same data, same CPU, same run.

Network 700-256-256-20 of LIF neurons (β = 0.9, threshold 1, reset by subtraction, fast-sigmoid surrogate with
slope 25), T = 100 steps, batch 32, SHD-like sparse input (700 channels, 3 % of channel-steps carry a spike),
loss = cross-entropy of output spike counts, Adam (lr 1e-3). One "step" = forward + backward + optimizer update.
Both sides run with the same number of CPU threads; JAX timings exclude compilation and block until ready.

Run:  python benchmarks/train_step.py [--repeats 20] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

SIZES = (700, 256, 256, 20)
T, BATCH, BETA, RATE = 100, 32, 0.9, 0.03


def make_data(seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = (rng.random((BATCH, T, SIZES[0])) < RATE).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    return x, y


def time_neurosim(x, y, repeats):
    import jax
    import neurosim as ns

    layers = [ns.Layer(ns.Dense(a, b), ns.LIF(b, beta=BETA, surrogate=("fast_sigmoid", 25.0)))
              for a, b in zip(SIZES[:-1], SIZES[1:])]
    trainer = ns.Trainer(ns.Sequential(layers), lr=1e-3, readout="sum", batch_size=BATCH, progress=False)
    xb, yb = jax.numpy.asarray(x), jax.numpy.asarray(y)
    state = (trainer.params, trainer.opt_state)
    key = jax.random.PRNGKey(0)

    def one():
        nonlocal state
        p, o, loss, acc, _ = trainer._train_step(state[0], state[1], xb, yb, key)
        jax.block_until_ready(p)
        state = (p, o)
        return float(loss)

    one()  # compile
    return _timed(one, repeats)


def _timed(step, repeats, warmup: int = 1):
    """Wall time of ``repeats`` calls of ``step`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return times


def time_snntorch(x, y, repeats):
    import snntorch as snn
    import torch
    from snntorch import surrogate

    torch.manual_seed(0)
    grad = surrogate.fast_sigmoid(slope=25)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fcs = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(SIZES[:-1], SIZES[1:]))
            self.lifs = torch.nn.ModuleList(snn.Leaky(beta=BETA, spike_grad=grad) for _ in self.fcs)

        def forward(self, xs):  # xs: (T, B, n)
            mems = [lif.reset_mem() for lif in self.lifs]
            count = 0
            for t in range(xs.shape[0]):
                h = xs[t]
                for i, (fc, lif) in enumerate(zip(self.fcs, self.lifs)):
                    h, mems[i] = lif(fc(h), mems[i])
                count = count + h
            return count

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xs = torch.from_numpy(x).transpose(0, 1).contiguous()
    ys = torch.from_numpy(y).long()
    loss_fn = torch.nn.CrossEntropyLoss()

    def one():
        opt.zero_grad()
        loss = loss_fn(net(xs), ys)
        loss.backward()
        opt.step()
        return float(loss.detach())

    return _timed(one, repeats)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    x, y = make_data()
    print(f"network {'-'.join(map(str, SIZES))} LIF, T={T}, batch={BATCH}, input density {RATE:.0%}, "
          f"{args.threads} CPU threads, {args.repeats} timed steps each (median)")
    ns_t = statistics.median(time_neurosim(x, y, args.repeats))
    print(f"neurosim  train step: {ns_t * 1e3:8.1f} ms")
    try:
        import torch

        torch.set_num_threads(args.threads)
        st_t = statistics.median(time_snntorch(x, y, args.repeats))
    except ImportError:
        print("snnTorch not installed (pip install 'neurosim[torch]'); no comparison")
        return 0
    print(f"snnTorch  train step: {st_t * 1e3:8.1f} ms")
    print(f"speed-up neurosim / snnTorch: {st_t / ns_t:.2f}x  (target >= 3x)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
