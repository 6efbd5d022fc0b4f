"""Training.

* :class:`Trainer` (:mod:`.bptt`) — BPTT with optax, and its callbacks (:mod:`.callbacks`).
* :mod:`.local` — physical local learning (PhyLL) for networks of non-differentiable physical layers.
* :mod:`.forward_forward` — Hinton's forward-forward algorithm.
* :mod:`.pat` — baselines: physics-aware training (physical forward, digital-twin backward) and backprop in silico.
* :mod:`.sweeps` — robustness sweeps over device non-idealities, vmapped over seeds.
* :mod:`.hardware_aware` — hardware-aware training for PCM/RRAM deployment (``Trainer(weight_noise=...)``).

The last four are imported on use (``from neurosim.learn.local import PhysicalLocalLearning``) so that
``import neurosim`` stays light.
"""

from neurosim.learn.bptt import History, Trainer
from neurosim.learn.callbacks import Checkpoint, EarlyStopping

__all__ = ["Trainer", "History", "EarlyStopping", "Checkpoint"]
