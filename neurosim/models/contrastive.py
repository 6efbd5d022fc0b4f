r"""Contrastive (CLIP-style) projection heads that align two modalities, and zero-shot retrieval.

Each modality's features :math:`f` pass through a projection head :math:`z = \mathrm{GELU}(f W + b)` (one FC
layer + GELU, ``Contrastive_Simple`` of the resistive-memory LSM, Lin et al., Nat. Comput. Sci. 2025), are
L2-normalised, and a batch of :math:`B` matching pairs :math:`(a_i, v_i)` is scored by the symmetric InfoNCE loss
(Radford et al., CLIP, 2021; van den Oord et al. 2018):

.. math:: L_{ij} = \frac{\hat z^a_i \cdot \hat z^v_j}{\tau}, \qquad
   \mathcal{L} = \tfrac12\Big[\tfrac1B\sum_i -\log\mathrm{softmax}_j(L_{ij})_{j=i}
                 + \tfrac1B\sum_j -\log\mathrm{softmax}_i(L_{ij})_{i=j}\Big].

Pairs are formed within a class (an audio sample and a vision sample of the same digit); every training batch
holds one pair per seen class so that no negative shares the positive's class.

Zero-shot retrieval (:func:`zero_shot_top1`): the heads never saw the unseen classes; each unseen class gets a
prototype, the mean normalised embedding of its gallery samples in the target modality, and a query is assigned
to the most similar prototype (dot product). Chance is 1/(number of unseen classes).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

from neurosim import validate
from neurosim.errors import ValidationError


def _normalize(z):
    return z / (jnp.linalg.norm(z, axis=-1, keepdims=True) + 1e-8)


def info_nce(za, zb, temperature: float = 1.0):
    """Symmetric InfoNCE of paired embeddings ``za``, ``zb`` (B, d): row i of each is a positive pair."""
    logits = _normalize(za) @ _normalize(zb).T / temperature
    labels = jnp.arange(za.shape[0])
    ce_ab = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    ce_ba = optax.softmax_cross_entropy_with_integer_labels(logits.T, labels).mean()
    return 0.5 * (ce_ab + ce_ba)


def init_head(key, n_in: int, dim: int = 64):
    """Parameters of one projection head (n_in → dim)."""
    return {"w": jax.random.normal(key, (n_in, dim)) / np.sqrt(n_in), "b": jnp.zeros(dim)}


def head(params, f):
    """Embedding of features ``f`` (..., n_in): GELU(f W + b)."""
    return jax.nn.gelu(f @ params["w"] + params["b"])


def embed(params, f, scale=None):
    """Normalised embeddings; ``scale`` = (mean, std) to standardise ``f`` first."""
    f = jnp.asarray(f, jnp.float32)
    if scale is not None:
        f = (f - scale[0]) / scale[1]
    return _normalize(head(params, f))


def _check(name, f, y):
    f = validate.input_array(name, f, min_ndim=2)
    y = np.asarray(y)
    if f.ndim != 2 or y.shape != (f.shape[0],):
        raise ValidationError(f"{name}: expected (n, d) features with n labels, got {f.shape} and {y.shape}")
    return np.asarray(f, np.float32), y


def train_clip(fa, ya, fb, yb, *, dim: int = 64, temperature: float = 1.0, steps: int = 2000, lr: float = 1e-3,
               pairs_per_class: int = 1, key=None):
    """Train the two heads on class-matched pairs; returns ``(params, scales, losses)``.

    ``params = {"a": head_a, "b": head_b}``; ``scales`` are the (mean, std) standardisers of each modality;
    each step samples, for every class present in both ``ya`` and ``yb``, ``pairs_per_class`` (a, b) pairs
    — in separate InfoNCE batches, so that negatives never share a class."""
    fa, ya = _check("fa", fa, ya)
    fb, yb = _check("fb", fb, yb)
    classes = np.intersect1d(np.unique(ya), np.unique(yb))
    if classes.size < 2:
        raise ValidationError("ya/yb: need at least two classes present in both modalities")
    temperature = float(validate.positive("temperature", temperature))
    steps = validate.positive_int("steps", steps)
    key = jax.random.PRNGKey(0) if key is None else key
    sa = (fa.mean(0), fa.std(0) + 1e-6)
    sb = (fb.mean(0), fb.std(0) + 1e-6)
    A, B = jnp.asarray((fa - sa[0]) / sa[1]), jnp.asarray((fb - sb[0]) / sb[1])
    # per class: padded index lists and counts, for uniform sampling inside jit
    def table(y):
        idx = [np.flatnonzero(y == c) for c in classes]
        m = max(len(i) for i in idx)
        return (jnp.asarray(np.stack([np.resize(i, m) for i in idx])), jnp.asarray([len(i) for i in idx]))

    ta, tb = table(ya), table(yb)
    ka, kb, kt = jax.random.split(key, 3)
    params = {"a": init_head(ka, A.shape[1], dim), "b": init_head(kb, B.shape[1], dim)}
    opt = optax.adam(lr)
    params, losses = _train(params, opt.init(params), A, B, ta, tb, kt, temperature, steps, pairs_per_class, opt)
    return params, (sa, sb), np.asarray(losses)


@functools.partial(jax.jit, static_argnames=("steps", "pairs", "opt", "temperature"))
def _train(params, st, A, B, ta, tb, key, temperature, steps, pairs, opt):
    n_cls = ta[0].shape[0]

    def sample(k, t):
        r = jax.random.randint(k, (pairs, n_cls), 0, 1 << 30) % t[1]
        return t[0][jnp.arange(n_cls), r]  # (pairs, n_cls)

    def loss(p, ia, ib):
        za, zb = head(p["a"], A[ia]), head(p["b"], B[ib])  # (pairs, n_cls, dim)
        return jnp.mean(jax.vmap(lambda x, y: info_nce(x, y, temperature))(za, zb))

    def body(carry, k):
        p, s = carry
        k1, k2 = jax.random.split(k)
        v, g = jax.value_and_grad(loss)(p, sample(k1, ta), sample(k2, tb))
        upd, s = opt.update(g, s, p)
        return (optax.apply_updates(p, upd), s), v

    (params, _), losses = jax.lax.scan(body, (params, st), jax.random.split(key, steps))
    return params, losses


def prototypes(z, y, classes):
    """(n_classes, d) normalised class-mean embeddings of ``z`` for ``classes``."""
    y = np.asarray(y)
    return _normalize(jnp.stack([jnp.mean(z[np.flatnonzero(y == c)], 0) for c in classes]))


def zero_shot_top1(params, scales, fa, ya, fb, yb, classes, *, direction: str = "a->b", center: bool = False) -> float:
    """Top-1 accuracy of retrieving the right class prototype (built in the other modality) for each query,
    among ``classes`` only. ``direction`` ``"a->b"`` (queries from modality a) or ``"b->a"``. ``center``:
    subtract the mean embedding of the query set and of the gallery before matching (transductive hubness
    reduction: stops one prototype from attracting every query)."""
    validate.choice("direction", direction, ("a->b", "b->a"))
    classes = np.asarray(classes)
    fa, ya = _check("fa", fa, ya)
    fb, yb = _check("fb", fb, yb)
    ma, mb = np.isin(ya, classes), np.isin(yb, classes)
    za = embed(params["a"], fa[ma], scales[0])
    zb = embed(params["b"], fb[mb], scales[1])
    if center:
        za, zb = za - jnp.mean(za, 0), zb - jnp.mean(zb, 0)
    if direction == "a->b":
        q, yq, proto = za, ya[ma], prototypes(zb, yb[mb], classes)
    else:
        q, yq, proto = zb, yb[mb], prototypes(za, ya[ma], classes)
    pred = classes[np.asarray(jnp.argmax(q @ proto.T, -1))]
    return float(np.mean(pred == yq))


__all__ = ["info_nce", "init_head", "head", "embed", "train_clip", "prototypes", "zero_shot_top1"]
