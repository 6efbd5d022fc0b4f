"""The N-MNIST folder dataset: tonic's layout and interface on real N-MNIST files, transforms, errors, and the
path from files to a spiking CNN."""

import shutil

import numpy as np
import pytest

from neurosim.data import NMNIST, denoise
from neurosim.errors import ValidationError


def _nmnist_bytes(x, y, p, t):
    b = np.zeros((len(x), 5), np.uint8)
    b[:, 0], b[:, 1] = x, y
    b[:, 2] = (np.asarray(p) << 7) | ((np.asarray(t) >> 16) & 127)
    b[:, 3], b[:, 4] = (np.asarray(t) >> 8) & 255, np.asarray(t) & 255
    return b.tobytes()


@pytest.fixture()
def folder(tmp_path, shared_data):
    sample = shared_data / "events" / "sample_nmnist.bin"
    for split, digit, name in (("Train", 3, "00001.bin"), ("Train", 3, "00002.bin"), ("Test", 7, "00001.bin")):
        (tmp_path / "NMNIST" / split / str(digit)).mkdir(parents=True, exist_ok=True)
        shutil.copy(sample, tmp_path / "NMNIST" / split / str(digit) / name)
    (tmp_path / "NMNIST" / "Train" / "5").mkdir()
    (tmp_path / "NMNIST" / "Train" / "5" / "00009.bin").write_bytes(
        _nmnist_bytes([1, 2, 33], [4, 5, 6], [0, 1, 1], [10, 150_000, 290_000]))
    return tmp_path


@pytest.mark.data
def test_reads_tonics_layout_and_matches_tonics_reader(folder, shared_data):
    tonic = pytest.importorskip("tonic")
    train = NMNIST(folder)  # root/NMNIST/Train, where tonic's NMNIST(save_to=root) extracts
    assert len(train) == 3 and train.targets == [3, 3, 5] and train.sensor_size == tonic.datasets.NMNIST.sensor_size
    assert train.classes == tonic.datasets.NMNIST.classes
    ev, label = train[0]
    ref = tonic.io.read_mnist_file(str(train.files[0]), dtype=tonic.datasets.NMNIST.dtype)
    assert label == 3
    for f in "xytp":
        np.testing.assert_array_equal(ev[f], ref[f])
    assert NMNIST(folder / "NMNIST", train=False)[0][1] == 7  # root/Test also works
    small = train[2][0]
    assert list(small["t"]) == [10, 150_000, 290_000] and list(small["x"]) == [1, 2, 33]
    first = NMNIST(folder, first_saccade_only=True)[2][0]
    assert list(first["t"]) == [10]


@pytest.mark.data
def test_transforms_and_event_dataset_feed_a_spiking_cnn(folder):
    import jax

    import neurosim as ns
    from neurosim.models import spiking_cnn

    ds = NMNIST(folder, transform=lambda ev: denoise(ev, NMNIST.sensor_size, 10_000),
                target_transform=lambda y: y + 100)
    raw, _ = NMNIST(folder)[0]
    ev, y = ds[0]
    assert y == 103 and 0 < len(ev) < len(raw)  # the denoise filter removed isolated events
    evd = ds.to_event_dataset([0, 2])
    assert list(evd.labels) == [103, 105] and evd.sensor_size == (34, 34, 2)
    x = evd.to_dense(1000, 50)  # 1 ms bins, 50 steps
    assert x.shape == (2, 50, 2 * 34 * 34)
    net = spiking_cnn((2, 34, 34), 10)
    res = ns.simulate(net, np.swapaxes(x, 0, 1), params=net.init(jax.random.PRNGKey(0)))
    assert res.activity.layers["conv1"].synaptic_events > 0


def test_missing_or_empty_folders_are_clear_errors(tmp_path):
    with pytest.raises(ValidationError, match="no Train/ folder.*never downloads"):
        NMNIST(tmp_path)
    (tmp_path / "Test").mkdir()
    with pytest.raises(ValidationError, match="no <digit>/\\*.bin"):
        NMNIST(tmp_path, train=False)


@pytest.mark.data
def test_benchmark_nmnist_protocol_runs_on_a_folder(folder, monkeypatch):
    # the benchmark's N-MNIST path end to end (validation split from Train, scored once on Test) on real files
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import vision_cnn

    monkeypatch.setattr(vision_cnn, "BATCH", 2)
    r = vision_cnn.train_nmnist(folder, 0, [1e-3], 1, per_class=2, test_per_class=1, steps=5)
    assert 0.0 <= r["test"] <= 1.0 and set(r["sparsity"]) == {"conv1", "conv2"}
