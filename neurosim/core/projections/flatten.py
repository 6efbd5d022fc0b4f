"""``Flatten``: a feature map (C, *spatial) as the flat vector it already is.

neurosim carries feature maps flat in channel-major order, so flattening moves no data; the stage keeps the shape
for NIR (``nir.Flatten`` between a pooling and an ``Affine`` node) and checks that the sizes agree. It does no work
and the hardware mappers skip it.
"""

from __future__ import annotations

import math

import numpy as np

from neurosim import validate
from neurosim.core.projections.base import Projection
from neurosim.errors import ValidationError


class Flatten(Projection):
    """Identity on (..., ∏in_shape) with the shape remembered (``start_dim=1``, ``end_dim=-1`` of NIR/PyTorch)."""

    def __init__(self, in_shape, name: str | None = None):
        shape = (in_shape,) if isinstance(in_shape, (int, np.integer)) else tuple(in_shape)
        if not shape:
            raise ValidationError("in_shape: need at least one dimension")
        self.in_shape = tuple(validate.positive_int("in_shape", int(v)) for v in shape)
        n = math.prod(self.in_shape)
        self.out_shape = (n,)
        super().__init__(n, n, name=name)

    def init(self, key):
        return {}

    def apply(self, params, x):
        if x.shape[-1] != self.n_in:
            raise ValidationError(f"input: expected last dimension {self.n_in} = {self.in_shape}, got shape {x.shape}")
        return x

    @property
    def nnz(self) -> int:
        return 0

    @property
    def fan_out(self) -> np.ndarray:
        return np.zeros(self.n_in, np.int64)

    @property
    def macs_dense(self) -> int:
        return 0

    def __repr__(self):
        return f"Flatten({self.in_shape}->{self.n_out})"
