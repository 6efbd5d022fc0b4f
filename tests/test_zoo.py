"""Every model-zoo entry loads; trained entries evaluate (on a small subset); descriptions price."""

import numpy as np
import pytest

import neurosim.hardware as hw
from neurosim.errors import DataFormatError, ValidationError
from neurosim.zoo import _read, list_models, load, load_description


@pytest.mark.parametrize("name", list_models())
def test_zoo_entry_loads_and_evaluates(name):
    config, _ = _read(name)
    if config["kind"] in ("description", "architecture"):
        d = load_description(name)
        assert hw.estimate(d.workload(), "spinnaker2").energy_per_inference > 0
        return
    import neurosim as ns
    from neurosim.data import load_spoken_digits

    zm = load(name)
    inp = zm.config["input"]
    if inp["test_speakers"]:
        assert 0.5 < zm.results["test_accuracy"] <= 1.0
        _, test = load_spoken_digits(test_speakers=tuple(inp["test_speakers"]))
    else:  # a release entry: trained on every speaker, its accuracy on new speakers cross-validated
        from neurosim.data import load_event_dataset
        from neurosim.data.datasets import EMBEDDED

        cv = zm.results["cross_validated"]
        assert 0.3 < cv["accuracy_mean"] <= 1.0 and cv["accuracy_sd"] >= 0 and len(cv["fold_means"]) == 5
        assert "leave one speaker out" in cv["protocol"] and "release" in zm.results["measured_on"]
        test = load_event_dataset(EMBEDDED / "spoken_digits.h5")
        test = test.subset(np.arange(len(test)) % 40 == 0)
    sub = test.subset(np.arange(len(test)) < 60)
    x = np.log1p(sub.to_dense(inp["dt_us"], inp["n_steps"], binary=False))
    tr = ns.Trainer(zm.model, readout=zm.config["readout"], batch_size=20, progress=False, params=zm.params)
    ev = tr.evaluate(x, sub.labels.astype(np.int32))
    assert ev["accuracy"] > 0.6  # a trained model, far above the 10 % chance level, even on a small subset


def test_zoo_errors(tmp_path):
    with pytest.raises(ValidationError, match="no zoo entry"):
        load("nope")
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = "neurosim-model"\nschema_version = 1\nname = "b"\nkind = "trained"\n'
                   '[[layers]]\ntype = "os.system"\n')
    with pytest.raises(DataFormatError, match="unknown layer type"):
        load(bad)


def test_architecture_entry_trains_on_user_data_and_prices_what_it_measured():
    # the CNN + EGRU of the DVS-gesture work: untrained network from the zoo, one real training step on (random)
    # event frames, then priced at the activity that run measured, per DVFS level and IMC conv option
    import jax

    import neurosim as ns
    from neurosim.zoo import architecture

    with pytest.raises(ValidationError, match="neurosim.zoo.architecture"):
        load("cnn-egru-dvs-gesture")
    net = architecture("cnn-egru-dvs-gesture")
    assert [n for n in net.names] == ["downsample", "conv1", "pool1", "conv2", "pool2", "conv3", "pool3", "flatten",
                                      "fc", "egru", "readout"]
    params = net.init(jax.random.PRNGKey(0))
    assert sum(p.size for p in jax.tree_util.tree_leaves(params)) == 4_273_340
    desc = load_description("cnn-egru-dvs-gesture")
    assert desc.steps == 60 and desc.input_activity == pytest.approx(0.0557) and desc.stated_activity
    rng = np.random.default_rng(0)
    x = (rng.random((2, 3, 2 * 128 * 128)) < 0.05).astype(np.float32)  # (batch, steps, 2x128x128)
    y = np.array([3, 7])
    tr = ns.Trainer(net, lr=1e-3, readout="mean", batch_size=2, progress=False, params=params)
    hist = tr.fit(x, y, epochs=1)
    assert np.isfinite(hist["loss"][0])
    moved = jax.tree_util.tree_map(lambda a, b: float(np.abs(np.asarray(a) - np.asarray(b)).max()), tr.params, params)
    assert moved["conv1"]["proj"]["w"] > 0 and moved["egru"]["W"] > 0  # gradients reach the CNN and the EGRU
    ev = tr.evaluate(x, y)
    for opts in ({"dvfs": "pl1"}, {"dvfs": "pl4"}):
        est = hw.price(net, "spinnaker2", activity=ev["activity"], **opts)
        assert est.resources["dvfs"] == opts["dvfs"] and set(est.layers) >= {"conv1", "egru", "readout"}
    one = hw.price(net, "imc-rram-40nm", activity=ev["activity"], conv_copies=1)
    dup = hw.price(net, "imc-rram-40nm", activity=ev["activity"], conv_copies="all")
    assert dup.resources["crossbars"] > one.resources["crossbars"] and dup.kernel_latency < one.kernel_latency
