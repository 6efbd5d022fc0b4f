"""snnTorch convolutional models converted by :func:`neurosim.io.snntorch.convert_snntorch` run spike for spike
like snnTorch itself: the tutorial layout Conv2d → MaxPool2d → Leaky, average pooling, Synaptic neurons, snnTorch's
default (subtract, delayed) reset and reset to zero."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError

torch = pytest.importorskip("torch")
snn = pytest.importorskip("snntorch")
from snntorch import utils as snn_utils  # noqa: E402

from neurosim.io.snntorch import convert_snntorch  # noqa: E402

pytestmark = pytest.mark.torch
nn = torch.nn


def run_snntorch(net, x):
    snn_utils.reset(net)
    out = []
    with torch.no_grad():
        for t in range(x.shape[0]):
            o = net(torch.from_numpy(x[t]))
            out.append((o[0] if isinstance(o, tuple) else o).numpy().copy())
    return np.stack(out)


def run_neurosim(model, params, x):
    _, out, _, _ = model.run(params, model.init_state((x.shape[1],)), jnp.asarray(x.reshape(x.shape[0], x.shape[1], -1)))
    return np.asarray(out)


def tutorial_cnn(neuron="leaky", reset="subtract", delay=True, pool=nn.MaxPool2d):
    torch.manual_seed(0)

    def lif(**kw):
        if neuron == "synaptic":
            return snn.Synaptic(alpha=0.8, beta=0.9, threshold=0.5, reset_mechanism=reset, reset_delay=delay,
                                init_hidden=True, **kw)
        return snn.Leaky(beta=0.9, threshold=0.5, reset_mechanism=reset, reset_delay=delay, init_hidden=True, **kw)

    net = nn.Sequential(nn.Conv2d(2, 6, 5), pool(2), lif(),
                        nn.Conv2d(6, 8, 3, padding=1), pool(2), lif(),
                        nn.Flatten(), nn.Linear(8 * 3 * 3, 10), lif(output=True))
    with torch.no_grad():
        for m in net:
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.mul_(3.0)
    return net


@pytest.mark.parametrize("neuron, reset, delay, pool", [
    ("leaky", "subtract", True, nn.MaxPool2d),   # snnTorch's defaults, the tutorial layout
    ("leaky", "zero", False, nn.AvgPool2d),
    ("synaptic", "subtract", True, nn.MaxPool2d),
], ids=["leaky-default-maxpool", "leaky-zero-avgpool", "synaptic-maxpool"])
def test_conv_network_matches_snntorch_spike_for_spike(neuron, reset, delay, pool):
    net = tutorial_cnn(neuron, reset, delay, pool)
    x = (np.random.default_rng(1).random((25, 4, 2, 16, 16)) < 0.15).astype(np.float32)
    ref = run_snntorch(net, x)
    model, params = convert_snntorch(net, (2, 16, 16))
    assert [type(l.proj).__name__ for l in model.layers.values()] == ["Chain", "Chain", "Flatten", "Dense"]
    out = run_neurosim(model, params, x)
    assert ref.sum() > 20 and ref.sum() < ref.size  # active, not saturated: the comparison is informative
    np.testing.assert_array_equal(out, ref)


def test_pool_after_the_neuron_becomes_a_stage():
    torch.manual_seed(1)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), snn.Leaky(beta=0.8, init_hidden=True), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(4 * 4 * 4, 3), snn.Leaky(beta=0.8, init_hidden=True, output=True))
    with torch.no_grad():
        net[0].weight.mul_(4.0)
        net[4].weight.mul_(4.0)
    model, params = convert_snntorch(net, (1, 8, 8))
    assert isinstance(model.layers["layer1"], ns.Stage)
    x = (np.random.default_rng(2).random((20, 3, 1, 8, 8)) < 0.3).astype(np.float32)
    ref = run_snntorch(net, x)
    assert ref.sum() > 5
    np.testing.assert_array_equal(run_neurosim(model, params, x), ref)


def test_unsupported_modules_are_named():
    with pytest.raises(ValidationError, match=r"module 1 \(ReLU\) is not supported"):
        convert_snntorch(nn.Sequential(nn.Linear(4, 3), nn.ReLU()), 4)
    with pytest.raises(ValidationError, match=r"expects \(2, \.\.\., \.\.\.\) input, gets \(3, 8, 8\)"):
        convert_snntorch(nn.Sequential(nn.Conv2d(2, 3, 3), snn.Leaky(beta=0.5, init_hidden=True)), (3, 8, 8))
    with pytest.raises(ValidationError, match="init_hidden=False"):
        convert_snntorch(nn.Sequential(nn.Linear(4, 3), snn.Leaky(beta=0.5)), 4)
    with pytest.raises(ValidationError, match="ends with a weight layer"):
        convert_snntorch(nn.Sequential(nn.Linear(4, 3), snn.Leaky(beta=0.5, init_hidden=True), nn.Linear(3, 2)), 4)


def test_batch_norm_converts_in_its_inference_form():
    # a trained-looking BatchNorm2d (non-trivial running statistics and affine terms), eval mode in snnTorch
    torch.manual_seed(3)
    net = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4),
                        snn.Leaky(beta=0.9, threshold=0.5, init_hidden=True),
                        nn.Flatten(), nn.Linear(4 * 8 * 8, 3), nn.BatchNorm1d(3),
                        snn.Leaky(beta=0.9, threshold=0.5, init_hidden=True, output=True))
    with torch.no_grad():
        for bn in (net[1], net[5]):
            c = bn.num_features
            bn.running_mean.copy_(torch.randn(c) * 0.3)
            bn.running_var.copy_(torch.rand(c) + 0.5)
            bn.weight.copy_(torch.rand(c) + 0.5)
            bn.bias.copy_(torch.randn(c) * 0.2)
        net[5].bias.add_(0.3)  # drive the output layer into a regime where it spikes sometimes
    net.eval()
    model, params = convert_snntorch(net, (2, 8, 8))
    assert type(model.layers["layer0"].proj.stages[1]).__name__ == "BatchNorm"
    x = (np.random.default_rng(4).random((20, 3, 2, 8, 8)) < 0.3).astype(np.float32)
    ref = run_snntorch(net, x)
    assert 5 < ref.sum() < ref.size
    np.testing.assert_array_equal(run_neurosim(model, params, x), ref)
