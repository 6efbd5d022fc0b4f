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
