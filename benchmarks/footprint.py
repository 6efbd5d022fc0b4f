"""Import time and peak memory: neurosim vs snnTorch 1.0.0 (and Spyx 1.0.0 when its venv exists), each measured in
a fresh Python process.

* import time: wall time of ``import X`` in a new interpreter (interpreter start-up excluded), minimum of
  ``--repeats``; for neurosim both ``import neurosim`` (lazy: the package's names resolve on first use) and
  ``import neurosim.core`` (what the first simulation or training step loads, BrainPy included).
* peak RSS: ``ru_maxrss`` of a process that builds the 700-256-256-20 LIF network of ``train_step.py`` and runs
  three training steps at (T, B) = ``--shape`` (default 300x128), compilation included.

Run:  python benchmarks/footprint.py [--repeats 5] [--shape 300x128] [--json F] [--peers DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

IMPORT = ("import time, sys; t0 = time.perf_counter(); import {mod}; "
          "print(time.perf_counter() - t0)")
RSS = r"""
import resource, sys
sys.path.insert(0, {here!r}); sys.path.insert(0, {root!r})
import train_step as ts
x, y = ts.make_data({T}, {B})
{call}
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
SPYX_RSS = r"""
import resource, sys, runpy
sys.argv = ["spyx_train_step.py", "{T}x{B}", "2"]
sys.path.insert(0, {peers!r})
runpy.run_path({script!r}, run_name="__main__")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _py(python, code):
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    return float(out.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--shape", default="300x128")
    ap.add_argument("--json", default=None)
    ap.add_argument("--peers", default=os.path.join(HERE, "peers", ".venvs"))
    args = ap.parse_args(argv)
    T, B = (int(v) for v in args.shape.split("x"))
    spyx = os.path.join(args.peers, "spyx", "bin", "python")
    spyx = spyx if os.path.exists(spyx) else None
    res = {"import_s": {}, "peak_rss_mb": {}, "shape": [T, B]}
    mods = [("neurosim", sys.executable), ("neurosim.core", sys.executable), ("brainpy", sys.executable),
            ("snntorch", sys.executable), ("torch", sys.executable)]
    if spyx:
        mods.append(("spyx", spyx))
    for mod, py in mods:
        res["import_s"][mod] = min(_py(py, IMPORT.format(mod=mod)) for _ in range(args.repeats))
        print(f"import {mod:14s} {res['import_s'][mod]:6.2f} s", flush=True)
    calls = {"neurosim": "ts.time_neurosim(x, y, 2)", "snntorch": "ts.time_snntorch(x, y, 2)"}
    for name, call in calls.items():
        res["peak_rss_mb"][name] = _py(sys.executable, RSS.format(here=HERE, root=ROOT, T=T, B=B, call=call))
    if spyx:
        res["peak_rss_mb"]["spyx"] = _py(spyx, SPYX_RSS.format(T=T, B=B, peers=os.path.join(HERE, "peers"),
                                                               script=os.path.join(HERE, "peers",
                                                                                   "spyx_train_step.py")))
    for name, mb in res["peak_rss_mb"].items():
        print(f"peak RSS, train step {T}x{B}: {name:9s} {mb:7.0f} MB")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
