"""Encoders, cochlear front end and DVS emulator behave as their equations say."""

import numpy as np
import pytest

from neurosim.data import encoders
from neurosim.data.cochlea import Cochlea
from neurosim.data.dvs import emulate, saccades
from neurosim.data.events import (crop, denoise, downsample, make_events, time_jitter, to_frames,
                                  to_spike_train)
from neurosim.errors import ValidationError


def test_rate_encoder_mean_matches_rate():
    rng = np.random.default_rng(0)
    x = np.array([0.0, 0.1, 0.5, 0.9])
    s = encoders.rate(x, 20000, rng)
    se = np.sqrt(x * (1 - x) / 20000)
    assert np.all(np.abs(s.mean(0) - x) <= 4 * se + 1e-12)


def test_latency_orders_by_intensity_and_skips_weak_inputs():
    x = np.array([0.9, 0.5, 0.2, 0.0])
    for mode in ("linear", "log"):
        s = encoders.latency(x, 50, mode=mode, threshold=0.1 if mode == "log" else 0.01)
        first = [np.flatnonzero(s[:, i])[0] if s[:, i].any() else None for i in range(4)]
        assert first[3] is None and first[0] < first[1] < first[2]
        assert s.sum() == 3


def test_delta_reconstructs_within_threshold():
    t = np.linspace(0, 4 * np.pi, 400)
    sig = np.stack([np.sin(t), 0.5 * np.cos(2 * t)], axis=1)
    thr = 0.05
    s = encoders.delta(sig, thr)
    recon = sig[0] + thr * np.cumsum(s[:, 0] - s[:, 1], axis=0)
    assert np.max(np.abs(recon - sig)) <= thr * (1 + 1e-6)
    with pytest.raises(ValidationError, match="threshold"):
        encoders.delta(sig, 0.0)


@pytest.mark.parametrize("f0", [300.0, 1000.0, 2500.0])
def test_cochlea_puts_a_tone_in_the_nearest_channels(f0):
    sr = 8000
    t = np.arange(int(0.3 * sr)) / sr
    coch = Cochlea(sr, 64)
    ev = coch(np.sin(2 * np.pi * f0 * t))
    counts = np.bincount(ev["x"], minlength=64)
    nearest = int(np.argmin(np.abs(coch.centres - f0)))
    centroid = (counts * np.arange(64)).sum() / counts.sum()
    assert counts.sum() > 100
    assert abs(centroid - nearest) <= 2
    assert counts[np.abs(np.arange(64) - nearest) <= 6].sum() >= 0.85 * counts.sum()
    assert np.all(np.diff(ev["t"]) >= 0)


def test_dvs_emulator_polarity_refractory_and_static_scene():
    rng = np.random.default_rng(0)
    times = np.arange(10) * 1000.0
    bright = np.linspace(0.1, 0.9, 10)[:, None, None] * np.ones((10, 4, 4))
    ev = emulate(bright, times, rng, refractory_us=0)
    assert ev.size > 0 and np.all(ev["p"] == 1)
    dark = emulate(bright[::-1].copy(), times, rng, refractory_us=0)
    assert dark.size > 0 and np.all(dark["p"] == 0)
    static = emulate(np.full((10, 4, 4), 0.5), times, rng)
    assert static.size == 0
    slow = emulate(bright, times, rng, refractory_us=3000)
    assert 0 < slow.size < ev.size
    for y in range(4):
        for x in range(4):
            ts = slow["t"][(slow["x"] == x) & (slow["y"] == y)]
            assert np.all(np.diff(ts) >= 3000 - 1)
    frames, tt = saccades(np.eye(8), n_frames=30)
    assert frames.shape == (30, 14, 14) and tt[-1] == 300_000


def test_event_conversions_and_transforms():
    ev = make_events(np.array([0, 1, 2, 1, 1]), np.array([0, 500, 1500, 1600, 1700]), np.array([1, 0, 1, 1, 1]),
                     y=np.array([0, 1, 2, 1, 1]))
    train = to_spike_train(ev, (3, 3, 2), dt_us=1000)
    assert train.shape == (2, 18) and train.sum() == 4  # the last two events share a (bin, channel): binary
    assert to_spike_train(ev, (3, 3, 2), dt_us=1000, binary=False).sum() == 5
    frames = to_frames(ev, (3, 3, 2), n_bins=2)
    assert frames.shape == (2, 2, 3, 3) and frames.sum() == 5
    assert downsample(ev, 2)["x"].max() == 1
    assert crop(ev, 1, 3, 1, 3).size == 4
    jit = time_jitter(ev, 100.0, np.random.default_rng(0))
    assert np.all(np.diff(jit["t"]) >= 0)
    noisy = make_events(np.array([0, 0, 9]), np.array([0, 100, 200]), y=np.array([0, 1, 9]))
    kept = denoise(noisy, (10, 10, 2), filter_time_us=1000)
    assert kept.size == 1 and kept["x"][0] == 0  # the isolated pixel (9, 9) is dropped
    with pytest.raises(ValidationError, match="outside the sensor"):
        to_spike_train(ev, (2, 2, 2), 1000)
