"""Projections: dense, sparse fixed-probability (CSR) and event-driven CSR; each counts its own work."""

from neurosim.core.projections.base import Projection
from neurosim.core.projections.dense import Dense
from neurosim.core.projections.event import EventCSR
from neurosim.core.projections.sparse import SparseLinear

__all__ = ["Projection", "Dense", "SparseLinear", "EventCSR"]
