"""Image → soundscape (vOICe code): pitch per row, time per column, smooth column edges, cochlear events, and
zero-shot retrieval across a modality pair that is linked by that code."""

import numpy as np
import pytest

from neurosim.data.soundscape import row_frequencies, soundscape, soundscape_events
from neurosim.errors import ValidationError

SR = 8000


def test_row_frequencies_exponential_top_high():
    f = row_frequencies(16, 500.0, 3500.0)
    assert f[0] == pytest.approx(3500.0) and f[-1] == pytest.approx(500.0)
    ratios = f[1:] / f[:-1]
    assert np.allclose(ratios, ratios[0]) and ratios[0] < 1
    assert row_frequencies(1, 500.0, 2000.0)[0] == pytest.approx(1000.0)
    with pytest.raises(ValidationError, match="f_min"):
        row_frequencies(4, 3000.0, 1000.0)


@pytest.mark.parametrize("row,col", [(0, 0), (5, 2), (7, 7)])
def test_one_pixel_sounds_at_its_row_pitch_during_its_column(row, col):
    img = np.zeros((8, 8))
    img[row, col] = 1.0
    s = soundscape(img, sample_rate=SR, duration_s=1.0, ramp_s=0.0)
    assert s.dtype == np.float32 and s.shape == (SR,) and np.abs(s).max() == pytest.approx(1.0)
    # energy only inside the pixel's column window
    lo, hi = col * SR // 8, (col + 1) * SR // 8
    assert np.sum(s[lo:hi] ** 2) == pytest.approx(np.sum(s ** 2))
    spec = np.abs(np.fft.rfft(s[lo:hi]))
    peak = np.fft.rfftfreq(hi - lo, 1 / SR)[np.argmax(spec)]
    assert peak == pytest.approx(row_frequencies(8)[row], abs=SR / (hi - lo))  # one FFT bin


def test_brightness_scales_amplitude_and_black_is_silent():
    img = np.zeros((4, 4))
    img[1, :] = 0.5
    img[2, :] = 1.0
    s = soundscape(img, sample_rate=SR, ramp_s=0.0)
    f = row_frequencies(4)
    t = np.arange(s.size) / SR
    a1, a2 = (np.abs(np.sum(s * np.exp(-2j * np.pi * fr * t))) for fr in (f[1], f[2]))  # amplitude at the exact pitch
    assert a1 / a2 == pytest.approx(0.5, rel=0.02)
    assert not np.any(soundscape(np.zeros((4, 4)), sample_rate=SR))


def test_ramp_removes_clicks_at_column_edges():
    img = np.zeros((8, 8))
    img[7, ::2] = 1.0  # 500 Hz on, off, on, off ...: seven edges
    f = row_frequencies(8)[7]
    hard = soundscape(img, sample_rate=SR, ramp_s=0.0)
    soft = soundscape(img, sample_rate=SR, ramp_s=0.01)
    max_sine_step = 2 * np.pi * f / SR  # a full-scale sine's largest sample-to-sample step
    assert np.abs(np.diff(soft)).max() <= 1.01 * max_sine_step
    assert np.abs(np.diff(hard)).max() > 2 * max_sine_step  # the hard switch jumps

    def splatter(s):  # energy further than 150 Hz from the tone
        power = np.abs(np.fft.rfft(s)) ** 2
        return power[np.abs(np.fft.rfftfreq(s.size, 1 / SR) - f) > 150].sum() / power.sum()

    assert splatter(soft) < splatter(hard) / 4


@pytest.mark.parametrize("bad,match", [
    (np.zeros((2, 2, 2)), "2-D"),
    (np.full((4, 4), 1.5), r"\[0, 1\]"),
    (np.full((4, 4), np.nan), "image"),
])
def test_bad_images_are_rejected(bad, match):
    with pytest.raises(ValidationError, match=match):
        soundscape(bad, sample_rate=SR)


def test_bad_settings_are_rejected():
    with pytest.raises(ValidationError, match="Nyquist"):
        soundscape(np.ones((4, 4)), sample_rate=4000, f_max=3500.0)
    with pytest.raises(ValidationError, match="duration_s"):
        soundscape(np.ones((4, 400)), sample_rate=SR, duration_s=0.05)
    with pytest.raises(ValidationError, match="images"):
        soundscape_events(np.ones((4, 4)))


