"""Micro-batched train steps: the same step as one pass over the batch (to float32 rounding), sliced only where the
loss is a mean over independent examples, and the slice count chosen from the activation size."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError
from neurosim.learn import micro_batch
from neurosim.models.egru import EGRU


def _net():
    return ns.Sequential([ns.Layer(ns.Dense(12, 24), ns.LIF(24, beta=0.9)),
                          ns.Layer(ns.Dense(24, 3), ns.LI(3, beta=0.9))])


def _data(n=16, T=20, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.random((n, T, 12)) < 0.2).astype(np.float32)
    return x, rng.integers(0, 3, n).astype(np.int32)


@pytest.mark.parametrize("weight_noise", [False, True])
def test_sliced_step_equals_one_pass_loss_accuracy_spikes_and_parameters(weight_noise):
    from neurosim.learn.hardware_aware import DeviceNoiseInjection

    x, y = _data()
    xb, yb = jnp.asarray(x.transpose(1, 0, 2)), jnp.asarray(y)
    outs = {}
    for k in (1, 4):  # with weight noise: one draw per step, the same for every slice
        noise = DeviceNoiseInjection("pcm-aihwkit", clip_sigma=None) if weight_noise else None
        tr = ns.Trainer(_net(), lr=1e-2, readout="sum", batch_size=16, progress=False, micro_batches=k,
                        weight_noise=noise)
        assert tr.slices(20, 16) == k
        state = (tr.params, tr.opt_state)
        for _ in range(3):
            p, o, loss, acc, spikes = tr._train_step(state[0], state[1], xb, yb, jax.random.PRNGKey(0))
            state = (p, o)
        outs[k] = (p, float(loss), float(acc), {n: int(s) for n, s in spikes.items()})
    (p1, l1, a1, s1), (p4, l4, a4, s4) = outs[1], outs[4]
    assert s1 == s4 and s1["layer0"] > 0  # spike totals summed over the slices
    assert a1 == a4  # logits joined in batch order
    np.testing.assert_allclose(l4, l1, rtol=1e-6)
    for a, b in zip(jax.tree_util.tree_leaves(p1), jax.tree_util.tree_leaves(p4)):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=0, atol=2e-6)


def test_auto_slices_only_arrays_above_the_mmap_ceiling_down_to_the_slice_target():
    net = _net()  # widest array: the 24-unit layer (inputs are 12 wide)
    per_example = 300 * 24 * 4
    fits = micro_batch.MMAP_CEILING // per_example  # the largest batch whose arrays all fit under the ceiling
    assert micro_batch.plan(net, 300, fits, "auto") == 1
    batch = 8192
    assert per_example * batch > micro_batch.MMAP_CEILING
    k = micro_batch.plan(net, 300, batch, "auto")
    assert k > 1 and batch % k == 0
    assert per_example * (batch // k) <= micro_batch.SLICE_BYTES < per_example * (batch // (k // 2))
    from neurosim.models import spiking_cnn

    cnn = spiking_cnn((2, 34, 34), 10, channels=(16, 32))
    assert cnn.batch_separable() and micro_batch.plan(cnn, 300, 512, "auto") == 1  # convolutions: never auto
    assert micro_batch.plan(cnn, 30, 32, 2) == 2  # forcing is allowed
    wide_input = ns.Sequential([ns.Layer(ns.Dense(5000, 4), ns.LIF(4, beta=0.9))])
    assert micro_batch.plan(wide_input, 300, 64, "auto") > 1  # the input (300, 64, 5000) is the widest array


def test_coupled_losses_are_never_sliced_and_forcing_them_is_refused():
    egru = ns.Sequential([EGRU(12, 16, activity_weight=1.0, activity_target=0.05)])
    assert micro_batch.plan(egru, 1000, 4096, "auto") == 1  # batch-mean rate penalty couples the batch
    with pytest.raises(ValidationError, match="couples the examples"):
        micro_batch.plan(egru, 10, 8, 2)
    assert micro_batch.plan(ns.Sequential([EGRU(12, 16)]), 1000, 4096, "auto") > 1
    conv = ns.Conv2d((1, 4, 4), 2, 3, padding=1, bias=False)
    bn = ns.Sequential([ns.Layer(ns.Chain(conv, ns.BatchNorm(conv.out_shape)), ns.LIF(conv.n_out, beta=0.9))])
    assert not bn.batch_separable() and micro_batch.plan(bn, 1000, 4096, "auto") == 1
    with pytest.raises(ValidationError, match="regularizer"):
        ns.Trainer(_net(), batch_size=8, progress=False, micro_batches=2, regularizer=lambda outs: 0.0)
    tr = ns.Trainer(_net(), batch_size=8, progress=False, regularizer=lambda outs: 0.0)
    assert tr.slices(1000, 512) == 1
    with pytest.raises(ValidationError, match="do not divide"):
        ns.Trainer(_net(), batch_size=8, progress=False, micro_batches=3)
    with pytest.raises(ValidationError, match="positive int"):
        ns.Trainer(_net(), batch_size=8, progress=False, micro_batches=0)
