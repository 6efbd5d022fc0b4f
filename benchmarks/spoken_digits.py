"""Spoken digits, speaker-independent: EGRU vs dense GRU vs recurrent LIF SNN of the same size, leave one speaker
out over the five FSDD speakers, nothing chosen on the test speaker.

Protocol (``--protocol loso``, the default; ``neurosim.data.leave_one_group_out``): for each of the 5 speakers in
turn as the test speaker, a validation speaker is drawn (seeded) from the 4 training speakers. Every candidate
recipe of the grid (``--lrs``: the peak learning rate of a cosine schedule) is trained on the other 3 speakers and
scored on the validation speaker; the best is retrained on all 4 training speakers, once per seed (``--seeds``),
and scored once on the test speaker. Reported per fold and as mean ± s.d. over folds × seeds (and the s.d. of
the fold means): test accuracy, activity sparsity of the recurrent layer, worst vs best fold.
``--protocol single --test-speaker S`` trains once on the other four (no selection; for quick checks only).

Inputs: 64 cochlear channels binned at 10 ms (log(1 + event count)), T = 80 steps. ``--front-end log`` is the
shipped encoding (global log compression, ``spoken_digits.h5``); ``--front-end pcen`` re-encodes the WAVs of
``--wav-folder`` (default ``../shared/data/fsdd``) through the cochlea with per-channel automatic gain control
(PCEN). Training-time augmentation (``--augment shift``, default): random shifts of the channel axis by up to ±3
(a crude vocal-tract-length perturbation) and random time shifts; ``--augment strong`` adds tempo perturbation
(±15 %) and SpecAugment-style band/frame masking (``neurosim.data.augment.speaker_augment``); ``--augment none``
switches it off.

``--adapt speaker`` normalises every speaker's channels by that speaker's own statistics before anything else
(``neurosim.data.normalize_groups``: per-channel mean and deviation over the active frames of all of that speaker's
recordings, no labels). It is unsupervised adaptation and, for the held-out speaker, transductive: its statistics
come from its own unlabelled test recordings, as a deployed device would gather them from a user's utterances.
Reported apart from the speaker-independent rows.

Run:  python benchmarks/spoken_digits.py [--protocol loso] [--models egru gru lif] [--hidden 128] [--epochs 15]
          [--seeds 0 1] [--lrs 0.001 0.003] [--front-end log|pcen] [--adapt none|speaker] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

T, DT_US = 80, 10_000
SHARED_FSDD = Path(__file__).resolve().parents[2] / "shared" / "data" / "fsdd"


def augment(x, rng, recipe="shift"):
    from neurosim.data.augment import shift_channels_and_time, speaker_augment

    if recipe == "strong":
        return speaker_augment(x, rng)
    return shift_channels_and_time(x, rng, max_shift=3)


def load_dataset(front_end: str, wav_folder: Path):
    """The five-speaker FSDD set as an EventDataset (groups = speakers)."""
    from neurosim.data import Cochlea, load_event_dataset, load_wav_folder
    from neurosim.data.datasets import EMBEDDED

    if front_end == "log":
        return load_event_dataset(EMBEDDED / "spoken_digits.h5")
    if not wav_folder.is_dir():
        raise SystemExit(f"--front-end pcen re-encodes the recordings: {wav_folder} not found (--wav-folder)")
    return load_wav_folder(wav_folder, cochlea=Cochlea(8000, 64, agc="pcen"), progress=True)


def build(name: str, H: int):
    import neurosim as ns
    from neurosim.models import EGRU, GRU

    core = {
        "egru": lambda: EGRU(64, H, threshold_mean=-1.5, zoneout=0.05, activity_weight=1.0, activity_target=0.04),
        "gru": lambda: GRU(64, H, zoneout=0.05),
        "lif": lambda: ns.Layer(ns.Dense(64, H), ns.LIF(H, beta=0.9, v_th=1.0),
                                recurrent=ns.Dense(H, H, bias=False, scale=0.5)),
    }[name]()
    return ns.Sequential([core, ns.Layer(ns.Dense(H, 10), ns.LI(10, beta=0.9))])


def train_and_score(name, H, lr, epochs, seed, xtr, ytr, xev, yev, recipe: str):
    """Train one model; (accuracy, activity sparsity of the recurrent layer) on (xev, yev)."""
    import numpy as np
    import optax

    import neurosim as ns

    rng = np.random.default_rng(seed)
    sched = optax.cosine_decay_schedule(lr, epochs * (len(ytr) // 32))
    tr = ns.Trainer(build(name, H), optimizer=optax.adam(sched), readout="mean", batch_size=32, seed=seed,
                    progress=False)
    for _ in range(epochs):
        tr.fit(augment(xtr, rng, recipe) if recipe != "none" else xtr, ytr, epochs=1)
    ev = tr.evaluate(xev, yev)
    return float(ev["accuracy"]), float(ev["activity"].layers["layer0"].sparsity)


def run_loso(args, ds, x, y):
    import numpy as np

    from neurosim.data import leave_one_group_out
    from neurosim.data.splits import mean_sd

    folds = leave_one_group_out(ds.groups, seed=0)
    results = {}
    for name in args.models:
        rows = []
        for fold in folds:
            t0 = time.perf_counter()
            val = {}
            for lr in args.lrs:  # choose on the validation speaker (seed of the first run)
                val[lr] = train_and_score(name, args.hidden, lr, args.epochs, args.seeds[0], x[fold.fit],
                                          y[fold.fit], x[fold.validation], y[fold.validation], args.augment)
            lr = max(args.lrs, key=lambda v: (val[v][0], -v))
            for seed in args.seeds:
                acc, sp = train_and_score(name, args.hidden, lr, args.epochs, seed, x[fold.train], y[fold.train],
                                          x[fold.test], y[fold.test], args.augment)
                rows.append({"test_speaker": fold.test_group, "validation_speaker": fold.validation_group,
                             "lr": lr, "validation_accuracy": {str(k): v[0] for k, v in val.items()},
                             "seed": seed, "accuracy": acc, "sparsity": sp})
                print(f"  {name:5s} test {fold.test_group:8s} (val {fold.validation_group:8s}: lr {lr:g} chosen, "
                      + ", ".join(f"{k:g} -> {v[0]:.3f}" for k, v in val.items())
                      + f") seed {seed}: accuracy {acc:.3f}, sparsity {sp:.3f}", flush=True)
            print(f"        fold time {time.perf_counter() - t0:.0f} s", flush=True)
        acc = [r["accuracy"] for r in rows]
        sp = [r["sparsity"] for r in rows]
        fold_means = {f.test_group: float(np.mean([r["accuracy"] for r in rows if r["test_speaker"] == f.test_group]))
                      for f in folds}
        m, s = mean_sd(acc)
        fm, fs = mean_sd(list(fold_means.values()))
        spm, sps = mean_sd(sp)
        worst = min(fold_means, key=fold_means.get)
        best = max(fold_means, key=fold_means.get)
        results[name] = {"rows": rows, "accuracy_mean": m, "accuracy_sd": s, "fold_means": fold_means,
                         "fold_sd": fs, "sparsity_mean": spm, "sparsity_sd": sps, "worst": worst, "best": best}
        print(f"{name:5s}: accuracy {100 * m:.1f} % ± {100 * s:.1f} over {len(folds)} folds x {len(args.seeds)} "
              f"seeds (fold means s.d. {100 * fs:.1f}); sparsity {100 * spm:.1f} % ± {100 * sps:.1f}; worst fold "
              f"{worst} {100 * fold_means[worst]:.1f} %, best {best} {100 * fold_means[best]:.1f} % "
              f"(spread {100 * (fold_means[best] - fold_means[worst]):.1f} points)", flush=True)
    if "egru" in results and "gru" in results:
        d = results["egru"]["accuracy_mean"] - results["gru"]["accuracy_mean"]
        print(f"EGRU - GRU (same size, same folds and seeds): {100 * d:+.1f} points at "
              f"{100 * results['egru']['sparsity_mean']:.1f} % EGRU activity sparsity")
    return results


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--protocol", choices=("loso", "single"), default="loso")
    ap.add_argument("--test-speaker", default="theo", help="--protocol single only")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--models", nargs="+", default=["egru", "gru", "lif"], choices=("egru", "gru", "lif"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--lrs", type=float, nargs="+", default=[1e-3, 3e-3])
    ap.add_argument("--front-end", choices=("log", "pcen"), default="log")
    ap.add_argument("--wav-folder", type=Path, default=SHARED_FSDD)
    ap.add_argument("--augment", choices=("shift", "strong", "none"), default="shift")
    ap.add_argument("--adapt", choices=("none", "speaker"), default="none",
                    help="speaker: normalise each speaker's channels by its own unlabelled recordings (see above)")
    ap.add_argument("--json", help="write the per-fold results as JSON (atomically)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import numpy as np

    ds = load_dataset(args.front_end, args.wav_folder)
    x = np.log1p(ds.to_dense(DT_US, T, binary=False))
    if args.adapt == "speaker":
        from neurosim.data import normalize_groups

        x = normalize_groups(x, ds.groups)
    y = ds.labels.astype(np.int32)
    print(f"{len(y)} recordings, speakers {sorted(set(ds.groups.tolist()))}; input (T={T}, 64 channels, 10 ms "
          f"bins), front end {args.front_end}, augmentation {args.augment}, adaptation {args.adapt}, H = {args.hidden}, "
          f"{args.epochs} epochs")
    if args.protocol == "single":
        test = ds.groups == args.test_speaker
        results = {}
        for name in args.models:
            acc, sp = train_and_score(name, args.hidden, args.lrs[-1], args.epochs, args.seeds[0], x[~test],
                                      y[~test], x[test], y[test], args.augment)
            results[name] = {"accuracy": acc, "sparsity": sp}
            print(f"{name:5s}: test accuracy {acc:.3f} on {args.test_speaker}, activity sparsity {sp:.3f} "
                  "(single split, no selection: not a reported figure)")
    else:
        results = run_loso(args, ds, x, y)
    if args.json:
        from neurosim.io.atomic import write_text

        write_text(args.json, json.dumps({"args": {k: (str(v) if isinstance(v, Path) else v)
                                                   for k, v in vars(args).items()}, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
