"""User data: WAV folders through the cochlea, event folders and HDF5 files, leave-one-group-out splits, and the
per-channel automatic gain control of the cochlea."""

import wave

import numpy as np
import pytest

from neurosim.data import Cochlea, leave_one_group_out, load_event_dataset, load_wav_folder, read_wav
from neurosim.data.datasets import EMBEDDED, load_spoken_digits
from neurosim.data.events import VISION_DTYPE, make_events
from neurosim.errors import DataFormatError, ValidationError


def _write_wav(path, signal, rate=8000, width=2, channels=1):
    path.parent.mkdir(parents=True, exist_ok=True)
    x = np.clip(signal, -1, 1)
    if width == 1:
        data = (x * 127 + 128).astype(np.uint8).tobytes()
    else:
        data = (x * 32767).astype("<i2").tobytes()
    if channels == 2:
        data = np.repeat(np.frombuffer(data, np.uint8 if width == 1 else "<i2"), 2).tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)


def _tone(f, seconds=0.3, rate=8000, amp=0.5):
    t = np.arange(int(seconds * rate)) / rate
    return amp * np.sin(2 * np.pi * f * t)


def test_wav_folder_labels_groups_and_formats(tmp_path):
    _write_wav(tmp_path / "3_ann_0.wav", _tone(500))
    _write_wav(tmp_path / "3_bob_1.wav", _tone(500), width=1)  # 8-bit
    _write_wav(tmp_path / "sub" / "7_ann_2.wav", _tone(1200), channels=2)  # stereo, in a sub-folder
    _write_wav(tmp_path / "7_bob_3.wav", _tone(1200, rate=16000), rate=16000)  # resampled to 8 kHz
    ds = load_wav_folder(tmp_path)
    assert len(ds) == 4 and ds.sensor_size == (64, 1) and ds.group_name == "speaker"
    by_name = dict(zip(["3_ann_0", "3_bob_1", "7_ann_2", "7_bob_3"], range(4)))
    assert sorted(ds.labels.tolist()) == [3, 3, 7, 7] and set(ds.groups.tolist()) == {"ann", "bob"}
    assert all(ev.size > 0 for ev in ds.events) and "Cochlea(8000, 64" in ds.meta["front_end"]
    # the same tone at 16 kHz resampled gives nearly the events of the tone at 8 kHz
    a = ds.events[[i for i, f in enumerate(sorted(by_name)) if f == "7_ann_2"][0]]
    assert a.size > 10
    rx = load_wav_folder(tmp_path, label_from=r"_(?P<label>[a-z]+)_", group_from=r"^(?P<group>\d)")
    assert rx.meta["classes"] == ("ann", "bob") and set(rx.labels.tolist()) == {0, 1}


def test_wav_folder_errors_name_the_file(tmp_path):
    with pytest.raises(ValidationError, match="no .wav files"):
        load_wav_folder(tmp_path)
    (tmp_path / "1_x_0.wav").write_bytes(b"RIFF-not-really")
    with pytest.raises(DataFormatError, match="1_x_0.wav"):
        load_wav_folder(tmp_path)
    (tmp_path / "1_x_0.wav").unlink()
    _write_wav(tmp_path / "oddname.wav", _tone(400))
    with pytest.raises(ValidationError, match="oddname.wav"):
        load_wav_folder(tmp_path)
    with pytest.raises(ValidationError, match="named group"):
        load_wav_folder(tmp_path, label_from=r"odd")
    with pytest.raises(ValidationError, match="regular expression"):
        load_wav_folder(tmp_path, label_from=r"(?P<label>[")


def test_wav_folder_reproduces_the_shipped_encoding(shared_data):
    ds = load_wav_folder(shared_data / "fsdd", limit=12)
    shipped = load_event_dataset(EMBEDDED / "spoken_digits.h5")
    for a, b in zip(ds.events, shipped.events[:12]):
        assert np.array_equal(a["x"], b["x"]) and np.array_equal(a["t"], b["t"])
    assert list(ds.groups) == list(shipped.groups[:12]) and list(ds.labels) == list(shipped.labels[:12])


