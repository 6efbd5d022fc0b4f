"""BatchNorm: training-mode forward and gradients equal torch.nn.functional.batch_norm (1e-5); running statistics
updated by the Trainer exactly as torch.nn.BatchNorm2d updates them; inference uses them; no extra hardware work."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError

torch = pytest.importorskip("torch")
F = torch.nn.functional
pytestmark = pytest.mark.torch


def test_training_forward_and_gradients_match_torch():
    bn = ns.BatchNorm((3, 5, 4))
    rng = np.random.default_rng(0)
    params = {"scale": jnp.asarray(rng.uniform(0.5, 1.5, 3), jnp.float32),
              "shift": jnp.asarray(rng.normal(size=3), jnp.float32),
              "mean": jnp.zeros(3), "var": jnp.ones(3)}
    x = (2.0 + 3.0 * rng.normal(size=(6, 2, bn.n_in))).astype(np.float32)  # (T, B, C*H*W): folded to 12 samples
    r = rng.normal(size=x.shape).astype(np.float32)

    def loss(p, x):
        y, _ = bn.apply_train(p, x)
        return jnp.sum(y * r)

    y, stats = bn.apply_train(params, jnp.asarray(x))
    gp, gx = jax.grad(loss, argnums=(0, 1))(params, jnp.asarray(x))
    xt = torch.tensor(x.reshape(12, 3, 5, 4), requires_grad=True)
    wt = torch.tensor(np.asarray(params["scale"]), requires_grad=True)
    bt = torch.tensor(np.asarray(params["shift"]), requires_grad=True)
    rm, rv = torch.zeros(3), torch.ones(3)
    yt = F.batch_norm(xt, rm, rv, wt, bt, training=True, momentum=0.1, eps=1e-5)
    (yt * torch.tensor(r.reshape(yt.shape))).sum().backward()
    np.testing.assert_allclose(np.asarray(y).reshape(yt.shape), yt.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(np.asarray(gx).reshape(xt.shape), xt.grad.numpy(), atol=1e-5)
    np.testing.assert_allclose(np.asarray(gp["scale"]), wt.grad.numpy(), atol=1e-4, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(gp["shift"]), bt.grad.numpy(), atol=1e-4, rtol=1e-5)
    assert float(jnp.abs(gp["mean"]).max()) == 0.0 and float(jnp.abs(gp["var"]).max()) == 0.0
    new = bn.update(params, stats)  # torch updated rm/rv in place with the same rule
    np.testing.assert_allclose(np.asarray(new["mean"]), rm.numpy(), atol=1e-5)
    np.testing.assert_allclose(np.asarray(new["var"]), rv.numpy(), rtol=1e-5)
    # inference: the running statistics
    ye = bn.apply(new, jnp.asarray(x))
    yte = F.batch_norm(torch.tensor(x.reshape(12, 3, 5, 4)), rm, rv, wt.detach(), bt.detach(), training=False)
    np.testing.assert_allclose(np.asarray(ye).reshape(yte.shape), yte.numpy(), atol=1e-5)


def test_trainer_updates_running_statistics_like_torch_and_inference_uses_them():
    conv = ns.Conv2d((2, 6, 6), 4, 3, padding=1, bias=False)
    bn = ns.BatchNorm(conv.out_shape)
    net = ns.Sequential([ns.Layer(ns.Chain(conv, bn), ns.LIF(conv.n_out, beta=0.9)),
                         ns.Flatten(conv.out_shape), ns.Layer(ns.Dense(conv.n_out, 3), ns.LI(3, beta=0.9))],
                        names=["conv", "flat", "out"])
    assert net.layers["conv"].has_batch_norm
    params = net.init(jax.random.PRNGKey(0))
    rng = np.random.default_rng(1)
    x = (rng.random((4, 5, net.n_in)) < 0.3).astype(np.float32)  # (batch, T, n)
    y = np.array([0, 1, 2, 0])
    tr = ns.Trainer(net, lr=1e-2, readout="mean", batch_size=4, progress=False, params=params)
    tr.fit(x, y, epochs=1)
    # torch: the same conv output (old weights: the step's forward pass) through BatchNorm2d in training mode
    w = np.asarray(params["conv"]["proj"]["0"]["w"])
    xt = torch.tensor(np.swapaxes(x, 0, 1).reshape(20, 2, 6, 6))
    ref = torch.nn.BatchNorm2d(4, momentum=0.1)
    ref.train()
    ref(F.conv2d(xt, torch.tensor(w), padding=1))
    got = tr.params["conv"]["proj"]["1"]
    np.testing.assert_allclose(np.asarray(got["mean"]), ref.running_mean.numpy(), atol=1e-5)
    np.testing.assert_allclose(np.asarray(got["var"]), ref.running_var.numpy(), rtol=1e-4)
    assert not np.allclose(np.asarray(tr.params["conv"]["proj"]["0"]["w"]), w)  # the weights were trained too
    # outside training the layer normalises with the running statistics, not the batch's
    p = tr.params["conv"]
    xs = jnp.asarray(np.swapaxes(x, 0, 1))
    cur = np.asarray(net.layers["conv"]._feedforward(p, xs)).reshape(20, 4, 6, 6)
    conv_out = F.conv2d(xt, torch.tensor(np.asarray(p["proj"]["0"]["w"])), padding=1)
    expect = F.batch_norm(conv_out, torch.tensor(np.asarray(got["mean"])), torch.tensor(np.asarray(got["var"])),
                          torch.tensor(np.asarray(got["scale"])), torch.tensor(np.asarray(got["shift"])),
                          training=False)
    np.testing.assert_allclose(cur, expect.numpy(), atol=1e-4)
    batch_normed = F.batch_norm(conv_out, None, None, torch.tensor(np.asarray(got["scale"])),
                                torch.tensor(np.asarray(got["shift"])), training=True)
    assert np.abs(cur - batch_normed.numpy()).max() > 1e-2  # ... which differ from the batch statistics
    assert 0.0 <= tr.evaluate(x, y)["accuracy"] <= 1.0


def test_batch_norm_adds_no_hardware_work_and_checks_shapes():
    conv = ns.Conv2d((2, 6, 6), 4, 3, padding=1)
    chain = ns.Chain(conv, ns.BatchNorm(conv.out_shape))
    assert chain.spec() == conv.spec()
    with pytest.raises(ValidationError, match="BatchNorm: expected last dimension 144"):
        ns.BatchNorm((4, 6, 6)).apply(ns.BatchNorm((4, 6, 6)).init(None), jnp.ones((2, 10)))
    with pytest.raises(ValidationError, match="momentum"):
        ns.BatchNorm(4, momentum=1.5)


def test_folding_equals_the_network_at_inference_and_exports_to_nir():
    from neurosim.io.nir import export_nir, import_nir

    conv = ns.Conv2d((2, 6, 6), 4, 3, padding=1, bias=False)
    net = ns.Sequential([ns.Layer(ns.Chain(conv, ns.BatchNorm(conv.out_shape)), ns.LIF(conv.n_out, beta=0.9,
                                                                                       reset="value")),
                         ns.Flatten(conv.out_shape),
                         ns.Layer(ns.Chain(ns.Dense(conv.n_out, 5), ns.BatchNorm(5)), ns.LI(5, beta=0.9))],
                        names=["conv", "flat", "out"])
    params = net.init(jax.random.PRNGKey(0))
    rng = np.random.default_rng(2)
    for name, i in (("conv", "1"), ("out", "1")):  # non-trivial running statistics and affine terms
        c = params[name]["proj"][i]["mean"].shape[0]
        params[name]["proj"][i] = {"scale": jnp.asarray(rng.uniform(0.5, 2, c), jnp.float32),
                                   "shift": jnp.asarray(rng.normal(size=c), jnp.float32),
                                   "mean": jnp.asarray(rng.normal(size=c), jnp.float32),
                                   "var": jnp.asarray(rng.uniform(0.5, 2, c), jnp.float32)}
    x = (rng.random((8, 3, net.n_in)) < 0.3).astype(np.float32)
    with pytest.raises(ValidationError, match="fold_batch_norms"):
        export_nir(net, params)
    folded, fparams = ns.fold_batch_norms(net, params)
    assert not folded.layers["conv"].has_batch_norm and isinstance(folded.layers["conv"].proj, ns.Conv2d)
    a = ns.simulate(net, x, params=params, record=("output", "conv.v"))
    b = ns.simulate(folded, x, params=fparams, record=("output", "conv.v"))
    np.testing.assert_allclose(b["conv.v"], a["conv.v"], atol=1e-4)
    np.testing.assert_allclose(b["output"], a["output"], atol=1e-4)
    again, again_params = import_nir(export_nir(folded, fparams))
    c = ns.simulate(again, x, params=again_params, record=("output",))
    np.testing.assert_allclose(c["output"], b["output"], atol=1e-5)
