"""Training-step speed at several sizes: neurosim vs snnTorch 1.0.0 (and Spyx when its venv exists) on the same
network, same data, same CPU, same run.

Network 700-256-256-20 of LIF neurons (β = 0.9, threshold 1, reset by subtraction, fast-sigmoid surrogate with
slope 25), SHD-like sparse input (700 channels, 3 % of channel-steps carry a spike), loss = cross-entropy of output
spike counts, Adam (lr 1e-3). One "step" = forward + backward + optimizer update. Shapes (T, batch) swept:
(100, 32), (300, 128), (1000, 16). Both sides run with the same number of CPU threads; JAX timings exclude
compilation (reported separately: the first step's wall time) and block until ready; the median of ``--repeats``.
Every timing runs in a fresh process of its own (neurosim's default, each forced adjoint, snnTorch; Spyx in its venv):
a trainer timed after others in the same process inherits their heap and ran 6-44 % slower (measured), and
neurosim's allocator settings (``neurosim/host_memory.py``) never apply to PyTorch. Processes differ by up to ±40 % on
this shared VM, so ``--rounds`` rounds of all processes alternate and each figure is the best round's median.
neurosim's LIF adjoint is timed with both formulations (reverse ``lax.scan``, ``lax.associative_scan``) to show
what ``neurosim.core.neurons.sequence.adjoint_method`` chooses and why.

Run:  python benchmarks/train_step.py [--repeats 5] [--rounds 3] [--threads 2] [--shapes 100x32,300x128,1000x16] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

SIZES = (700, 256, 256, 20)
T, BATCH, BETA, RATE = 100, 32, 0.9, 0.03
SHAPES = ((100, 32), (300, 128), (1000, 16))


def make_data(T=T, batch=BATCH, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = (rng.random((batch, T, SIZES[0])) < RATE).astype(np.float32)
    y = rng.integers(0, SIZES[-1], batch)
    return x, y


def time_neurosim(x, y, repeats, adjoint=None):
    """(step times, first-step time) of neurosim's train step; ``adjoint`` forces the LIF adjoint method."""
    import jax
    import neurosim as ns

    if adjoint is not None:
        os.environ["NEUROSIM_LIF_ADJOINT"] = adjoint
    else:
        os.environ.pop("NEUROSIM_LIF_ADJOINT", None)

    layers = [ns.Layer(ns.Dense(a, b), ns.LIF(b, beta=BETA, surrogate=("fast_sigmoid", 25.0)))
              for a, b in zip(SIZES[:-1], SIZES[1:])]
    trainer = ns.Trainer(ns.Sequential(layers), lr=1e-3, readout="sum", batch_size=x.shape[0], progress=False)
    # the compiled step takes time-major batches (T, B, n), as the peers' steps do: each gets its data in its own
    # layout, prepared outside the timed call
    xb, yb = jax.numpy.asarray(x.transpose(1, 0, 2)), jax.numpy.asarray(y)
    state = (trainer.params, trainer.opt_state)
    key = jax.random.PRNGKey(0)

    def one():
        nonlocal state
        p, o, loss, acc, _ = trainer._train_step(state[0], state[1], xb, yb, key)
        jax.block_until_ready(p)
        state = (p, o)
        return float(loss)

    t0 = time.perf_counter()
    one()  # compile + first step
    first = time.perf_counter() - t0
    return _timed(one, repeats), first


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


