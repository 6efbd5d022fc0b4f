r"""Contrastive (CLIP-style) projection heads that align two modalities, and zero-shot retrieval.

Each modality's features :math:`f` pass through a projection head :math:`z = \mathrm{GELU}(f W + b)` (one FC
layer + GELU, ``Contrastive_Simple`` of the resistive-memory LSM, Lin et al., Nat. Comput. Sci. 2025), are
L2-normalised, and a batch of :math:`B` matching pairs :math:`(a_i, v_i)` is scored by the symmetric InfoNCE loss
(Radford et al., CLIP, 2021; van den Oord et al. 2018):

.. math:: L_{ij} = \frac{\hat z^a_i \cdot \hat z^v_j}{\tau}, \qquad
   \mathcal{L} = \tfrac12\Big[\tfrac1B\sum_i -\log\mathrm{softmax}_j(L_{ij})_{j=i}
                 + \tfrac1B\sum_j -\log\mathrm{softmax}_i(L_{ij})_{i=j}\Big].

Pairs are formed within a class (``pairing="class"``, the paper's: an audio and a vision sample of the same
digit; every training batch holds one pair per seen class so that no negative shares the positive's class) or
per sample (``pairing="instance"``, CLIP's: two views of the same thing, e.g. a picture and its soundscape;
the rest of the batch are negatives). Class pairs are solved by clustering each seen class, which says nothing
about unseen ones; instance pairs force the heads to learn the mapping between the views, and that mapping is
what carries over to classes never seen (measured in ``benchmarks/lsm_zero_shot.py``, ``docs/lsm.md``).

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
               pairs_per_class: int = 1, pairing: str = "class", batch_size: int = 64, key=None, callback=None,
               every: int | None = None):
    """Train the two heads; returns ``(params, scales, losses)``.

    ``params = {"a": head_a, "b": head_b}``; ``scales`` are the (mean, std) standardisers of each modality.

    ``pairing="class"`` (the resistive-memory LSM paper's setting: an audio and a vision sample of the same
    digit, drawn independently): each step samples, for every class present in both ``ya`` and ``yb``,
    ``pairs_per_class`` (a, b) pairs — in separate InfoNCE batches, so that negatives never share a class.
    The loss is then minimised by any embedding that clusters each seen class, whatever it does elsewhere.

    ``pairing="instance"`` (CLIP's setting): row ``i`` of ``fa`` and of ``fb`` are two views of one sample
    (``ya`` must equal ``yb``); each step draws ``batch_size`` rows, and the other rows of the batch are the
    negatives — including same-class ones, so the heads must match a sample's own details, i.e. learn the
    mapping between the modalities rather than the class labels.

    ``callback(step, params, scales)`` is called after every ``every`` steps (and after the last): checkpoints
    for a learning curve. Training in chunks gives the same parameters as one run (same per-step keys)."""
    fa, ya = _check("fa", fa, ya)
    fb, yb = _check("fb", fb, yb)
    validate.choice("pairing", pairing, ("class", "instance"))
    classes = np.intersect1d(np.unique(ya), np.unique(yb))
    if classes.size < 2:
        raise ValidationError("ya/yb: need at least two classes present in both modalities")
    if pairing == "instance" and (ya.shape != yb.shape or not np.array_equal(ya, yb)):
        raise ValidationError("ya/yb: instance pairing needs row i of fa and fb to be the same sample "
                              f"(equal labels), got {ya.shape[0]} and {yb.shape[0]} rows with different labels")
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

    if pairing == "class":
        ta, tb = table(ya), table(yb)
        pairs = pairs_per_class
    else:  # one InfoNCE batch of batch_size distinct rows (the same rows in both modalities)
        batch = validate.positive_int("batch_size", batch_size)
        if batch > fa.shape[0]:
            raise ValidationError(f"batch_size: {batch} exceeds the {fa.shape[0]} training pairs")
        ta = tb = None
        pairs = batch
    every = steps if every is None else validate.positive_int("every", every)
    if callback is not None and not callable(callback):
        raise ValidationError(f"callback: expected a callable, got {type(callback).__name__}")
    ka, kb, kt = jax.random.split(key, 3)
    params = {"a": init_head(ka, A.shape[1], dim), "b": init_head(kb, B.shape[1], dim)}
    opt = optax.adam(lr)
    st = opt.init(params)
    keys = jax.random.split(kt, steps)
    losses = []
    for start in range(0, steps, every):
        params, st, chunk = _train(params, st, A, B, ta, tb, keys[start:start + every], temperature, pairs,
                                   pairing, opt)
        losses.append(np.asarray(chunk))
        if callback is not None:
            callback(min(start + every, steps), params, (sa, sb))
    return params, (sa, sb), np.concatenate(losses)


@functools.partial(jax.jit, static_argnames=("pairs", "pairing", "opt", "temperature"))
def _train(params, st, A, B, ta, tb, keys, temperature, pairs, pairing, opt):
    """``pairing="class"``: ``pairs`` InfoNCE batches of one pair per class (from the per-class tables ``ta``,
    ``tb``); ``"instance"``: one batch of ``pairs`` distinct rows, the same rows of ``A`` and ``B``."""

    def sample(k, t):
        n_cls = t[0].shape[0]
        r = jax.random.randint(k, (pairs, n_cls), 0, 1 << 30) % t[1]
        return t[0][jnp.arange(n_cls), r]  # (pairs, n_cls)

    def loss(p, ia, ib):
        za, zb = head(p["a"], A[ia]), head(p["b"], B[ib])  # (pairs, n_cls, dim)
        return jnp.mean(jax.vmap(lambda x, y: info_nce(x, y, temperature))(za, zb))

    def body(carry, k):
        p, s = carry
        k1, k2 = jax.random.split(k)
        if pairing == "instance":
            ia = ib = jax.random.choice(k1, A.shape[0], (1, pairs), replace=False)
        else:
            ia, ib = sample(k1, ta), sample(k2, tb)
        v, g = jax.value_and_grad(loss)(p, ia, ib)
        upd, s = opt.update(g, s, p)
        return (optax.apply_updates(p, upd), s), v

    (params, st), losses = jax.lax.scan(body, (params, st), keys)
    return params, st, losses


def prototypes(z, y, classes):
    """(n_classes, d) normalised class-mean embeddings of ``z`` for ``classes``."""
    y = np.asarray(y)
    return _normalize(jnp.stack([jnp.mean(z[np.flatnonzero(y == c)], 0) for c in classes]))


def zero_shot_top1(params, scales, fa, ya, fb, yb, classes, *, direction: str = "a->b", center: bool = False,
                   match: str = "prototype") -> float:
    """Top-1 retrieval accuracy among ``classes`` only. ``match="prototype"``: each query is assigned the class
    whose prototype (mean embedding in the other modality) is most similar; ``"nearest"``: the class of the single
    most similar gallery sample (per-sample nearest-neighbour retrieval, as in the resistive-memory LSM paper's
    script; chance = the share of the query's class in the gallery). ``direction`` ``"a->b"`` (queries from
    modality a) or ``"b->a"``. ``center``: subtract the mean embedding of the query set and of the gallery before
    matching (transductive hubness reduction: stops one prototype from attracting every query)."""
    validate.choice("direction", direction, ("a->b", "b->a"))
    validate.choice("match", match, ("prototype", "nearest"))
    classes = np.asarray(classes)
    fa, ya = _check("fa", fa, ya)
    fb, yb = _check("fb", fb, yb)
    ma, mb = np.isin(ya, classes), np.isin(yb, classes)
    za = embed(params["a"], fa[ma], scales[0])
    zb = embed(params["b"], fb[mb], scales[1])
    if center:
        za, zb = za - jnp.mean(za, 0), zb - jnp.mean(zb, 0)
    q, yq, zg, yg = (za, ya[ma], zb, yb[mb]) if direction == "a->b" else (zb, yb[mb], za, ya[ma])
    if match == "nearest":
        pred = yg[np.asarray(jnp.argmax(q @ zg.T, -1))]
    else:
        pred = classes[np.asarray(jnp.argmax(q @ prototypes(zg, yg, classes).T, -1))]
    return float(np.mean(pred == yq))


__all__ = ["info_nce", "init_head", "head", "embed", "train_clip", "prototypes", "zero_shot_top1"]
