"""The paper script's checkpoint rule as benchmarks/lsm_zero_shot.py applies it: both gates, then best seen."""

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from lsm_zero_shot import paper_rule  # noqa: E402


def test_gates_then_best_seen():
    curve = [(0.90, 0.60), (0.86, 0.70), (0.95, 0.66), (0.80, 0.90)]  # (unseen, seen) per checkpoint
    chosen, best = paper_rule(curve)
    assert chosen == 0.86  # passes both gates with the best seen accuracy (0.70); 0.95 has seen 0.66 < 0.70
    assert best == 0.95
    none, best = paper_rule([(0.6, 0.9), (0.84, 0.99)])
    assert math.isnan(none) and best == 0.84  # nothing passes: the script would save no checkpoint
    assert all(math.isnan(v) for v in paper_rule([]))


def test_paper_index_pairs():
    import numpy as np

    from lsm_zero_shot import index_pairs

    ya = np.array([1, 2, 1, 1, 3, 2])
    yv = np.array([2, 1, 1, 3, 3])
    ia, iv = index_pairs(ya, yv, [1, 2])
    # class 1: audio rows 0, 2, 3 vs vision rows 1, 2 -> two pairs; class 2: audio 1, 5 vs vision 0 -> one pair
    assert ia.tolist() == [0, 2, 1] and iv.tolist() == [1, 2, 0]
    assert (ya[ia] == yv[iv]).all()
