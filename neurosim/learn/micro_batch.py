"""Micro-batched training steps: one optimiser step whose gradient is accumulated over ``k`` equal slices of the
batch, run one after the other inside the compiled step (a ``lax.scan`` over the slices).

Why: a BPTT step keeps every layer's (T, batch, n) activations for the backward pass. At T = 300, batch 128 and
256 units each is 39 MB, above glibc's largest ``malloc`` mmap threshold (32 MiB on 64-bit, the ceiling of
``M_MMAP_THRESHOLD``), so XLA's CPU runtime gets each one from a fresh ``mmap`` and the kernel zero-fills it again
on every step: the 700-256-256-20 LIF train step of ``benchmarks/train_step.py`` took ~76,800 minor page faults and
~170 ms of kernel time per step (of ~320 ms wall). With slices whose widest activation fits in
:data:`SLICE_BYTES` the buffers are reused from the heap (~1,500 faults, ~8 ms kernel time per step), stay in
cache, and the step's peak memory shrinks with the slice (measured in ``docs/performance.md``).

Exactness: the loss of a batch is the mean of its examples' losses, so with equal slices the batch gradient is the
mean of the slices' gradients -- the same numbers up to float32 summation order (~1e-7 relative). That holds only
when nothing in the loss couples the examples of a batch; a model says so with ``batch_separable()`` (no batch
norm, whose statistics are the whole batch's; no activity penalty on the batch-mean rate, such as the EGRU's
``activity_weight``). A user ``regularizer`` is an arbitrary function of the whole batch's outputs, so it turns
micro-batching off. Stochastic regularisers (dropout, zoneout) draw each slice's masks from the step key folded
with the slice index: the same distribution, other masks than an unsliced step would draw. Hardware-aware
training's weight noise (``Trainer(weight_noise=...)``) is drawn once per step and shared by its slices, so a sliced
step sees the same noisy weights as an unsliced one (tested).

Not ``optax.microbatching``: it is absent from optax 0.2.5 (the oldest version supported), and it cuts the batch
axis column-major (slice i holds examples i, i + k, ...), which copies the whole (T, batch, n) input into a new
layout every step -- at 300 x 128 x 700 a 107 MB array, the kind of buffer this module exists to avoid.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from neurosim.errors import ValidationError

#: glibc's largest ``M_MMAP_THRESHOLD`` on 64-bit: larger blocks are always fresh ``mmap`` s (zero-filled pages on
#: every call); below it the tuned heap (:mod:`neurosim.host_memory`) reuses them. ``"auto"`` slices a step only
#: when its widest (T, batch, n) array, inputs included, is larger than this.
MMAP_CEILING = 32 << 20
#: ``"auto"``'s target for the widest per-slice array, T * slice * n * 4 bytes: the largest slice that fits. On
#: the 2-core VM (700-256-256-20 LIF, T = 300, batch 128; docs/performance.md "Micro-batched steps") slices of
#: 64 examples still faulted (51,600 faults a step: input slices of 54 MB), 32 / 16 / 8 took 242 / 216 / 214 ms
#: against 294 ms unsliced. Slicing an array that already fits costs: a spiking-CNN step (T = 30, batch 32, 10 MB
#: activations) ran 2.5x slower in slices of 8, hence the ceiling test first.
SLICE_BYTES = 16 << 20


def _windowed(model) -> bool:
    """Whether ``model`` has a convolution or pooling stage (``describe()``'s conv geometry). XLA's CPU
    convolutions ran 2-3x slower inside the slices' loop (a ``while`` body) than in the unsliced step: the
    2x34x34, 16/32-channel spiking CNN of ``benchmarks/vision_cnn.py`` took 526 ms unsliced, 1,090 ms in 2 slices
    and 1,593 ms in 8 (the same 2 slices unrolled: 530 ms), so ``"auto"`` never slices such models."""
    describe = getattr(model, "describe", None)
    if not callable(describe):
        return False
    return any(p.conv is not None for spec in describe() for p in spec.projections)


def separable(model) -> bool:
    """Whether ``model``'s training loss is a mean over independent examples (``model.batch_separable()``;
    models without the method are assumed not to be)."""
    fn = getattr(model, "batch_separable", None)
    return bool(fn()) if callable(fn) else False


def plan(model, steps: int, batch: int, requested, *, coupled_by: str | None = None) -> int:
    """The number of slices ``k`` (a divisor of ``batch``) of a training step over (``steps``, ``batch``).

    ``requested``: ``"auto"`` (1 when the widest (T, batch, n) array, input or layer output, fits under
    :data:`MMAP_CEILING`, when the model is not batch-separable or has a convolution (see :func:`_windowed`), or
    when ``coupled_by`` gives a reason not to slice; else the fewest slices whose widest array is at most
    :data:`SLICE_BYTES`), or an int (1 = never slice; above 1 it must divide ``batch``, the loss must be
    separable and ``coupled_by`` None, else a ValidationError says why).
    """
    if requested == "auto":
        if coupled_by is not None or not separable(model) or _windowed(model):
            return 1
        widest = max([getattr(model, "n_in", 0)] + [n for n, _ in model.layer_sizes().values()])
        if steps * batch * widest * 4 <= MMAP_CEILING:
            return 1
        for k in range(1, batch + 1):
            if batch % k == 0 and steps * (batch // k) * widest * 4 <= SLICE_BYTES:
                return k
        return batch
    if isinstance(requested, bool) or not isinstance(requested, int) or requested < 1:
        raise ValidationError(f"micro_batches: expected 'auto' or a positive int, got {requested!r}")
    if requested == 1:
        return 1
    if batch % requested:
        raise ValidationError(f"micro_batches: {requested} slices do not divide the batch of {batch}")
    if coupled_by is not None:
        raise ValidationError(f"micro_batches: {coupled_by}; use micro_batches=1")
    if not separable(model):
        raise ValidationError(f"micro_batches: {type(model).__name__}'s training loss couples the examples of a "
                              "batch (batch norm statistics or a batch-mean activity penalty), so a sliced step "
                              "would not compute the batch's gradient; use micro_batches=1")
    return requested


def value_and_grad(loss_fn, params, xb, yb, key, k: int):
    """``((loss, (per_example, totals)), grads)`` of ``loss_fn(params, x, y, key) -> (loss, (per_example,
    totals))`` on time-major ``xb`` (T, B, ...) and ``yb`` (B, ...), accumulated over ``k`` equal slices of the
    batch in sequence (``k = 1``: one plain call, the step key unchanged). ``per_example`` leaves (batch first,
    e.g. logits) are joined in batch order, ``totals`` leaves (e.g. spike counts) summed over the slices."""
    grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
    if k == 1:
        return grad_fn(params, xb, yb, key)
    size = xb.shape[1] // k

    def body(acc, i):
        x = jax.lax.dynamic_slice_in_dim(xb, i * size, size, axis=1)
        y = jax.lax.dynamic_slice_in_dim(yb, i * size, size, axis=0)
        (loss, aux), grads = grad_fn(params, x, y, jax.random.fold_in(key, i))
        return jax.tree_util.tree_map(jnp.add, acc, (loss, grads)), aux

    zero = (jnp.zeros((), jnp.float32), jax.tree_util.tree_map(jnp.zeros_like, params))
    (loss, grads), (per_example, totals) = jax.lax.scan(body, zero, jnp.arange(k))
    grads = jax.tree_util.tree_map(lambda g: g / k, grads)
    per_example = jax.tree_util.tree_map(lambda a: a.reshape((-1,) + a.shape[2:]), per_example)
    totals = jax.tree_util.tree_map(lambda a: jnp.sum(a, axis=0), totals)
    return (loss / k, (per_example, totals)), grads
