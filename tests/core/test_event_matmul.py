"""The event-driven ``x @ w`` (``neurosim.core.projections.event_matmul``): exact in its summation order,
differentiable, dense where the input is not sparse, and identical between ``simulate``'s two paths."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.core.projections import event_matmul as em

pytestmark = pytest.mark.skipif(not em.available(), reason="Numba not available (the event kernels are Numba FFI custom calls)")


@pytest.fixture(scope="module")
def sparse():
    rng = np.random.default_rng(0)
    x = ((rng.random((120, 90)) < 0.03) * rng.normal(size=(120, 90))).astype(np.float32)
    w = rng.normal(size=(90, 70)).astype(np.float32)
    return jnp.asarray(x), jnp.asarray(w)


def test_sparse_input_takes_the_kernel_and_is_exact_in_its_order(sparse):
    x, w = sparse
    y = np.asarray(jax.jit(em.matmul)(x, w))
    np.testing.assert_array_equal(y, em.dense_reference(x, w))  # bit-exact: the kernel ran, in index order
    np.testing.assert_allclose(y, np.asarray(x) @ np.asarray(w), rtol=1e-5, atol=1e-5)


def test_dense_input_and_narrow_outputs_take_xla(sparse):
    x, w = sparse
    dense = jnp.asarray(np.random.default_rng(1).normal(size=x.shape), jnp.float32)
    np.testing.assert_array_equal(np.asarray(jax.jit(em.matmul)(dense, w)), np.asarray(jax.jit(jnp.matmul)(dense, w)))
    narrow = w[:, :em.MIN_OUT - 1]
    assert not em.eligible(x, narrow) and em.eligible(x, w)
    assert not em.eligible(x.astype(jnp.float16), w)


def test_gradients_equal_the_dense_matmul(sparse):
    x, w = sparse
    loss = lambda f: lambda x, w: jnp.sum(jnp.tanh(f(x, w)) * jnp.arange(w.shape[1]))  # noqa: E731
    gx, gw = jax.jit(jax.grad(loss(em.matmul), argnums=(0, 1)))(x, w)
    rx, rw = jax.grad(loss(jnp.matmul), argnums=(0, 1))(x, w)
    np.testing.assert_allclose(gx, rx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gw, rw, rtol=1e-4, atol=1e-4)
    # the weight gradient skips the zeros of x: rows of w no event touched get exactly zero
    untouched = np.flatnonzero(~np.asarray(x != 0).any(0))
    assert untouched.size and np.all(np.asarray(gw)[untouched] == 0)


def test_vmap_over_inputs(sparse):
    x, w = sparse
    ys = jax.vmap(em.matmul, in_axes=(0, None))(jnp.stack([x, 2 * x]), w)
    np.testing.assert_allclose(ys[1], 2 * ys[0], rtol=1e-6, atol=1e-6)


def test_simulate_paths_agree_on_an_event_driven_stack():
    """A stack wide enough for the kernel: the step scan and the time-batched run give identical spikes."""
    model = ns.Sequential([ns.Layer(ns.Dense(80, 64, scale=3.0), ns.LIF(64, beta=0.9, v_th=0.5)),
                           ns.Layer(ns.Dense(64, 64, scale=3.0), ns.LIF(64, beta=0.9, v_th=0.5))])
    params = model.init(jax.random.PRNGKey(0))
    x = (np.random.default_rng(0).random((50, 1, 80)) < 0.03).astype(np.float32)
    step = ns.simulate(model, x, params=params, path="step")
    seq = ns.simulate(model, x, params=params, path="sequence")
    for name in step.records:
        np.testing.assert_array_equal(step[name], seq[name])
    assert 0 < np.asarray(seq["layer0.spike"]).mean() < 0.5
    assert step.activity.summary() == seq.activity.summary()


def test_one_row_and_an_all_zero_input():
    """The smallest calls: one row (a step of a batch-1 simulation), and a row with no events at all."""
    rng = np.random.default_rng(3)
    w = jnp.asarray(rng.normal(size=(90, 70)), jnp.float32)
    x = np.zeros((1, 90), np.float32)
    x[0, [4, 50]] = (1.0, -2.0)
    y = np.asarray(jax.jit(em.matmul)(jnp.asarray(x), w))
    np.testing.assert_array_equal(y, em.dense_reference(x, w))
    np.testing.assert_array_equal(np.asarray(jax.jit(em.matmul)(jnp.zeros((3, 90)), w)), np.zeros((3, 70)))


def test_handlers_answer_the_metadata_query_and_run_their_kernel():
    """Registering a handler makes XLA send it the metadata query; a call after that runs the kernel."""
    from neurosim.core import numba_ffi

    assert numba_ffi.target("event_forward") == "neurosim_event_forward"
    x = jnp.asarray(np.eye(4, 90, dtype=np.float32))
    w = jnp.asarray(np.arange(90 * 70, dtype=np.float32).reshape(90, 70))
    out = numba_ffi.call("event_forward", jax.ShapeDtypeStruct((4, 70), jnp.float32), x, w)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(w)[:4])
