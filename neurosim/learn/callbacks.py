"""Training callbacks: early stopping and periodic checkpoints.

A callback has ``on_epoch_end(trainer, epoch, logs) -> bool``; returning True stops training.
"""

from __future__ import annotations

import math
from pathlib import Path

from neurosim import validate


class EarlyStopping:
    """Stop when ``monitor`` (e.g. ``"val_loss"``, ``"val_accuracy"``) has not improved by ``min_delta`` for
    ``patience`` epochs. With ``restore_best`` the trainer's parameters are reset to the best epoch's."""

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0, mode: str | None = None,
                 restore_best: bool = True):
        self.monitor = monitor
        self.patience = validate.positive_int("patience", patience, allow_zero=True)
        self.min_delta = float(validate.positive("min_delta", min_delta, allow_zero=True))
        self.mode = mode or ("max" if "acc" in monitor else "min")
        validate.choice("mode", self.mode, ("min", "max"))
        self.restore_best = restore_best
        self.best = -math.inf if self.mode == "max" else math.inf
        self.best_epoch = -1
        self.best_params = None
        self.wait = 0

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> bool:
        if self.monitor not in logs:
            raise validate.ValidationError(
                f"monitor: {self.monitor!r} is not among the logged metrics {sorted(logs)}")
        value = logs[self.monitor]
        better = value > self.best + self.min_delta if self.mode == "max" else value < self.best - self.min_delta
        if better:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_params = trainer.params
            return False
        self.wait += 1
        if self.wait > self.patience:
            if self.restore_best and self.best_params is not None:
                trainer.params = self.best_params
            return True
        return False


class Checkpoint:
    """Write a checkpoint (parameters, optimizer state, epoch, history, RNG seed) every ``every`` epochs.

    ``path`` may contain ``{epoch}``; otherwise the same file is replaced atomically each time.
    """

    def __init__(self, path: str | Path, every: int = 1):
        self.path = str(path)
        self.every = validate.positive_int("every", every)
        self.written: list[Path] = []

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> bool:
        if (epoch + 1) % self.every == 0:
            self.written.append(trainer.save(self.path.format(epoch=epoch)))
        return False
