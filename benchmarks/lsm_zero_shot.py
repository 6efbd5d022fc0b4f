"""Zero-shot audio<->vision retrieval with two LSM encoders and CLIP-style projection heads (Lin et al. 2025 setup).

Audio: the embedded spoken digits (64 cochlear channels, 5 ms bins, T = 120) through a 400-neuron RRAM-weight LSM;
vision: the embedded DVS digits (18x18x2 = 648 channels, 10 ms bins, T = 30) through a second 400-neuron
RRAM-weight LSM. Features: square-root spike rates. Two projection heads (FC + GELU, 64-d) are trained with the
symmetric InfoNCE loss on class-matched pairs from the *seen* digits only (audio: speakers george/jackson/lucas/
nicolas; vision: the training split). Evaluation on the *unseen* digits: audio queries from the held-out speaker
theo retrieve the class prototype (mean embedding of the vision test split) among the unseen classes, and vision
queries retrieve audio prototypes. Chance = 1/(number of unseen classes).

Run:  python benchmarks/lsm_zero_shot.py [--unseen 7 8 9] [--seeds 3]
"""

from __future__ import annotations

import argparse
import os
import time


def encode(seed: int, n_res: int = 400, weights: str = "rram-forming-random"):
    """(audio train/test features+labels, vision train/test features+labels) for one reservoir seed."""
    import jax
    import numpy as np

    from neurosim.data.datasets import load_spoken_digits, load_vision_digits
    from neurosim.models.lsm import LiquidStateMachine

    atr, ate = load_spoken_digits(test_speakers=("theo",))
    vtr, vte = load_vision_digits(test_fraction=0.3, seed=0)
    out = {}
    lsm_a = LiquidStateMachine(64, n_res, weights=weights, in_gain=2.0, beta=0.95, dt=5.0, seed=seed)
    lsm_v = LiquidStateMachine(vtr.n_channels, n_res, weights=weights, in_gain=2.0, beta=0.9, p_in=0.1, dt=10.0,
                               seed=seed + 100)
    pa = lsm_a.init(jax.random.PRNGKey(seed))
    pv = lsm_v.init(jax.random.PRNGKey(seed + 100))
    for name, ds, lsm, p, dt_us, T in (("a_train", atr, lsm_a, pa, 5000, 120), ("a_test", ate, lsm_a, pa, 5000, 120),
                                       ("v_train", vtr, lsm_v, pv, 10000, 30), ("v_test", vte, lsm_v, pv, 10000, 30)):
        x = np.swapaxes(ds.to_dense(dt_us, T, binary=False), 0, 1)
        out[name] = (np.asarray(lsm.features(p, x, "rates", power=0.5)), np.asarray(ds.labels))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unseen", type=int, nargs="+", default=[7, 8, 9])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--center", action="store_true", help="centre query and gallery embeddings (hubness reduction)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import numpy as np

    from neurosim.models.contrastive import train_clip, zero_shot_top1
    from neurosim.models.readouts import fit_ridge

    unseen = np.asarray(args.unseen)
    seen = np.setdiff1d(np.arange(10), unseen)
    chance = 1.0 / len(unseen)
    print(f"seen classes {seen.tolist()}, unseen {unseen.tolist()}; chance {chance:.3f}")
    res = []
    for seed in range(args.seeds):
        t0 = time.perf_counter()
        f = encode(seed)
        (fa, ya), (fa_te, ya_te) = f["a_train"], f["a_test"]
        (fv, yv), (fv_te, yv_te) = f["v_train"], f["v_test"]
        # sanity: supervised ridge accuracy of each encoder on all 10 classes
        acc_a = fit_ridge(fa, ya, alpha=10.0).accuracy(fa_te, ya_te)
        acc_v = fit_ridge(fv, yv, alpha=10.0).accuracy(fv_te, yv_te)
        ma, mv = np.isin(ya, seen), np.isin(yv, seen)
        params, scales, losses = train_clip(fa[ma], ya[ma], fv[mv], yv[mv], dim=args.dim, steps=args.steps,
                                            pairs_per_class=4, key=jax.random.PRNGKey(seed))
        a2v = zero_shot_top1(params, scales, fa_te, ya_te, fv_te, yv_te, unseen, direction="a->b", center=args.center)
        v2a = zero_shot_top1(params, scales, fa_te, ya_te, fv_te, yv_te, unseen, direction="b->a", center=args.center)
        seen_a2v = zero_shot_top1(params, scales, fa_te, ya_te, fv_te, yv_te, seen, direction="a->b")
        res.append((a2v, v2a, seen_a2v))
        print(f"seed {seed}: encoders (10-class ridge) audio {acc_a:.3f}, vision {acc_v:.3f}; InfoNCE "
              f"{losses[:50].mean():.3f} -> {losses[-50:].mean():.3f}; zero-shot top-1 audio->vision {a2v:.3f}, "
              f"vision->audio {v2a:.3f} (chance {chance:.3f}); seen-class audio->vision {seen_a2v:.3f} "
              f"(chance {1 / len(seen):.3f})  [{time.perf_counter() - t0:.0f} s]", flush=True)
    r = np.asarray(res)
    print(f"\nzero-shot top-1 on unseen digits {unseen.tolist()} (RRAM LSM encoders, {args.seeds} seeds): "
          f"audio->vision {r[:, 0].mean():.3f} +- {r[:, 0].std():.3f}, vision->audio {r[:, 1].mean():.3f} +- "
          f"{r[:, 1].std():.3f}; chance {chance:.3f}. Seen digits audio->vision {r[:, 2].mean():.3f} "
          f"(chance {1 / len(seen):.3f})")


if __name__ == "__main__":
    main()
