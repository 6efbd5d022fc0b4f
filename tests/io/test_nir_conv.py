"""NIR for convolutional networks: the NIR paper's N-MNIST CNN (``tests/data/nir/cnn_sinabs.nir``, from
github.com/neuromorphs/NIR ``paper/02_cnn``) imports and reproduces its reference output spike for spike on a real
N-MNIST recording; neurosim → NIR → neurosim and NIR → neurosim → NIR round trips are identical."""

from pathlib import Path

import h5py
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import DataFormatError, ValidationError

nir = pytest.importorskip("nir")
from neurosim.io.nir import export_nir, import_nir  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "nir"


@pytest.fixture(scope="module")
def paper_cnn():
    net, params = import_nir(DATA / "cnn_sinabs.nir")
    with h5py.File(DATA / "cnn_sinabs_reference.h5") as f:
        x = f["input"][:].astype(np.float32).reshape(300, 1, -1)
        ref = f["output_spikes"][:]
        counts = f.attrs["if_spike_counts"]
    return net, params, x, ref, counts


def test_paper_cnn_structure(paper_cnn):
    net, _, _, _, _ = paper_cnn
    kinds = [type(l.proj).__name__ for l in net.layers.values()]
    assert kinds == ["Conv2d", "Conv2d", "SumPool2d", "Conv2d", "SumPool2d", "Flatten", "Dense", "Dense"]
    conv0 = net.layers["layer0"].proj
    assert conv0.in_shape == (2, 34, 34) and conv0.out_shape == (16, 16, 16)
    assert conv0.stride == (2, 2) and conv0.padding == (1, 1)
    assert net.n_in == 2 * 34 * 34 and net.n_out == 10


def test_paper_cnn_reproduces_its_reference_output_spike_for_spike(paper_cnn):
    net, params, x, ref, counts = paper_cnn
    res = ns.simulate(net, x, params=params, record=("output",))
    out = np.asarray(res.records["output"])[:, 0]
    assert ref.sum() > 100  # the reference is not silent
    np.testing.assert_array_equal(out, ref)
    spiking = [k for k, l in net.layers.items() if isinstance(l, ns.Layer)]
    assert [res.activity.layers[k].spikes for k in spiking] == list(counts)


def _chain(graph):
    succ = {s: d for s, d in graph.edges}
    order, cur = [], "input"
    while cur in succ:
        cur = succ[cur]
        order.append(graph.nodes[cur])
    return order


def _same_node(a, b):
    assert type(a) is type(b)
    for k, v in vars(a).items():
        if k in ("metadata", "input_type", "output_type"):
            continue
        w = getattr(b, k)
        if v is None or w is None:
            assert v is None and w is None, k
        else:
            np.testing.assert_array_equal(np.asarray(v).reshape(-1), np.asarray(w).reshape(-1), err_msg=k)


def test_nir_to_neurosim_to_nir_is_identical(paper_cnn, tmp_path):
    net, params, _, _, _ = paper_cnn
    path = tmp_path / "cnn.nir"
    export_nir(net, params, path)
    original, again = _chain(nir.read(DATA / "cnn_sinabs.nir")), _chain(nir.read(path))
    assert len(original) == len(again)
    for a, b in zip(original, again):
        _same_node(a, b)


def _cnn(seed=0):
    net = ns.Sequential([
        ns.Layer(ns.Conv2d((2, 12, 12), 4, 3, stride=2, padding=1), ns.IF(4 * 36, v_th=0.5, reset="value")),
        ns.AvgPool2d((4, 6, 6), 2),
        ns.Layer(ns.Chain(ns.Conv2d((4, 3, 3), 6, 3, padding=1, groups=2, bias=False), ns.SumPool2d((6, 3, 3), 3)),
                 ns.LIF(6, beta=0.8, v_th=0.5, reset="value")),
        ns.Flatten((6, 1, 1)),
        ns.Layer(ns.Dense(6, 3), ns.LI(3, beta=0.9)),
    ])
    params = jax.tree_util.tree_map(lambda a: 2.0 * a, net.init(jax.random.PRNGKey(seed)))
    return net, params


def test_neurosim_to_nir_to_neurosim_is_identical(tmp_path):
    net, params = _cnn()
    path = tmp_path / "mine.nir"
    export_nir(net, params, path)
    net2, params2 = import_nir(path)
    assert repr(net2) == repr(net)
    flat1, tree1 = jax.tree_util.tree_flatten(params)
    flat2, tree2 = jax.tree_util.tree_flatten(params2)
    assert tree1 == tree2
    for a, b in zip(flat1, flat2):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    x = (np.random.default_rng(0).random((15, 2, net.n_in)) < 0.3).astype(np.float32)
    o1 = ns.simulate(net, x, params=params, record=("output",)).records["output"]
    o2 = ns.simulate(net2, x, params=params2, record=("output",)).records["output"]
    assert np.abs(np.asarray(o1)).sum() > 0
    np.testing.assert_array_equal(np.asarray(o1), np.asarray(o2))


def test_conv1d_round_trip():
    net = ns.Sequential([ns.Layer(ns.Conv1d((3, 20), 5, 4, stride=2, padding=1, dilation=2), ns.IF(5 * 8,
                                                                                                   reset="value"))])
    params = net.init(jax.random.PRNGKey(2))
    net2, params2 = import_nir(export_nir(net, params))
    assert repr(net2) == repr(net)
    np.testing.assert_array_equal(np.asarray(params2["layer0"]["proj"]["w"]), np.asarray(params["layer0"]["proj"]["w"]))


def test_max_pool_is_refused_on_export():
    net = ns.Sequential([ns.Layer(ns.Conv2d((1, 4, 4), 2, 3), ns.IF(8, reset="value")), ns.MaxPool2d((2, 2, 2), 2)])
    with pytest.raises(ValidationError, match="MaxPool2d has no NIR primitive"):
        export_nir(net, net.init(jax.random.PRNGKey(0)))


def test_same_padding_and_bad_shapes_on_import():
    w = np.ones((2, 1, 3, 3), np.float32)
    g = nir.NIRGraph(nodes={"input": nir.Input(input_type={"input": np.array([1, 5, 5])}),
                            "c": nir.Conv2d(input_shape=(5, 5), weight=w, stride=1, padding="same", dilation=1,
                                            groups=1, bias=np.zeros(2, np.float32)),
                            "n": nir.IF(r=np.ones((2, 5, 5)), v_threshold=np.ones((2, 5, 5)),
                                        v_reset=np.zeros((2, 5, 5))),
                            "output": nir.Output(output_type={"output": np.array([2, 5, 5])})},
                     edges=[("input", "c"), ("c", "n"), ("n", "output")])
    net, _ = import_nir(g)
    assert net.layers["layer0"].proj.padding == (1, 1) and net.n_out == 50
    bad = nir.NIRGraph(nodes={"input": nir.Input(input_type={"input": np.array([1, 6, 6])}),
                              "c": nir.Conv2d(input_shape=(5, 5), weight=w, stride=1, padding=0, dilation=1,
                                              groups=1, bias=np.zeros(2, np.float32)),
                              "n": nir.IF(r=np.ones(18), v_threshold=np.ones(18), v_reset=np.zeros(18)),
                              "output": nir.Output(output_type={"output": np.array([18])})},
                       edges=[("input", "c"), ("c", "n"), ("n", "output")], type_check=False)
    with pytest.raises(DataFormatError, match=r"expects input \(1, 5, 5\) \(25 values\), the graph feeds \(1, 6, 6\)"):
        import_nir(bad)
