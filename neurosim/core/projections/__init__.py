"""Projections: dense, sparse fixed-probability (CSR), event-driven CSR, convolution, pooling, flatten and chains;
each counts its own work."""

from neurosim.core.projections.base import Projection
from neurosim.core.projections.batchnorm import BatchNorm, fold_batch_norms
from neurosim.core.projections.chain import Chain
from neurosim.core.projections.conv import Conv1d, Conv2d
from neurosim.core.projections.dense import Dense
from neurosim.core.projections.event import EventCSR
from neurosim.core.projections.flatten import Flatten
from neurosim.core.projections.pool import AvgPool2d, MaxPool2d, SumPool2d
from neurosim.core.projections.sparse import SparseLinear

__all__ = ["Projection", "Dense", "SparseLinear", "EventCSR", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d",
           "MaxPool2d", "Flatten", "Chain", "BatchNorm", "fold_batch_norms"]
