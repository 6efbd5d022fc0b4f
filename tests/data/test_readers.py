"""Readers against the real files (and tonic), round trips, and fuzzed/truncated input."""

import struct

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurosim.data.events import VISION_DTYPE, make_events
from neurosim.data.readers import (SpikeDataset, decode_aedat4, decode_aedat31, decode_nmnist, encode_aedat31,
                                   read_aedat4, read_nmnist, write_spike_dataset)
from neurosim.errors import DataFormatError

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.data
def test_nmnist_equals_tonic(shared_data):
    tonic_io = pytest.importorskip("tonic.io")
    import tonic

    ours = read_nmnist(shared_data / "events" / "sample_nmnist.bin")
    ref = tonic_io.read_mnist_file(str(shared_data / "events" / "sample_nmnist.bin"),
                                   dtype=tonic.datasets.NMNIST.dtype)
    assert len(ours) == len(ref) > 1000
    for field in "xytp":
        np.testing.assert_array_equal(ours[field], ref[field])
    assert ours["x"].max() < 34 and ours["y"].max() < 34


def _aedat4_index_count(data: bytes) -> int:
    """Independent count: the file's packet index (FileDataTable) lists NumElements per packet."""
    import lz4.frame

    from neurosim.data.readers.aedat4 import MAGIC, _Buf, _event_streams, _unprefix

    pos = len(MAGIC)
    (hsize,) = struct.unpack_from("<i", data, pos)
    header = _Buf(_unprefix(data[pos + 4:pos + 4 + hsize]), "h")
    root = header.u32(0)
    (table_pos,) = struct.unpack_from("<q", header.data, header.table_field(root, 1))
    start, length = header.vector(header.table_field(root, 2))
    streams = _event_streams(header.data[start:start + length].decode())
    buf = _Buf(_unprefix(lz4.frame.decompress(data[table_pos:])), "t")
    vec, n = buf.vector(buf.table_field(buf.u32(0), 0))
    total = 0
    for k in range(n):
        entry = buf.deref(vec + 4 * k)
        info = buf.table_field(entry, 1)  # PacketHeader struct {int32 stream, int32 size}
        stream = struct.unpack_from("<i", buf.data, info)[0]
        count = struct.unpack_from("<q", buf.data, buf.table_field(entry, 2))[0]
        if stream in streams:
            total += count
    return total


@pytest.mark.data
def test_aedat4_sample_count_and_monotone_time(shared_data):
    path = shared_data / "events" / "sample.aedat4"
    ev, sensor = read_aedat4(path)
    assert sensor == (320, 240, 2)
    assert len(ev) == _aedat4_index_count(path.read_bytes()) == 111954
    assert np.all(np.diff(ev["t"]) >= 0)
    assert ev["x"].max() < 320 and ev["y"].max() < 240 and set(np.unique(ev["p"])) == {0, 1}


def test_aedat31_round_trip():
    rng = np.random.default_rng(0)
    ev = make_events(rng.integers(0, 128, 500), np.sort(rng.integers(0, 3_000_000_000, 500)),
                     rng.integers(0, 2, 500), y=rng.integers(0, 128, 500))
    back = decode_aedat31(encode_aedat31(ev))
    for f in "xytp":
        np.testing.assert_array_equal(back[f], ev[f])


