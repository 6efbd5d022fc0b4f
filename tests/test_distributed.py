"""Data-parallel training across two processes with ``jax.distributed`` (CPU, Gloo collectives) gives the
parameters of one-process training to 1e-6."""

import os
import socket
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

COMMON = textwrap.dedent('''
    import numpy as np
    import neurosim as ns

    def train(devices):
        rng = np.random.default_rng(0)
        x = (rng.random((32, 20, 10)) < 0.3).astype(np.float32)
        y = rng.integers(0, 3, 32)
        net = ns.Sequential([ns.Layer(ns.Dense(10, 16, scale=2.0), ns.LIF(16, beta=0.9, v_th=0.5)),
                             ns.Layer(ns.Dense(16, 3), ns.LI(3, beta=0.9))])
        tr = ns.Trainer(net, lr=1e-2, readout="mean", batch_size=8, progress=False, seed=1, devices=devices)
        history = tr.fit(x, y, epochs=2)
        return tr, history
''')

WORKER = COMMON + textwrap.dedent('''
    import sys
    from neurosim import parallel
    pid, port, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    parallel.initialize(f"localhost:{port}", 2, pid)
    import jax
    assert len(jax.devices()) == 2 and len(jax.local_devices()) == 1
    tr, history = train(jax.devices())
    leaves = jax.tree_util.tree_leaves(parallel.local(tr.params))
    np.savez(out, *leaves, loss=np.asarray(history["loss"]))
    print("WORKER OK", pid)
''')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def test_two_process_data_parallel_training_matches_one_process(tmp_path):
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    env.pop("XLA_FLAGS", None)
    port = _free_port()
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(i), str(port), str(tmp_path / f"p{i}.npz")],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for i in range(2)]
    outs = []
    for p in procs:
        try:
            outs.append(p.communicate(timeout=400)[0])
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail("two-process training did not finish in 400 s")
    for i, out in enumerate(outs):
        assert f"WORKER OK {i}" in out, out[-3000:]

    scope: dict = {}
    exec(COMMON, scope)
    ref, history = scope["train"](None)
    ref_leaves = [np.asarray(a) for a in jax.tree_util.tree_leaves(ref.params)]
    for i in range(2):
        got = np.load(tmp_path / f"p{i}.npz")
        leaves = [got[f"arr_{k}"] for k in range(len(ref_leaves))]
        for a, b in zip(ref_leaves, leaves):
            np.testing.assert_allclose(b, a, rtol=0, atol=1e-6)
        np.testing.assert_allclose(got["loss"], np.asarray(history["loss"]), rtol=1e-6)
    init = jax.tree_util.tree_leaves(ref.model.init(jax.random.PRNGKey(1)))  # Trainer(seed=1) starts here
    moved = max(float(np.abs(a - np.asarray(b)).max()) for a, b in zip(ref_leaves, init))
    assert moved > 1e-3  # training really changed the parameters
