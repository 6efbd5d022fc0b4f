"""Spiking CNN on the embedded DVS digits (``vision_digits.h5``): held-out accuracy over seeds, activity sparsity,
and the train-step time of neurosim vs snnTorch 1.0.0 on the same convolutional network, in the same script (each
framework timed in its own process, alternating).

Protocol (nothing is chosen on the test data): for each seed, a random 80/20 train/test split of the pictures
(``load_vision_digits(seed=...)``; every sample is a different picture). 15 % of the training part is held out as
validation; the learning rate (grid ``--lrs``), its schedule (constant or cosine decay) and the stopping epoch
(early stopping on validation accuracy, best epoch restored) are chosen on it; the chosen model is retrained on
nothing else and scored once on the test part. Reported: test accuracy mean ± s.d. over seeds, and the activity
sparsity of each spiking layer on the test set.

Network (``neurosim.models.spiking_cnn``): input 2×18×18 (ON/OFF), 10 ms bins, T = 30 steps (binary);
conv 3×3 (8 ch) → LIF → sum-pool 2 → conv 3×3 (16 ch) → LIF → sum-pool 2 → flatten → dense → LI readout (mean over
time); LIF β = 0.9, threshold 1, reset by subtraction, fast-sigmoid surrogate (slope 25); Adam.

Train-step timing: forward + backward + Adam update on one batch of 32, the same architecture in snnTorch
(``Conv2d``, ``Leaky``, ``AvgPool2d(divisor_override=1)``, ``Flatten``, ``Linear``), both on the same CPU threads,
at two sizes (the classifier above, and 2×34×34 N-MNIST-sized input with 16/32 channels). JAX timings exclude
compilation. Each framework runs in a fresh process with its own defaults (neurosim's host-allocator settings are
process-wide, see ``neurosim/host_memory.py``); the best of ``--rounds`` alternating processes is reported.

With ``--nmnist ROOT`` the same protocol also runs on N-MNIST read from disk (``neurosim.data.NMNIST``, tonic's
folder layout; a subset of ``--per-class`` files per digit; not shipped, so not run by default).

Run:  python benchmarks/vision_cnn.py [--seeds 0 1 2] [--epochs 25] [--threads 2] [--skip-train] [--nmnist ROOT]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys

T, DT_US, BATCH = 30, 10_000, 32


def split_validation(n: int, seed: int, fraction: float = 0.15):
    """Boolean mask of the validation part of a training set of ``n`` samples (drawn per seed)."""
    import numpy as np

    rng = np.random.default_rng(100 + seed)
    is_val = np.zeros(n, bool)
    is_val[rng.permutation(n)[: max(1, int(round(fraction * n)))]] = True
    return is_val


def fit_and_test(in_shape, data, seed: int, lrs, epochs: int, schedules=("constant", "cosine")):
    """Choose the learning rate, its schedule (constant, or cosine decay to zero over ``epochs``) and the stopping
    epoch on the validation part; score the chosen model once on test. ``data`` = ((x_fit, y_fit), (x_val, y_val),
    (x_test, y_test)), batch-first dense event frames."""
    import optax

    import neurosim as ns
    from neurosim.models import spiking_cnn

    (x_fit, y_fit), (x_val, y_val), (x_test, y_test) = data
    steps = epochs * (len(x_fit) // BATCH)
    best = None
    for lr in lrs:
        for schedule in schedules:
            rate = optax.cosine_decay_schedule(lr, max(steps, 1)) if schedule == "cosine" else lr
            net = spiking_cnn(in_shape, 10)
            trainer = ns.Trainer(net, optimizer=optax.adam(rate), readout="mean", batch_size=BATCH, progress=False,
                                 seed=seed)
            stop = ns.EarlyStopping(monitor="val_accuracy", patience=6, restore_best=True)
            trainer.fit(x_fit, y_fit, epochs=epochs, validation_data=(x_val, y_val), callbacks=[stop])
            val = trainer.evaluate(x_val, y_val)["accuracy"]
            if best is None or val > best[0]:
                best = (val, lr, schedule, stop.best_epoch, trainer)
    val, lr, schedule, epoch, trainer = best
    ev = trainer.evaluate(x_test, y_test)
    sparsity = {k: v.sparsity for k, v in ev["activity"].layers.items()
                if v.sparsity is not None and k.startswith("conv")}
    return {"seed": seed, "lr": lr, "schedule": schedule, "epoch": epoch, "val": val, "test": ev["accuracy"],
            "sparsity": sparsity, "trainer": trainer, "activity": ev["activity"]}


def train_one(seed: int, lrs, epochs: int):
    """DVS digits: a per-seed 80/20 picture split; validation drawn from the training part."""
    from neurosim.data import load_vision_digits

    train, test = load_vision_digits(seed=seed)
    is_val = split_validation(len(train), seed)
    fit_part, val_part = train[~is_val], train[is_val]
    data = tuple((d.to_dense(DT_US, T), d.labels) for d in (fit_part, val_part, test))
    return fit_and_test((2, 18, 18), data, seed, lrs, epochs)


def train_nmnist(root, seed: int, lrs, epochs: int, per_class: int, test_per_class: int, dt_us: int = 10_000,
                 steps: int = 30):
    """N-MNIST from a tonic-layout folder (``neurosim.data.NMNIST``): ``per_class`` training files per digit
    (validation drawn from them), ``test_per_class`` files per digit of the Test split, first saccade only,
    ``steps`` bins of ``dt_us``."""
    from neurosim.data import NMNIST

    train = NMNIST(root, train=True, first_saccade_only=True).to_event_dataset(per_class=per_class, seed=seed)
    test = NMNIST(root, train=False, first_saccade_only=True).to_event_dataset(per_class=test_per_class, seed=seed)
    is_val = split_validation(len(train), seed)
    data = tuple((d.to_dense(dt_us, steps), d.labels) for d in (train[~is_val], train[is_val], test))
    return fit_and_test((2, 34, 34), data, seed, lrs, epochs)


def _timed(step, repeats):
    """Median wall time of ``repeats`` calls after one untimed (compiling) call."""
    from train_step import _timed as timed_calls  # benchmarks/train_step.py

    return statistics.median(timed_calls(step, repeats))


def time_neurosim(in_shape, channels, x, y, repeats):
    import jax

    import neurosim as ns
    from neurosim.models import spiking_cnn

    trainer = ns.Trainer(spiking_cnn(in_shape, 10, channels=channels), lr=1e-3, readout="mean", batch_size=BATCH,
                         progress=False)
    # the compiled step takes time-major batches, as snnTorch's loop does: both transposed outside the timed call
    xb, yb = jax.numpy.asarray(x.transpose(1, 0, 2)), jax.numpy.asarray(y)
    state = [trainer.params, trainer.opt_state]
    key = jax.random.PRNGKey(0)

    def one():
        p, o, loss, _, _ = trainer._train_step(state[0], state[1], xb, yb, key)
        jax.block_until_ready(p)
        state[:] = [p, o]

    return _timed(one, repeats)


def time_snntorch(in_shape, channels, x, y, repeats):
    import snntorch as snn
    import torch
    from snntorch import surrogate
    from snntorch import utils as snn_utils

    torch.manual_seed(0)
    grad = surrogate.fast_sigmoid(slope=25)
    mods, c, h = [], in_shape[0], in_shape[1]
    for ch in channels:
        mods += [torch.nn.Conv2d(c, ch, 3, padding=1, bias=False),
                 snn.Leaky(beta=0.9, spike_grad=grad, init_hidden=True),
                 torch.nn.AvgPool2d(2, divisor_override=1)]
        c, h = ch, h // 2
    mods += [torch.nn.Flatten(), torch.nn.Linear(c * h * h, 10),
             snn.Leaky(beta=0.9, spike_grad=grad, init_hidden=True, reset_mechanism="none", output=True)]
    net = torch.nn.Sequential(*mods)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xs = torch.from_numpy(x).transpose(0, 1).reshape(x.shape[1], x.shape[0], *in_shape).contiguous()
    ys = torch.from_numpy(y).long()
    loss_fn = torch.nn.CrossEntropyLoss()

    def one():
        snn_utils.reset(net)
        opt.zero_grad()
        mem_sum = 0
        for t in range(xs.shape[0]):
            _, mem = net(xs[t])
            mem_sum = mem_sum + mem
        loss = loss_fn(mem_sum / xs.shape[0], ys)
        loss.backward()
        opt.step()

    return _timed(one, repeats)


TIMED_SHAPES = (((2, 18, 18), (8, 16)), ((2, 34, 34), (16, 32)))


def _time_in_child(framework: str, index: int, threads: int, repeats: int) -> float:
    """Median train-step seconds of ``framework`` at ``TIMED_SHAPES[index]``, measured in a fresh process: each
    framework runs with its own defaults (neurosim's host-allocator settings, ``neurosim/host_memory.py``, are
    process-wide and would otherwise also apply to PyTorch), and neither inherits the other's threads."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    if framework != "neurosim":
        env["NEUROSIM_HOST_ALLOCATOR"] = "system"
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--time-one", framework, str(index),
                          "--threads", str(threads), "--repeats", str(repeats)],
                         env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def time_one(framework: str, index: int, threads: int, repeats: int) -> float:
    import numpy as np

    in_shape, channels = TIMED_SHAPES[index]
    rng = np.random.default_rng(index)
    x = (rng.random((BATCH, T, int(np.prod(in_shape)))) < 0.06).astype(np.float32)
    y = rng.integers(0, 10, BATCH)
    if framework == "neurosim":
        return time_neurosim(in_shape, channels, x, y, repeats)
    import torch

    torch.set_num_threads(threads)
    return time_snntorch(in_shape, channels, x, y, repeats)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--lrs", type=float, nargs="+", default=[1e-3, 3e-3])
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--skip-train", action="store_true", help="only the train-step timing")
    ap.add_argument("--rounds", type=int, default=2, help="alternating timing processes per framework and size")
    ap.add_argument("--time-one", nargs=2, metavar=("FRAMEWORK", "INDEX"), help=argparse.SUPPRESS)
    ap.add_argument("--nmnist", help="also train on N-MNIST from this folder (tonic's layout: Train/, Test/)")
    ap.add_argument("--per-class", type=int, default=100, help="N-MNIST training files per digit")
    ap.add_argument("--test-per-class", type=int, default=100, help="N-MNIST test files per digit")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    if args.time_one:
        print(json.dumps({"seconds": time_one(args.time_one[0], int(args.time_one[1]), args.threads, args.repeats)}))
        return 0
    import numpy as np

    if not args.skip_train:
        print(f"spiking CNN on DVS digits: T={T} x {DT_US // 1000} ms, lr grid {args.lrs} x (constant, cosine), up to "
              f"{args.epochs} epochs, chosen on a validation split of the training part")
        runs = []
        for s in args.seeds:
            r = train_one(s, args.lrs, args.epochs)
            runs.append(r)
            sp = ", ".join(f"{k} {v:.1%}" for k, v in r["sparsity"].items())
            print(f"  seed {s}: lr {r['lr']:g} ({r['schedule']}), best epoch {r['epoch'] + 1}, val {r['val']:.1%}, "
                  f"test {r['test']:.1%}; sparsity {sp}")
        acc = np.array([r["test"] for r in runs])
        sps = {k: np.array([r["sparsity"][k] for r in runs]) for k in runs[0]["sparsity"]}
        print(f"held-out accuracy: {acc.mean():.1%} ± {acc.std(ddof=1) if len(acc) > 1 else 0:.1%} "
              f"over {len(acc)} seeds (target >= 95 %)")
        print("activity sparsity: " + ", ".join(f"{k} {v.mean():.1%} ± {v.std(ddof=1) if len(v) > 1 else 0:.1%}"
                                                 for k, v in sps.items()))
    if args.nmnist:
        runs = [train_nmnist(args.nmnist, s, args.lrs, args.epochs, args.per_class, args.test_per_class)
                for s in args.seeds]
        acc = np.array([r["test"] for r in runs])
        print(f"N-MNIST ({args.per_class}/digit train, {args.test_per_class}/digit test, first saccade, 30 x 10 ms): "
              f"{acc.mean():.1%} ± {acc.std(ddof=1) if len(acc) > 1 else 0:.1%} over {len(acc)} seeds")
    print(f"train step (forward + backward + Adam), batch {BATCH}, T={T}, {args.threads} CPU threads, median of "
          f"{args.repeats} per process, best of {args.rounds} alternating processes per framework:")
    have_torch = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("snntorch") is not None
    for index, (in_shape, channels) in enumerate(TIMED_SHAPES):
        best = {}
        for _ in range(args.rounds):
            for fw in ("neurosim", "snntorch") if have_torch else ("neurosim",):
                t = _time_in_child(fw, index, args.threads, args.repeats)
                best[fw] = min(best.get(fw, t), t)
        line = f"  input {in_shape}, channels {channels}: neurosim {best['neurosim'] * 1e3:7.1f} ms"
        if have_torch:
            line += (f", snnTorch {best['snntorch'] * 1e3:7.1f} ms, "
                     f"speed-up {best['snntorch'] / best['neurosim']:.2f}x")
        print(line, flush=True)
    if not have_torch:
        print("snnTorch not installed (pip install 'neurosim[torch]'); no comparison")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
