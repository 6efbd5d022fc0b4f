"""Per-speaker channel normalisation (unsupervised adaptation): each group by its own statistics, silence kept,
a speaker's per-channel gain and offset normalised away, bad input refused."""

import numpy as np
import pytest

from neurosim.data import channel_statistics, normalize_groups
from neurosim.errors import ValidationError


def _speaker(rng, n=40, t=12, c=6):
    x = rng.gamma(2.0, 1.0, size=(n, t, c)).astype(np.float32)
    x[:, -3:] = 0.0  # trailing silence
    return x


def test_each_group_is_standardised_by_its_own_active_frames_and_silence_stays_zero():
    rng = np.random.default_rng(0)
    a, b = _speaker(rng), _speaker(rng)
    b = np.where(np.any(b != 0, -1, keepdims=True), 3.0 * b + 1.0, 0.0).astype(np.float32)  # louder, offset
    x = np.concatenate([a, b])
    groups = np.array(["a"] * len(a) + ["b"] * len(b))
    out = normalize_groups(x, groups)
    assert out.dtype == np.float32 and out.shape == x.shape
    assert np.all(out[:, -3:] == 0)
    for name in ("a", "b"):
        active = out[groups == name][:, :-3].reshape(-1, x.shape[-1])
        np.testing.assert_allclose(active.mean(axis=0), 0.0, atol=1e-5)
        assert np.all(active.std(axis=0) < 1.0) and np.all(active.std(axis=0) > 0.9)  # sd / (sd + MIN_SD)
    mean, sd = channel_statistics(a)
    np.testing.assert_allclose(out[: len(a), :-3], ((a - mean) / sd)[:, :-3], rtol=1e-5, atol=1e-6)


def test_a_speakers_channel_gains_and_offsets_are_normalised_away():
    """The same recordings through another microphone (a gain and an offset per channel) normalise to nearly the
    same features: what is left is the MIN_SD floor."""
    rng = np.random.default_rng(1)
    a = _speaker(rng)
    gain, offset = rng.uniform(0.5, 2.0, a.shape[-1]), rng.uniform(0.5, 1.0, a.shape[-1])
    b = np.where(np.any(a != 0, -1, keepdims=True), a * gain + offset, 0.0).astype(np.float32)
    na = normalize_groups(a, np.zeros(len(a)))
    nb = normalize_groups(b, np.zeros(len(b)))
    np.testing.assert_allclose(na, nb, rtol=0.05, atol=0.05)
    assert not np.allclose(a, b, rtol=0.05, atol=0.05)


def test_other_groups_do_not_change_a_groups_result():
    rng = np.random.default_rng(2)
    a, b = _speaker(rng), _speaker(rng) * 5
    alone = normalize_groups(a, ["a"] * len(a))
    together = normalize_groups(np.concatenate([a, b]), ["a"] * len(a) + ["b"] * len(b))
    np.testing.assert_array_equal(alone, together[: len(a)])


def test_bad_input_is_refused():
    x = np.ones((3, 4, 2), np.float32)
    with pytest.raises(ValidationError, match="one label per sample"):
        normalize_groups(x, ["a", "b"])
    with pytest.raises(ValidationError, match="samples, time, channels"):
        normalize_groups(x[0], ["a"])
    bad = x.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValidationError, match="NaN"):
        normalize_groups(bad, ["a"] * 3)
    with pytest.raises(ValidationError, match="active frame"):
        channel_statistics(np.zeros((2, 4, 2), np.float32))
