"""Zero-shot audio<->vision retrieval with two LSM encoders and CLIP-style projection heads (Lin et al. 2025 setup).

Vision: the embedded DVS digits (18x18x2 = 648 channels, 10 ms bins, T = 30) through a 400-neuron RRAM-weight LSM.
Audio, one of two modalities (``--audio``):

* ``speech`` — the embedded spoken digits (64 cochlear channels, 5 ms bins, T = 120). Training audio: speakers
  george/jackson/lucas/nicolas; test queries: the held-out speaker theo. Nothing links how a digit sounds to how
  it looks.
* ``soundscape`` — the same digit images heard through a vOICe sensory-substitution code (rows -> pitch,
  columns -> time; neurosim.data.soundscape) and the same cochlea (10 ms bins, T = 100). The link between the
  modalities is a fixed physical code, as between a camera and the soundscape a blind vOICe user hears. Train
  and test use the vision split's images; at test, audio queries and vision gallery come from disjoint halves
  of the test images (so no query is the picture it retrieves).

Both through a second 400-neuron RRAM-weight LSM; features: square-root spike rates. Two projection heads (FC +
GELU, 64-d) are trained with the symmetric InfoNCE loss on pairs of the *seen* digits only: ``--pairing class``
(the paper's: an audio and a vision sample of the same digit, drawn independently; one pair per class per
batch) or ``--pairing instance`` (CLIP's, soundscape only: the sound and the DVS recording of the same picture;
batches of 64). A query of an *unseen* digit retrieves the class prototype (mean embedding in the other
modality) among the unseen classes; chance = 1/(number of unseen classes).

``--paper-selection`` also reports the checkpoint rule of the MemristorLSM script LSM-CLIP-ATV/zero_shot_sim.py:
it evaluates seen and unseen classes after every epoch, keeps only checkpoints that pass both gates (unseen-class
top-1 >= 85 % and seen-class top-1 >= 65 %), and among those saves the one with the best seen-class accuracy. The
unseen gate is model selection on the test classes; the number the rule gives (the unseen accuracy of the selected
checkpoint, over 100 checkpoints here, or "none" when no checkpoint passes, i.e. the script would save nothing) is
shown beside the honest one (the heads after the last step), with the best unseen accuracy of any checkpoint as an
upper bound of what selection on the test classes can add.

``--paper``: the paper's own setting (MemristorLSM scripts, ``../shared/reference/rram-lsm-imc.md`` §1.2-1.3), with the
shipped spoken digits and DVS digits standing in for N-TIDIGITS and N-MNIST: 200-neuron reservoirs with the
scripts' constants (audio: decay 0.97, threshold 5.3, weight constant 0.1, 64 channels, 129 steps; vision: decay
0.9, threshold 5.0, constant 0.3, the 16x16 centre crop of one polarity, 50 steps), fully connected zero-mean
random weights (no Dale's law; weights = constant x unit-variance draws), hard reset, spike-rate features; seen
digits 1-7, unseen 8 and 9 (0 unused); fixed index pairs (the k-th audio and k-th vision training sample of each
seen digit) in shuffled InfoNCE batches of 16, one FC + GELU head per modality (dim 64, temperature 1, Adam 1e-3,
100 epochs); per-sample nearest-neighbour retrieval, audio query -> vision gallery. Reported at the last epoch
and under the script's checkpoint rule, for RRAM (formed) and Gaussian (software) weights, over ``--seeds``.

Run:  python benchmarks/lsm_zero_shot.py [--audio speech|soundscape] [--pairing class|instance]
                                       [--unseen 8 9 | --rotate] [--seeds 20] [--paper-selection]
      python benchmarks/lsm_zero_shot.py --paper [--seeds 10]
"""

from __future__ import annotations

import argparse
import os
import time

SPEECH = dict(dt_us=5000, steps=120, beta=0.95)
SOUNDSCAPE = dict(dt_us=10000, steps=100, beta=0.95)
VISION = dict(dt_us=10000, steps=30, beta=0.9)


