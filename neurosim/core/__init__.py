"""The simulation engine: spike functions, neurons, projections, layers, networks and the runner."""

from neurosim.core.activity import Activity, LayerActivity, StepCounts
from neurosim.core.connectivity import CSR, fixed_probability, from_dense
from neurosim.core.layer import Layer, SequenceLayer
from neurosim.core.network import Network
from neurosim.core.neurons import ALIF, IF, LI, LIF, CobaLIF, CubaLIF, NeuronGroup
from neurosim.core.projections import Dense, EventCSR, Projection, SparseLinear
from neurosim.core.runner import SimulationResult, simulate
from neurosim.core.sequential import Sequential
from neurosim.core.surrogate import Surrogate, spike, surrogate
from neurosim.core.synapse import Delta, Exponential

__all__ = [
    "Activity", "LayerActivity", "StepCounts", "CSR", "fixed_probability", "from_dense", "Layer", "SequenceLayer", "Network",
    "ALIF", "IF", "LI", "LIF", "CobaLIF", "CubaLIF", "NeuronGroup", "Dense", "EventCSR", "Projection",
    "SparseLinear", "SimulationResult", "simulate", "Sequential", "Surrogate", "spike", "surrogate", "Delta",
    "Exponential",
]
