"""Convolution and pooling projections against torch.nn.functional (forward and gradients to 1e-5), exact border
fan-out against a brute-force Jacobian, and their counts inside Layer / Stage / Sequential."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch

CONV2D = [dict(in_shape=(3, 11, 10), out_channels=6, kernel_size=(3, 2), stride=(2, 1), padding=(1, 0),
               dilation=(1, 2), groups=3),
          dict(in_shape=(2, 8, 8), out_channels=4, kernel_size=3, stride=1, padding=1, dilation=1, groups=1)]
CONV1D = [dict(in_shape=(4, 20), out_channels=6, kernel_size=5, stride=2, padding=2, dilation=2, groups=2)]


def _torch_conv(kw, x, w, b):
    nd = len(kw["in_shape"]) - 1
    fn = F.conv2d if nd == 2 else F.conv1d
    return fn(x, w, b, stride=kw["stride"], padding=kw["padding"], dilation=kw["dilation"], groups=kw["groups"])


@pytest.mark.parametrize("path", ["xla", "direct", "direct-matmul", "matmul", "matmul-chunked"])
@pytest.mark.parametrize("kw", CONV2D + CONV1D, ids=["conv2d-strided-grouped", "conv2d-same", "conv1d"])
def test_conv_forward_and_gradients_match_torch(kw, path, monkeypatch):
    from neurosim.core.projections import conv_op

    # forward: the direct sum of shifted slices ("direct*") or XLA's convolution; weight gradient: batched matmuls
    # over im2col columns ("*matmul*", all chunk sizes the same) or XLA's
    monkeypatch.setattr(conv_op, "DIRECT_MAX_TAPS", 10**6 if path.startswith("direct") else 0)
    monkeypatch.setattr(conv_op, "MM_MIN_FLOPS", 0 if "matmul" in path else float("inf"))
    cls = ns.Conv2d if len(kw["in_shape"]) == 3 else ns.Conv1d
    args = {k: v for k, v in kw.items() if k not in ("in_shape", "out_channels", "kernel_size")}
    conv = cls(kw["in_shape"], kw["out_channels"], kw["kernel_size"], **args)
    params = conv.init(jax.random.PRNGKey(3))
    params["b"] = jnp.linspace(-0.5, 0.5, kw["out_channels"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3, conv.n_in)).astype(np.float32)  # (T, B, n): leading axes folded
    r = rng.normal(size=(4, 3, conv.n_out)).astype(np.float32)
    if path == "matmul-chunked":  # 5 folded samples per chunk: 12 samples need a zero-padded last chunk
        per_sample = conv.in_shape[0] * int(np.prod(conv.kernel_size)) * int(np.prod(conv.out_shape[1:])) * 4
        monkeypatch.setattr(conv_op, "COLS_BUDGET", 5 * per_sample)

    def loss(p, x):
        return jnp.sum(conv.apply(p, x) * r)

    y = conv.apply(params, jnp.asarray(x))
    assert ("custom_vjp" in str(jax.make_jaxpr(conv.apply)(params, jnp.asarray(x)))) == (path != "xla")
    (gp, gx) = jax.grad(loss, argnums=(0, 1))(params, jnp.asarray(x))

    xt = torch.tensor(x.reshape((-1,) + conv.in_shape), requires_grad=True)
    wt = torch.tensor(np.asarray(params["w"]), requires_grad=True)
    bt = torch.tensor(np.asarray(params["b"]), requires_grad=True)
    yt = _torch_conv(kw, xt, wt, bt)
    assert tuple(yt.shape[1:]) == conv.out_shape
    (yt * torch.tensor(r.reshape(yt.shape))).sum().backward()
    np.testing.assert_allclose(np.asarray(y).reshape(yt.shape), yt.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(np.asarray(gx).reshape(xt.shape), xt.grad.numpy(), atol=1e-5)
    np.testing.assert_allclose(np.asarray(gp["w"]), wt.grad.numpy(), atol=1e-4, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(gp["b"]), bt.grad.numpy(), atol=1e-4, rtol=1e-5)


POOLS = [(ns.SumPool2d, dict(kernel_size=2)), (ns.AvgPool2d, dict(kernel_size=3, stride=2, padding=1)),
         (ns.MaxPool2d, dict(kernel_size=2)), (ns.MaxPool2d, dict(kernel_size=3, stride=2, padding=1))]


def _torch_pool(cls, kw, x):
    k, s, p = kw["kernel_size"], kw.get("stride", kw["kernel_size"]), kw.get("padding", 0)
    if cls is ns.SumPool2d:
        return F.avg_pool2d(x, k, s, p, divisor_override=1)
    if cls is ns.AvgPool2d:
        return F.avg_pool2d(x, k, s, p, count_include_pad=True)
    return F.max_pool2d(x, k, s, p)


@pytest.mark.parametrize("cls, kw", POOLS, ids=["sum", "avg-padded", "max", "max-padded"])
def test_pool_forward_and_gradients_match_torch(cls, kw):
    pool = cls((3, 9, 8), **kw)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, pool.n_in)).astype(np.float32)
    r = rng.normal(size=(5, pool.n_out)).astype(np.float32)
    y = pool.apply({}, jnp.asarray(x))
    gx = jax.jit(jax.grad(lambda x: jnp.sum(pool.apply({}, x) * r)))(jnp.asarray(x))  # under jit, as in training
    xt = torch.tensor(x.reshape((-1,) + pool.in_shape), requires_grad=True)
    yt = _torch_pool(cls, kw, xt)
    assert tuple(yt.shape[1:]) == pool.out_shape
    (yt * torch.tensor(r.reshape(yt.shape))).sum().backward()
    np.testing.assert_allclose(np.asarray(y).reshape(yt.shape), yt.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(np.asarray(gx).reshape(xt.shape), xt.grad.numpy(), atol=1e-5)


@pytest.mark.parametrize("proj", [ns.Conv2d((2, 7, 6), 3, 3, stride=2, padding=1),
                                  ns.Conv2d((2, 6, 6), 4, (2, 3), padding=(0, 2), dilation=(2, 1), groups=2),
                                  ns.Conv1d((3, 9), 2, 4, stride=3), ns.AvgPool2d((2, 5, 5), 3, 2, 1)],
                         ids=["conv-stride-pad", "conv-dilated-grouped", "conv1d-stride", "avgpool-pad"])
def test_fan_out_is_exact_at_the_borders(proj):
    params = proj.init(jax.random.PRNGKey(0))
    if "w" in params:  # structural: nonzero Jacobian entries with all-ones weights
        params = {**params, "w": jnp.ones_like(params["w"])}
        params.pop("b", None)
        proj.bias = False
    jac = jax.jacobian(lambda x: proj.apply(params, x))(jnp.zeros(proj.n_in))
    connected = np.asarray(jac) != 0
    np.testing.assert_array_equal(proj.fan_out, connected.sum(axis=0))
    assert proj.nnz == connected.sum()
    assert proj.macs_dense >= proj.nnz  # padding taps are computed by a dense kernel, not connections


def test_flatten_and_bad_shapes():
    flat = ns.Flatten((8, 4, 4))
    x = jnp.arange(2 * 128.0).reshape(2, 128)
    assert flat.apply({}, x) is x and flat.n_out == 128
    with pytest.raises(ValidationError, match="expected last dimension 128"):
        flat.apply({}, jnp.zeros((2, 100)))
    conv = ns.Conv2d((2, 5, 5), 4, 3)
    with pytest.raises(ValidationError, match=r"expected last dimension 50 = \(2, 5, 5\)"):
        conv.apply(conv.init(jax.random.PRNGKey(0)), jnp.zeros((3, 49)))
    with pytest.raises(ValidationError, match="does not fit"):
        ns.Conv2d((1, 3, 3), 2, 5)
    with pytest.raises(ValidationError, match="groups=2 must divide"):
        ns.Conv2d((3, 5, 5), 4, 3, groups=2)
    with pytest.raises(ValidationError, match="in_shape"):
        ns.Conv2d((5, 5), 4, 3)
    with pytest.raises(ValidationError, match="trainable parameters"):
        ns.Stage(ns.Conv2d((1, 4, 4), 2, 3))


@pytest.fixture(scope="module")
def cnn():
    net = ns.Sequential([
        ns.Layer(ns.Conv2d((2, 10, 10), 4, 3, stride=1, padding=1, bias=False), ns.IF(400, v_th=1.0)),
        ns.SumPool2d((4, 10, 10), 2),
        ns.Layer(ns.Conv2d((4, 5, 5), 6, 3, padding=1, bias=False), ns.IF(150, v_th=1.0)),
        ns.Flatten((6, 5, 5)),
        ns.Layer(ns.Chain(ns.Dense(150, 20)), ns.LIF(20, beta=0.9)),
        ns.Layer(ns.Dense(20, 3), ns.LI(3, beta=0.9)),
    ], names=["conv1", "pool1", "conv2", "flat", "fc", "out"])
    params = net.init(jax.random.PRNGKey(7))
    params = jax.tree_util.tree_map(lambda a: 1.5 * a, params)
    x = (np.random.default_rng(5).random((12, 3, 200)) < 0.2).astype(np.float32)
    return net, params, x


def test_sequential_cnn_counts_are_exact(cnn):
    net, params, x = cnn
    res = ns.simulate(net, x, params=params, record=("spike",))
    _, _, _, extras = net.run(params, net.init_state((3,)), jnp.asarray(x), record_outputs=True)
    outs = {k: np.asarray(v) for k, v in extras["outputs"].items()}
    act = res.activity.layers
    conv1 = net.layers["conv1"].proj
    assert act["conv1"].synaptic_events == int(((x != 0) * conv1.fan_out).sum())
    s1 = outs["conv1"]
    pool = net.layers["pool1"].proj
    assert act["pool1"].synaptic_events == int(((s1 != 0) * pool.fan_out).sum())
    assert act["pool1"].spikes == int((outs["pool1"] != 0).sum())
    conv2 = net.layers["conv2"].proj
    assert act["conv2"].synaptic_events == int(((outs["pool1"] != 0) * conv2.fan_out).sum())
    assert act["fc"].synaptic_events == int((outs["flat"] != 0).sum() * 20)
    assert s1.sum() > 0 and outs["conv2"].sum() > 0  # the network is active, the checks are not vacuous
    specs = {s.name: s for s in net.describe()}
    assert "flat" not in specs and specs["fc"].projections[0].source == "conv2"
    assert specs["pool1"].update == "pool" and specs["pool1"].graded
    geo = specs["conv2"].conv
    assert geo.weights == 6 * 4 * 9 and specs["conv2"].stored_weights == 216
    assert specs["conv2"].synapses == conv2.nnz and specs["conv2"].dense_synapses == 6 * 25 * 36


def test_step_and_run_agree_for_the_cnn(cnn):
    net, params, x = cnn
    _, outs, _, _ = net.run(params, net.init_state((3,)), jnp.asarray(x))
    state, steps = net.init_state((3,)), []
    for t in range(x.shape[0]):
        state, o = net.step(params, state, jnp.asarray(x[t]))
        steps.append(np.asarray(o))
    np.testing.assert_allclose(np.stack(steps), np.asarray(outs), atol=1e-5)


def test_cnn_trains(cnn):
    net, params, x = cnn
    y = np.array([0, 1, 2])

    def loss(p):
        _, outs, _, _ = net.run(p, net.init_state((3,)), jnp.asarray(x))
        logits = outs.mean(0)
        return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(3), y])

    g = jax.grad(loss)(params)
    assert float(jnp.abs(g["conv1"]["proj"]["w"]).sum()) > 0  # surrogate gradients reach the first conv
