"""InfoNCE against a hand computation; zero-shot retrieval on synthetic modalities that share a latent code."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurosim.errors import ValidationError
from neurosim.models.contrastive import info_nce, train_clip, zero_shot_top1


def test_info_nce_hand_computed():
    za = jnp.array([[1.0, 0.0], [0.0, 2.0]])
    zb = jnp.array([[3.0, 0.0], [1.0, 1.0]])
    # normalised: a = [(1,0), (0,1)], b = [(1,0), (1,1)/sqrt2]; logits = a b^T / 0.5
    s = 1 / np.sqrt(2)
    L = np.array([[1.0, s], [0.0, s]]) / 0.5
    lse_rows = np.log(np.exp(L).sum(1))
    lse_cols = np.log(np.exp(L).sum(0))
    expected = 0.5 * (np.mean(lse_rows - np.diag(L)) + np.mean(lse_cols - np.diag(L)))
    assert float(info_nce(za, zb, 0.5)) == pytest.approx(expected, rel=1e-5)


def test_zero_shot_on_shared_latent():
    """Both modalities are fixed random linear maps of a class code plus noise; heads trained on 7 classes
    generalise to the 3 unseen ones (chance 1/3)."""
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(10, 6))
    Ma, Mb = rng.normal(size=(6, 20)), rng.normal(size=(6, 30))
    ya, yb = rng.integers(0, 10, 600), rng.integers(0, 10, 600)
    fa = (codes[ya] + 0.3 * rng.normal(size=(600, 6))) @ Ma
    fb = (codes[yb] + 0.3 * rng.normal(size=(600, 6))) @ Mb
    seen, unseen = np.arange(7), np.array([7, 8, 9])
    ma, mb = np.isin(ya, seen), np.isin(yb, seen)
    params, scales, losses = train_clip(fa[ma], ya[ma], fb[mb], yb[mb], dim=16, steps=300, temperature=0.2,
                                        lr=3e-3, pairs_per_class=4, key=jax.random.PRNGKey(0))
    assert losses[-20:].mean() < losses[:20].mean()
    acc = zero_shot_top1(params, scales, fa, ya, fb, yb, unseen)
    assert acc > 0.6, acc
    with pytest.raises(ValidationError):
        train_clip(fa[:5], ya[:4], fb, yb)


def test_centering_removes_a_hub():
    """If one head adds a large common component to every embedding (a hub that dominates the dot products),
    plain retrieval degrades while ``center=True`` recovers the class structure."""
    import jax
    import numpy as np

    from neurosim.models.contrastive import train_clip, zero_shot_top1

    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(4), 30)
    code = rng.normal(size=(4, 6))
    fa = code[y] + 0.1 * rng.normal(size=(120, 6))
    fb = code[y] @ rng.normal(size=(6, 6)) + 0.1 * rng.normal(size=(120, 6))
    params, scales, _ = train_clip(fa, y, fb, y, dim=8, steps=200, key=jax.random.PRNGKey(0))
    classes = np.arange(4)
    assert zero_shot_top1(params, scales, fa, y, fb, y, classes) > 0.9
    hub = dict(params, a=dict(params["a"], b=params["a"]["b"] + 50.0 * np.eye(8)[0]))  # queries share one direction
    plain = zero_shot_top1(hub, scales, fa, y, fb, y, classes)
    centred = zero_shot_top1(hub, scales, fa, y, fb, y, classes, center=True)
    assert centred > 0.9 and centred > plain + 0.2


def _two_views(n_cls=5, per=20, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(n_cls), per)
    latent = rng.normal(size=(y.size, 4)) + 2 * rng.normal(size=(n_cls, 4))[y]  # class + instance detail
    return (latent @ rng.normal(size=(4, 12)), y, latent @ rng.normal(size=(4, 9)))


def test_checkpoints_do_not_change_training():
    """Training in chunks with a callback gives bitwise the parameters and losses of one uninterrupted run."""
    fa, y, fb = _two_views()
    for pairing in ("class", "instance"):
        kw = dict(dim=8, steps=60, pairs_per_class=2, pairing=pairing, batch_size=16, key=jax.random.PRNGKey(3))
        p1, _, l1 = train_clip(fa, y, fb, y, **kw)
        seen = []
        p2, _, l2 = train_clip(fa, y, fb, y, every=25, callback=lambda step, p, s: seen.append(step), **kw)
        assert seen == [25, 50, 60]
        assert np.array_equal(l1, l2)
        for a, b in zip(jax.tree_util.tree_leaves(p1), jax.tree_util.tree_leaves(p2)):
            assert np.array_equal(a, b)


def test_instance_pairing_matches_the_sample_and_checks_rows():
    """With instance pairs the heads learn the map between the views: a query retrieves its own partner among
    same-class candidates (class pairing has no reason to), on classes never seen in training."""
    fa, y, fb = _two_views(n_cls=8, per=30)
    tr = y < 6
    p_inst, s_inst, _ = train_clip(fa[tr], y[tr], fb[tr], y[tr], dim=8, steps=400, pairing="instance", batch_size=32,
                                   lr=3e-3, key=jax.random.PRNGKey(0))
    p_cls, s_cls, _ = train_clip(fa[tr], y[tr], fb[tr], y[tr], dim=8, steps=400, pairs_per_class=4, lr=3e-3,
                                 key=jax.random.PRNGKey(0))
    from neurosim.models.contrastive import embed

    def own_partner_rate(params, scales):  # unseen classes: does each a-query rank its own b-row first?
        za = embed(params["a"], fa[~tr], scales[0])
        zb = embed(params["b"], fb[~tr], scales[1])
        return float(np.mean(np.argmax(np.asarray(za @ zb.T), 1) == np.arange(za.shape[0])))

    inst, cls = own_partner_rate(p_inst, s_inst), own_partner_rate(p_cls, s_cls)
    assert inst > 0.5 and inst > cls + 0.2, (inst, cls)
    with pytest.raises(ValidationError, match="instance pairing"):
        train_clip(fa, y, fb[::-1], y[::-1], pairing="instance")
    with pytest.raises(ValidationError, match="pairing"):
        train_clip(fa, y, fb, y, pairing="random")
    one = y == 0
    with pytest.raises(ValidationError, match="two classes"):
        train_clip(fa[one], y[one], fb[one], y[one])


def test_instance_batches_hold_distinct_rows():
    """With batch_size = n every step's batch is a permutation of all rows: the first loss is then exactly the
    InfoNCE of the initial heads over all pairs (a repeated row would change it)."""
    from neurosim.models.contrastive import head, init_head

    fa, y, fb = _two_views(n_cls=3, per=4)
    key = jax.random.PRNGKey(5)
    _, scales, losses = train_clip(fa, y, fb, y, dim=4, steps=1, pairing="instance", batch_size=12, key=key)
    ka, kb, _ = jax.random.split(key, 3)
    A = (fa - scales[0][0]) / scales[0][1]
    B = (fb - scales[1][0]) / scales[1][1]
    expected = info_nce(head(init_head(ka, 12, 4), A), head(init_head(kb, 9, 4), B))
    assert float(losses[0]) == pytest.approx(float(expected), rel=1e-5)
    with pytest.raises(ValidationError, match="batch_size"):
        train_clip(fa, y, fb, y, pairing="instance", batch_size=13)


def test_nearest_neighbour_retrieval_by_hand():
    """match="nearest": the class of the single most similar gallery sample (identity heads, hand-made data)."""
    params = {"a": {"w": jnp.eye(2), "b": jnp.zeros(2)}, "b": {"w": jnp.eye(2), "b": jnp.zeros(2)}}
    ident = ((jnp.zeros(2), jnp.ones(2)), (jnp.zeros(2), jnp.ones(2)))
    # gallery: class 0 near (1, 0), class 1 mostly near (0, 1) with one outlier of class 1 at (1, 0.05)
    fb = np.array([[1.0, 0.0], [0.0, 1.0], [0.1, 1.0], [1.0, 0.05]], np.float32)
    yb = np.array([0, 1, 1, 1])
    fa = np.array([[1.0, 0.05], [0.05, 1.0]], np.float32)
    ya = np.array([0, 1])
    # the first query coincides with the class-1 outlier: nearest neighbour is wrong, the prototype right
    acc_nn = zero_shot_top1(params, ident, fa, ya, fb, yb, [0, 1], match="nearest")
    acc_proto = zero_shot_top1(params, ident, fa, ya, fb, yb, [0, 1], match="prototype")
    assert acc_nn == 0.5 and acc_proto == 1.0
    with pytest.raises(ValidationError, match="match"):
        zero_shot_top1(params, ident, fa, ya, fb, yb, [0, 1], match="knn")
