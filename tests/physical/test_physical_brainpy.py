"""The BrainPy face of a physical layer (``neurosim.physical.dynamics.PhysicalSystem``): runs in ``bm.for_loop``
and ``bp.DSRunner`` equal to calling the layer with the same keys; no physical parameter is a ``TrainVar``;
``bp.BPTT`` trains a digital readout after the system; a gradient through it still raises."""

import brainpy as bp
import brainpy.math as bm
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError
from neurosim.physical import PhysicalGradientError, ScatteringMedium
from neurosim.physical.dynamics import PhysicalSystem


def medium():
    return ScatteringMedium(6, 32, pool=2, seed=0, noise=0.05)


def test_runs_equal_the_layer_called_with_the_same_keys():
    layer = medium()
    system = PhysicalSystem(layer, seed=3)
    x = np.random.default_rng(0).random((5, 2, 6)).astype(np.float32)
    ref = np.stack([np.asarray(layer(x[t], k)) for t, k in enumerate(system.keys(5))])
    system.reset_state()
    looped = bm.for_loop(lambda xt: system(xt), jnp.asarray(x), progress_bar=False)
    np.testing.assert_array_equal(np.asarray(looped), ref)
    system.reset_state()
    ran = bp.DSRunner(system, data_first_axis="T", progress_bar=False).run(inputs=jnp.asarray(x))
    np.testing.assert_array_equal(np.asarray(ran), ref)
    assert np.abs(ref[0] - ref[1]).max() > 0  # new noise every step (same input, other key would differ too)
    other = PhysicalSystem(layer, seed=4)
    assert np.abs(np.asarray(layer(x[0], other.keys(1)[0])) - ref[0]).max() > 0


def test_no_physical_parameter_is_trainable_and_bad_input_is_refused():
    class Group(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.phys = PhysicalSystem(medium())
            self.out = ns.Dense(16, 2)

        def update(self, x):
            return self.out.update(self.phys(x))

    g = Group()
    names = list(g.train_vars().unique())
    assert names and all("Dense" in n for n in names)
    with pytest.raises(ValidationError, match="PhysicalLayer"):
        PhysicalSystem(ns.Dense(3, 4))
    with pytest.raises(ValidationError, match=r"expected shape \(batch, 6\)"):
        PhysicalSystem(medium())(jnp.ones((2, 5)))


def test_bptt_trains_a_readout_after_the_system_and_gradients_through_it_raise():
    rng = np.random.default_rng(0)
    centres = rng.random((2, 6))

    def data():
        for _ in range(6):
            labels = rng.integers(0, 2, 16)
            x = centres[labels][:, None, :] + 0.05 * rng.standard_normal((16, 4, 6))
            yield np.clip(x, 0, 1).astype(np.float32), labels

    with bm.environment(mode=bm.training_mode, dt=1.0):
        bm.random.seed(0)

        class Net(bp.DynSysGroup):
            def __init__(self):
                super().__init__()
                self.phys = PhysicalSystem(medium(), seed=1)
                self.out = ns.Dense(16, 2, scale=0.1)

            def update(self, x):
                return self.out.update(self.phys(x) * 10.0)

        net = Net()
        trainer = bp.BPTT(net, loss_fun=lambda p, y: bp.losses.cross_entropy_loss(p.mean(1), y),
                          optimizer=bp.optim.Adam(lr=5e-2), progress_bar=False)
        trainer.fit(data, num_epoch=8)
    loss = np.asarray(trainer.get_hist_metric())
    assert loss[-1] < 0.6 * loss[0]

    system = PhysicalSystem(medium())
    with pytest.raises(PhysicalGradientError):
        jax.grad(lambda x: system(x).sum())(jnp.ones((1, 6)) * 0.5)
    twin = PhysicalSystem(medium(), twin=True)
    g = jax.grad(lambda x: twin(x).sum())(jnp.ones((1, 6)) * 0.5)
    assert np.isfinite(np.asarray(g)).all() and np.abs(np.asarray(g)).sum() > 0