def test_events_follow_pitch_and_time():
    top, bottom, left, right = (np.zeros((8, 8)) for _ in range(4))
    top[0, :], bottom[7, :], left[:, 0], right[:, 7] = 1.0, 1.0, 1.0, 1.0
    ev = soundscape_events(np.stack([top, bottom, left, right]), duration_s=0.5)
    assert all(e.size > 0 and e["x"].max() < 64 for e in ev)
    assert ev[0]["x"].mean() > ev[1]["x"].mean() + 20  # high pitch → high cochlear channels
    assert np.median(ev[2]["t"]) < 0.15e6 < 0.35e6 < np.median(ev[3]["t"])  # left column early, right late


def test_sound_fades_in_and_out():
    s = soundscape(np.ones((4, 4)), sample_rate=SR, ramp_s=0.01)
    assert s[0] == 0 and abs(s[-1]) < 1e-3
    assert np.abs(s[:40]).max() < np.abs(s[40:80]).max()  # rising over the first 5 ms


def test_vision_split_names_its_pictures():
    """The vision digits carry their picture index, so soundscapes can be paired with them row for row."""
    from neurosim.data.datasets import load_vision_digits
    from neurosim.data.digit_images import read_digit_images

    _, labels, _ = read_digit_images()
    vtr, vte = load_vision_digits(test_fraction=0.3, seed=0)
    assert np.array_equal(np.sort(np.concatenate([vtr.groups, vte.groups])), np.arange(len(labels)))
    assert np.array_equal(vtr.labels, labels[vtr.groups]) and np.array_equal(vte.labels, labels[vte.groups])


def test_load_soundscape_digits_order_and_validation():
    from neurosim.data.datasets import load_soundscape_digits
    from neurosim.data.digit_images import read_digit_images

    _, labels, _ = read_digit_images()
    ds = load_soundscape_digits([3, 0, 10], duration_s=0.25)
    assert len(ds) == 3 and ds.sensor_size == (64, 1)
    assert ds.labels.tolist() == labels[[3, 0, 10]].tolist() and ds.groups.tolist() == [3, 0, 10]
    with pytest.raises(ValidationError, match="indices"):
        load_soundscape_digits([5000])


def test_zero_shot_retrieval_across_a_linked_modality_pair():
    """Heads trained with instance pairs (the sound and the image of the same picture) on eight digits retrieve
    the two unseen digits across the soundscape ↔ image pair (chance 1/2): the modalities are tied by a fixed
    code, and instance pairing makes the heads learn that code rather than the seen labels. Features skip the
    reservoir (binned cochlear event counts; raw pixels) to keep the test fast; benchmarks/lsm_zero_shot.py
    measures the same with RRAM LSM encoders. At test, audio queries and the vision gallery come from disjoint
    halves of the pictures."""
    import jax

    from neurosim.data.datasets import load_soundscape_digits
    from neurosim.data.digit_images import read_digit_images
    from neurosim.models.contrastive import train_clip, zero_shot_top1

    images, labels, _ = read_digit_images()
    rng = np.random.default_rng(0)
    idx = np.concatenate([rng.choice(np.flatnonzero(labels == c), 40, replace=False) for c in range(10)])
    sounds = load_soundscape_digits(idx, duration_s=0.5)
    x = sounds.to_dense(62_500, 8, binary=False).reshape(len(idx), 8, 16, 4).sum(-1)  # 8 time bins x 16 bands
    fa, fv, y = np.sqrt(x.reshape(len(idx), -1)), images[idx].astype(np.float32) / 16, labels[idx].astype(int)
    half = np.arange(len(idx)) % 2 == 0
    scores = []
    for unseen in (np.array([0, 1]), np.array([8, 9])):
        tr = ~np.isin(y, unseen)
        params, scales, _ = train_clip(fa[tr], y[tr], fv[tr], y[tr], dim=32, steps=600, pairing="instance",
                                       batch_size=64, key=jax.random.PRNGKey(0))
        for direction in ("a->b", "b->a"):
            scores.append(zero_shot_top1(params, scales, fa[half], y[half], fv[~half], y[~half], unseen,
                                         direction=direction))
    assert min(scores) > 0.75, scores
