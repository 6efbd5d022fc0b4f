"""Neuron groups: pure step functions under BrainPy dynamical systems (see :mod:`neurosim.core.dynamics`)."""

from neurosim.core.neurons.alif import ALIF, ALIFState
from neurosim.core.neurons.coba import CobaLIF, CobaLIFState
from neurosim.core.neurons.group import NeuronGroup
from neurosim.core.neurons.li import LI, LIState
from neurosim.core.neurons.lif import IF, LIF, CubaLIF, CubaLIFState, LIFState

__all__ = ["NeuronGroup", "LIF", "IF", "CubaLIF", "ALIF", "LI", "CobaLIF",
           "LIFState", "CubaLIFState", "ALIFState", "LIState", "CobaLIFState"]
