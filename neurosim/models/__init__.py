"""Network models built on the core: EGRU (event-based GRU) and its dense GRU baseline."""

from neurosim.models.egru import EGRU, EGRUState, sparsity
from neurosim.models.gru import GRU, GRUState

__all__ = ["EGRU", "EGRUState", "GRU", "GRUState", "sparsity"]
