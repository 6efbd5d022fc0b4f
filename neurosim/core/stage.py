"""``Stage``: a parameter-free projection (pooling, flatten) as a step of a
:class:`~neurosim.core.sequential.Sequential`, between one spiking layer and the next projection.

It has no neurons and no state: its output is the pooled input of the same step (as in snnTorch/Norse
``nn.Sequential`` models, where ``nn.MaxPool2d`` sits between a ``Leaky`` and the next ``Conv2d``). Recorded like a
layer: synaptic events = input events × the windows they fall in, "spikes" = nonzero outputs (the events the next
layer receives; graded for sum/average pooling). ``Sequential`` wraps a bare pooling/flatten projection in a
``Stage`` itself.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from neurosim.core.activity import StaticCounts, StepCounts, event_counts, fan_matrix
from neurosim.core.run import Run
from neurosim.core.layer import SequenceLayer
from neurosim.core.projections.base import NoState, Projection
from neurosim.core.projections.flatten import Flatten
from neurosim.core.spec import LayerSpec
from neurosim.errors import ValidationError


class Stage(SequenceLayer):
    """Wrap ``proj`` (a projection without trainable parameters, e.g. ``SumPool2d``, ``MaxPool2d``, ``Flatten``)."""

    spiking = True

    def __init__(self, proj: Projection, name: str | None = None):
        super().__init__(name=name)
        if not isinstance(proj, Projection):
            raise ValidationError(f"Stage: expected a projection, got {type(proj).__name__}")
        if jax.tree_util.tree_leaves(proj.init(jax.random.PRNGKey(0))):
            raise ValidationError(f"Stage: {type(proj).__name__} has trainable parameters; put it in a Layer "
                                  "(Layer(proj, neuron)) or a Chain before a neuron group")
        self.proj = proj
        self.n_in, self.n_out = proj.n_in, proj.n_out
        self._fan = fan_matrix([proj])

    @property
    def graded(self) -> bool:
        """Sum and average pooling output values; max pooling and flatten pass binary spikes on as they are."""
        return getattr(self.proj, "op", None) in ("sum", "avg")

    def init(self, key):
        return {}

    def init_state(self, batch_shape=()):
        return NoState()

    def describe(self, name: str = "stage") -> LayerSpec | None:
        """None for ``Flatten`` (no work, skipped by the mappers); a ``"pool"`` spec otherwise (one accumulator
        per output)."""
        if isinstance(self.proj, Flatten):
            return None
        return LayerSpec(name, self.n_out, "pool", (self.proj.spec(),), graded=self.graded, spiking=True,
                         state_vars=1)

    def static_counts(self) -> StaticCounts:
        """Outputs count as "neuron updates", so a stage's activity is its fraction of nonzero outputs."""
        return StaticCounts(self.proj.macs_dense, self.proj.macs_static, self.n_out)

    def _counts(self, x, out) -> StepCounts:
        events, macs = event_counts(x, self._fan)
        return StepCounts(jnp.sum(out != 0, dtype=jnp.int32), events, macs)

    def step_with_counts(self, params, state, x):
        out = self.proj.apply({}, x)
        return state, out, self._counts(x, out)

    def run(self, params, state, xs, *, key=None, train=False):
        outs = self.proj.apply({}, xs)
        return Run(state, outs, jax.vmap(self._counts)(xs, outs), {"penalty": jnp.zeros((), jnp.float32)})

    def batch_separable(self) -> bool:
        """A stage (pooling, flatten) maps each example on its own."""
        return True

    def __repr__(self):
        return f"Stage({self.proj!r})"
