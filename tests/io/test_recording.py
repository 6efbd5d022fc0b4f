"""Streaming recordings: equal to in-memory records, sparse spikes, atomic on crash, corrupt files detected."""

import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import DataFormatError
from neurosim.io.recording import Recorder, read_recording


@pytest.fixture(scope="module")
def net():
    return ns.Sequential([ns.Layer(ns.Dense(5, 12), ns.LIF(12, beta=0.9, v_th=0.6))])


def test_streamed_recording_equals_in_memory(tmp_path, net):
    x = (np.random.default_rng(0).random((50, 3, 5)) < 0.4).astype(np.float32)
    ref = ns.simulate(net, x, record=("spike", "v"))
    rec = Recorder(tmp_path / "run.h5")
    res = ns.simulate(net, x, record=("spike", "v"), chunk_size=16, on_chunk=rec, keep_records=False)
    rec.close(res, meta={"note": "test"})
    back = read_recording(tmp_path / "run.h5")
    np.testing.assert_array_equal(back["records"]["layer0.spike"], ref.records["layer0.spike"])
    np.testing.assert_allclose(back["records"]["layer0.v"], ref.records["layer0.v"])
    assert back["steps"] == 50 and back["meta"] == {"note": "test"}
    assert back["activity"]["layers"]["layer0"]["spikes"] == int(ref.records["layer0.spike"].sum())
    step, idx = read_recording(tmp_path / "run.h5", dense=False)["records"]["layer0.spike"]
    assert step.size == int(ref.records["layer0.spike"].sum())  # stored as events, not dense


def test_crash_leaves_no_partial_file(tmp_path, net):
    x = np.ones((10, 5), np.float32)
    with pytest.raises(RuntimeError):
        with Recorder(tmp_path / "r.h5") as rec:
            ns.simulate(net, x, chunk_size=5, on_chunk=rec, keep_records=False)
            raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "bad.h5").write_bytes(b"nope")
    with pytest.raises(DataFormatError, match="bad.h5"):
        read_recording(tmp_path / "bad.h5")
