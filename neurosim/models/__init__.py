"""Network models built on the core: EGRU (event-based GRU) and its dense GRU baseline."""

from neurosim.models.egru import EGRU, EGRUState, sparsity
from neurosim.models.gru import GRU, GRUState
from neurosim.models.language import CharLM



def load(name):
    """Load a trained model-zoo entry by name: returns a :class:`neurosim.zoo.ZooModel` (model, params, config)."""
    from neurosim.zoo import load as _load

    return _load(name)


__all__ = ["EGRU", "EGRUState", "GRU", "GRUState", "CharLM", "sparsity", "load"]