def test_hdf5_spike_dataset_both_layouts_and_streaming(tmp_path):
    rng = np.random.default_rng(1)
    events = [make_events(rng.integers(0, 20, n), np.sort(rng.integers(0, 500_000, n) // 1000 * 1000))
              for n in (5, 0, 40)]
    for flat in (False, True):
        p = write_spike_dataset(tmp_path / f"d{flat}.h5", events, [1, 2, 3], n_channels=20, flat=flat,
                                extra={"speaker": np.array([b"a", b"b", b"a"])})
        with SpikeDataset(p) as ds:
            assert len(ds) == 3 and list(ds.labels) == [1, 2, 3]
            for i, ev in enumerate(events):
                got, label = ds[i]
                np.testing.assert_array_equal(got["x"], ev["x"])
                np.testing.assert_allclose(got["t"], ev["t"], atol=1)
            assert list(ds.speakers) == [b"a", b"b", b"a"]


def test_hdf5_reads_one_sample_at_a_time(tmp_path, monkeypatch):
    """Streaming: indexing a sample reads only that sample's slice, never the whole dataset."""
    events = [make_events(np.arange(1000) % 64, np.arange(1000) * 1000) for _ in range(50)]
    p = write_spike_dataset(tmp_path / "big.h5", events, np.zeros(50, int), n_channels=64, flat=True)
    reads = []
    orig = h5py.Dataset.__getitem__

    def spy(self, key):
        reads.append((self.name, key))
        return orig(self, key)

    monkeypatch.setattr(h5py.Dataset, "__getitem__", spy)
    with SpikeDataset(p) as ds:
        reads.clear()
        ds[7]
    assert all(not (k == () or k == Ellipsis) for name, k in reads if "spikes" in name)
    assert any(isinstance(k, slice) and k.stop - k.start == 1000 for name, k in reads if name == "/spikes/t_ms")


def test_hdf5_refuses_oversized_declarations_and_bad_layouts(tmp_path):
    p = tmp_path / "huge.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("spikes/t_ms", shape=(10**12,), dtype=np.uint16, chunks=(1024,))
        f.create_dataset("spikes/units", shape=(10**12,), dtype=np.uint8, chunks=(1024,))
        f.create_dataset("spikes/offsets", data=np.array([0, 10**12]))
        f.create_dataset("labels", data=np.array([0]))
    with pytest.raises(DataFormatError, match="refusing before reading"):
        SpikeDataset(p, max_bytes=1 << 30)
    bad = tmp_path / "bad.h5"
    with h5py.File(bad, "w") as f:
        f.create_dataset("labels", data=np.arange(3))
    with pytest.raises(DataFormatError, match="missing dataset 'spikes/times'"):
        SpikeDataset(bad)


@pytest.mark.data
@FUZZ
@given(cut=st.integers(0, 21624), junk=st.binary(max_size=64))
def test_truncated_or_fuzzed_nmnist_raises_own_error(shared_data, cut, junk):
    raw = (shared_data / "events" / "sample_nmnist.bin").read_bytes()[:cut] + junk
    try:
        ev = decode_nmnist(raw)
        assert ev.dtype == VISION_DTYPE  # whole-event inputs decode (every 40-bit pattern is a valid event)
    except DataFormatError:
        pass


@pytest.mark.data
@FUZZ
@given(cut=st.integers(0, 949252), flip=st.integers(0, 949252), byte=st.integers(0, 255))
def test_truncated_or_corrupted_aedat4_raises_own_error(shared_data, cut, flip, byte):
    raw = bytearray((shared_data / "events" / "sample.aedat4").read_bytes())
    if flip < len(raw):
        raw[flip] = byte
    try:
        decode_aedat4(bytes(raw[:cut]))
    except DataFormatError:
        pass


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash_readers(data):
    for decode in (decode_aedat4, decode_aedat31):
        for payload in (data, b"#!AER-DAT4.0\r\n" + data, b"#!AER-DAT3.1\r\n#!END-HEADER\r\n" + data):
            try:
                decode(payload)
            except DataFormatError:
                pass


@FUZZ
@given(n=st.integers(0, 5), cut=st.integers(0, 4000), seed=st.integers(0, 10))
def test_truncated_hdf5_raises_own_error(tmp_path_factory, n, cut, seed):
    rng = np.random.default_rng(seed)
    events = [make_events(rng.integers(0, 8, 10), np.arange(10) * 1000) for _ in range(n)]
    p = write_spike_dataset(tmp_path_factory.mktemp("h") / "x.h5", events, np.zeros(n, int), n_channels=8,
                            flat=bool(seed % 2))
    raw = p.read_bytes()
    p.write_bytes(raw[:cut])
    try:
        with SpikeDataset(p) as ds:
            for i in range(len(ds)):
                ds[i]
    except DataFormatError:
        pass
