"""The contracts neurosim's extension points rely on, as ``typing.Protocol`` s (optax style: structural, checked
at runtime with ``isinstance``). A user's own neuron model, layer, network or physical trainer needs no neurosim
base class to be accepted — only these methods — and :func:`missing` names what an object lacks.

* :class:`StepFunction` — anything with the pure ``init`` / ``init_state`` / ``step`` triple (every component);
* :class:`SequenceLayer` — what :class:`~neurosim.core.sequential.Sequential` stacks (``Layer``, ``EGRU``, ``GRU``,
  pooling/flatten stages);
* :class:`Simulatable` — what :func:`neurosim.simulate` runs and the hardware estimators price (``Sequential``,
  ``Network``, ``LiquidStateMachine``);
* :class:`PhysicalTrainer` — a trainer of physical networks (``PhysicalLocalLearning``, ``ForwardForward``,
  ``BackpropTrainer``);
* :class:`WeightPerturbation` — the ``weight_noise`` of :class:`~neurosim.learn.bptt.Trainer` (hardware-aware
  training: ``DeviceNoiseInjection``).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class StepFunction(Protocol):
    """Pure interface: ``params = init(key)``, ``state = init_state(batch_shape)``,
    ``state, out = step(params, state, x)`` — jit-able, differentiable, vmappable."""

    def init(self, key) -> Any: ...

    def init_state(self, batch_shape: tuple[int, ...] = ()) -> Any: ...

    def step(self, params, state, x) -> tuple[Any, Any]: ...


@runtime_checkable
class SequenceLayer(StepFunction, Protocol):
    """A layer ``Sequential`` can stack: sizes, one step with its work counts, a whole sequence at once."""

    n_in: int
    n_out: int
    spiking: bool

    def step_with_counts(self, params, state, x) -> tuple[Any, Any, Any]: ...

    def run(self, params, state, xs, *, key=None, train: bool = False) -> Any:  # a neurosim.core.run.Run
        ...

    def static_counts(self) -> Any: ...

    def describe(self, name: str) -> Any: ...


@runtime_checkable
class Simulatable(StepFunction, Protocol):
    """A model :func:`neurosim.simulate` runs: one step with per-layer work counts, the layer sizes and static work
    the activity record needs, its time step and per-layer specs for the hardware mappers."""

    dt: float

    def step_with_counts(self, params, state, x) -> tuple[Any, Any, Any]: ...

    def layer_sizes(self) -> dict[str, tuple[int, bool]]: ...

    def static_counts(self) -> Any: ...

    def describe(self) -> list: ...


@runtime_checkable
class PhysicalTrainer(Protocol):
    """Trains a network of physical layers: ``state = init(key)``, epochs, accuracy, and a ``fit`` that returns a
    report."""

    def init(self, key) -> Any: ...

    def train_epoch(self, state, x, y, key) -> Any: ...

    def accuracy(self, state, x, y, key) -> float: ...

    def fit(self, x_train, y_train, x_test=None, y_test=None, *, key, epochs: int | None = None, **kw) -> Any: ...


@runtime_checkable
class WeightPerturbation(Protocol):
    """What the trainer applies to the parameters for hardware-aware training: ``perturb(key, params)`` gives the
    parameters the forward pass uses at one step (a straight-through perturbation), ``project(params)`` is applied
    after every optimiser update (e.g. weight clipping)."""

    def perturb(self, key, params) -> Any: ...

    def project(self, params) -> Any: ...


def missing(obj, protocol) -> list[str]:
    """The attributes of ``protocol`` that ``obj`` lacks (empty when it satisfies it)."""
    names = [n for n in getattr(protocol, "__protocol_attrs__", ()) if not n.startswith("_")]
    if not names:  # Python < 3.12 keeps them elsewhere
        names = [n for n in dir(protocol) if not n.startswith("_") and n not in dir(Protocol)]
        names += list(getattr(protocol, "__annotations__", {}))
        for base in protocol.__mro__:
            names += list(getattr(base, "__annotations__", {}))
    return sorted({n for n in names if not hasattr(obj, n)})
