"""The BrainPy face of every component, tested in BrainPy's own idioms: ``bp.DSRunner`` and ``bm.for_loop`` runs
equal ``neurosim.simulate``; ``train_vars()`` of a ``bp.DynSysGroup`` lists every neurosim weight once; a group
mixing BrainPy's own neurons with a neurosim EGRU trains with ``bp.BPTT``; one owner for ``dt``."""

import brainpy as bp
import brainpy.math as bm
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import ValidationError
from neurosim.models import EGRU, GRU, LiquidStateMachine

T, B = 25, 2


def seq(*layers, **kw):
    return ns.Sequential(list(layers), **kw)


def ei_network():
    net = ns.Network()
    net.add_input("in", 6)
    net.add("E", ns.LIF(8, tau_mem=10.0, v_th=0.5, reset="value"))
    net.add("I", ns.LIF(4, tau_mem=5.0, v_th=0.5, reset="value"))
    net.connect("in", "E", ns.Dense(6, 8, scale=3.0))
    net.connect("E", "I", ns.Dense(8, 4, scale=2.0), synapse=ns.Exponential(5.0, 1.0))
    net.connect("I", "E", ns.Dense(4, 8, scale=1.0), synapse=ns.Exponential(10.0, 1.0))
    return net


MODELS = {
    "LIF": lambda: seq(ns.Layer(ns.Dense(6, 8, scale=2.0), ns.LIF(8, beta=0.9, v_th=0.5, learn=("decay",)))),
    "CubaLIF": lambda: seq(ns.Layer(ns.Dense(6, 8, scale=2.0), ns.CubaLIF(8, alpha=0.8, beta=0.9, v_th=0.3))),
    "ALIF+LI": lambda: seq(ns.Layer(ns.Dense(6, 8, scale=2.0), ns.ALIF(8, beta=0.9, v_th=0.5)),
                           ns.Layer(ns.Dense(8, 3), ns.LI(3, beta=0.8))),
    "recurrent+sparse": lambda: seq(ns.Layer(ns.SparseLinear(6, 8, p=0.5, seed=1), ns.LIF(8, beta=0.9, v_th=0.3),
                                             recurrent=ns.Dense(8, 8, bias=False, scale=0.5)),
                                    ns.Layer(ns.EventCSR(8, 3, p=0.6, std=1.0, seed=2), ns.LI(3, beta=0.8))),
    "conv": lambda: seq(ns.Layer(ns.Chain(ns.Conv2d((1, 6, 6), 2, 3, padding=1),
                                          ns.BatchNorm((2, 6, 6))), ns.LIF(72, beta=0.9, v_th=0.3)),
                        ns.SumPool2d((2, 6, 6), 2), ns.Flatten((2, 3, 3)), ns.Layer(ns.Dense(18, 3), ns.LI(3, beta=0.8))),
    "EGRU": lambda: seq(EGRU(6, 8)),
    "GRU": lambda: seq(GRU(6, 8)),
    "Network": ei_network,
    "LSM": lambda: LiquidStateMachine(6, 27, seed=1),
}


def inputs(n_in, seed=0):
    return (np.random.default_rng(seed).random((T, B, n_in)) < 0.5).astype(np.float32)


def reference(model, params, x):
    return ns.simulate(model, x, params=params, record=("output",)).records["output"]


def equal(a, b):
    """Spikes bit for bit; graded values (readout potentials, EGRU events, GRU states) to float32 rounding: XLA
    compiles BrainPy's loop as a different program and may contract a*b + c into one FMA in one and not the other,
    which moves the last bit (a jitted scan of ``step`` equals ``simulate`` exactly)."""
    la, lb = jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)
    assert len(la) == len(lb)
    for u, v in zip(la, lb):
        u, v = np.asarray(u), np.asarray(v)
        assert u.shape == v.shape
        if np.isin(v, (0.0, 1.0)).all():
            np.testing.assert_array_equal(u, v)
        else:
            np.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kind", list(MODELS))