def soundscape_inputs(cache_dir=None):
    """Dense inputs (N, T, 64) and labels of the soundscapes of all 1,797 pictures, in picture order. Making them
    takes ~70 s; with ``cache_dir`` they are kept in a dataset cache (neurosim.data.cache) whose name carries a
    hash of the code that makes them (soundscape, cochlea, pictures), so a changed encoder is never read stale."""
    import hashlib
    import importlib
    from pathlib import Path

    from neurosim.data.cache import load_cache, save_cache
    from neurosim.data.datasets import load_soundscape_digits

    dt_us, steps = SOUNDSCAPE["dt_us"], SOUNDSCAPE["steps"]
    path = None
    if cache_dir is not None:
        code = b"".join(Path(importlib.import_module(f"neurosim.data.{m}").__file__).read_bytes()
                        for m in ("soundscape", "cochlea", "digit_images"))  # (the package re-binds the names)
        path = Path(cache_dir) / f"soundscape_digits_{dt_us}us_{steps}_{hashlib.sha1(code).hexdigest()[:10]}.h5"
        if path.exists():
            x, y, _, _ = load_cache(path)
            return x, y
    sounds = load_soundscape_digits(progress=True)
    x = sounds.to_dense(dt_us, steps, binary=False)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_cache(path, x, sounds.labels, meta={"source": "load_soundscape_digits", "dt_us": dt_us, "steps": steps})
    return x, sounds.labels


def modalities(audio: str, cache_dir=None):
    """Dense inputs and labels: dict of ``a_train, a_test, v_train, v_test`` -> (x (N, T, C), y)."""
    import numpy as np

    from neurosim.data.datasets import load_spoken_digits, load_vision_digits

    vtr, vte = load_vision_digits(test_fraction=0.3, seed=0)
    xv_tr, xv_te = (ds.to_dense(VISION["dt_us"], VISION["steps"], binary=False) for ds in (vtr, vte))
    if audio == "speech":
        atr, ate = load_spoken_digits(test_speakers=("theo",))
        xa_tr, xa_te = (ds.to_dense(SPEECH["dt_us"], SPEECH["steps"], binary=False) for ds in (atr, ate))
        return {"a_train": (xa_tr, atr.labels), "a_test": (xa_te, ate.labels),
                "v_train": (xv_tr, vtr.labels), "v_test": (xv_te, vte.labels)}
    # soundscape: the pictures behind the vision split (groups = picture index), row for row
    xs, ys = soundscape_inputs(cache_dir)
    idx_tr, idx_te = vtr.groups, vte.groups
    # disjoint halves of the test pictures: audio queries/gallery from one, vision from the other
    half = np.arange(len(idx_te)) % 2 == 0
    return {"a_train": (xs[idx_tr], ys[idx_tr]), "a_test": (xs[idx_te[half]], ys[idx_te[half]]),
            "v_train": (xv_tr, vtr.labels), "v_test": (xv_te[~half], vte.labels[~half])}


def encode(data: dict, audio: str, seed: int, n_res: int = 400, weights: str = "rram-forming-random"):
    """LSM features (square-root rates) of every split, for one pair of reservoir seeds."""
    import jax
    import numpy as np

    from neurosim.models.lsm import LiquidStateMachine

    cfg = SPEECH if audio == "speech" else SOUNDSCAPE
    n_v = data["v_train"][0].shape[-1]
    lsm_a = LiquidStateMachine(64, n_res, weights=weights, in_gain=2.0, beta=cfg["beta"], dt=cfg["dt_us"] / 1000,
                               seed=seed)
    lsm_v = LiquidStateMachine(n_v, n_res, weights=weights, in_gain=2.0, beta=VISION["beta"], p_in=0.1, dt=10.0,
                               seed=seed + 100)
    pa, pv = lsm_a.init(jax.random.PRNGKey(seed)), lsm_v.init(jax.random.PRNGKey(seed + 100))
    out = {}
    for name, (x, y) in data.items():
        lsm, p = (lsm_a, pa) if name.startswith("a_") else (lsm_v, pv)
        out[name] = (np.asarray(lsm.features(p, np.swapaxes(x, 0, 1), "rates", power=0.5)), np.asarray(y))
    return out


