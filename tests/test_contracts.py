"""Every component satisfies the Protocol its extension point declares, and simulate names what a model lacks."""

import jax
import numpy as np
import pytest

import neurosim as ns
from neurosim.contracts import PhysicalTrainer, SequenceLayer, Simulatable, StepFunction, missing
from neurosim.errors import ValidationError
from neurosim.models import EGRU, GRU, LiquidStateMachine


def test_components_satisfy_their_contracts():
    layers = [ns.Layer(ns.Dense(4, 3), ns.LIF(3, beta=0.9)), EGRU(4, 3), GRU(4, 3), ns.Stage(ns.Flatten((1, 2, 2)))]
    for layer in layers:
        assert isinstance(layer, SequenceLayer), (type(layer).__name__, missing(layer, SequenceLayer))
    for comp in layers + [ns.LIF(3, beta=0.9), ns.Dense(3, 2), ns.Conv2d((1, 4, 4), 2, 3)]:
        assert isinstance(comp, StepFunction)
    net = ns.Network()
    net.add_input("in", 3)
    net.add("A", ns.LIF(3, beta=0.9))
    for model in (ns.Sequential(layers[:1]), net, LiquidStateMachine(3, 8)):
        assert isinstance(model, Simulatable), missing(model, Simulatable)
    assert not isinstance(ns.LIF(3, beta=0.9), Simulatable)


def test_physical_trainers_satisfy_the_contract():
    from neurosim.learn.forward_forward import ForwardForward
    from neurosim.learn.local import PhysicalLocalLearning
    from neurosim.learn.pat import BackpropTrainer

    for cls in (PhysicalLocalLearning, ForwardForward, BackpropTrainer):
        assert not missing(cls, PhysicalTrainer), (cls.__name__, missing(cls, PhysicalTrainer))


def test_simulate_names_what_a_model_lacks():
    with pytest.raises(ValidationError, match=r"not a simulatable model \(lacks .*layer_sizes.*Sequential"):
        ns.simulate(ns.LIF(3, beta=0.9), np.zeros((2, 1, 3), np.float32))
