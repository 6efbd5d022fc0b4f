"""snnTorch models as users write them (tutorials 5-7): default ``Leaky``/``Synaptic`` (reset by subtraction,
delayed reset), ``RLeaky``/``RSynaptic``, per-neuron tensor ``beta``/``threshold``/``alpha``, and ``nn.Module``
classes whose ``forward`` loops a plain stack over time (traced with torch.fx) convert and match snnTorch spike for
spike on random input; data-dependent control flow and functional ops between layers are refused clearly."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError

torch = pytest.importorskip("torch")
snn = pytest.importorskip("snntorch")

from neurosim.io.snntorch import convert_snntorch  # noqa: E402

pytestmark = pytest.mark.torch
nn = torch.nn
T, B, N_IN, H, N_OUT = 40, 4, 12, 16, 3


def neurosim_spikes(model, params, x):
    _, out, _, _ = model.run(params, model.init_state((x.shape[1],)), jnp.asarray(x))
    return np.asarray(out)


def scaled(*mods):
    with torch.no_grad():
        for m in mods:
            m.weight.mul_(2.5)
    return mods


class Tutorial5(nn.Module):
    """snnTorch tutorial 5: two Linear + default Leaky layers, the time loop inside forward."""

    def __init__(self, beta=0.95, threshold=1.0):
        super().__init__()
        self.fc1, self.fc2 = scaled(nn.Linear(N_IN, H), nn.Linear(H, N_OUT))
        self.lif1 = snn.Leaky(beta=beta, threshold=threshold)  # may be per-neuron tensors
        self.lif2 = snn.Leaky(beta=0.95)

    def forward(self, x):
        mem1 = self.lif1.init_leaky()
        mem2 = self.lif2.init_leaky()
        spk_rec, mem_rec = [], []
        for step in range(T):
            cur1 = self.fc1(x[step])
            spk1, mem1 = self.lif1(cur1, mem1)
            cur2 = self.fc2(spk1)
            spk2, mem2 = self.lif2(cur2, mem2)
            spk_rec.append(spk2)
            mem_rec.append(mem2)
        return torch.stack(spk_rec, dim=0), torch.stack(mem_rec, dim=0)


class SynapticNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = scaled(nn.Linear(N_IN, H), nn.Linear(H, N_OUT))
        self.syn1 = snn.Synaptic(alpha=torch.linspace(0.5, 0.9, H), beta=0.9)
        self.syn2 = snn.Synaptic(alpha=0.8, beta=0.85)

    def forward(self, x):
        syn1, mem1 = self.syn1.init_synaptic()
        syn2, mem2 = self.syn2.init_synaptic()
        out = []
        for step in range(T):
            spk1, syn1, mem1 = self.syn1(self.fc1(x[step]), syn1, mem1)
            spk2, syn2, mem2 = self.syn2(self.fc2(spk1), syn2, mem2)
            out.append(spk2)
        return torch.stack(out)


class RecurrentNet(nn.Module):
    """RLeaky (all-to-all Linear recurrence) then RSynaptic (one-to-one recurrence)."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = scaled(nn.Linear(N_IN, H), nn.Linear(H, N_OUT))
        self.rlif = snn.RLeaky(beta=0.9, linear_features=H)
        self.rsyn = snn.RSynaptic(alpha=0.7, beta=0.9, all_to_all=False, V=0.5)

    def forward(self, x):
        spk1, mem1 = self.rlif.init_rleaky()
        spk2, syn2, mem2 = self.rsyn.init_rsynaptic()
        out = []
        for step in range(T):
            spk1, mem1 = self.rlif(self.fc1(x[step]), spk1, mem1)
            spk2, syn2, mem2 = self.rsyn(self.fc2(spk1), spk2, syn2, mem2)
            out.append(spk2)
        return torch.stack(out)


def x_input(seed=0):
    return (np.random.default_rng(seed).random((T, B, N_IN)) < 0.4).astype(np.float32)


@pytest.mark.parametrize("make", [Tutorial5, lambda: Tutorial5(beta=torch.linspace(0.8, 0.99, H),
                                                               threshold=torch.linspace(0.5, 1.5, H)),
                                  SynapticNet, RecurrentNet],
                         ids=["tutorial5-default-leaky", "per-neuron-beta-threshold", "synaptic-per-neuron-alpha",
                              "rleaky-rsynaptic"])
