"""The one result type of every sequence ``run``: ``Run(state, outputs, counts, extras)``.

``run(params, state, xs, *, key=None, train=False)`` of every sequence layer (``Layer``, ``EGRU``, ``GRU``, stages)
and of ``Sequential`` processes a whole time-major sequence and returns a :class:`Run`:

* ``state`` — the final state; ``outputs`` — (T, *batch, n_out); ``counts`` — per-step work
  (:class:`~neurosim.core.activity.StepCounts`, one per layer for ``Sequential``);
* ``extras`` — a dict: ``"penalty"`` (scalar training penalty of activity regularisers, 0 without any) always;
  ``"states"`` (the per-step states, e.g. the EGRU's ``EGRUState`` for sparsity measures) where the layer records
  them; ``"batch_stats"`` (batch-norm statistics of a training run) where there are batch norms; ``Sequential``
  adds ``"outputs"`` (per-layer outputs when ``record_outputs``).

It unpacks as a 4-tuple: ``state, outs, counts, extras = layer.run(...)``.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Run(NamedTuple):
    state: Any
    outputs: Any
    counts: Any
    extras: dict
