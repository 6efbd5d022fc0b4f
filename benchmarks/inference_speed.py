"""Inference speed at batch 1: ``ns.simulate`` (what a user calls) vs the model's own time-batched ``run`` vs
snnTorch 1.0.0 (same process) and Spyx 1.0.0 (its venv from ``benchmarks/peers/setup.sh``), on the 700-256-256-20
LIF network of ``train_step.py``, 1,000 steps.

``simulate`` is timed with both of its paths: ``path="step"`` (a scan of the step function, every variable
recordable) and the default ``"auto"`` (a feed-forward stack runs layer by layer over the whole sequence, one matmul
over all steps). Both record the spikes of every layer and count the activity; ``run`` records nothing. Timings
exclude compilation, block until ready, median of ``--repeats``.

Run:  python benchmarks/inference_speed.py [--steps 1000] [--repeats 20] [--threads 2] [--json F] [--peers DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

from train_step import BETA, RATE, SIZES, _timed  # the same network and timing as the training benchmark


def _median(fn, repeats):
    return statistics.median(_timed(fn, repeats))


def _spyx(folder, steps, repeats) -> dict:
    import subprocess

    py = os.path.join(folder, "spyx", "bin", "python")
    if not os.path.exists(py):
        print(f"Spyx venv not found at {py} (bash benchmarks/peers/setup.sh): no Spyx comparison")
        return {}
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers", "spyx_inference.py")
    out = subprocess.run([py, script, str(steps), str(repeats)], env={**os.environ, "JAX_PLATFORMS": "cpu"},
                         capture_output=True, text=True, check=True).stdout
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", default=None)
    ap.add_argument("--peers", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers", ".venvs"),
                    help="folder of the peer venvs made by benchmarks/peers/setup.sh (default: %(default)s)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    spyx = _spyx(args.peers, args.steps, args.repeats)  # before neurosim's, so the two never share the CPU
    import jax
    import numpy as np

    import neurosim as ns

    rng = np.random.default_rng(0)
    x = (rng.random((args.steps, 1, SIZES[0])) < RATE).astype(np.float32)
    layers = [ns.Layer(ns.Dense(a, b, scale=3.0), ns.LIF(b, beta=BETA, v_th=1.0))
              for a, b in zip(SIZES[:-1], SIZES[1:])]
    net = ns.Sequential(layers)
    params = net.init(jax.random.PRNGKey(0))
    xs = jax.numpy.asarray(x)
    run = jax.jit(lambda p, x: net.run(p, net.init_state((1,)), x).outputs)
    res = {"steps": args.steps, "threads": args.threads}
    res["run_ms"] = _median(lambda: jax.block_until_ready(run(params, xs)), args.repeats) * 1e3
    # the same device-resident input as Spyx and model.run get (a NumPy input adds its host-to-device copy)
    res["simulate_step_ms"] = _median(lambda: ns.simulate(net, xs, params=params, path="step"), args.repeats) * 1e3
    res["simulate_ms"] = _median(lambda: ns.simulate(net, xs, params=params), args.repeats) * 1e3
    res["simulate_numpy_ms"] = _median(lambda: ns.simulate(net, x, params=params), args.repeats) * 1e3
    a = ns.simulate(net, x, params=params, path="step")
    b = ns.simulate(net, x, params=params)
    same = all(np.array_equal(a[k], b[k]) for k in a.records) and a.activity.summary() == b.activity.summary()
    print(f"{'-'.join(map(str, SIZES))} LIF, batch 1, {args.steps} steps, {args.threads} threads "
          f"(rate of layer 1: {a.activity.layers['layer0'].spikes / args.steps / SIZES[1] * 1e3:.0f} Hz at 1 ms)")
    print(f"model.run (no records)          {res['run_ms']:8.2f} ms")
    print(f"ns.simulate path='step'         {res['simulate_step_ms']:8.2f} ms")
    print(f"ns.simulate (auto: time-batched) {res['simulate_ms']:7.2f} ms   records and counts equal the step path: "
          f"{same}")
    print(f"  same, input as a NumPy array   {res['simulate_numpy_ms']:7.2f} ms   (includes the host-to-device copy)")
    if spyx:
        res.update(spyx)
        print(f"Spyx (nnx.jit, counts only)     {spyx['spyx_ms']:8.2f} ms   "
              f"ratio Spyx / ns.simulate {spyx['spyx_ms'] / res['simulate_ms']:.2f}x, Spyx / model.run "
              f"{spyx['spyx_ms'] / res['run_ms']:.2f}x")
    try:
        import snntorch as snn
        import torch

        torch.set_num_threads(args.threads)
        fcs = [torch.nn.Linear(a, b) for a, b in zip(SIZES[:-1], SIZES[1:])]
        lifs = [snn.Leaky(beta=BETA) for _ in fcs]
        xt = torch.from_numpy(x)

        def snn_run():
            with torch.no_grad():
                mems = [lif.reset_mem() for lif in lifs]
                for t in range(xt.shape[0]):
                    h = xt[t]
                    for i, (fc, lif) in enumerate(zip(fcs, lifs)):
                        h, mems[i] = lif(fc(h), mems[i])

        res["snntorch_ms"] = _median(snn_run, max(3, args.repeats // 4)) * 1e3
        print(f"snnTorch (no_grad loop)         {res['snntorch_ms']:8.2f} ms   "
              f"ratio snnTorch / ns.simulate {res['snntorch_ms'] / res['simulate_ms']:.1f}x")
    except ImportError:
        print("snnTorch not installed: no comparison")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
