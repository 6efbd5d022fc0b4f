"""The scan-free LIF backward pass gives exactly the gradients of autodiff through the step-by-step scan."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns


def generic(neuron, state, cur):
    def body(st, c):
        return neuron.step({}, st, c)

    return jax.lax.scan(body, state, cur)


@pytest.mark.parametrize("method", ["scan", "associative"])
@pytest.mark.parametrize("reset", ["subtract", "value", "none"])
@pytest.mark.parametrize("surrogate", ["fast_sigmoid", "triangle"])
def test_fast_path_matches_scan_forward_and_gradients(reset, surrogate, method, monkeypatch):
    monkeypatch.setenv("NEUROSIM_LIF_ADJOINT", method)
    neuron = ns.LIF(7, tau_mem=8.0, dt=1.0, r=6.0, v_leak=-0.1, v_th=0.6, v_reset=0.05, reset=reset,
                    surrogate=surrogate)
    rng = np.random.default_rng(0)
    cur = jnp.asarray(rng.normal(0.3, 0.6, size=(50, 3, 7)), jnp.float32)
    v0 = jnp.asarray(rng.normal(0, 0.2, size=(3, 7)), jnp.float32)
    g_s = jnp.asarray(rng.normal(size=(50, 3, 7)), jnp.float32)
    g_v = jnp.asarray(rng.normal(size=(3, 7)), jnp.float32)
    state = neuron.init_state((3,))._replace(v=v0)

    def loss(run, cur, v0):
        st, s = run(neuron, state._replace(v=v0), cur)
        return jnp.sum(s * g_s) + jnp.sum(st.v * g_v)

    fast = lambda n, st, c: n.run_currents({}, st, c)  # noqa: E731
    (st_f, s_f), (st_g, s_g) = fast(neuron, state, cur), generic(neuron, state, cur)
    np.testing.assert_array_equal(s_f, s_g)
    np.testing.assert_allclose(st_f.v, st_g.v, atol=1e-6)
    assert 0 < float(s_f.mean()) < 1
    gf = jax.grad(lambda c, v: loss(fast, c, v), argnums=(0, 1))(cur, v0)
    gg = jax.grad(lambda c, v: loss(generic, c, v), argnums=(0, 1))(cur, v0)
    for a, b in zip(gf, gg):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_learnable_or_refractory_neurons_use_the_generic_scan():
    learn = ns.LIF(4, beta=0.9, learn=("v_th",))
    p = learn.init(None)
    cur = jnp.ones((5, 1, 4))
    g = jax.grad(lambda p: jnp.sum(learn.run_currents(p, learn.init_state((1,)), cur)[1]))(p)
    assert float(jnp.abs(g["v_th"]).sum()) > 0  # threshold gradient exists: the generic path ran
    refr = ns.LIF(4, beta=0.9, t_ref=2.0, reset="value")
    _, s = refr.run_currents({}, refr.init_state((1,)), cur * 2)
    assert np.all(np.diff(np.flatnonzero(np.asarray(s[:, 0, 0]))) >= 3)


def test_adjoint_solvers_agree_and_a_bad_method_is_refused(monkeypatch):
    from neurosim.core.neurons.sequence import adjoint_method, solve_adjoint
    from neurosim.errors import ValidationError

    rng = np.random.default_rng(1)
    A = jnp.asarray(rng.normal(size=(37, 2, 5)), jnp.float32)
    B = jnp.asarray(rng.uniform(0, 1, size=(37, 2, 5)), jnp.float32)
    ref = np.zeros(A.shape, np.float64)
    nxt = np.zeros(A.shape[1:])
    for t in range(A.shape[0] - 1, -1, -1):  # lam[t] = A[t] + B[t] lam[t+1], lam[T] = 0
        nxt = np.asarray(A[t], np.float64) + (np.asarray(B[t], np.float64) * nxt if t < A.shape[0] - 1 else 0.0)
        ref[t] = nxt
    for method in ("scan", "associative"):
        np.testing.assert_allclose(solve_adjoint(A, B, method), ref, rtol=1e-5, atol=1e-5)
    # a factor that is the same at every step (per neuron): the same as the broadcast per-step factor
    decay = jnp.asarray(rng.uniform(0, 1, size=5), jnp.float32)
    for method in ("scan", "associative"):
        np.testing.assert_allclose(solve_adjoint(A, decay, method),
                                   solve_adjoint(A, jnp.broadcast_to(decay, A.shape), method), rtol=1e-6, atol=1e-6)
    monkeypatch.delenv("NEUROSIM_LIF_ADJOINT", raising=False)
    assert adjoint_method() == ("scan" if jax.default_backend() == "cpu" else "associative")
    monkeypatch.setenv("NEUROSIM_LIF_ADJOINT", "cumsum")
    with pytest.raises(ValidationError, match="NEUROSIM_LIF_ADJOINT"):
        adjoint_method()


@pytest.mark.parametrize("reset", ["subtract", "value", "none"])
def test_numba_kernels_equal_the_xla_scans(reset, monkeypatch):
    """On CPU a small sequence runs as Numba kernels (``cpu_kernels``): the same float32 operations as the
    ``lax.scan`` (equal to the last bit, spikes equal), the adjoint likewise."""
    from neurosim.core import numba_ffi
    from neurosim.core.neurons import sequence
    from neurosim.core.neurons.membrane import SpikeRule

    if not numba_ffi.available():
        pytest.skip("Numba not available")
    rng = np.random.default_rng(5)
    cur = jnp.asarray(rng.normal(0.3, 0.7, size=(40, 2, 9)), jnp.float32)
    v0 = jnp.asarray(rng.normal(0, 0.2, size=(2, 9)), jnp.float32)
    consts = [jnp.broadcast_to(jnp.asarray(v, jnp.float32), (2, 9)) for v in (0.87, 1.3, -0.05, 0.6, 0.1)]
    rule = SpikeRule(reset, False, True, 0)
    run = jax.jit(lambda c, v: sequence._forward(rule, c, v, *consts))
    kernel = run(cur, v0)
    monkeypatch.setattr(sequence, "_kernel_eligible", lambda *a: False)
    scan = jax.jit(lambda c, v: sequence._forward(rule, c, v, *consts))(cur, v0)
    np.testing.assert_array_equal(np.asarray(kernel[2]), np.asarray(scan[2]))  # spikes
    for a, b in zip(kernel[:2], scan[:2]):  # final and pre-reset membranes
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-6)
    assert 0 < float(np.asarray(kernel[2]).mean()) < 1
    A = jnp.asarray(rng.normal(size=(40, 2, 9)), jnp.float32)
    B = jnp.asarray(rng.uniform(0, 1, size=(40, 2, 9)), jnp.float32)
    for b in (consts[0], B):
        monkeypatch.undo()
        lam = np.asarray(sequence.solve_adjoint(A, b, "scan"))
        np.testing.assert_allclose(lam, np.asarray(sequence.solve_adjoint(A, b, "xla-scan")), rtol=1e-6, atol=1e-6)
