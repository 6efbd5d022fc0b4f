"""Training: BPTT with optax and its callbacks."""

from neurosim.learn.bptt import History, Trainer
from neurosim.learn.callbacks import Checkpoint, EarlyStopping

__all__ = ["Trainer", "History", "EarlyStopping", "Checkpoint"]