def test_dsrunner_and_for_loop_equal_simulate(kind):
    model = MODELS[kind]()
    params = model.init(jax.random.PRNGKey(1))
    model.param_values = params
    x = inputs(model.n_in)
    ref = reference(model, params, x)
    with bm.environment(dt=model.dt):
        model.reset_state(B)
        looped = bm.for_loop(lambda xt: model(xt), jnp.asarray(x), progress_bar=False)
        equal(looped, ref)
        model.reset_state(B)
        ran = bp.DSRunner(model, data_first_axis="T", progress_bar=False).run(inputs=jnp.asarray(x))
        equal(ran, ref)


@pytest.mark.parametrize("make", [lambda: EGRU(6, 8), lambda: GRU(6, 8), lambda: ns.LIF(6, beta=0.9)])
def test_bare_component_runs_repeatedly_without_touching_parameters(make):
    comp = make()  # parameters exist as TrainVars from construction: no lazy init inside the trace
    x = jnp.asarray(inputs(6))
    comp.reset_state(B)
    first = bp.DSRunner(comp, data_first_axis="T", progress_bar=False).run(inputs=x)
    comp.reset_state(B)
    second = bp.DSRunner(comp, data_first_axis="T", progress_bar=False).run(inputs=x)
    equal(first, second)
    if not isinstance(comp, ns.LIF):
        wrapped = ns.Sequential([comp])
        equal(first, reference(wrapped, wrapped.param_values, np.asarray(x)))


