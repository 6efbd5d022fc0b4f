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
