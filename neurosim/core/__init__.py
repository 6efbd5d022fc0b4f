"""The simulation engine: spike functions, neurons, projections, layers, networks and the runner."""

from neurosim.core.activity import Activity, LayerActivity, StepCounts
from neurosim.core.connectivity import CSR, fixed_probability, from_dense
from neurosim.core.layer import Layer, SequenceLayer
from neurosim.core.network import Network
from neurosim.core.neurons import ALIF, IF, LI, LIF, CobaLIF, CubaLIF, NeuronGroup
from neurosim.core.projections import (AvgPool2d, BatchNorm, Chain, fold_batch_norms, Conv1d, Conv2d, Dense, EventCSR, Flatten, MaxPool2d,
                                       Projection, SparseLinear, SumPool2d)
from neurosim.core.run import Run
from neurosim.core.runner import SimulationResult, simulate
from neurosim.core.sequential import Sequential
from neurosim.core.stage import Stage
from neurosim.core.surrogate import Surrogate, spike, surrogate
from neurosim.core.synapse import Delta, Exponential

__all__ = [
    "Activity", "LayerActivity", "StepCounts", "CSR", "fixed_probability", "from_dense", "Layer", "SequenceLayer", "Network",
    "ALIF", "IF", "LI", "LIF", "CobaLIF", "CubaLIF", "NeuronGroup", "Dense", "EventCSR", "Projection",
    "SparseLinear", "SimulationResult", "simulate", "Sequential", "Surrogate", "spike", "surrogate", "Delta",
    "Exponential", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d", "MaxPool2d", "Flatten", "Chain", "Stage", "BatchNorm", "fold_batch_norms", "Run",
]
