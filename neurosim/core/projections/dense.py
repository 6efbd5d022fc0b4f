"""All-to-all projection :math:`y = x W + b` with ``W`` of shape (n_in, n_out)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from neurosim import validate
from neurosim.core.projections import event_matmul
from neurosim.core.projections.base import Projection


class Dense(Projection):
    """Dense weights. ``init``: ``"xavier"`` (Glorot normal), ``"kaiming"`` (He normal, fan-in), or ``"normal"``
    with standard deviation ``scale``. With ``bias=False`` there is no ``"b"`` entry."""

    def __init__(self, n_in: int, n_out: int, *, bias: bool = True, init: str = "kaiming", scale: float = 1.0,
                 name: str | None = None):
        super().__init__(n_in, n_out, name=name)
        self.bias = bool(bias)
        self.init_name = validate.choice("init", init, ("xavier", "kaiming", "normal"))
        self.scale = float(validate.positive("scale", scale))

    def init(self, key):
        if self.init_name == "xavier":
            std = (2.0 / (self.n_in + self.n_out)) ** 0.5
        elif self.init_name == "kaiming":
            std = (2.0 / self.n_in) ** 0.5
        else:
            std = 1.0
        w = self.scale * std * jax.random.normal(key, (self.n_in, self.n_out), jnp.float32)
        params = {"w": w}
        if self.bias:
            params["b"] = jnp.zeros((self.n_out,), jnp.float32)
        return params

    def apply(self, params, x):
        w = params["w"]
        if x.ndim >= 2:  # time-batched (T, B, n) as one 2-D matmul: its weight gradient is then a 2-D contraction,
            # which XLA's CPU backend runs faster than the (T, B)-contracting one (train step 48 -> 39 ms at
            # T = 100, B = 32; 520 -> 489 ms at T = 300, B = 128, benchmarks/train_step.py network); sparse
            # (spiking) inputs take the event kernel on CPU (event_matmul: work follows the nonzeros)
            y = event_matmul.matmul(x.reshape(-1, x.shape[-1]), w).reshape(x.shape[:-1] + (w.shape[-1],))
        else:
            y = jnp.matmul(x, w)
        return y + params["b"] if self.bias else y
