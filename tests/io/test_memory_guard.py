"""Files declaring more data than this machine has free memory are refused before anything is allocated:
dataset caches, recordings and HDF5 spike datasets (by default the limit is the memory available now)."""

import h5py
import numpy as np
import pytest

from neurosim.data.cache import load_cache, save_cache
from neurosim.data.readers.hdf5_spikes import SpikeDataset
from neurosim.errors import DataFormatError
from neurosim.io.memory_guard import available_memory, check_allocation
from neurosim.io.recording import read_recording

HUGE = 10**13  # elements: tens of TB once allocated, a few bytes of HDF5 metadata on disk


def test_available_memory_is_plausible():
    mem = available_memory()
    assert 1 << 26 < mem < 1 << 46
    check_allocation("f.h5", 1024, "x")
    with pytest.raises(DataFormatError, match=r"f\.h5: x declares 2,048 bytes, more than the 1,024 bytes allowed"):
        check_allocation("f.h5", 2048, "x", max_bytes=1024)


def test_cache_declaring_huge_arrays_is_refused(tmp_path):
    good = tmp_path / "c.h5"
    save_cache(good, np.zeros((4, 3, 2), np.float32), np.arange(4, dtype=np.int32))
    x, y, _, _ = load_cache(good)
    assert x.shape == (4, 3, 2)
    with h5py.File(good, "r+") as f:  # keep the valid header, swap in datasets that declare terabytes
        del f["x"], f["y"]
        f.create_dataset("x", shape=(HUGE, 10, 10), dtype=np.float32, chunks=(1, 10, 10))
        f.create_dataset("y", shape=(HUGE,), dtype=np.int32, chunks=(1024,))
    with pytest.raises(DataFormatError, match="refusing before reading"):
        load_cache(good)


def test_recording_declaring_a_huge_raster_is_refused(tmp_path):
    import neurosim as ns
    from neurosim.io.recording import Recorder

    net = ns.Sequential([ns.Layer(ns.Dense(3, 4), ns.LIF(4, beta=0.9))])
    x = np.ones((5, 1, 3), np.float32)
    path = tmp_path / "r.h5"
    rec = Recorder(path)
    res = ns.simulate(net, x, record=("spike",), on_chunk=rec, keep_records=False)
    rec.close(res)
    assert read_recording(path)["steps"] == 5
    with h5py.File(path, "r+") as f:
        f.attrs["steps"] = HUGE  # a dense raster of HUGE steps would be needed
    with pytest.raises(DataFormatError, match="refusing before reading"):
        read_recording(path)
    assert read_recording(path, dense=False)["steps"] == HUGE  # sparse pairs need no raster


def test_spike_dataset_default_limit_is_available_memory(tmp_path):
    p = tmp_path / "huge.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("spikes/t_ms", shape=(HUGE,), dtype=np.uint16, chunks=(1024,))
        f.create_dataset("spikes/units", shape=(HUGE,), dtype=np.uint8, chunks=(1024,))
        f.create_dataset("spikes/offsets", data=np.array([0, HUGE]))
        f.create_dataset("labels", data=np.array([0]))
    with pytest.raises(DataFormatError, match="available"):
        SpikeDataset(p)