def test_train_vars_list_every_neurosim_weight_once():
    class Group(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.front = MODELS["conv"]()
            self.rec = MODELS["recurrent+sparse"]()
            self.egru = EGRU(6, 5, learn_threshold=False)
            self.lsm = LiquidStateMachine(6, 27, seed=1)

        def update(self, x):
            return self.egru(x)

    g = Group()
    trainable = g.train_vars().unique()
    every = g.vars().unique()
    expected, frozen = 0, 0
    for comp in (g.front, g.rec, g.egru, g.lsm):
        expected += len(jax.tree_util.tree_leaves(comp.param_values))
    frozen = 2 + 1  # batch-norm running mean/var, the EGRU's frozen thresholds
    assert len(trainable) == expected - frozen
    n_values = sum(int(np.size(v.value)) for v in trainable.values())
    assert n_values == sum(int(np.size(l)) for c in (g.front, g.rec, g.egru, g.lsm)
                           for l in jax.tree_util.tree_leaves(c.param_values)) - 2 * 2 - 5
    assert sum(isinstance(v, bm.TrainVar) for v in every.values()) == len(trainable)


def test_param_values_round_trip_and_bad_structure():
    model = MODELS["ALIF+LI"]()
    params = model.init(jax.random.PRNGKey(7))
    model.param_values = params
    equal(model.param_values, params)
    bad = jax.tree_util.tree_map(lambda a: a, params)
    bad["layer1"]["proj"]["w"] = jnp.zeros((3, 3))
    with pytest.raises(ValidationError, match=r"layer1.*proj.*shape \(3, 3\), expected \(8, 3\)"):
        model.param_values = bad
    with pytest.raises(ValidationError, match="expected keys"):
        model.param_values = {"layer0": params["layer0"]}


def test_bptt_trains_a_group_of_brainpy_neurons_and_a_neurosim_egru():
    rng = np.random.default_rng(0)
    n_in, batch = 20, 16

    def data():
        for _ in range(4):
            labels = rng.integers(0, 2, batch)
            rates = np.where(labels[:, None] == 1, np.linspace(0.05, 0.4, n_in), np.linspace(0.4, 0.05, n_in))
            yield (rng.random((batch, 30, n_in)) < rates[:, None, :]).astype(np.float32), labels

    with bm.environment(mode=bm.training_mode, dt=1.0):
        bm.random.seed(0)

        class Net(bp.DynSysGroup):
            def __init__(self):
                super().__init__()
                self.inp = bp.dnn.Linear(n_in, 40, W_initializer=bp.init.KaimingNormal(scale=20.0))
                self.lif = bp.dyn.Lif(40, tau=10.0, spk_fun=bm.surrogate.arctan, V_th=1.0)
                self.egru = EGRU(40, 16)
                self.out = ns.Dense(16, 2)

            def update(self, x):
                return self.out.update(self.egru(self.lif(self.inp(x))))

        net = Net()
        names = list(net.train_vars().unique())
        assert any("EGRU" in n for n in names) and any("Dense" in n for n in names)
        before = np.asarray(net.egru.param_vars["R"].value).copy()
        trainer = bp.BPTT(net, loss_fun=lambda p, y: bp.losses.cross_entropy_loss(p.mean(1), y),
                          optimizer=bp.optim.Adam(lr=1e-2), progress_bar=False)
        trainer.fit(data, num_epoch=12)
    loss = np.asarray(trainer.get_hist_metric())
    assert loss[-1] < 0.6 * loss[0]
    assert np.abs(np.asarray(net.egru.param_vars["R"].value) - before).max() > 0  # neurosim's weights trained


# ---- one owner for dt -----------------------------------------------------------------------------------------
def test_model_dt_conflicts_are_refused_naming_both_values():
    with pytest.raises(ValidationError, match=r"dt = 0\.1 ms.*dt = 1 ms"):
        seq(ns.Layer(ns.Dense(3, 4), ns.LIF(4, beta=0.9, dt=0.1)), dt=1.0)
    with pytest.raises(ValidationError, match=r"dt = 1 ms.*dt = 0\.1 ms"):
        seq(ns.Layer(ns.Dense(3, 4), ns.LIF(4, tau_mem=10.0)), dt=0.1)  # decay derived at the default 1 ms
    with pytest.raises(ValidationError, match=r"dt = 0\.5 ms and .* dt = 0\.25 ms"):
        seq(ns.Layer(ns.Dense(3, 4), ns.LIF(4, beta=0.9, dt=0.5)), ns.Layer(ns.Dense(4, 2), ns.LI(2, tau_mem=5.0, dt=0.25)))
    net = ns.Network(dt=0.1)
    net.add("E", ns.CobaLIF(4))  # built for 0.1 ms: agrees
    with pytest.raises(ValidationError, match=r"synapse.*dt = 1 ms.*dt = 0\.1 ms"):
        net.connect("E", "E", ns.Dense(4, 4), synapse=ns.Exponential(5.0, 1.0), receptor="exc")
    free = ns.Network()
    free.add("A", ns.LIF(3, beta=0.9))  # works at any dt
    free.add("B", ns.LIF(3, tau_mem=10.0, dt=0.2))  # pins the network's dt
    assert free.dt == 0.2
    with pytest.raises(ValidationError, match=r"dt = 1 ms.*dt = 0\.2 ms"):
        free.add("C", ns.LIF(3, tau_mem=10.0))


def test_rates_come_from_the_one_dt():
    model = seq(ns.Layer(ns.Dense(6, 8, scale=3.0), ns.LIF(8, beta=0.9, v_th=0.3, dt=0.1)))
    assert model.dt == 0.1  # inherited from the layer built for 0.1 ms, not the 1 ms default
    res = ns.simulate(model, inputs(6), params=model.param_values, record=("spike",))
    spikes = res.records["layer0.spike"]
    hz = spikes.sum() / (spikes.shape[0] * 0.1e-3 * spikes.shape[1] * spikes.shape[2])
    assert res.activity.rates_hz()["layer0"] == pytest.approx(hz, rel=1e-6)


def test_brainpy_dt_must_match_the_models():
    model = seq(ns.Layer(ns.Dense(6, 8), ns.LIF(8, tau_mem=10.0)))  # built for 1 ms
    model.reset_state(B)
    with bm.environment(dt=0.1):
        with pytest.raises(ValidationError, match=r"BrainPy runs at dt = 0\.1 ms.*dt = 1 ms"):
            bp.DSRunner(model, data_first_axis="T", progress_bar=False).run(inputs=jnp.asarray(inputs(6)))
    free = seq(ns.Layer(ns.Dense(6, 8), ns.LIF(8, beta=0.9)))  # discrete constants: any dt
    free.reset_state(B)
    with bm.environment(dt=0.1):
        bp.DSRunner(free, data_first_axis="T", progress_bar=False).run(inputs=jnp.asarray(inputs(6)))