def test_module_classes_match_snntorch_spike_for_spike(make):
    torch.manual_seed(0)
    net = make()
    x = x_input()
    with torch.no_grad():
        out = net(torch.from_numpy(x))
    ref = (out[0] if isinstance(out, tuple) else out).numpy()
    model, params = convert_snntorch(net, N_IN)
    assert ref.sum() > 0 and ref.sum() < ref.size  # spikes, not silence or saturation
    np.testing.assert_array_equal(neurosim_spikes(model, params, x), ref)


def test_sequential_rleaky_and_tensor_beta():
    torch.manual_seed(1)
    beta = torch.linspace(0.7, 0.95, H)
    net = nn.Sequential(*scaled(nn.Linear(N_IN, H)), snn.RLeaky(beta=beta, linear_features=H, init_hidden=True),
                        *scaled(nn.Linear(H, N_OUT)), snn.Leaky(beta=0.9, init_hidden=True, output=True))
    x = x_input(1)
    from snntorch import utils as snn_utils

    snn_utils.reset(net)
    with torch.no_grad():
        ref = np.stack([net(torch.from_numpy(x[t]))[0].numpy() for t in range(T)])
    model, params = convert_snntorch(net, N_IN)
    assert isinstance(model.layers["layer0"].recurrent, ns.Dense)
    np.testing.assert_array_equal(neurosim_spikes(model, params, x), ref)


def test_data_dependent_control_flow_is_refused():
    class Branchy(Tutorial5):
        def forward(self, x):
            mem1 = self.lif1.init_leaky()
            spk1, mem1 = self.lif1(self.fc1(x[0]), mem1)
            if spk1.sum() > 0:
                return spk1
            return self.fc2(spk1)

    with pytest.raises(ValidationError, match="cannot be traced with torch.fx.*control flow"):
        convert_snntorch(Branchy(), N_IN)


def test_functional_ops_between_layers_are_refused():
    class Functional(Tutorial5):
        def forward(self, x):
            mem1 = self.lif1.init_leaky()
            mem2 = self.lif2.init_leaky()
            out = []
            for step in range(3):
                spk1, mem1 = self.lif1(self.fc1(x[step]), mem1)
                spk2, mem2 = self.lif2(self.fc2(torch.relu(spk1)), mem2)
                out.append(spk2)
            return torch.stack(out)

    with pytest.raises(ValidationError, match="fc2 reads call_function.*relu.*not the output of lif1"):
        convert_snntorch(Functional(), N_IN)


class Tutorial6(nn.Module):
    """snnTorch tutorial 6: Conv2d with functional max pooling, a view before the Linear, default Leaky."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 4, 3), nn.Conv2d(4, 6, 3)
        self.fc1 = nn.Linear(6 * 1 * 1, N_OUT)
        scaled(self.conv1, self.conv2, self.fc1)
        self.lif1, self.lif2, self.lif3 = snn.Leaky(beta=0.9), snn.Leaky(beta=0.9), snn.Leaky(beta=0.9)

    def forward(self, x):
        mem1, mem2, mem3 = self.lif1.init_leaky(), self.lif2.init_leaky(), self.lif3.init_leaky()
        out = []
        for step in range(T):
            cur1 = F.max_pool2d(self.conv1(x[step]), 2)
            spk1, mem1 = self.lif1(cur1, mem1)
            cur2 = F.max_pool2d(self.conv2(spk1), 2)
            spk2, mem2 = self.lif2(cur2, mem2)
            cur3 = self.fc1(spk2.view(B, -1))
            spk3, mem3 = self.lif3(cur3, mem3)
            out.append(spk3)
        return torch.stack(out)


F = torch.nn.functional


def test_tutorial6_conv_class_with_functional_pooling():
    torch.manual_seed(2)
    net = Tutorial6()
    x = (np.random.default_rng(2).random((T, B, 1, 10, 10)) < 0.4).astype(np.float32)
    with torch.no_grad():
        ref = net(torch.from_numpy(x)).numpy()
    model, params = convert_snntorch(net, (1, 10, 10))
    assert ref.sum() > 0
    np.testing.assert_array_equal(neurosim_spikes(model, params, x.reshape(T, B, -1)), ref)
