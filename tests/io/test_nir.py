"""NIR round trips: neurosim → NIR → neurosim, neurosim → NIR → snnTorch, snnTorch → NIR → neurosim (identical
spikes), refusals of what NIR cannot express, and bad files."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neurosim as ns
from neurosim.errors import DataFormatError, ValidationError
from neurosim.models import EGRU

nir = pytest.importorskip("nir")
from neurosim.io.nir import export_nir, from_snntorch, import_nir  # noqa: E402


def make(sizes, betas, thr, recurrent=False, seed=0):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        rec = ns.Dense(b, b, bias=False, scale=0.3) if (recurrent and i == 0) else None
        layers.append(ns.Layer(ns.Dense(a, b), ns.LIF(b, beta=betas[i], v_th=thr, reset="value"), recurrent=rec))
    net = ns.Sequential(layers)
    return net, net.init(jax.random.PRNGKey(seed))


def spikes_of(net, params, x):
    return ns.simulate(net, x, params=params, record=("output",)).records["output"]


SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(sizes=st.lists(st.integers(2, 12), min_size=2, max_size=4),
       beta=st.floats(0.5, 0.97), thr=st.floats(0.3, 2.0), recurrent=st.booleans(), seed=st.integers(0, 100))
def test_neurosim_nir_neurosim_identical_spikes(tmp_path_factory, sizes, beta, thr, recurrent, seed):
    net, params = make(sizes, [beta] * (len(sizes) - 1), thr, recurrent, seed)
    path = tmp_path_factory.mktemp("nir") / "net.nir"
    export_nir(net, params, path)
    net2, params2 = import_nir(path)
    x = (np.random.default_rng(seed).random((30, 2, sizes[0])) < 0.4).astype(np.float32) * 2
    np.testing.assert_array_equal(spikes_of(net2, params2, x), spikes_of(net, params, x))


def test_refusals_name_what_nir_cannot_express():
    ref = ns.Sequential([ns.Layer(ns.Dense(3, 4), ns.LIF(4, beta=0.9, reset="value", t_ref=2.0))])
    with pytest.raises(ValidationError, match="refractory period"):
        export_nir(ref, ref.init(jax.random.PRNGKey(0)))
    alif = ns.Sequential([ns.Layer(ns.Dense(3, 4), ns.ALIF(4, beta=0.9, reset="value"))])
    with pytest.raises(ValidationError, match="adaptive-threshold"):
        export_nir(alif, alif.init(jax.random.PRNGKey(0)))
    egru = ns.Sequential([EGRU(3, 4)])
    with pytest.raises(ValidationError, match="EGRU gates"):
        export_nir(egru, egru.init(jax.random.PRNGKey(0)))


def test_cuba_and_li_round_trip_and_sparse_flag(tmp_path):
    net = ns.Sequential([ns.Layer(ns.EventCSR(5, 6, p=0.5, std=1.0, seed=0),
                                  ns.CubaLIF(6, alpha=0.7, beta=0.85, v_th=0.4, reset="value")),
                         ns.Layer(ns.Dense(6, 2), ns.LI(2, beta=0.8))])
    params = net.init(jax.random.PRNGKey(1))
    graph = export_nir(net, params, tmp_path / "c.nir")
    assert graph.nodes["layer0.proj"].metadata["neurosim.sparse"] is True
    net2, params2 = import_nir(tmp_path / "c.nir")
    x = (np.random.default_rng(0).random((30, 2, 5)) < 0.5).astype(np.float32)
    np.testing.assert_allclose(spikes_of(net2, params2, x), spikes_of(net, params, x), atol=1e-5)


def test_bad_nir_files(tmp_path):
    bad = tmp_path / "bad.nir"
    bad.write_bytes(b"\x89HDF\r\n garbage")
    with pytest.raises(DataFormatError, match="bad.nir"):
        import_nir(bad)
    with pytest.raises(DataFormatError, match="no such"):
        import_nir(tmp_path / "missing.nir")
    branch = nir.NIRGraph(nodes={"input": nir.Input(input_type={"input": np.array([2])}),
                                 "a": nir.Linear(weight=np.ones((2, 2), np.float32)),
                                 "b": nir.Linear(weight=np.ones((2, 2), np.float32)),
                                 "output": nir.Output(output_type={"output": np.array([2])})},
                          edges=[("input", "a"), ("input", "b"), ("a", "output"), ("b", "output")])
    with pytest.raises(DataFormatError, match="branches"):
        import_nir(branch)


@pytest.mark.parametrize("reset,delay", [("subtract", False), ("subtract", True), ("value", True), ("none", False)])
def test_conventions_nir_lacks_round_trip_exactly_through_metadata(tmp_path, reset, delay):
    from neurosim.io.nir import NIRConventionWarning

    net = ns.Sequential([ns.Layer(ns.Dense(5, 7, scale=2.0), ns.LIF(7, beta=0.9, v_th=0.5, reset=reset,
                                                                    reset_delay=delay)),
                         ns.Layer(ns.Dense(7, 3, scale=2.0), ns.IF(3, v_th=0.5, reset=reset, reset_delay=delay))])
    params = net.init(jax.random.PRNGKey(4))
    with pytest.warns(NIRConventionWarning, match="NIR cannot express.*neurosim metadata"):
        export_nir(net, params, tmp_path / "s.nir")
    back, bparams = import_nir(tmp_path / "s.nir")
    assert back.layers["layer0"].neuron.rule.reset == reset and back.layers["layer0"].neuron.rule.reset_delay == delay
    x = (np.random.default_rng(1).random((40, 2, 5)) < 0.5).astype(np.float32)
    ref = spikes_of(net, params, x)
    assert ref.sum() > 0
    np.testing.assert_array_equal(spikes_of(back, bparams, x), ref)