def test_event_folder_tonic_layout_and_hdf5(tmp_path, shared_data):
    rng = np.random.default_rng(0)
    for cls in ("left", "right"):
        for k in range(2):
            ev = np.zeros(20, VISION_DTYPE)
            ev["x"], ev["y"] = rng.integers(0, 30, 20), rng.integers(0, 20, 20)
            ev["t"] = np.sort(rng.integers(0, 10_000, 20))
            ev["p"] = rng.integers(0, 2, 20)
            (tmp_path / cls).mkdir(exist_ok=True)
            np.save(tmp_path / cls / f"rec{k}.npy", ev)
    ds = load_event_dataset(tmp_path)
    assert len(ds) == 4 and ds.meta["classes"] == ("left", "right") and ds.labels.tolist() == [0, 0, 1, 1]
    assert ds.sensor_size[2] == 2 and ds.sensor_size[0] >= 1 and ds.to_dense(1000, 10).shape == (4, 10, np.prod(ds.sensor_size))
    with pytest.raises(ValidationError, match="outside the sensor"):
        load_event_dataset(tmp_path, sensor_size=(5, 5, 2))
    np.save(tmp_path / "left" / "bad.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(DataFormatError, match="bad.npy"):
        load_event_dataset(tmp_path)  # object arrays are never unpickled
    (tmp_path / "left" / "bad.npy").unlink()
    np.save(tmp_path / "left" / "audio.npy", make_events(np.array([1, 2]), np.array([0, 5])))
    with pytest.raises(ValidationError, match="mixes vision"):
        load_event_dataset(tmp_path)
    # a real N-MNIST file in tonic's layout
    nm = tmp_path / "nmnist" / "3"
    nm.mkdir(parents=True)
    (nm / "sample.bin").write_bytes((shared_data / "events" / "sample_nmnist.bin").read_bytes())
    real = load_event_dataset(tmp_path / "nmnist")
    assert real.sensor_size == (34, 34, 2) and real.labels.tolist() == [3] and real.events[0].size > 1000
    h5 = load_event_dataset(EMBEDDED / "spoken_digits.h5")
    assert len(h5) == 2500 and set(h5.groups.tolist()) == {"george", "jackson", "lucas", "nicolas", "theo"}
    with pytest.raises(ValidationError, match="not a folder"):
        load_event_dataset(tmp_path / "missing")


def test_leave_one_group_out_never_validates_or_trains_on_the_test_group():
    groups = np.repeat(list("abcde"), 4)
    folds = leave_one_group_out(groups, seed=3)
    assert [f.test_group for f in folds] == list("abcde")
    for f in folds:
        assert f.validation_group != f.test_group
        assert not (f.fit & f.test).any() and not (f.validation & f.test).any() and not (f.fit & f.validation).any()
        assert (f.fit | f.validation).sum() == f.train.sum() == 16 and f.test.sum() == 4
    assert [f.validation_group for f in folds] == [f.validation_group for f in leave_one_group_out(groups, seed=3)]
    with pytest.raises(ValidationError, match=">= 3 groups"):
        leave_one_group_out(["a", "b", "a"])


def test_pcen_normalises_each_channel_and_keeps_silence_silent():
    rate = 8000
    loud, quiet = _tone(1500, 1.0, amp=0.5), _tone(400, 1.0, amp=0.05)  # 20 dB apart
    sig = np.concatenate([np.zeros(2000), loud + quiet])
    rates = {}
    for agc in ("log", "pcen"):
        c = Cochlea(rate, 64, agc=agc)
        ev = c(sig)
        ch_loud, ch_quiet = (int(np.argmin(abs(c.centres - f))) for f in (1500, 400))
        late = ev["t"] > 600_000  # steady state
        count = np.bincount(ev["x"][late], minlength=64)
        rates[agc] = count[ch_quiet] / count[ch_loud]
        assert not (ev["t"] < 200_000).any()  # the leading silence makes no events
    assert rates["log"] < 0.75 and 0.8 < rates["pcen"] < 1.25, rates
    with pytest.raises(ValidationError):
        Cochlea(8000, 64, agc="agc")
    assert "agc='pcen'" in Cochlea(8000, 64, agc="pcen").describe()


def test_read_wav_rejects_unsupported_and_empty(tmp_path):
    _write_wav(tmp_path / "e.wav", np.zeros(0))
    with pytest.raises(DataFormatError, match="no samples"):
        read_wav(tmp_path / "e.wav")
    x, r = read_wav(_write_wav(tmp_path / "ok.wav", _tone(300)) or tmp_path / "ok.wav")
    assert r == 8000 and x.dtype == np.float32 and abs(x).max() <= 1


def test_spoken_digit_loader_unchanged():
    tr, te = load_spoken_digits(test_speakers=("theo",))
    assert len(tr) == 2000 and len(te) == 500
