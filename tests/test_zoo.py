"""Every model-zoo entry loads; trained entries evaluate (on a small subset); descriptions price."""

import numpy as np
import pytest

import neurosim.hardware as hw
from neurosim.errors import DataFormatError, ValidationError
from neurosim.zoo import _read, list_models, load, load_description


@pytest.mark.parametrize("name", list_models())
def test_zoo_entry_loads_and_evaluates(name):
    config, _ = _read(name)
    if config["kind"] == "description":
        d = load_description(name)
        assert hw.estimate(d.workload(), "spinnaker2").energy_per_inference > 0
        return
    import neurosim as ns
    from neurosim.data import load_spoken_digits

    zm = load(name)
    assert 0.5 < zm.results["test_accuracy"] <= 1.0
    inp = zm.config["input"]
    _, test = load_spoken_digits(test_speakers=tuple(inp["test_speakers"]))
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
