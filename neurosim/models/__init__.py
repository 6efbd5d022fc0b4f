"""Network models built on the core: EGRU (event-based GRU) and its dense GRU baseline, the liquid state machine
with its closed-form/ANN readouts and contrastive (CLIP-style) projection heads, and convolutional spiking
networks for event cameras."""

from neurosim.models.egru import EGRU, EGRUState, sparsity
from neurosim.models.gru import GRU, GRUState
from neurosim.models.language import CharLM
from neurosim.models.lsm import LiquidStateMachine
from neurosim.models.readouts import Readout, fit_logistic, fit_mlp, fit_ridge
from neurosim.models.contrastive import info_nce, train_clip, zero_shot_top1
from neurosim.models.vision import spiking_cnn



def load(name, search_path=None):
    """Load a trained model-zoo entry by name or path: returns a :class:`neurosim.zoo.ZooModel` (model, params,
    config). ``search_path``: extra zoo folders searched before ``NEUROSIM_ZOO_PATH`` and the shipped zoo."""
    from neurosim.zoo import load as _load

    return _load(name, search_path)


__all__ = ["EGRU", "EGRUState", "GRU", "GRUState", "CharLM", "sparsity", "load", "LiquidStateMachine", "Readout",
           "fit_ridge", "fit_logistic", "fit_mlp", "info_nce", "train_clip", "zero_shot_top1", "spiking_cnn"]
