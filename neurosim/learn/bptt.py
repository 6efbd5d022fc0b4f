"""Backpropagation through time with optax: batching, metrics, progress bar, early stopping, checkpoints.

The trainer drives any model with the sequence interface ``model.run(params, state, xs) ->``
:class:`~neurosim.core.run.Run` ``(state, outputs, counts, extras)`` (e.g. :class:`~neurosim.core.sequential.Sequential`). One jitted step computes the loss
on a batch, its gradient through the surrogate spike functions and the optax update. Data are NumPy arrays
``x: (N, T, n_in)`` (batch first) and integer labels ``y: (N,)``.

Reproducibility: epoch ``e`` shuffles with ``numpy.random.default_rng([seed, e])`` and batch ``b`` of it draws its
dropout/zoneout masks from ``fold_in(PRNGKey(seed), e * n_batches + b)``, so a run resumed from a checkpoint at
epoch ``e`` continues exactly as the uninterrupted run would (on the same device).
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from neurosim import validate
from neurosim.core.activity import Activity
from neurosim.errors import ValidationError
from neurosim.io.checkpoint import load_checkpoint, save_checkpoint
from neurosim.learn import micro_batch
from neurosim.learn import readout as ro


@dataclass
class History:
    """Per-epoch logs (``loss``, ``accuracy``, ``val_*``, ``seconds``, ``sparsity/<layer>``)."""

    epochs: list[dict] = field(default_factory=list)

    def __getitem__(self, key: str) -> list:
        return [e.get(key) for e in self.epochs]

    def __len__(self):
        return len(self.epochs)

    def __repr__(self) -> str:
        if not self.epochs:
            return "History(0 epochs)"
        last = self.epochs[-1]
        shown = [f"{k}={v:.4g}" for k, v in last.items()
                 if isinstance(v, (int, float)) and not k.startswith("sparsity/") and k != "epoch"]
        n = len(self.epochs)
        return f"History({n} epoch{'s' if n != 1 else ''}; last: {', '.join(shown)})"


class Trainer:
    """BPTT trainer for classification.

    Args:
      model: a model with ``init``, ``init_state`` and ``run`` (e.g. ``Sequential``).
      optimizer: an ``optax.GradientTransformation`` (default Adam with ``lr``).
      readout: how outputs over time become class scores (``"sum"``, ``"mean"``, ``"max"``, ``"last"``).
      batch_size: training batch size; the last incomplete training batch is dropped, evaluation uses all data.
      regularizer: optional ``f(layer_outputs) -> scalar`` added to the loss (e.g. an activity penalty), where
        ``layer_outputs`` maps layer name → (T, B, n) outputs. Layers' own penalties (EGRU activity
        regularisers) are always added.
      seed: seeds the parameters and the shuffling.
      weight_noise: hardware-aware training (a :class:`~neurosim.contracts.WeightPerturbation`, e.g.
        :class:`~neurosim.learn.hardware_aware.DeviceNoiseInjection`): the forward pass of every training step runs
        on ``weight_noise.perturb(key, params)`` and every update is followed by ``weight_noise.project``;
        evaluation and prediction use the clean parameters (deploy them with :mod:`neurosim.devices.deployment`).
      batch_first: layout of every ``x`` given to ``fit``/``evaluate``/``predict``: True (default) for
        ``(batch, T, n_in)``, False for time-major ``(T, batch, n_in)`` as :func:`neurosim.simulate` takes by
        default (see "Data layout" in ``docs/architecture.md``).
      progress: show a tqdm progress bar per epoch.
      devices: data-parallel training over these devices (count, list or ``Mesh``): each batch is split across
        them, parameters and optimizer state are replicated (see :mod:`neurosim.parallel`).
      micro_batches: ``"auto"`` (default), or the number of equal slices each training batch's gradient is
        accumulated over inside the compiled step (1: never). ``"auto"`` slices where the model's loss is a mean
        over independent examples (no batch norm, no batch-mean activity penalty, no ``regularizer``), the model
        has no convolution, and the widest (T, batch, n) array exceeds glibc's 32 MiB mmap ceiling: into slices
        whose widest array is at most :data:`neurosim.learn.micro_batch.SLICE_BYTES`. The same gradient to
        float32 rounding, less memory, and no page faults on large buffers (see :mod:`neurosim.learn.micro_batch`).
        Not combined with ``devices`` (each device already holds a slice of the batch).
    """

    def __init__(self, model, *, optimizer: optax.GradientTransformation | None = None, lr: float = 1e-3,
                 readout: str = "sum", batch_size: int = 32, regularizer: Callable | None = None, seed: int = 0,
                 progress: bool = True, params=None, devices=None, batch_first: bool = True, weight_noise=None,
                 micro_batches: int | str = "auto"):
        self.model = model
        if weight_noise is not None:
            from neurosim.contracts import WeightPerturbation, missing

            if not isinstance(weight_noise, WeightPerturbation):
                raise ValidationError(f"weight_noise: {type(weight_noise).__name__} lacks "
                                      f"{', '.join(missing(weight_noise, WeightPerturbation))} (see "
                                      "neurosim.learn.hardware_aware.DeviceNoiseInjection)")
        self.weight_noise = weight_noise
        self.batch_first = bool(batch_first)
        self.optimizer = optimizer if optimizer is not None else optax.adam(float(validate.positive("lr", lr)))
        self.readout = ro.check_readout(readout)
        self.batch_size = validate.positive_int("batch_size", batch_size)
        self.regularizer = regularizer
        self.seed = int(seed)
        self.progress = progress
        self.params = params if params is not None else model.init(jax.random.PRNGKey(self.seed))
        self.opt_state = self.optimizer.init(self.params)
        self._mesh = None
        if devices is not None:
            from neurosim import parallel

            self._mesh = devices if isinstance(devices, parallel.Mesh) else parallel.mesh(devices)
            if self.batch_size % self._mesh.devices.size:
                raise ValidationError(f"batch_size: {self.batch_size} is not divisible by "
                                      f"{self._mesh.devices.size} devices")
            self.params = parallel.replicate(self.params, self._mesh)
            self.opt_state = parallel.replicate(self.opt_state, self._mesh)
        if micro_batches != "auto":  # checked now (divisibility and separability again when a step is traced)
            micro_batch.plan(model, 1, self.batch_size, micro_batches, coupled_by=self._coupling())
        self.micro_batches = micro_batches
        self.epoch = 0
        self.history = History()
        self._train_step = jax.jit(self._train_step_impl)
        self._eval_step = jax.jit(self._eval_step_impl)

    # ---- pure pieces ----------------------------------------------------------------------------------------
    def _forward(self, params, xs, key=None, train=False):
        # xs is time-major (T, B, n): batches are gathered in that layout on the host (_time_major_batch), so the
        # compiled step never transposes its largest array (27 ms of a 300 x 128 x 700 step when it did)
        state = self.model.init_state((xs.shape[1],))
        _, outs, counts, extras = self.model.run(params, state, xs, record_outputs=self.regularizer is not None,
                                                 key=key, train=train)
        return ro.scores(outs, self.readout), counts, extras

    def _loss(self, params, xb, yb, key, noise_key):
        """``(loss, (logits, (spikes per layer, batch_stats)))`` of one batch or slice; ``noise_key`` draws the
        weight noise (one per step, the same for every slice), ``key`` the dropout/zoneout masks."""
        if self.weight_noise is not None:
            params = self.weight_noise.perturb(noise_key, params)
        logits, counts, extras = self._forward(params, xb, key, train=True)
        loss = ro.cross_entropy(logits, yb) + extras["penalty"]
        if self.regularizer is not None:
            loss = loss + self.regularizer(extras["outputs"])
        spikes = {k: jnp.sum(c.spikes) for k, c in counts.items()}
        return loss, (logits, (spikes, extras.get("batch_stats")))

    def _coupling(self) -> str | None:
        """Why, besides the model, a step must not be sliced (None: nothing here prevents it)."""
        if self.regularizer is not None:
            return ("the regularizer is a function of the whole batch's outputs, so a sliced step would not "
                    "compute the batch's gradient")
        if self._mesh is not None:
            return "data-parallel training (devices=) already splits each batch across devices"
        return None

    def slices(self, steps: int, batch: int) -> int:
        """How many micro-batches a training step over (``steps``, ``batch``) runs (see ``micro_batches``)."""
        return micro_batch.plan(self.model, steps, batch, self.micro_batches, coupled_by=self._coupling())

    def _train_step_impl(self, params, opt_state, xb, yb, key):
        k = self.slices(xb.shape[0], xb.shape[1])
        # one weight-noise draw per step (its own key: dropout/zoneout masks stay those of the clean run), shared
        # by the step's slices; each slice's dropout/zoneout key is its own
        noise_key = jax.random.fold_in(key, 0x4857)
        (loss, (logits, (spikes, batch_stats))), grads = micro_batch.value_and_grad(
            functools.partial(self._loss, noise_key=noise_key), params, xb, yb, key, k)
        updates, opt_state = self.optimizer.update(grads, opt_state, params)
        new_params = optax.apply_updates(params, updates)
        if batch_stats:  # batch norms: running statistics from this step's batch (never touched by the optimiser)
            new_params = self.model.update_batch_stats(new_params, batch_stats, previous=params)
        if self.weight_noise is not None:
            new_params = self.weight_noise.project(new_params)
        params = new_params
        return params, opt_state, loss, ro.accuracy(logits, yb), spikes

    def _eval_step_impl(self, params, xb, yb, mask):
        logits, counts, _ = self._forward(params, xb)
        losses = optax.softmax_cross_entropy_with_integer_labels(logits, yb)
        correct = (jnp.argmax(logits, -1) == yb).astype(jnp.float32)
        return jnp.sum(losses * mask), jnp.sum(correct * mask), logits, counts

    # ---- data -----------------------------------------------------------------------------------------------
    def _check_data(self, x, y, name: str = "x"):
        x = validate.input_array(name, np.asarray(x, np.float32), trailing=(self.model.n_in,), min_ndim=3)
        layout = "(batch, T, n_in)" if self.batch_first else "(T, batch, n_in)"
        if not self.batch_first:
            x = np.swapaxes(x, 0, 1)
        if y is not None:
            y = np.asarray(y)
            if y.ndim != 1 or y.shape[0] != x.shape[0]:
                n = y.shape[0] if y.ndim == 1 else None
                hint = ""
                if n is not None and x.shape[1] == n:
                    other = "batch_first=False" if self.batch_first else "batch_first=True"
                    hint = (f"; its {'time' if self.batch_first else 'batch'} axis has {n} entries, as many as y: "
                            f"is {name} in the other layout? (Trainer(..., {other}))")
                raise ValidationError(f"{name}: the batch axis (axis {0 if self.batch_first else 1} of {layout}) "
                                      f"has {x.shape[0]} samples but y has shape {y.shape}{hint}")
            if not np.issubdtype(y.dtype, np.integer):
                raise ValidationError(f"y: expected integer class labels, got dtype {y.dtype}")
            if y.size and (y.min() < 0 or y.max() >= self.model.n_out):
                raise ValidationError(f"y: labels must lie in [0, {self.model.n_out}), got [{y.min()}, {y.max()}]")
        if x.shape[0] == 0:
            raise ValidationError(f"{name}: no samples (batch axis of {layout} is empty)")
        if x.shape[1] == 0:
            raise ValidationError(f"{name}: no time steps (time axis of {layout} is empty)")
        return x, y

    # ---- public API -----------------------------------------------------------------------------------------
    def fit(self, x, y, *, epochs: int, validation_data: tuple | None = None, callbacks: Sequence = ()) -> History:
        """Train for ``epochs`` more epochs (continuing from ``self.epoch``)."""
        x, y = self._check_data(x, y)
        epochs = validate.positive_int("epochs", epochs)
        if x.shape[0] < self.batch_size:
            raise ValidationError(f"batch_size: {self.batch_size} exceeds the {x.shape[0]} training samples")
        if validation_data is not None:
            vx, vy = self._check_data(*validation_data, name="validation x")
        n_batches = x.shape[0] // self.batch_size
        target = self.epoch + epochs
        while self.epoch < target:
            epoch = self.epoch
            order = np.random.default_rng([self.seed, epoch]).permutation(x.shape[0])
            t0 = time.perf_counter()
            tot_loss = tot_acc = 0.0
            spikes: dict[str, float] = {}
            batches = range(n_batches)
            bar = None
            if self.progress:
                from tqdm.auto import tqdm

                bar = tqdm(batches, desc=f"epoch {epoch + 1}/{target}", unit="batch", leave=False)
                batches = bar
            for b in batches:
                idx = order[b * self.batch_size:(b + 1) * self.batch_size]
                key = jax.random.fold_in(jax.random.PRNGKey(self.seed), epoch * n_batches + b)
                xb, yb = self._device_batch(_time_major_batch(x, idx), y[idx])
                self.params, self.opt_state, loss, acc, sp = self._train_step(self.params, self.opt_state, xb, yb, key)
                loss, acc = float(loss), float(acc)
                if not math.isfinite(loss):
                    raise FloatingPointError(f"training loss became {loss} at epoch {epoch + 1}, batch {b}")
                tot_loss += loss
                tot_acc += acc
                for k, v in sp.items():
                    spikes[k] = spikes.get(k, 0.0) + float(v)
                if bar is not None:
                    bar.set_postfix(loss=f"{tot_loss / (b + 1):.4f}", acc=f"{tot_acc / (b + 1):.3f}")
            if bar is not None:
                bar.close()
            logs = {"epoch": epoch + 1, "loss": tot_loss / n_batches, "accuracy": tot_acc / n_batches,
                    "seconds": time.perf_counter() - t0}
            n_slots = n_batches * self.batch_size * x.shape[1]
            for name, count in spikes.items():
                size, spiking = self.model.layer_sizes()[name]
                if spiking:
                    logs[f"sparsity/{name}"] = 1.0 - count / (n_slots * size)
            if validation_data is not None:
                ev = self.evaluate(vx, vy)
                logs["val_loss"], logs["val_accuracy"] = ev["loss"], ev["accuracy"]
            self.history.epochs.append(logs)
            self.epoch += 1
            stop = False
            for cb in callbacks:
                stop = bool(cb.on_epoch_end(self, epoch, logs)) or stop
            if stop:
                break
        return self.history

    def _device_batch(self, xs, yb):
        """A time-major batch (T, B, n) and its labels on the device(s): sharded over the batch axis when
        training data-parallel."""
        if self._mesh is None:
            return jnp.asarray(xs), jnp.asarray(yb)
        from neurosim import parallel

        return parallel.shard(jnp.asarray(xs), self._mesh, 1), parallel.shard(jnp.asarray(yb), self._mesh, 0)

    def _batches(self, x, y):
        """Consecutive batches of ``x`` (batch-first on the host) as time-major device arrays, the last one padded
        to the batch size (one compiled shape), with its mask and real size."""
        n = x.shape[0]
        for start in range(0, n, self.batch_size):
            idx = np.arange(start, min(n, start + self.batch_size))
            m = idx.size
            yb = y[idx] if y is not None else np.zeros(m, np.int32)
            xs = _time_major_batch(x, idx, pad_to=self.batch_size)
            if m < self.batch_size:
                yb = np.concatenate([yb, np.zeros(self.batch_size - m, yb.dtype)])
            mask = (np.arange(self.batch_size) < m).astype(np.float32)
            xs, yb = self._device_batch(xs, yb)
            yield xs, yb, jnp.asarray(mask), m

    def evaluate(self, x, y) -> dict:
        """Mean loss, accuracy and the :class:`Activity` (padding excluded) over ``(x, y)``."""
        x, y = self._check_data(x, y)
        tot_loss = tot_correct = 0.0
        sizes, dt = self.model.layer_sizes(), getattr(self.model, "dt", 1.0)
        activity = Activity.empty(sizes, 1, dt)
        static = self.model.static_counts()
        for xb, yb, mask, m in self._batches(x, y):
            loss, correct, _, counts = self._eval_step(self.params, xb, yb, mask)
            tot_loss += float(loss)
            tot_correct += float(correct)
            if m == self.batch_size:  # padded batches would inflate the counts
                part = Activity.empty(sizes, self.batch_size, dt)
                part.add(counts, static)
                activity.merge_samples(part)  # more samples of the same T steps: a workload stays per inference
        return {"loss": tot_loss / x.shape[0], "accuracy": tot_correct / x.shape[0], "activity": activity}

    def predict(self, x) -> np.ndarray:
        """Class scores (N, n_out)."""
        x, _ = self._check_data(x, None)
        outs = []
        for xb, yb, mask, m in self._batches(x, None):
            _, _, logits, _ = self._eval_step(self.params, xb, yb, mask)
            outs.append(np.asarray(logits)[:m])
        return np.concatenate(outs)

    # ---- persistence ----------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Atomic HDF5 checkpoint of parameters, optimizer state, epoch, seed and history."""
        meta = {"epoch": self.epoch, "seed": self.seed, "history": self.history.epochs,
                "batch_size": self.batch_size, "readout": self.readout}
        return save_checkpoint(path, {"params": self.params, "opt_state": self.opt_state}, meta=meta)

    def restore(self, path: str | Path) -> "Trainer":
        """Load a checkpoint written by :meth:`save` into this trainer (same model and optimizer)."""
        trees, _, meta = load_checkpoint(path, {"params": self.params, "opt_state": self.opt_state})
        self.params = jax.tree_util.tree_map(jnp.asarray, trees["params"])
        self.opt_state = jax.tree_util.tree_map(jnp.asarray, trees["opt_state"])
        self.epoch = int(meta["epoch"])
        self.seed = int(meta.get("seed", self.seed))  # the shuffling and masks of later epochs follow the run's seed
        self.history = History(list(meta.get("history", [])))
        return self


def _time_major_batch(x: np.ndarray, idx: np.ndarray, pad_to: int | None = None) -> np.ndarray:
    """Samples ``idx`` of a batch-first host array ``x`` (N, T, n) as one contiguous time-major array
    (T, B, n), gathered in one pass (rows of n values stay contiguous); zero samples pad it to ``pad_to``."""
    b = idx.size if pad_to is None else max(pad_to, idx.size)
    out = np.zeros((x.shape[1], b) + x.shape[2:], x.dtype) if b > idx.size else None
    taken = np.take(np.swapaxes(x, 0, 1), idx, axis=1)
    if out is None:
        return taken
    out[:, :idx.size] = taken
    return out