def run_split(f, unseen, seed, args):
    """(audio->vision, vision->audio, seen audio->vision, paper-selected audio->vision or nan) for one seed."""
    import jax
    import numpy as np

    from neurosim.models.contrastive import train_clip, zero_shot_top1

    seen = np.setdiff1d(np.arange(10), unseen)
    (fa, ya), (fa_te, ya_te) = f["a_train"], f["a_test"]
    (fv, yv), (fv_te, yv_te) = f["v_train"], f["v_test"]
    ma, mv = np.isin(ya, seen), np.isin(yv, seen)
    curve = []

    def score(step, params, scales):
        curve.append((zero_shot_top1(params, scales, fa_te, ya_te, fv_te, yv_te, unseen, direction="a->b",
                                     center=args.center),
                      zero_shot_top1(params, scales, fa_te, ya_te, fv_te, yv_te, seen, direction="a->b")))

    params, scales, losses = train_clip(fa[ma], ya[ma], fv[mv], yv[mv], dim=args.dim, steps=args.steps,
                                        pairs_per_class=4, pairing=args.pairing, batch_size=64,
                                        key=jax.random.PRNGKey(seed),
                                        callback=score if args.paper_selection else None,
                                        every=max(1, args.steps // 100) if args.paper_selection else None)
    a2v = zero_shot_top1(params, scales, fa_te, ya_te, fv_te, yv_te, unseen, direction="a->b", center=args.center)
    v2a = zero_shot_top1(params, scales, fa_te, ya_te, fv_te, yv_te, unseen, direction="b->a", center=args.center)
    seen_a2v = zero_shot_top1(params, scales, fa_te, ya_te, fv_te, yv_te, seen, direction="a->b")
    return a2v, v2a, seen_a2v, paper_rule(curve), losses


def paper_rule(curve, unseen_gate: float = 0.85, seen_gate: float = 0.65):
    """(unseen accuracy of the checkpoint the paper script saves, or nan if none passes both gates; best unseen
    accuracy of any checkpoint) from ``curve`` = [(unseen, seen) per checkpoint]."""
    if not curve:
        return float("nan"), float("nan")
    passing = [(s, u) for u, s in curve if u >= unseen_gate and s >= seen_gate]
    chosen = max(passing)[1] if passing else float("nan")
    return chosen, max(u for u, _ in curve)

PAPER = {"audio": dict(dt_us=8000, steps=129, decay=0.97, v_th=5.3, const=0.1),
         "vision": dict(dt_us=6000, steps=50, decay=0.9, v_th=5.0, const=0.3)}


def paper_inputs():
    """Binary spike inputs of the paper mode: audio (N, 129, 64) of the spoken digits (held-out speaker theo as
    the test split), vision (N, 50, 256): the 16x16 centre crop of polarity 0 of the DVS digits."""
    from neurosim.data.datasets import load_spoken_digits, load_vision_digits

    atr, ate = load_spoken_digits(test_speakers=("theo",))
    vtr, vte = load_vision_digits(test_fraction=0.3, seed=0)
    a, v = PAPER["audio"], PAPER["vision"]
    out = {}
    for name, ds in (("a_train", atr), ("a_test", ate)):
        out[name] = (ds.to_dense(a["dt_us"], a["steps"], binary=True), ds.labels)
    for name, ds in (("v_train", vtr), ("v_test", vte)):
        x = ds.to_dense(v["dt_us"], v["steps"], binary=True)          # (N, T, 2*18*18), channels (p, y, x)
        x = x.reshape(x.shape[:2] + (2, 18, 18))[:, :, 0, 1:17, 1:17]  # polarity 0, centre 16x16
        out[name] = (x.reshape(x.shape[:2] + (256,)), ds.labels)
    return out


def paper_encode(data, seed: int, weights: str):
    """Rate features of both paper reservoirs (200 neurons, dense zero-mean weights = const x unit variance)."""
    import jax
    import numpy as np

    from neurosim.models.lsm import LiquidStateMachine

    def lsm(n_in, cfg, s):
        return LiquidStateMachine(n_in, 200, connectivity="random", p_rec=1.0, p_in=1.0, dale=False,
                                  in_gain=cfg["const"] * np.sqrt(n_in), rec_gain=cfg["const"] * np.sqrt(199),
                                  beta=cfg["decay"], v_th=cfg["v_th"], weights=weights, seed=s)

    la, lv = lsm(64, PAPER["audio"], seed), lsm(256, PAPER["vision"], seed + 100)
    pa, pv = la.init(jax.random.PRNGKey(seed)), lv.init(jax.random.PRNGKey(seed + 100))
    out, rates = {}, {}
    for name, (x, y) in data.items():
        m, p = (la, pa) if name.startswith("a_") else (lv, pv)
        f = np.asarray(m.features(p, np.swapaxes(x, 0, 1), "rates", power=1.0))
        out[name] = (f, np.asarray(y))
        rates[name[0]] = float(f.mean())
    return out, rates


def index_pairs(ya, yb, classes):
    """Fixed index pairs: the k-th sample of modality a and the k-th of b for each class, k < both counts."""
    import numpy as np

    ia, ib = [], []
    for c in classes:
        a, b = np.flatnonzero(ya == c), np.flatnonzero(yb == c)
        n = min(len(a), len(b))
        ia.append(a[:n])
        ib.append(b[:n])
    return np.concatenate(ia), np.concatenate(ib)


def run_paper(args):
    import jax
    import numpy as np

    from neurosim.models.contrastive import train_clip, zero_shot_top1

    seen, unseen = np.arange(1, 8), np.array([8, 9])
    t0 = time.perf_counter()
    data = paper_inputs()
    print(f"paper mode: inputs ready in {time.perf_counter() - t0:.0f} s; seen digits {seen.tolist()}, unseen "
          f"{unseen.tolist()}; audio test speaker theo", flush=True)
    rows = {w: [] for w in ("rram-forming-random", "gaussian")}
    for seed in range(args.seeds):
        for weights in rows:
            t1 = time.perf_counter()
            f, rates = paper_encode(data, seed, weights)
            (fa, ya), (fa_te, ya_te) = f["a_train"], f["a_test"]
            (fv, yv), (fv_te, yv_te) = f["v_train"], f["v_test"]
            ia, iv = index_pairs(ya, yv, seen)
            n_pairs = len(ia)
            per_epoch = max(1, n_pairs // 16)
            curve = []
            qu, gu = np.isin(ya_te, unseen), np.isin(yv_te, unseen)
            chance = float(np.mean([np.mean(yv_te[gu] == c) for c in ya_te[qu]]))

            def score(step, params, scales):
                curve.append(tuple(zero_shot_top1(params, scales, fa_te, ya_te, fv_te, yv_te, cls, match="nearest")
                                   for cls in (unseen, seen)))

            params, scales, losses = train_clip(fa[ia], ya[ia], fv[iv], yv[iv], dim=64, temperature=1.0, lr=1e-3,
                                                steps=100 * per_epoch, pairing="instance", batch_size=16,
                                                key=jax.random.PRNGKey(seed), callback=score, every=per_epoch)
            last_u, last_s = curve[-1]
            chosen, best = paper_rule(curve)
            rows[weights].append((last_u, last_s, chosen, best, chance))
            print(f"seed {seed} {weights:19s}: rates audio {rates['a']:.3f} vision {rates['v']:.3f} spikes/step/"
                  f"neuron; {n_pairs} pairs; last epoch unseen {last_u:.3f} (chance {chance:.3f}), seen {last_s:.3f};"
                  f" checkpoint rule {'none passes' if chosen != chosen else f'{chosen:.3f}'}, best unseen "
                  f"{best:.3f}  [{time.perf_counter() - t1:.0f} s]", flush=True)
    print(f"\npaper mode, audio -> vision per-sample nearest-neighbour top-1, {args.seeds} seeds (mean +- s.d.):")
    for weights, r in rows.items():
        r = np.asarray(r)
        ok = ~np.isnan(r[:, 2])
        rule = (f"{ok.sum()} of {len(r)} seeds pass the gates" + (f", unseen {np.nanmean(r[:, 2]):.3f} +- "
                                                                  f"{np.nanstd(r[:, 2]):.3f}" if ok.any() else ""))
        print(f"  {weights:19s}: last epoch unseen {r[:, 0].mean():.3f} +- {r[:, 0].std():.3f}, seen "
              f"{r[:, 1].mean():.3f} +- {r[:, 1].std():.3f}; checkpoint rule: {rule}; best unseen of any epoch "
              f"{r[:, 3].mean():.3f} +- {r[:, 3].std():.3f}; chance {r[:, 4].mean():.3f} (unseen), "
              f"{1 / len(seen):.3f} (seen, 7 classes)")
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--audio", choices=("speech", "soundscape"), default="speech")
    ap.add_argument("--pairing", choices=("class", "instance"), default="class",
                    help="training pairs: same digit (paper) or same picture (CLIP; soundscape audio only)")
    ap.add_argument("--unseen", type=int, nargs="+", default=[8, 9])
    ap.add_argument("--rotate", action="store_true",
                    help="hold out each digit pair {0,1}, {2,3}, ..., {8,9} in turn (overrides --unseen)")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--center", action="store_true", help="centre query and gallery embeddings (hubness reduction)")
    ap.add_argument("--paper-selection", action="store_true",
                    help="also report the paper script's checkpoint rule (gates: unseen >= 85 %%, seen >= 65 %%; best "
                         "seen among those) over 100 checkpoints")
    ap.add_argument("--cache", default=None, help="directory to cache the dense soundscape inputs in")
    ap.add_argument("--paper", action="store_true", help="the paper's own setting (see the module docstring)")
    args = ap.parse_args(argv)
    if args.paper:
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
        return run_paper(args)
    if args.pairing == "instance" and args.audio == "speech":
        ap.error("--pairing instance needs --audio soundscape: a recording of speech has no picture of its own")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import numpy as np

    from neurosim.models.readouts import fit_ridge

    splits = [np.array([d, d + 1]) for d in range(0, 10, 2)] if args.rotate else [np.asarray(args.unseen)]
    t0 = time.perf_counter()
    data = modalities(args.audio, args.cache)
    print(f"audio modality: {args.audio}; inputs ready in {time.perf_counter() - t0:.0f} s", flush=True)
    res = {tuple(u.tolist()): [] for u in splits}
    for seed in range(args.seeds):
        t0 = time.perf_counter()
        f = encode(data, args.audio, seed)
        acc_a = fit_ridge(*f["a_train"], alpha=10.0).accuracy(*f["a_test"])
        acc_v = fit_ridge(*f["v_train"], alpha=10.0).accuracy(*f["v_test"])
        for unseen in splits:
            a2v, v2a, seen_a2v, sel, losses = run_split(f, unseen, seed, args)
            res[tuple(unseen.tolist())].append((a2v, v2a, seen_a2v, sel))
            extra = ""
            if args.paper_selection:
                extra = (f"; paper's checkpoint rule {'none passes the gates' if sel[0] != sel[0] else f'{sel[0]:.3f}'}"
                         f", best unseen of any checkpoint {sel[1]:.3f}")
            print(f"seed {seed} unseen {unseen.tolist()}: encoders (10-class ridge) audio {acc_a:.3f}, vision "
                  f"{acc_v:.3f}; InfoNCE {losses[:50].mean():.3f} -> {losses[-50:].mean():.3f}; zero-shot top-1 "
                  f"audio->vision {a2v:.3f}, vision->audio {v2a:.3f} (chance {1 / len(unseen):.3f}); seen-class "
                  f"audio->vision {seen_a2v:.3f}{extra}  [{time.perf_counter() - t0:.0f} s]", flush=True)
    print(f"\nzero-shot top-1 ({args.audio} audio, {args.pairing} pairing, RRAM LSM encoders, {args.seeds} seeds, "
          "mean +- s.d. over seeds):")
    for unseen, rows in res.items():
        r = np.asarray([row[:3] for row in rows])
        n_seen = 10 - len(unseen)
        sel = ""
        if args.paper_selection:
            chosen = np.asarray([row[3][0] for row in rows])
            best = np.asarray([row[3][1] for row in rows])
            ok = ~np.isnan(chosen)
            sel = (f"; paper's checkpoint rule: {ok.sum()} of {len(rows)} seeds save a checkpoint"
                   + (f" (unseen {chosen[ok].mean():.3f} +- {chosen[ok].std():.3f})" if ok.any() else "")
                   + f"; best unseen of any checkpoint {best.mean():.3f} +- {best.std():.3f}")
        print(f"  unseen {list(unseen)}: audio->vision {r[:, 0].mean():.3f} +- {r[:, 0].std():.3f}, "
              f"vision->audio {r[:, 1].mean():.3f} +- {r[:, 1].std():.3f} (chance {1 / len(unseen):.3f}); "
              f"seen audio->vision {r[:, 2].mean():.3f} (chance {1 / n_seen:.3f}){sel}")
    if len(res) > 1:
        r = np.concatenate([np.asarray([row[:3] for row in v]) for v in res.values()])
        print(f"  all splits: audio->vision {r[:, 0].mean():.3f}, vision->audio {r[:, 1].mean():.3f}")


if __name__ == "__main__":
    main()
