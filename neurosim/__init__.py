"""neurosim — a differentiable neuromorphic and physical-computing simulator on BrainPy/JAX.

The public API, re-exported here (kept short on purpose)::

    import neurosim as ns
    net = ns.Sequential([ns.Layer(ns.Dense(700, 256), ns.LIF(256, tau_mem=10.0)), ...])
    result = ns.simulate(net, spikes)          # records + activity statistics
"""

import importlib

from neurosim import host_memory as _host_memory
from neurosim.errors import (
    CheckpointError,
    DataFormatError,
    MappingError,
    NeurosimError,
    ProfileError,
    ValidationError,
)

_host_memory.tune()  # before JAX starts its CPU client: see neurosim/host_memory.py (opt out: NEUROSIM_HOST_ALLOCATOR)

from neurosim import compile_cache as _compile_cache  # noqa: E402

_compile_cache.from_environment()  # opt-in (NEUROSIM_COMPILE_CACHE); imports JAX only when asked

# Imported on first use (PEP 562), so that ``import neurosim`` and ``neurosim --help`` do not start JAX/BrainPy.
_LAZY = {
    **{name: "neurosim.core" for name in (
        "ALIF", "CSR", "IF", "LI", "LIF", "Activity", "CobaLIF", "CubaLIF", "Delta", "Dense", "EventCSR",
        "Exponential", "Layer", "Network", "Sequential", "SimulationResult", "SparseLinear", "Surrogate", "simulate",
        "spike", "surrogate", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d", "MaxPool2d", "Flatten", "Chain", "Stage", "BatchNorm", "fold_batch_norms")},
    **{name: "neurosim.learn" for name in ("Checkpoint", "EarlyStopping", "History", "Trainer")},
}
_SUBPACKAGES = ("core", "data", "devices", "hardware", "io", "learn", "models", "physical", "plot", "zoo",
                "parallel", "validate", "errors", "resources", "host_memory", "compile_cache", "demo", "cli", "notebook", "model_source",
                "contracts")


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"neurosim.{name}")
    raise AttributeError(f"module 'neurosim' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | set(_SUBPACKAGES))


__version__ = "0.1.0"

__all__ = [
    "ALIF", "CSR", "IF", "LI", "LIF", "Activity", "CobaLIF", "CubaLIF", "Delta", "Dense", "EventCSR",
    "Exponential", "Layer", "Network", "Sequential", "SimulationResult", "SparseLinear", "Surrogate", "simulate",
    "spike", "surrogate", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d", "MaxPool2d", "Flatten", "Chain", "Stage", "BatchNorm", "fold_batch_norms", "NeurosimError", "ValidationError", "DataFormatError", "CheckpointError",
    "ProfileError", "MappingError", "Trainer", "History", "EarlyStopping", "Checkpoint", "__version__",
]
