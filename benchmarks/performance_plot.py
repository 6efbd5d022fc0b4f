"""Plot cost vs size from the JSON files of ``coba.py`` and ``train_step.py`` (``docs/figures/performance.png``).

Run:  python benchmarks/performance_plot.py COBA.json TRAIN.json [--out docs/figures/performance.png]
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("coba")
    ap.add_argument("train")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "docs", "figures",
                                                  "performance.png"))
    args = ap.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    coba = json.load(open(args.coba))["rows"]
    train = json.load(open(args.train))["rows"]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    n = [r["n"] for r in coba]
    for key, label in (("neurosim", "neurosim"), ("brainpy", "BrainPy"), ("brian2", "Brian2 (Cython)")):
        if all(f"{key}_s" in r for r in coba):
            a.plot(n, [r[f"{key}_s"] / (r["steps"] / 1e4) for r in coba], "o-", label=label)
    a.set(xscale="log", yscale="log", xlabel="neurons (80 synapses each)", ylabel="wall s per simulated s",
          title="COBA E/I, dt = 0.1 ms")
    a.legend()
    labels = [f"{r['T']}x{r['B']}" for r in train]
    width = 0.25
    for k, (key, label) in enumerate((("neurosim_ms", "neurosim"), ("spyx_ms", "Spyx"), ("snntorch_ms", "snnTorch"))):
        if all(key in r for r in train):
            b.bar([i + (k - 1) * width for i in range(len(train))], [r[key] for r in train], width, label=label)
    b.set(xticks=range(len(train)), xticklabels=labels, yscale="log", xlabel="T x batch", ylabel="ms per step",
          title="train step, 700-256-256-20 LIF")
    b.legend()
    fig.tight_layout()
    tmp = args.out + ".tmp.png"
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
