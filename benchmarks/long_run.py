"""Long runs in constant memory: a 1,000-neuron recurrent LIF network simulated for 10^5 and 10^6 steps with a
chunked scan, spikes streamed to HDF5 (sparse events); prints wall time and peak RSS after each run.
Target: peak RSS at 10^6 steps within 10 % of that at 10^5 steps.

Run:  python benchmarks/long_run.py [--steps 100000 1000000] [--chunk 10000]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports kB


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--chunk", type=int, default=10_000)
    ap.add_argument("--neurons", type=int, default=1000)
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax

    import neurosim as ns
    from neurosim.io.recording import Recorder

    n = args.neurons
    net = ns.Network(dt=1.0)
    net.add("exc", ns.LIF(n, beta=0.95, v_th=1.0), bias=0.06)  # bias drives ~10 Hz-order activity
    net.connect("exc", "exc", ns.EventCSR(n, n, p=0.02, std=0.15, mean=0.0, seed=0))
    params = net.init(jax.random.PRNGKey(0))
    rows = []
    for steps in args.steps:
        with tempfile.TemporaryDirectory() as tmp:
            rec = Recorder(os.path.join(tmp, "long.h5"))
            t0 = time.perf_counter()
            res = ns.simulate(net, steps=steps, params=params, record=("spike",), chunk_size=args.chunk,
                              on_chunk=rec, keep_records=False)
            rec.close(res)
            wall = time.perf_counter() - t0
            size = os.path.getsize(os.path.join(tmp, "long.h5"))
        rss = peak_rss_mb()
        rate = res.activity.rates_hz()["exc"]
        rows.append((steps, wall, rss))
        print(f"{steps:>9,} steps x {n} neurons: {wall:7.1f} s, mean rate {rate:.1f} Hz, recording "
              f"{size / 1e6:.1f} MB, peak RSS {rss:.0f} MB", flush=True)
    if len(rows) >= 2:
        growth = rows[-1][2] / rows[0][2] - 1
        print(f"peak RSS growth from {rows[0][0]:,} to {rows[-1][0]:,} steps: {growth:+.1%} (target <= +10%)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
