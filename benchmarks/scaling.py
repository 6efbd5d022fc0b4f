"""Scaling from 1 to 2 real CPU cores: data-parallel training steps/s of a 700-256-20 LIF network (batch 64,
T = 100), run in a subprocess pinned with ``taskset`` to 1 core (1 device) and to 2 cores (2 devices, batch split).

Run:  python benchmarks/scaling.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CHILD = r'''
import os, time, statistics, jax, numpy as np
import neurosim as ns
n_dev = len(jax.devices())
rng = np.random.default_rng(0)
x = (rng.random((64, 100, 700)) < 0.03).astype(np.float32); y = rng.integers(0, 20, 64).astype(np.int32)
net = ns.Sequential([ns.Layer(ns.Dense(700, 256), ns.LIF(256, beta=0.9)), ns.Layer(ns.Dense(256, 20), ns.LIF(20, beta=0.9))])
tr = ns.Trainer(net, batch_size=64, progress=False, devices=n_dev if n_dev > 1 else None)
tr.fit(x, y, epochs=2)
times = []
for _ in range(8):
    t0 = time.perf_counter(); tr.fit(x, y, epochs=1); times.append(time.perf_counter() - t0)
print(f"RESULT {n_dev} {statistics.median(times):.5f}")
'''


def run(cores: str, devices: int) -> float:
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}"}
    cmd = ([shutil.which("taskset"), "-c", cores] if shutil.which("taskset") else []) + [sys.executable, "-c", CHILD]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900,
                         cwd=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    line = [l for l in out.stdout.splitlines() if l.startswith("RESULT")]
    if not line:
        raise SystemExit(out.stderr[-3000:])
    return float(line[0].split()[2])


def main():
    if (os.cpu_count() or 1) < 2:
        print("needs 2 cores")
        return 0
    t1 = run("0", 1)
    t2 = run("0,1", 2)
    print(f"train step (batch 64): 1 core / 1 device {t1 * 1e3:.1f} ms, 2 cores / 2 devices {t2 * 1e3:.1f} ms, "
          f"speed-up {t1 / t2:.2f}x (ideal 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
