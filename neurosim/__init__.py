"""neurosim — a differentiable neuromorphic and physical-computing simulator on BrainPy/JAX.

The public API, re-exported here (kept short on purpose)::

    import neurosim as ns
    net = ns.Sequential([ns.Layer(ns.Dense(700, 256), ns.LIF(256, tau_mem=10.0)), ...])
    result = ns.simulate(net, spikes)          # records + activity statistics
"""

from neurosim.core import (
    ALIF,
    CSR,
    IF,
    LI,
    LIF,
    Activity,
    CobaLIF,
    CubaLIF,
    Delta,
    Dense,
    EventCSR,
    Exponential,
    Layer,
    Network,
    Sequential,
    SimulationResult,
    SparseLinear,
    Surrogate,
    simulate,
    spike,
    surrogate,
)
from neurosim.learn import Checkpoint, EarlyStopping, History, Trainer
from neurosim.errors import (
    CheckpointError,
    DataFormatError,
    MappingError,
    NeurosimError,
    ProfileError,
    ValidationError,
)

__version__ = "0.1.0"

__all__ = [
    "ALIF", "CSR", "IF", "LI", "LIF", "Activity", "CobaLIF", "CubaLIF", "Delta", "Dense", "EventCSR",
    "Exponential", "Layer", "Network", "Sequential", "SimulationResult", "SparseLinear", "Surrogate", "simulate",
    "spike", "surrogate", "NeurosimError", "ValidationError", "DataFormatError", "CheckpointError",
    "ProfileError", "MappingError", "Trainer", "History", "EarlyStopping", "Checkpoint", "__version__",
]
