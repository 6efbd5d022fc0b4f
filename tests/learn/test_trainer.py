"""BPTT trainer: learns a small spiking task, early stopping, checkpoints, bit-identical resume."""

import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import CheckpointError, ValidationError


def toy_task(n=160, T=30, n_in=24, classes=3, seed=0):
    """Each class drives its own third of the input channels at a higher rate."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    rates = np.full((n, n_in), 0.02)
    width = n_in // classes
    for c in range(classes):
        rates[y == c, c * width:(c + 1) * width] = 0.25
    x = (rng.random((n, T, n_in)) < rates[:, None, :]).astype(np.float32)
    return x, y.astype(np.int32)


def make_net():
    return ns.Sequential([ns.Layer(ns.Dense(24, 32), ns.LIF(32, beta=0.9)),
                          ns.Layer(ns.Dense(32, 3), ns.LI(3, beta=0.9))])


@pytest.fixture(scope="module")
def data():
    x, y = toy_task()
    return x[:128], y[:128], x[128:], y[128:]


def test_trainer_learns_and_reports(data):
    xtr, ytr, xte, yte = data
    tr = ns.Trainer(make_net(), lr=5e-3, readout="max", batch_size=32, progress=False)
    before = tr.evaluate(xte, yte)["accuracy"]
    hist = tr.fit(xtr, ytr, epochs=6, validation_data=(xte, yte))
    assert len(hist) == 6
    assert hist["loss"][-1] < hist["loss"][0]
    assert hist["val_accuracy"][-1] >= 0.9 > before
    assert 0.0 < hist["sparsity/layer0"][-1] < 1.0
    ev = tr.evaluate(xte, yte)
    assert ev["activity"].layers["layer0"].spikes > 0
    assert tr.predict(xte).shape == (32, 3)


def test_early_stopping_stops_and_restores(data):
    xtr, ytr, xte, yte = data
    tr = ns.Trainer(make_net(), lr=1e-9, batch_size=32, progress=False)  # cannot improve
    stopper = ns.EarlyStopping(monitor="val_loss", patience=1, min_delta=1.0)
    tr.fit(xtr, ytr, epochs=10, validation_data=(xte, yte), callbacks=[stopper])
    assert tr.epoch == 3  # best at epoch 0, then two epochs without improvement > patience
    assert stopper.best_epoch == 0


def test_checkpoint_resume_is_bit_identical(tmp_path, data):
    xtr, ytr, _, _ = data
    ref = ns.Trainer(make_net(), lr=3e-3, batch_size=32, seed=7, progress=False)
    ref.fit(xtr, ytr, epochs=4)

    first = ns.Trainer(make_net(), lr=3e-3, batch_size=32, seed=7, progress=False)
    ckpt = ns.Checkpoint(tmp_path / "run.h5", every=1)

    class Crash:
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 1:
                raise KeyboardInterrupt("simulated kill after the epoch-2 checkpoint")
            return False

    with pytest.raises(KeyboardInterrupt):
        first.fit(xtr, ytr, epochs=4, callbacks=[ckpt, Crash()])
    resumed = ns.Trainer(make_net(), lr=3e-3, batch_size=32, seed=7, progress=False).restore(tmp_path / "run.h5")
    assert resumed.epoch == 2
    resumed.fit(xtr, ytr, epochs=2)
    for name in ("layer0", "layer1"):
        np.testing.assert_array_equal(np.asarray(resumed.params[name]["proj"]["w"]),
                                      np.asarray(ref.params[name]["proj"]["w"]))
    assert resumed.history["loss"] == ref.history["loss"]


def test_truncated_checkpoint_is_detected_and_previous_stays_usable(tmp_path, data):
    xtr, ytr, _, _ = data
    tr = ns.Trainer(make_net(), batch_size=32, progress=False)
    tr.fit(xtr, ytr, epochs=1)
    good = tr.save(tmp_path / "good.h5")
    raw = good.read_bytes()
    bad = tmp_path / "bad.h5"
    bad.write_bytes(raw[: len(raw) // 2])
    fresh = ns.Trainer(make_net(), batch_size=32, progress=False)
    with pytest.raises(CheckpointError, match="bad.h5"):
        fresh.restore(bad)
    fresh.restore(good)
    assert fresh.epoch == 1


def test_trainer_input_validation(data):
    xtr, ytr, _, _ = data
    tr = ns.Trainer(make_net(), batch_size=32, progress=False)
    with pytest.raises(ValidationError, match="y"):
        tr.fit(xtr, ytr[:-1], epochs=1)
    with pytest.raises(ValidationError, match="labels"):
        tr.fit(xtr, ytr + 5, epochs=1)
    with pytest.raises(ValidationError, match="trailing shape"):
        tr.fit(xtr[..., :5], ytr, epochs=1)
    bad = xtr.copy()
    bad[0, 0, 0] = np.inf
    with pytest.raises(ValidationError, match="NaN/inf"):
        tr.fit(bad, ytr, epochs=1)
    with pytest.raises(ValidationError, match="readout"):
        ns.Trainer(make_net(), readout="median")


def test_evaluation_activity_is_per_inference(data):
    """Evaluating batch after batch adds samples, not time: the workload is that of one T-step inference and
    equals the workload of one simulation of the same samples."""
    import neurosim.hardware as hw

    xtr, ytr, _, _ = data
    net = make_net()
    tr = ns.Trainer(net, readout="max", batch_size=32, progress=False)
    act = tr.evaluate(xtr, ytr)["activity"]
    assert act.steps == xtr.shape[1] and act.batch == len(ytr)
    sim = ns.simulate(net, xtr, params=tr.params, batch_first=True, record=()).activity
    assert sim.steps == act.steps and sim.batch == act.batch
    for name in sim.layers:
        assert act.layers[name].spikes == sim.layers[name].spikes
        assert act.layers[name].macs_dense == sim.layers[name].macs_dense
        np.testing.assert_array_equal(act.layers[name].spikes_per_step, sim.layers[name].spikes_per_step)
    a = hw.estimate(hw.from_activity(net, act), "spinnaker2")
    b = hw.estimate(hw.from_activity(net, sim), "spinnaker2")
    assert a.energy_per_inference == pytest.approx(b.energy_per_inference, rel=1e-9)
    assert a.latency == pytest.approx(b.latency, rel=1e-9)
