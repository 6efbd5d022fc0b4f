"""neurosim's PCM pipeline vs aihwkit's PCMLikeNoiseModel equations (the NumPy reimplementation that
benchmarks/hardware_aware.py prints beside its results): mean and s.d. of one read after programming, drift and
accumulated 1/f noise, at three target levels and four times after programming."""

import sys
from pathlib import Path

import jax
import numpy as np
import pytest

from neurosim import devices as dev

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from hardware_aware import aihwkit_pcm_read  # noqa: E402

N = 20000


@pytest.mark.parametrize("g", [2.5, 12.5, 25.0])
def test_read_statistics_match_aihwkit(g):
    model = dev.get_preset("pcm-aihwkit")
    target = np.full(N, g, np.float32)
    cells = dev.program_cells(jax.random.PRNGKey(3), target, model)
    rng = np.random.default_rng(5)
    for i, t in enumerate((1.0, 3600.0, 86400.0, 3.15e7)):
        ours = np.asarray(dev.read_conductances(jax.random.PRNGKey(10 + i), cells, t, model), np.float64)
        ref = aihwkit_pcm_read(rng, target.astype(np.float64), t)
        # 5 standard errors of the Monte Carlo estimates (two independent samples)
        se_mean = np.sqrt(ours.var() / N + ref.var() / N)
        assert abs(ours.mean() - ref.mean()) < 5 * se_mean, (g, t)
        assert abs(ours.std() / ref.std() - 1.0) < 5 * np.sqrt(1.0 / N), (g, t)
    assert ours.mean() < 0.6 * g  # a year of drift (ν ≈ 0.05-0.1) is visible, so the check has teeth
