"""Embedded datasets: counts, speaker split, size budget, attribution."""

import numpy as np
import pytest

from neurosim.data.datasets import EMBEDDED, SPEAKERS, load_spoken_digits, load_vision_digits
from neurosim.errors import ValidationError


def test_spoken_digits_counts_split_and_attribution():
    tr, te = load_spoken_digits(test_speakers=("theo",))
    assert len(tr) + len(te) == 2500 and len(te) == 500
    assert set(te.groups) == {"theo"} and set(tr.groups) == set(SPEAKERS) - {"theo"}
    assert set(np.unique(tr.labels)) == set(range(10))
    assert "CC BY-SA 4.0" in tr.meta["attribution"]
    x = te.subset(np.arange(len(te)) < 4).to_dense(dt_us=10_000, n_steps=60)
    assert x.shape == (4, 60, 64) and 0 < x.mean() < 0.5
    with pytest.raises(ValidationError, match="test_speakers"):
        load_spoken_digits(test_speakers=("alice",))


def test_vision_digits_and_file_sizes():
    tr, te = load_vision_digits(test_fraction=0.2)
    assert len(tr) + len(te) == 1797
    ev = tr.events[0]
    assert set(ev.dtype.names) == {"x", "y", "t", "p"} and ev["x"].max() < tr.sensor_size[0]
    assert "CC BY 4.0" in tr.meta["attribution"]
    for f in EMBEDDED.glob("*.h5"):
        assert f.stat().st_size < 4_000_000, f


def test_cache_round_trip_and_corruption(tmp_path):
    from neurosim.data.cache import load_cache, save_cache
    from neurosim.errors import DataFormatError

    x = np.random.default_rng(0).random((6, 5, 4)).astype(np.float32)
    p = save_cache(tmp_path / "c.h5", x, np.arange(6), groups=["a"] * 6, meta={"dt_us": 1000})
    x2, y2, g2, meta = load_cache(p)
    np.testing.assert_array_equal(x2, x)
    assert list(y2) == list(range(6)) and meta == {"dt_us": 1000} and g2[0] == "a"
    raw = p.read_bytes()
    for cut in (100, len(raw) // 2, len(raw) - 10):
        (tmp_path / "t.h5").write_bytes(raw[:cut])
        with pytest.raises(DataFormatError, match="t.h5"):
            load_cache(tmp_path / "t.h5")


def test_tonic_dataset_plugs_in(tmp_path):
    tonic = pytest.importorskip("tonic")
    from neurosim.data.cache import from_tonic

    class Fake:  # the tonic Dataset protocol: len, getitem -> (events, target), sensor_size
        sensor_size = (34, 34, 2)
        dtype = tonic.datasets.NMNIST.dtype

        def __len__(self):
            return 2

        def __getitem__(self, i):
            ev = np.zeros(3, self.dtype)
            ev["x"], ev["y"], ev["t"], ev["p"] = [1, 2, 3], [4, 5, 6], [0, 1000, 2000], [0, 1, 0]
            return ev, i

    ds = from_tonic(Fake())
    assert len(ds) == 2 and ds.to_dense(1000, 3).shape == (2, 3, 34 * 34 * 2)
