"""Speaker-invariance augmentations of binned event tensors: tempo perturbation, band/frame masking, the chain."""

import numpy as np
import pytest

from neurosim.data.augment import mask_bands_and_frames, shift_channels_and_time, speaker_augment, stretch_time
from neurosim.errors import ValidationError


def test_stretch_time_is_identity_at_rate_one_and_resamples_otherwise():
    rng = np.random.default_rng(0)
    x = rng.random((3, 50, 4)).astype(np.float32)
    np.testing.assert_array_equal(stretch_time(x, rng, max_stretch=0.0), x)
    ramp = np.tile(np.arange(50, dtype=np.float32)[None, :, None], (2, 1, 1))
    y = stretch_time(ramp, np.random.default_rng(1), max_stretch=0.2)
    rates = y[:, 10, 0] / 10.0  # a ramp read at rate r is r * t (before the end)
    assert np.all((rates >= 0.8 - 1e-6) & (rates <= 1.2 + 1e-6)) and not np.allclose(rates, 1.0)
    for r, yi in zip(rates, y):
        t = np.arange(50)
        inside = t * r <= 49
        np.testing.assert_allclose(yi[inside, 0], t[inside] * r, rtol=1e-5, atol=1e-4)
        assert np.all(yi[~inside, 0] == 0)
    with pytest.raises(ValidationError):
        stretch_time(x[0], rng)


def test_masks_zero_bands_and_frames_and_leave_the_rest():
    x = np.ones((5, 30, 20), np.float32)
    y = mask_bands_and_frames(x, np.random.default_rng(2), max_channels=5, max_frames=6)
    assert y.shape == x.shape and x.min() == 1  # input untouched
    for yi in y:
        dead_c = np.all(yi == 0, axis=0).sum()
        dead_t = np.all(yi == 0, axis=1).sum()
        assert dead_c <= 5 and dead_t <= 6
        assert np.count_nonzero(yi == 0) <= 5 * 30 + 6 * 20
    with pytest.raises(ValidationError):
        mask_bands_and_frames(x, np.random.default_rng(0), max_frames=-1)


def test_speaker_augment_chain_is_seeded():
    x = np.random.default_rng(0).random((4, 40, 64)).astype(np.float32)
    a = speaker_augment(x, np.random.default_rng(5))
    b = speaker_augment(x, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    assert a.shape == x.shape and not np.array_equal(a, x)
    assert shift_channels_and_time(x, np.random.default_rng(0), max_shift=0, max_roll=0).tolist() == x.tolist()
