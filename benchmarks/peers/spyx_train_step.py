"""Spyx 1.0.0 (Flax NNX, ``spyx.nn.LIF``) side of ``benchmarks/train_step.py``: the same 700-256-256-20 LIF network,
data shapes, loss (cross-entropy of output spike counts) and optimiser (Adam, lr 1e-3), written the fastest way
Spyx allows: each layer's ``nnx.Linear`` applied to the whole sequence at once, the LIF scanned over time,
the whole step under ``nnx.jit``. Run by ``train_step.py`` in the venv of ``setup.sh``; prints one JSON line."""

import json
import statistics
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
import spyx
from flax import nnx

SIZES = (700, 256, 256, 20)
BETA, RATE = 0.9, 0.03


class Net(nnx.Module):
    def __init__(self, rngs):
        self.fcs = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in zip(SIZES[:-1], SIZES[1:])])
        self.lifs = nnx.List([spyx.nn.LIF((b,), beta=BETA, activation=spyx.axn.superspike(25.0), rngs=rngs)
                              for b in SIZES[1:]])

    def __call__(self, xs):  # xs (T, B, n)
        h = xs
        for fc, lif in zip(self.fcs, self.lifs):
            cur = fc(h)

            def body(v, c, lif=lif):
                s, v = lif(c, v)
                return v, s

            _, h = jax.lax.scan(body, lif.initial_state(xs.shape[1]), cur)
        return h.sum(0)


def main():
    shapes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[1].split(",")]
    repeats = int(sys.argv[2])
    for T, B in shapes:
        rng = np.random.default_rng(0)
        x = jnp.asarray((rng.random((B, T, SIZES[0])) < RATE).astype(np.float32)).transpose(1, 0, 2)
        y = jnp.asarray(rng.integers(0, SIZES[-1], B))
        model = Net(nnx.Rngs(0))
        opt = nnx.Optimizer(model, optax.adam(1e-3), wrt=nnx.Param)

        @nnx.jit
        def step(model, opt, x, y):
            def loss_fn(m):
                return optax.softmax_cross_entropy_with_integer_labels(m(x), y).mean()

            loss, grads = nnx.value_and_grad(loss_fn)(model)
            opt.update(model, grads)
            return loss

        t0 = time.perf_counter()
        jax.block_until_ready(step(model, opt, x, y))
        first = time.perf_counter() - t0
        jax.block_until_ready(step(model, opt, x, y))
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            jax.block_until_ready(step(model, opt, x, y))
            times.append(time.perf_counter() - t0)
        print(json.dumps({"T": T, "B": B, "spyx_ms": statistics.median(times) * 1e3, "spyx_first_s": first}),
              flush=True)


if __name__ == "__main__":
    main()
