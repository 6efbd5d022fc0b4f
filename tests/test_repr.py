"""What notebooks print: datasets and results show a short summary (counts, shapes, key numbers), never their
arrays; datasets have a length and can be indexed (one sample) and sliced/masked (a dataset of the subset)."""

import pickle

import numpy as np
import pytest

from neurosim.data import ArrayDataset, EventDataset, Sample, make_events


def _events(n: int, seed: int = 0) -> EventDataset:
    rng = np.random.default_rng(seed)
    evs = [make_events(rng.integers(0, 8, 20 + i), np.sort(rng.integers(0, 50_000, 20 + i))) for i in range(n)]
    return EventDataset(evs, np.arange(n) % 3, (8, 1), np.array(["ann", "bob"] * (n // 2) + ["ann"] * (n % 2)),
                        {"source": "test"}, "speaker")


def test_spoken_digits_repr_is_short_and_informative():
    from neurosim.data import load_spoken_digits

    train, test = load_spoken_digits()
    text = repr(train)
    assert len(text) < 400 and text.count("\n") <= 1  # was 8.9 MB
    for part in ("EventDataset(2000 samples", "64 channels", "10 classes (0–9)", "4 speakers (george", "µs"):
        assert part in text, text
    assert str(test).startswith("EventDataset(500 samples") and "1 speaker (theo)" in str(test)
    events, label = test[0]
    assert events.dtype.names == ("x", "t", "p") and label == test.labels[0] and test[0].group == "theo"


def test_event_dataset_len_index_slice_mask():
    ds = _events(7)
    assert len(ds) == 7
    s = ds[2]
    assert isinstance(s, Sample) and len(s) == 2
    ev, y = s
    assert ev is ds.events[2] and y == 2 and s.index == 2 and s.group == "ann" and s.events is ev
    assert ds[-1].index == 6 and ds[-1][0] is ds.events[6]
    assert "label=2" in repr(s) and "events" in repr(s) and len(repr(s)) < 120
    for key, expect in ((slice(1, 5), [1, 2, 3, 4]), (slice(None, None, 3), [0, 3, 6]),
                        (np.array([5, 0, -1]), [5, 0, 6]), (ds.labels == 0, [0, 3, 6]), ([1, 2], [1, 2])):
        sub = ds[key]
        assert isinstance(sub, EventDataset) and len(sub) == len(expect), key
        assert [e is ds.events[i] for e, i in zip(sub.events, expect)] == [True] * len(expect)
        np.testing.assert_array_equal(sub.labels, ds.labels[expect])
        np.testing.assert_array_equal(sub.groups, ds.groups[expect])
        assert sub.meta == ds.meta and sub.meta is not ds.meta and sub.group_name == "speaker"
        assert sub.sensor_size == ds.sensor_size
    assert len(ds[ds.labels == 99]) == 0 and "0 samples" in repr(ds[ds.labels == 99])
    assert [s.index for s in ds] == list(range(7))
    with pytest.raises(IndexError, match="out of range for 7 samples"):
        ds[7]
    with pytest.raises(IndexError, match="boolean mask of shape"):
        ds[np.ones(3, bool)]
    with pytest.raises(IndexError, match="index with an int"):
        ds[1.5]
    assert len(ds.subset(ds.labels == 1)) == 2  # the older call still works
    back = pickle.loads(pickle.dumps(ds[3]))
    assert back.index == 3 and back.group == "bob" and back[1] == ds.labels[3]


def test_spike_dataset_repr_negative_index_and_slices(tmp_path):
    from neurosim.data import SpikeDataset, write_spike_dataset

    ds = _events(5)
    p = write_spike_dataset(tmp_path / "s.h5", ds.events, ds.labels, n_channels=8,
                            extra={"speaker": np.array([b"ann", b"bob", b"ann", b"bob", b"cy"])}, flat=True)
    with SpikeDataset(p) as sd:
        text = repr(sd)
        assert "5 samples" in text and "8 channels" in text and "3 speakers" in text and len(text) < 200
        last, label = sd[-1]  # negative indices used to read an empty slice of the flat layout
        assert label == ds.labels[-1] and last.size == ds.events[-1].size
        np.testing.assert_array_equal(last["x"], sd[4][0]["x"])
        sub = sd[1:3]
        assert isinstance(sub, EventDataset) and len(sub) == 2 and list(sub.groups) == ["bob", "ann"]
        assert sub.sensor_size == (8, 1) and list(sd[np.array([True, False, False, False, True])].groups) == \
            ["ann", "cy"]
        with pytest.raises(IndexError, match="out of range"):
            sd[5]
    assert "closed" in repr(sd)


def test_array_datasets_of_the_split_containers():
    from neurosim.data.digit_images import DigitImages
    from neurosim.data.vowels import VowelData

    rng = np.random.default_rng(0)
    d = DigitImages(rng.random((30, 64), np.float32), np.arange(30) % 10, rng.random((6, 64), np.float32),
                    np.arange(6))
    assert repr(d) == "DigitImages(30 train + 6 test images, 8×8 = 64 pixels in [0, 1], 10 classes (0–9))"
    tr = d.train
    assert isinstance(tr, ArrayDataset) and len(tr) == 30 and "10 classes (0–9)" in repr(tr)
    x, y = tr[4]
    assert x.shape == (64,) and y == 4
    assert len(tr[tr.y == 3]) == 3 and tr[:5].x.shape == (5, 64)
    v = VowelData(rng.random((12, 12), np.float32), np.arange(12) % 7, rng.random((4, 12), np.float32),
                  np.arange(4), [f"w{i:02d}ae" for i in range(12)], ["t0", "t1", "t2", "t3"])
    assert len(repr(v)) < 200 and "12 train + 4 test tokens" in repr(v) and "7 vowels" in repr(v)
    s = v.test[2]
    assert s.group == "t2" and s.y == 2
    sub = v.train[np.array([0, 7])]
    assert sub.ids == ["w00ae", "w07ae"] and sub.classes == v.classes


def test_simulation_result_and_activity_repr_show_shapes_not_arrays():
    import jax

    import neurosim as ns

    net = ns.Sequential([ns.Layer(ns.Dense(30, 300), ns.LIF(300, beta=0.9))])
    x = (np.random.default_rng(0).random((200, 2, 30)) < 0.2).astype(np.float32)
    res = ns.simulate(net, x, params=net.init(jax.random.PRNGKey(0)), record=("spike", "v"))
    text = repr(res)
    assert len(text) < 500, text  # the default dataclass repr printed every array and the final state
    assert "steps=200" in text and "'layer0.spike': (200, 2, 300) float32" in text and "Activity(" in text
    layer = repr(res.activity.layers["layer0"])
    assert layer.startswith("LayerActivity(300 neurons;") and "over 200 steps" in layer and len(layer) < 200


def test_estimate_repr_is_a_summary():
    import neurosim.hardware as hw

    wl = hw.from_rates([hw.describe_layer("a", 64, inputs=[("input", 32, 0.5)])], steps=20, activity=0.1)
    est = hw.estimate(wl, "spinnaker2")
    text = repr(est)
    assert len(text) < 400 and text.count("\n") <= 1, text  # was every term with its source (kilobytes)
    assert text.startswith("Estimate('spinnaker2':") and "per inference" in text and "kernel-bound" in text
    assert "Term(" not in text and "inferences/s" in text


def test_history_and_train_report_reprs_are_one_line_summaries():
    import numpy as np

    from neurosim.learn.bptt import History
    from neurosim.learn.local import TrainReport

    assert repr(History()) == "History(0 epochs)"
    h = History([{"epoch": 1, "loss": 2.0, "accuracy": 0.5}, {"epoch": 2, "loss": 1.23456, "accuracy": 0.75,
                                                              "sparsity/egru": 0.8, "seconds": 3.0}])
    text = repr(h)
    assert text.startswith("History(2 epochs; last: ") and "loss=1.235" in text and "accuracy=0.75" in text
    assert "sparsity/" not in text and "\n" not in text
    report = TrainReport("ff", 0.91234, 0.85, 1.5e9, 12000, 4.2, 3, history=[{"loss": 1.0}] * 1000,
                         params={"w": np.zeros((500, 500))})
    text = repr(report)
    assert text == ("TrainReport(ff: train 0.9123, test 0.8500, 3 epochs, 12,000 physical evals, 1.5e+09 digital "
                    "MACs, 4.20 s)")
    assert "test n/a" in repr(TrainReport("ff", 0.5, None, 0.0, 0, 0.0, 1))
