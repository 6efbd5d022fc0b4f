"""Projections agree with a dense reference and count their work exactly (hand counts)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns
from neurosim.core.activity import event_counts, fan_matrix
from neurosim.core.connectivity import fixed_probability, from_dense
from neurosim.errors import ValidationError


@pytest.fixture(scope="module")
def spikes():
    rng = np.random.default_rng(0)
    return jnp.asarray((rng.random((3, 30)) < 0.2).astype(np.float32))


def test_dense_matches_matmul(spikes):
    proj = ns.Dense(30, 7)
    p = proj.init(jax.random.PRNGKey(0))
    np.testing.assert_allclose(proj.apply(p, spikes), np.asarray(spikes) @ np.asarray(p["w"]) + np.asarray(p["b"]),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cls", [ns.SparseLinear, ns.EventCSR])
def test_sparse_and_event_projections_match_dense_reference(cls, spikes):
    kwargs = dict(p=0.3, seed=4) if cls is ns.SparseLinear else dict(p=0.3, seed=4, std=1.0)
    proj = cls(30, 12, **kwargs)
    p = proj.init(jax.random.PRNGKey(1))
    dense_w = proj.conn.to_dense(np.asarray(p["w"]))
    np.testing.assert_allclose(proj.apply(p, spikes), np.asarray(spikes) @ dense_w, rtol=1e-5, atol=1e-5)
    one = proj.apply(p, spikes[0])  # unbatched input
    np.testing.assert_allclose(one, np.asarray(spikes[0]) @ dense_w, rtol=1e-5, atol=1e-5)


def test_event_csr_homogeneous_weight_and_gradient(spikes):
    proj = ns.EventCSR(30, 12, p=0.5, weight=0.25, seed=1)
    dense = proj.conn.to_dense() * 0.25
    np.testing.assert_allclose(proj.apply({}, spikes), np.asarray(spikes) @ dense, atol=1e-6)
    learn = ns.EventCSR(30, 12, p=0.5, std=1.0, seed=1)
    p = learn.init(jax.random.PRNGKey(0))
    g = jax.grad(lambda p: jnp.sum(learn.apply(p, spikes[0])))(p)["w"]
    # d/dw_k of sum_j y_j = x_{row(k)}: the gradient is the presynaptic activity of each synapse
    np.testing.assert_allclose(g, np.asarray(spikes[0])[learn.conn.rows()], atol=1e-6)


def test_event_counts_equal_hand_count():
    x = np.zeros((2, 5), np.float32)
    x[0, [0, 3]] = 1.0
    x[1, 4] = 0.5
    dense = ns.Dense(5, 3)
    mask = np.array([[1, 0, 1], [0, 0, 0], [1, 1, 1], [0, 1, 0], [1, 0, 0]])
    sparse = ns.EventCSR(5, 3, conn=from_dense(mask), weight=1.0)
    # dense: 3 active inputs x 3 targets = 9 events; CSR: fan-outs 2 (row 0) + 1 (row 3) + 1 (row 4) = 4 events
    ev, macs = event_counts(jnp.asarray(x), fan_matrix([dense]))
    assert (int(ev), int(macs)) == (9, 0)
    ev, macs = event_counts(jnp.asarray(x), fan_matrix([sparse]))
    assert (int(ev), int(macs)) == (4, 4)
    assert dense.macs_dense == 15 and dense.macs_static == 15
    assert sparse.macs_dense == 15 and sparse.macs_static == 0 and sparse.nnz == 7


def test_fixed_probability_statistics_and_determinism():
    a = fixed_probability(400, 300, 0.1, seed=3)
    b = fixed_probability(400, 300, 0.1, seed=3)
    np.testing.assert_array_equal(a.indices, b.indices)
    n = 400 * 300
    assert abs(a.nnz - 0.1 * n) < 4 * np.sqrt(n * 0.1 * 0.9)
    assert np.all(np.diff(a.indices[a.indptr[0]:a.indptr[1]]) > 0)  # sorted, unique targets per row
    no_self = fixed_probability(50, 50, 0.5, seed=0, allow_self=False)
    assert not np.any(no_self.rows() == no_self.indices)


def test_projection_validation():
    with pytest.raises(ValidationError, match="p"):
        ns.SparseLinear(5, 5, p=1.5)
    with pytest.raises(ValidationError, match="p/conn"):
        ns.EventCSR(5, 5)
    with pytest.raises(ValidationError, match="conn"):
        ns.EventCSR(5, 4, conn=from_dense(np.ones((5, 5))), weight=1.0)
    with pytest.raises(ValidationError, match="n_out"):
        ns.Dense(3, 0)
