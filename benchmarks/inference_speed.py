"""Inference speed at batch 1: ``ns.simulate`` (what a user calls) vs the model's own time-batched ``run`` vs
snnTorch 1.0.0 and Spyx 1.0.0 (its venv from ``benchmarks/peers/setup.sh``), on the 700-256-256-20 LIF network of
``train_step.py``, 1,000 steps.

``simulate`` is timed with both of its paths: ``path="step"`` (a scan of the step function, every variable
recordable) and the default ``"auto"`` (a feed-forward stack runs layer by layer over the whole sequence, one matmul
over all steps). Both record the spikes of every layer and count the activity; ``run`` records nothing. Timings
exclude compilation, block until ready, median of ``--repeats`` calls.

Each framework runs in a fresh process of its own; ``--rounds`` rounds alternate neurosim and Spyx (this shared VM's
speed drifts by tens of per cent within minutes: one Spyx run took 3.6 ms, another 6.6 ms), and each figure is the
best round's median, ratios taken between best rounds. snnTorch (~100x slower) runs once.

Run:  python benchmarks/inference_speed.py [--steps 1000] [--repeats 20] [--rounds 5] [--threads 2] [--json F]
          [--peers DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from train_step import BETA, RATE, SIZES, _timed  # the same network and timing as the training benchmark

HERE = os.path.dirname(os.path.abspath(__file__))


def _median(fn, repeats):
    return statistics.median(_timed(fn, repeats))


def _data(steps):
    import numpy as np

    rng = np.random.default_rng(0)
    return (rng.random((steps, 1, SIZES[0])) < RATE).astype(np.float32)


def time_neurosim(steps, repeats) -> dict:
    import jax
    import numpy as np

    import neurosim as ns

    x = _data(steps)
    layers = [ns.Layer(ns.Dense(a, b, scale=3.0), ns.LIF(b, beta=BETA, v_th=1.0))
              for a, b in zip(SIZES[:-1], SIZES[1:])]
    net = ns.Sequential(layers)
    params = net.init(jax.random.PRNGKey(0))
    xs = jax.numpy.asarray(x)
    run = jax.jit(lambda p, x: net.run(p, net.init_state((1,)), x).outputs)
    res = {"run_ms": _median(lambda: jax.block_until_ready(run(params, xs)), repeats) * 1e3}
    # the same device-resident input as Spyx and model.run get (a NumPy input adds its host-to-device copy)
    res["simulate_step_ms"] = _median(lambda: ns.simulate(net, xs, params=params, path="step"), repeats) * 1e3
    res["simulate_ms"] = _median(lambda: ns.simulate(net, xs, params=params), repeats) * 1e3
    res["simulate_numpy_ms"] = _median(lambda: ns.simulate(net, x, params=params), repeats) * 1e3
    a = ns.simulate(net, x, params=params, path="step")
    b = ns.simulate(net, x, params=params)
    res["paths_equal"] = bool(all(np.array_equal(a[k], b[k]) for k in a.records)
                              and a.activity.summary() == b.activity.summary())
    res["rate_layer1_hz"] = a.activity.layers["layer0"].spikes / steps / SIZES[1] * 1e3
    return res


def time_snntorch(steps, repeats, threads) -> dict:
    import snntorch as snn
    import torch

    torch.set_num_threads(threads)
    fcs = [torch.nn.Linear(a, b) for a, b in zip(SIZES[:-1], SIZES[1:])]
    lifs = [snn.Leaky(beta=BETA) for _ in fcs]
    xt = torch.from_numpy(_data(steps))

    def snn_run():
        with torch.no_grad():
            mems = [lif.reset_mem() for lif in lifs]
            for t in range(xt.shape[0]):
                h = xt[t]
                for i, (fc, lif) in enumerate(zip(fcs, lifs)):
                    h, mems[i] = lif(fc(h), mems[i])

    return {"snntorch_ms": _median(snn_run, max(3, repeats // 4)) * 1e3}


def _own_process(python, argv, env=None) -> dict:
    out = subprocess.run([python, *argv], capture_output=True, text=True, check=True,
                         env={**os.environ, "JAX_PLATFORMS": "cpu", **(env or {})}).stdout
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-one", choices=("neurosim", "snntorch"), help=argparse.SUPPRESS)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds of fresh processes; best round kept")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", default=None)
    ap.add_argument("--peers", default=os.path.join(HERE, "peers", ".venvs"),
                    help="folder of the peer venvs made by benchmarks/peers/setup.sh (default: %(default)s)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    if args.time_one == "neurosim":
        print(json.dumps(time_neurosim(args.steps, args.repeats)))
        return 0
    if args.time_one == "snntorch":
        print(json.dumps(time_snntorch(args.steps, args.repeats, args.threads)))
        return 0

    me = [os.path.abspath(__file__), "--steps", str(args.steps), "--repeats", str(args.repeats),
          "--threads", str(args.threads)]
    spyx_py = os.path.join(args.peers, "spyx", "bin", "python")
    if not os.path.exists(spyx_py):
        print(f"Spyx venv not found at {spyx_py} (bash benchmarks/peers/setup.sh): no Spyx comparison")
        spyx_py = None
    rounds = []
    for r in range(args.rounds):
        row = _own_process(sys.executable, me + ["--time-one", "neurosim"])
        if spyx_py:
            row.update(_own_process(spyx_py, [os.path.join(HERE, "peers", "spyx_inference.py"), str(args.steps),
                                              str(args.repeats)]))
        rounds.append(row)
        print(f"  round {r + 1}: simulate {row['simulate_ms']:.2f} ms, run {row['run_ms']:.2f} ms"
              + (f", Spyx {row['spyx_ms']:.2f} ms" if "spyx_ms" in row else ""), flush=True)
    best = {k: min(r[k] for r in rounds) for k in rounds[0] if k.endswith("_ms")}
    res = {"steps": args.steps, "threads": args.threads, "rounds": rounds, "best": best,
           "paths_equal": all(r["paths_equal"] for r in rounds)}
    try:
        best.update(_own_process(sys.executable, me + ["--time-one", "snntorch"]))
    except subprocess.CalledProcessError:
        print("snnTorch not installed: no comparison")
    print(f"{'-'.join(map(str, SIZES))} LIF, batch 1, {args.steps} steps, {args.threads} threads "
          f"(rate of layer 1: {rounds[0]['rate_layer1_hz']:.0f} Hz at 1 ms); best of {args.rounds} rounds")
    print(f"model.run (no records)           {best['run_ms']:8.2f} ms")
    print(f"ns.simulate path='step'          {best['simulate_step_ms']:8.2f} ms")
    print(f"ns.simulate (auto: time-batched) {best['simulate_ms']:8.2f} ms   records and counts equal the step path: "
          f"{res['paths_equal']}")
    print(f"  same, input as a NumPy array   {best['simulate_numpy_ms']:8.2f} ms   (includes the host-to-device copy)")
    if "spyx_ms" in best:
        print(f"Spyx (nnx.jit, counts only)      {best['spyx_ms']:8.2f} ms   ratio Spyx / ns.simulate "
              f"{best['spyx_ms'] / best['simulate_ms']:.2f}x, Spyx / model.run {best['spyx_ms'] / best['run_ms']:.2f}x")
    if "snntorch_ms" in best:
        print(f"snnTorch (no_grad loop)          {best['snntorch_ms']:8.2f} ms   ratio snnTorch / ns.simulate "
              f"{best['snntorch_ms'] / best['simulate_ms']:.1f}x")
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(res, f, indent=1)
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
