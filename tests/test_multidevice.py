"""Multi-device execution on 4 virtual CPU devices (a subprocess sets XLA_FLAGS before JAX starts)."""

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import jax, numpy as np, jax.numpy as jnp
    assert len(jax.devices()) == 4, jax.devices()
    import neurosim as ns
    from neurosim import parallel

    rng = np.random.default_rng(0)
    net = ns.Sequential([ns.Layer(ns.Dense(6, 16), ns.LIF(16, beta=0.9, v_th=0.5),
                                  recurrent=ns.Dense(16, 16, bias=False, scale=0.3)),
                         ns.Layer(ns.Dense(16, 4), ns.LI(4, beta=0.8))])
    params = net.init(jax.random.PRNGKey(0))
    x = (rng.random((30, 8, 6)) < 0.4).astype(np.float32)

    # batched simulation: bit-identical on 1 and 4 devices
    one = ns.simulate(net, x, params=params, record=("spike", "output"))
    four = ns.simulate(net, x, params=params, record=("spike", "output"), devices=4)
    for k in one.records:
        np.testing.assert_array_equal(one.records[k], four.records[k])
    assert one.activity.layers["layer0"].spikes == four.activity.layers["layer0"].spikes > 0

    # data-parallel training: same parameters up to the all-reduce summation order (float32 sums in a
    # different order differ in the last bits; eight Adam steps amplify that to ~1e-6 absolute, while a
    # wrong gradient average or a per-device update would differ by orders of magnitude more)
    y = rng.integers(0, 4, 64).astype(np.int32)
    xt = (rng.random((64, 20, 6)) < 0.3).astype(np.float32)
    a = ns.Trainer(net, lr=1e-2, batch_size=16, progress=False, seed=3)
    b = ns.Trainer(net, lr=1e-2, batch_size=16, progress=False, seed=3, devices=4)
    a.fit(xt, y, epochs=2)
    b.fit(xt, y, epochs=2)
    for la, lb in zip(jax.tree_util.tree_leaves(a.params), jax.tree_util.tree_leaves(b.params)):
        np.testing.assert_allclose(np.asarray(la), np.asarray(lb), rtol=1e-4, atol=1e-5)
    assert len(b.params["layer0"]["proj"]["w"].sharding.device_set) == 4

    # neuron-sharded simulation of one network (dense projections): identical to a single device
    big = ns.Sequential([ns.Layer(ns.Dense(8, 64), ns.LIF(64, beta=0.9, v_th=0.5))])
    p = big.init(jax.random.PRNGKey(1))
    xs = jnp.asarray((rng.random((25, 2, 8)) < 0.5).astype(np.float32))
    m = parallel.mesh(4, axis="neuron")
    st = big.init_state((2,))
    ref = big.run(p, st, xs)[1]
    got = jax.jit(lambda p, s, x: big.run(p, s, x)[1])(parallel.neuron_sharding(p, m), parallel.neuron_sharding(st, m), xs)
    np.testing.assert_array_equal(np.asarray(ref), np.asarray(got))
    print("MULTIDEVICE OK")
''')


def test_four_virtual_devices():
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert "MULTIDEVICE OK" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-4000:]
