"""NIR robustness: the file's recorded dt is honoured (and a conflicting dt refused naming both), non-finite
weights or time constants are refused naming the node, files nir's type inference rejects are read with a
warning, and ``neurosim energy FILE.nir`` prices a NIR file at a stated activity."""

import json

import jax
import numpy as np
import pytest

import neurosim as ns
import neurosim.hardware as hw
from neurosim.errors import DataFormatError, ValidationError

nir = pytest.importorskip("nir")
from neurosim.io.nir import NIRTypeInferenceWarning, export_nir, import_nir, recorded_dt  # noqa: E402


@pytest.fixture(scope="module")
def net():
    model = ns.Sequential([ns.Layer(ns.Dense(6, 8, scale=2.0), ns.LIF(8, beta=0.9, v_th=0.5, reset="value")),
                           ns.Layer(ns.Dense(8, 3), ns.LIF(3, beta=0.8, v_th=0.5, reset="value"))])
    return model, model.init(jax.random.PRNGKey(3))


def spikes(model, params, x):
    return np.asarray(ns.simulate(model, x, params=params, record=("output",)).records["output"])


X = (np.random.default_rng(0).random((60, 2, 6)) < 0.5).astype(np.float32)


def test_export_at_one_dt_imports_at_the_same_dt_exactly(net, tmp_path):
    model, params = net
    path = tmp_path / "n.nir"
    export_nir(model, params, path, dt=1e-3)
    assert recorded_dt(nir.read(path)) == pytest.approx(1e-3)
    back, bparams = import_nir(path)  # no dt given: the file's
    ref = spikes(model, params, X)
    assert ref.sum() > 10
    np.testing.assert_array_equal(spikes(back, bparams, X), ref)
    np.testing.assert_array_equal(spikes(*import_nir(path, dt=1e-3), X), ref)  # the same dt, given explicitly


def test_conflicting_dt_is_refused_naming_both_values(net, tmp_path):
    model, params = net
    path = tmp_path / "n.nir"
    export_nir(model, params, path, dt=1e-3)
    with pytest.raises(ValidationError, match=r"dt = 0\.001 s.*dt = 0\.0001 s"):
        import_nir(path, dt=1e-4)


def test_files_without_recorded_dt_use_the_given_or_default(net):
    model, params = net
    g = export_nir(model, params, dt=1e-4)
    for node in g.nodes.values():  # as another framework would write it
        node.metadata = {}
    assert recorded_dt(g) is None
    np.testing.assert_array_equal(spikes(*import_nir(g), X), spikes(model, params, X))
    slow, sp = import_nir(g, dt=1e-5)  # another dt is allowed when the file records none: a different decay
    assert float(np.asarray(slow.layers["layer0"].neuron.const["decay"]).reshape(-1)[0]) == pytest.approx(0.99)


def test_inconsistent_recorded_dts_are_refused(net):
    g = export_nir(*net, dt=1e-4)
    g.nodes["layer1.neuron"].metadata["neurosim.dt"] = 2e-4
    with pytest.raises(DataFormatError, match="different time steps"):
        import_nir(g)


@pytest.mark.parametrize("node,field,value", [("layer0.proj", "weight", np.nan), ("layer1.proj", "bias", np.inf),
                                              ("layer1.neuron", "tau", np.nan),
                                              ("layer0.neuron", "v_threshold", -np.inf)])
def test_non_finite_values_are_refused_naming_the_node(net, tmp_path, node, field, value):
    g = export_nir(*net)
    arr = np.array(getattr(g.nodes[node], field), dtype=np.float32)
    arr.flat[1] = value
    setattr(g.nodes[node], field, arr)
    with pytest.raises(DataFormatError, match=rf"{node}.*{field} has 1 non-finite"):
        import_nir(g)
    path = tmp_path / "bad.nir"
    nir.write(path, g)
    with pytest.raises(DataFormatError, match=node):
        import_nir(path)


def test_non_positive_time_constant_names_the_node(net):
    g = export_nir(*net)
    g.nodes["layer1.neuron"].tau = np.zeros_like(g.nodes["layer1.neuron"].tau)
    with pytest.raises(DataFormatError, match="layer1.neuron.*tau must be > 0"):
        import_nir(g)


def test_file_failing_type_inference_is_read_with_a_warning(net, tmp_path):
    model, params = net
    g = export_nir(model, params)
    # an older writer recorded the batch axis in the input type: nir's inference refuses the edge
    g.nodes["input"] = nir.Input(input_type={"input": np.array([1, 6])})
    path = tmp_path / "old.nir"
    nir.write(path, g)
    with pytest.raises(Exception):
        nir.read(path)
    with pytest.warns(NIRTypeInferenceWarning, match="type inference failed"):
        back, bparams = import_nir(path)
    np.testing.assert_array_equal(spikes(back, bparams, X), spikes(model, params, X))


def test_price_a_nir_file_at_a_stated_rate(net, tmp_path):
    path = tmp_path / "n.nir"
    export_nir(*net, path)
    est = hw.price(str(path), "spinnaker2", rate=0.1, steps=50)
    assert any("0.1 on every spiking layer" in a for a in est.assumptions)
    assert any("steps: 50" in a for a in est.assumptions)
    model, _ = import_nir(path)
    direct = hw.estimate(hw.from_rates(model, steps=50, activity=0.1, input_activity=0.1), "spinnaker2")
    assert est.energy_per_inference == direct.energy_per_inference
    with pytest.raises(ValidationError, match="import-nir"):
        hw.price(str(path), "spinnaker2")
    with pytest.raises(ValidationError, match="NIR files only"):
        hw.price("egru-spoken-digits", "spinnaker2", steps=10)


def test_cli_energy_on_a_nir_file(net, tmp_path, capsys):
    from neurosim.cli import main

    path = tmp_path / "n.nir"
    export_nir(*net, path, dt=1e-3)
    assert main(["energy", str(path), "--rate", "0.1", "--target", "imc-rram-40nm", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    est = hw.price(str(path), "imc-rram-40nm", rate=0.1)
    assert out["energy_per_inference_J"] == pytest.approx(est.energy_per_inference, rel=1e-12)
    assert main(["energy", str(path), "--rate", "0.1", "--dt", "1e-4"]) == 2
    err = capsys.readouterr().err
    assert "dt = 0.001 s" in err and "dt = 0.0001 s" in err
    assert main(["energy", str(path)]) == 2
    assert "import-nir" in capsys.readouterr().err