def _spyx(folder, shapes, repeats, threads) -> dict:
    """Spyx timings from its own venv (``benchmarks/peers/setup.sh``), run before neurosim's so the two never share
    the CPU; {} when the venv is absent."""
    import subprocess

    py = os.path.join(folder, "spyx", "bin", "python")
    if not os.path.exists(py):
        print(f"Spyx venv not found at {py} (bash benchmarks/peers/setup.sh): no Spyx comparison")
        return {}
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers", "spyx_train_step.py")
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}  # JAX uses every core of the machine on both sides
    out = subprocess.run([py, script, ",".join(f"{t}x{b}" for t, b in shapes), str(repeats)], env=env,
                         capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {(r["T"], r["B"]): {k: v for k, v in r.items() if k not in ("T", "B")} for r in rows}


def _own_process(what, t, b, repeats, threads, env=None):
    """(step times, first-step time or None) of ``what`` (neurosim, scan, associative, snntorch) in a fresh process."""
    import subprocess

    cmd = [sys.executable, os.path.abspath(__file__), "--time-one", what, "--shapes", f"{t}x{b}",
           "--repeats", str(repeats), "--threads", str(threads)]
    out = subprocess.run(cmd, env={**os.environ, "JAX_PLATFORMS": "cpu", **(env or {})}, capture_output=True,
                         text=True, check=True).stdout
    row = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    return row["times"], row["first"]


def _time_one(what, t, b, repeats, threads):
    x, y = make_data(t, b)
    if what == "snntorch":
        import torch

        torch.set_num_threads(threads)
        times, first = time_snntorch(x, y, repeats), None
    else:
        times, first = time_neurosim(x, y, repeats, adjoint=None if what == "neurosim" else what)
    print(json.dumps({"times": times, "first": first}))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-one", choices=("neurosim", "scan", "associative", "snntorch"), help=argparse.SUPPRESS)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of fresh processes; best round kept")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--shapes", default=",".join(f"{t}x{b}" for t, b in SHAPES),
                    help="comma-separated TxB shapes (default: %(default)s)")
    ap.add_argument("--json", default=None, help="write the results to this JSON file")
    ap.add_argument("--no-snntorch", action="store_true")
    ap.add_argument("--compile-cache", action="store_true",
                    help="also time neurosim's first step with a cold and a warm persistent compilation cache")
    ap.add_argument("--peers", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers", ".venvs"),
                    help="folder of the peer venvs made by benchmarks/peers/setup.sh (default: %(default)s)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    shapes = [tuple(int(v) for v in s.split("x")) for s in args.shapes.split(",")]
    if args.time_one:
        return _time_one(args.time_one, *shapes[0], args.repeats, args.threads)
    print(f"network {'-'.join(map(str, SIZES))} LIF, input density {RATE:.0%}, {args.threads} CPU threads, "
          f"median of {args.repeats} timed steps; first = compile + first step")
    have_snntorch = False
    if not args.no_snntorch:
        import importlib.util

        have_snntorch = importlib.util.find_spec("snntorch") is not None  # timed in its own process
        if not have_snntorch:
            print("snnTorch not installed (pip install 'neurosim[torch]'); no comparison")
    whats = ["neurosim", "scan", "associative"] + (["snntorch"] if have_snntorch else [])
    best: dict = {}
    spyx: dict = {}
    for _ in range(args.rounds):  # alternate every process once per round; keep each one's best round
        for key, val in _spyx(args.peers, shapes, args.repeats, args.threads).items():
            if key not in spyx or val["spyx_ms"] < spyx[key]["spyx_ms"]:
                spyx[key] = val
        for t, b in shapes:
            for what in whats:
                times, first = _own_process(what, t, b, args.repeats, args.threads)
                med = statistics.median(times) * 1e3
                if (t, b, what) not in best or med < best[(t, b, what)][0]:
                    best[(t, b, what)] = (med, first)
    rows = []
    print(f"{'T':>5} {'B':>4} | {'neurosim':>9} {'first':>6} | {'scan':>8} {'assoc':>8} | {'snnTorch':>9} ratio | "
          f"{'Spyx':>8} {'first':>6} ratio")
    for t, b in shapes:
        row = {"T": t, "B": b, "rounds": args.rounds}
        row["neurosim_ms"], row["first_s"] = best[(t, b, "neurosim")]
        first = row["first_s"]
        for method in ("scan", "associative"):
            row[f"neurosim_{method}_ms"], row[f"first_{method}_s"] = best[(t, b, method)]
        if have_snntorch:
            row["snntorch_ms"] = best[(t, b, "snntorch")][0]
            row["ratio_snntorch"] = row["snntorch_ms"] / row["neurosim_ms"]
        if (t, b) in spyx:
            row.update(spyx[(t, b)])
            row["ratio_spyx"] = row["spyx_ms"] / row["neurosim_ms"]
        rows.append(row)
        st = (f"{row['snntorch_ms']:9.1f} {row['ratio_snntorch']:5.2f}x" if "snntorch_ms" in row else
              f"{'-':>9} {'':>6}")
        sp = (f"{row['spyx_ms']:8.1f} {row['spyx_first_s']:6.2f} {row['ratio_spyx']:5.2f}x" if "spyx_ms" in row
              else f"{'-':>8}")
        print(f"{t:5d} {b:4d} | {row['neurosim_ms']:9.1f} {first:6.2f} | {row['neurosim_scan_ms']:8.1f} "
              f"{row['neurosim_associative_ms']:8.1f} | {st} | {sp}", flush=True)
    print("ratio = peer / neurosim (above 1: neurosim faster); scan/assoc = neurosim with the LIF adjoint forced;"
          " times in ms, first (compile + first step) in s")
    if args.compile_cache:
        import tempfile

        print("first step (s) with neurosim.compile_cache in a fresh process: cold cache -> warm cache "
              "(JAX's persistent cache: any JAX framework, Spyx included, could use it too)")
        for row in rows:
            with tempfile.TemporaryDirectory() as tmp:
                env = {"NEUROSIM_COMPILE_CACHE": os.path.join(tmp, "cache")}
                cold = _own_process("neurosim", row["T"], row["B"], 1, args.threads, env)[1]
                warm = _own_process("neurosim", row["T"], row["B"], 1, args.threads, env)[1]
            row["first_cold_cache_s"], row["first_warm_cache_s"] = cold, warm
            print(f"{row['T']:5d} {row['B']:4d} | {cold:6.2f} -> {warm:6.2f}", flush=True)
    if args.json:
        from neurosim.io.atomic import atomic_path

        with atomic_path(args.json) as tmp:
            tmp.write_text(json.dumps({"sizes": SIZES, "threads": args.threads, "rounds": args.rounds, "rows": rows},
                                      indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
