"""Spyx 1.0.0 side of ``benchmarks/inference_speed.py``: the 700-256-256-20 LIF network of ``spyx_train_step.py``
at batch 1 over ``T`` steps, forward only, the fastest way Spyx allows (each ``nnx.Linear`` over the whole
sequence, the LIF scanned, all under ``nnx.jit``), returning the output layer's spike counts (less than ``ns.simulate`` returns: the
spikes of every layer and the activity counts).
Prints one JSON line {"spyx_ms", "spyx_first_s"}: median of REPEATS timed calls after a warm-up.

Run:  python spyx_inference.py T REPEATS
"""

import json
import statistics
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from spyx_train_step import RATE, SIZES, Net


def main():
    steps, repeats = int(sys.argv[1]), int(sys.argv[2])
    rng = np.random.default_rng(0)
    x = jnp.asarray((rng.random((steps, 1, SIZES[0])) < RATE).astype(np.float32))
    model = Net(nnx.Rngs(0))

    @nnx.jit
    def forward(model, x):
        return model(x)

    t0 = time.perf_counter()
    jax.block_until_ready(forward(model, x))
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        jax.block_until_ready(forward(model, x))
        times.append(time.perf_counter() - t0)
    print(json.dumps({"spyx_ms": statistics.median(times) * 1e3, "spyx_first_s": first}), flush=True)


if __name__ == "__main__":
    main()
