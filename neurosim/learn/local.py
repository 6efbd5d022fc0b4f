r"""Physical local learning (PhyLL; Momeni et al., Science 382:1297, 2023): training a deep physical network
without backpropagation and without a model of the physics.

Network. ``L`` blocks; block ``l`` is a fixed physical system :math:`P_l` (a :class:`~neurosim.physical.PhysicalLayer`,
a black box) followed by a trainable digital linear map, with a skip copy of the block input (the acoustic and
microwave code of the paper):

.. math::

    z_l = [\,P_l(h_l),\; h_l\,], \qquad h_{l+1} = y_l = W_l z_l + b_l .

No normalisation is applied between blocks beyond each physical system's own input encoding.

Label embedding. The input is :math:`h_0 = [\,s\,e_c,\; x\,]` — a one-hot label :math:`e_c` in the first
``label_dims`` entries (zero padding beyond ``n_classes``), then the features. The paper sets :math:`s` to
:math:`\max|x|` over the batch; here :math:`s` is that value computed once on the training set and then fixed
(identical for the paper's full-batch training, and it does not couple test samples).

Goodness and loss. Per block a fixed random unit vector :math:`\xi_l` (:math:`\mathcal N(0, I)`, normalised), the
cosine goodness and the pairwise softplus loss with scale :math:`\theta` (called "threshold" in the paper's code but
acting as an inverse temperature):

.. math::

    g_l = \cos(|y_l|, \xi_l) = \frac{|y_l|\cdot\xi_l}{\lVert y_l\rVert\,\lVert\xi_l\rVert}, \qquad
    \mathcal L_l = \operatorname{mean}\,\log\!\big(1 + e^{-\theta\,(g_l^+ - g_l^-)}\big).

Positive = sample with its true label, negative = the same sample with a wrong label drawn uniformly from the other
classes, redrawn every epoch, paired one to one.

Update (greedy, layer-wise, inside each batch). For ``l = 1..L``: evaluate the physical system once on the positive
and once on the negative block inputs; take ``inner_steps`` Adam steps on :math:`(W_l, b_l)` only; pass the
(detached) outputs on. Gradients are taken only of the digital map; the physical outputs are constants, so the
physical system is never differentiated (it is a :func:`jax.pure_callback` whose derivative rule raises).

Inference. For every candidate label ``c`` embed it, run all blocks, sum :math:`g_l`; predict the argmax — ``K``
physical passes per sample and block.

Defaults follow the acoustic experiment: θ = 4, Adam 5e-4, 10 inner steps, full batch.

Accounting (:class:`TrainReport`): digital MACs (per inner step a forward of positives and negatives and the weight
gradient, 2 × forward MACs; plus the forward that produces the detached outputs), physical evaluations
(single-sample passes through a physical system) and wall time.
"""

from __future__ import annotations

import dataclasses
import time
from functools import partial
from typing import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from neurosim import validate
from neurosim.errors import ValidationError
from neurosim.physical.base import PhysicalLayer


# ---------------------------------------------------------------------------------------------------------------------
# shared pieces
# ---------------------------------------------------------------------------------------------------------------------
@dataclasses.dataclass
class TrainReport:
    """The result of one training run of a physical network."""

    method: str
    train_accuracy: float
    test_accuracy: float | None
    digital_macs: float
    physical_evals: int
    wall_time_s: float
    epochs: int
    history: list = dataclasses.field(default_factory=list)
    eval_physical_evals: int = 0
    eval_digital_macs: float = 0.0
    params: object = None
    extra: dict = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d.pop("params")
        return d

    def __repr__(self) -> str:  # the parameters and the history stay out of it: they can be large
        test = "n/a" if self.test_accuracy is None else f"{self.test_accuracy:.4f}"
        return (f"TrainReport({self.method}: train {self.train_accuracy:.4f}, test {test}, {self.epochs} epochs, "
                f"{self.physical_evals:,} physical evals, {self.digital_macs:.3g} digital MACs, "
                f"{self.wall_time_s:.2f} s)")


def summarize_reports(runs) -> dict:
    """Summary of repeated runs (``TrainReport`` objects or their ``as_dict()``): test accuracy mean, s.d. (ddof 1;
    0 for a single run) and minimum, and the means of train accuracy, digital MACs, physical evaluations and wall
    time per run."""
    rows = [r.as_dict() if isinstance(r, TrainReport) else r for r in runs]
    if not rows:
        raise ValidationError("runs: nothing to summarise")
    test = np.array([r["test_accuracy"] for r in rows], float)
    mean = {k: float(np.mean([r[k] for r in rows]))
            for k in ("train_accuracy", "digital_macs", "physical_evals", "wall_time_s")}
    return {"test_mean": float(test.mean()), "test_std": float(test.std(ddof=1)) if len(test) > 1 else 0.0,
            "test_min": float(test.min()), **mean}


@partial(jax.jit, static_argnames=("label_dims",))
def embed_label(x, labels, label_dims: int, strength: float):
    """``[strength · onehot(labels, label_dims), x]`` — the label in the first ``label_dims`` entries."""
    x = jnp.asarray(x, jnp.float32)
    return jnp.concatenate([strength * jax.nn.one_hot(labels, label_dims, dtype=jnp.float32), x], axis=-1)


@jax.jit
def cosine_goodness(y, xi):
    """:math:`\\cos(|y|, \\xi)` per row of ``y``."""
    a = jnp.abs(y)
    return (a @ xi) / (jnp.linalg.norm(a, axis=-1) * jnp.linalg.norm(xi) + 1e-12)


def phyll_loss(g_pos, g_neg, theta: float):
    """:math:`\\operatorname{mean}\\,\\mathrm{softplus}(-\\theta(g^+ - g^-))`."""
    return jnp.mean(jax.nn.softplus(-theta * (g_pos - g_neg)))


@partial(jax.jit, static_argnames=("n_classes",))
def wrong_labels(key, labels, n_classes: int):
    """A uniformly drawn label different from each true label."""
    shift = jax.random.randint(key, jnp.shape(labels), 1, n_classes)
    return (jnp.asarray(labels) + shift) % n_classes


def check_data(x, y, n_features: int | None, n_classes: int, name: str = "x"):
    x = np.asarray(x, np.float32)
    y = np.asarray(y)
    if x.ndim != 2:
        raise ValidationError(f"{name}: expected shape (n_samples, n_features), got {x.shape}")
    if n_features is not None and x.shape[1] != n_features:
        raise ValidationError(f"{name}: expected {n_features} features, got {x.shape[1]}")
    validate.input_array(name, x)
    if y.shape != (x.shape[0],):
        raise ValidationError(f"labels for {name}: expected shape ({x.shape[0]},), got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) or (y.size and (y.min() < 0 or y.max() >= n_classes)):
        raise ValidationError(f"labels for {name}: expected integers in [0, {n_classes}), got {y.dtype} "
                              f"in [{y.min() if y.size else ''}, {y.max() if y.size else ''}]")
    return x, y.astype(np.int32)


def begin_fit(trainer, x_train, y_train, x_test, y_test, *, key, epochs, default_epochs: int,
              prepare: Callable | None = None):
    """What every trainer's ``fit`` starts with: validated train (and test) data, ``prepare(x_train)`` (optional,
    e.g. data-dependent constants), the epoch count, a fresh state from its own key and zeroed cost counters.

    Returns ``(x_train, y_train, x_test, y_test, epochs, state, k_train, k_eval)``."""
    x_train, y_train = check_data(x_train, y_train, trainer.n_features, trainer.n_classes, "x_train")
    if x_test is not None:
        x_test, y_test = check_data(x_test, y_test, trainer.n_features, trainer.n_classes, "x_test")
    if prepare is not None:
        prepare(x_train)
    epochs = default_epochs if epochs is None else validate.positive_int("epochs", epochs, allow_zero=True)
    k_init, k_train, k_eval = jax.random.split(key, 3)
    state = trainer.init(k_init)
    trainer.macs, trainer.phys_evals = 0.0, 0
    return x_train, y_train, x_test, y_test, epochs, state, k_train, k_eval


def progress_bar(iterable, enabled: bool, **kw):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, **kw)


def epoch_loop(trainer, state, *, epochs: int, key, eval_every: int, evaluate: bool, progress: bool,
               on_epoch: Callable | None, step: Callable, record: Callable, n_keys: int = 2):
    """The epoch loop shared by the physical-network trainers: expose ``trainer.state`` and call ``on_epoch`` (drift
    hooks) before each epoch, split ``key`` into ``n_keys`` (the carried key and ``n_keys − 1`` keys handed to
    ``step(epoch, state, *keys) -> (state, loss)``), and every ``eval_every`` epochs (when ``evaluate``) append
    ``{"epoch", "loss", **record(state, epoch)}`` to the history. Returns ``(state, history)``."""
    history = []
    for epoch in progress_bar(range(epochs), progress, desc=trainer.method, unit="epoch", leave=False):
        trainer.state = state                      # visible to on_epoch hooks
        if on_epoch is not None:
            on_epoch(epoch, trainer)
        key, *subs = jax.random.split(key, n_keys)
        state, loss = step(epoch, state, *subs)
        if eval_every and (epoch + 1) % eval_every == 0 and evaluate:
            history.append({"epoch": epoch + 1, "loss": loss, **record(state, epoch)})
    return state, history


def minibatches(key, n: int, batch_size: int | None):
    """``(indices, key)`` per minibatch of an epoch over ``n`` samples: shuffled with a key split from ``key`` (in
    order when one batch holds everything), each batch with its own subkey."""
    bs = batch_size or n
    k_perm, key = jax.random.split(key)
    order = np.asarray(jax.random.permutation(k_perm, n)) if bs < n else np.arange(n)
    for start in range(0, n, bs):
        key, sub = jax.random.split(key)
        yield order[start:start + bs], sub


def final_report(trainer, state, x_train, y_train, x_test, y_test, k_eval, *, wall: float, epochs: int,
                 history: list, eval_macs_per_sample: float) -> TrainReport:
    """The :class:`TrainReport` of a local-learning run: training cost so far, final train/test accuracy, and the
    cost of the test evaluation (``eval_macs_per_sample`` digital MACs per test sample) reported apart."""
    train_macs, train_evals = trainer.macs, trainer.phys_evals
    train_acc = trainer.accuracy(state, x_train, y_train, jax.random.fold_in(k_eval, 10 ** 6))
    ev0 = trainer.phys_evals
    test_acc = None if x_test is None else trainer.accuracy(state, x_test, y_test, jax.random.fold_in(k_eval, 10 ** 7))
    n_test = 0 if x_test is None else x_test.shape[0]
    return TrainReport(trainer.method, train_acc, test_acc, train_macs, train_evals, wall, epochs, history,
                       eval_physical_evals=trainer.phys_evals - ev0,
                       eval_digital_macs=float(n_test * eval_macs_per_sample), params=state)


def _tolist_loss(result):
    state, loss = result
    return state, np.asarray(loss).tolist()


def accuracy_at_no_cost(trainer, state, x, y, key) -> float:
    """``trainer.accuracy`` without charging its MACs and physical evaluations to the training cost."""
    macs, evals = trainer.macs, trainer.phys_evals
    acc = trainer.accuracy(state, x, y, key)
    trainer.macs, trainer.phys_evals = macs, evals
    return acc


def _init_linear(key, n_in: int, n_out: int):
    bound = 1.0 / np.sqrt(n_in)
    kw, kb = jax.random.split(key)
    return {"W": jax.random.uniform(kw, (n_in, n_out), jnp.float32, -bound, bound),
            "b": jax.random.uniform(kb, (n_out,), jnp.float32, -bound, bound)}


# ---------------------------------------------------------------------------------------------------------------------
# PhyLL
# ---------------------------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class PhyLLConfig:
    """Hyperparameters of :class:`PhysicalLocalLearning` (defaults: the paper's acoustic vowel experiment)."""

    theta: float = 4.0
    lr: float = 5e-4
    inner_steps: int = 10
    epochs: int = 200
    batch_size: int | None = None
    skip: bool = True
    label_dims: int | None = None
    label_strength: float | None = None

    def __post_init__(self):
        validate.positive("theta", self.theta)
        validate.positive("lr", self.lr)
        validate.positive_int("inner_steps", self.inner_steps)
        validate.positive_int("epochs", self.epochs, allow_zero=True)
        if self.batch_size is not None:
            validate.positive_int("batch_size", self.batch_size)


def _phys_z(phys, h, key, skip):
    p = phys(h, key)
    return jnp.concatenate([p, h], axis=-1) if skip else p


@partial(jax.jit, static_argnames=("phys", "opt", "steps", "skip"))
def _phyll_layer_step(phys, wb, opt_state, hp, hn, key, xi, theta, *, opt, steps, skip):
    """One block of a PhyLL batch step: a physical run on positives + negatives, ``steps`` Adam steps on the
    block's digital map, and the (detached) block outputs."""
    n = hp.shape[0]
    z = jax.lax.stop_gradient(_phys_z(phys, jnp.concatenate([hp, hn], axis=0), key, skip))
    zp, zn = z[:n], z[n:]

    def loss_fn(p):
        return phyll_loss(cosine_goodness(zp @ p["W"] + p["b"], xi), cosine_goodness(zn @ p["W"] + p["b"], xi), theta)

    def step(carry, _):
        p, s = carry
        loss, g = jax.value_and_grad(loss_fn)(p)
        upd, s = opt.update(g, s, p)
        return (optax.apply_updates(p, upd), s), loss

    (wb, opt_state), losses = jax.lax.scan(step, (wb, opt_state), None, length=steps)
    return wb, opt_state, losses[-1], zp @ wb["W"] + wb["b"], zn @ wb["W"] + wb["b"]


@partial(jax.jit, static_argnames=("phys", "skip"))
def _phyll_block(phys, wb, h, key, xi, *, skip):
    y = _phys_z(phys, h, key, skip) @ wb["W"] + wb["b"]
    return y, cosine_goodness(y, xi)


@jax.jit
def _linear(wb, z):
    return z @ wb["W"] + wb["b"]


@jax.jit
def concat(a, b):
    return jnp.concatenate([a, b], axis=-1)


@partial(jax.jit, static_argnames=("k",))
def expand_labels(x, k: int):
    """All ``k`` candidate labels for every row of ``x``: ``(tile(x, k), repeat(arange(k), n))``."""
    return jnp.tile(x, (k, 1)), jnp.repeat(jnp.arange(k), x.shape[0])


class PhysicalLocalLearning:
    """PhyLL trainer (module docstring) for a stack of physical layers.

    ``layers``: the physical systems, one per block (the same object may appear twice: one system used twice).
    ``n_features``: input features; ``n_classes``; ``hidden``: output width of each block (default: the next
    block's physical input width, and ``layers[-1].n_out`` for the last). ``layers[0].n_in`` must equal
    ``label_dims + n_features``; ``layers[l+1].n_in`` must equal ``hidden[l]``.
    """

    method = "phyll"

    def __init__(self, layers: Sequence[PhysicalLayer], n_features: int, n_classes: int, *,
                 hidden: Sequence[int] | None = None, config: PhyLLConfig = PhyLLConfig()):
        self.layers = list(layers)
        if not self.layers or not all(isinstance(p, PhysicalLayer) for p in self.layers):
            raise ValidationError("layers: expected a non-empty list of PhysicalLayer objects")
        self.n_features = validate.positive_int("n_features", n_features)
        self.n_classes = validate.positive_int("n_classes", n_classes)
        if self.n_classes < 2:
            raise ValidationError("n_classes: need at least 2 classes")
        self.config = config
        self.label_dims = config.label_dims or (self.layers[0].n_in - self.n_features)
        if self.label_dims < self.n_classes or self.label_dims + self.n_features != self.layers[0].n_in:
            raise ValidationError(
                f"layers[0].n_in={self.layers[0].n_in} must equal label_dims + n_features with label_dims >= "
                f"n_classes={self.n_classes} (n_features={self.n_features}, label_dims={self.label_dims})")
        if hidden is None:
            hidden = [p.n_in for p in self.layers[1:]] + [self.layers[-1].n_out]
        self.hidden = [validate.positive_int("hidden", h) for h in hidden]
        if len(self.hidden) != len(self.layers):
            raise ValidationError(f"hidden: expected {len(self.layers)} widths, got {len(self.hidden)}")
        for l in range(len(self.layers) - 1):
            if self.layers[l + 1].n_in != self.hidden[l]:
                raise ValidationError(f"layers[{l + 1}].n_in={self.layers[l + 1].n_in} != hidden[{l}]={self.hidden[l]}")
        self.opt = optax.adam(config.lr)
        self.strength = config.label_strength
        self.macs = 0.0
        self.phys_evals = 0

    # ---- parameters -----------------------------------------------------------------------------------------------
    def block_in(self, l: int) -> int:
        d_in = self.layers[0].n_in if l == 0 else self.hidden[l - 1]
        return self.layers[l].n_out + (d_in if self.config.skip else 0)

    def init(self, key):
        """Digital parameters (one linear map per block), the fixed goodness vectors ξ and optimiser states."""
        keys = jax.random.split(key, 2 * len(self.layers))
        params = [_init_linear(keys[2 * l], self.block_in(l), self.hidden[l]) for l in range(len(self.layers))]
        xis = []
        for l in range(len(self.layers)):
            v = jax.random.normal(keys[2 * l + 1], (self.hidden[l],))
            xis.append(v / jnp.linalg.norm(v))
        return {"params": params, "xi": xis, "opt": [self.opt.init(p) for p in params]}

    # ---- forward --------------------------------------------------------------------------------------------------
    def goodness(self, state, x, labels, key):
        """Per-block goodness (n_blocks, batch) of ``x`` with ``labels`` embedded (physical, noisy)."""
        h = embed_label(x, labels, self.label_dims, self.strength)
        out = []
        keys = jax.random.split(key, len(self.layers))
        for l in range(len(self.layers)):
            self.phys_evals += int(h.shape[0])
            h, g = _phyll_block(self.layers[l], state["params"][l], h, keys[l], state["xi"][l],
                                skip=self.config.skip)
            out.append(g)
        return jnp.stack(out)

    def scores(self, state, x, key):
        """Summed goodness for every candidate label, shape (batch, n_classes); one physical pass per label."""
        n = x.shape[0]
        xs, labels = expand_labels(jnp.asarray(x, jnp.float32), self.n_classes)
        g = self.goodness(state, xs, labels, key).sum(0)
        return g.reshape(self.n_classes, n).T

    def predict(self, state, x, key):
        return jnp.argmax(self.scores(state, x, key), axis=-1)

    def accuracy(self, state, x, y, key) -> float:
        return float(np.mean(np.asarray(self.predict(state, x, key)) == np.asarray(y)))

    # ---- training -------------------------------------------------------------------------------------------------
    def _set_strength(self, x):
        if self.strength is None:
            self.strength = float(np.max(np.abs(x)))

    def train_batch(self, state, x, y, key):
        """One greedy layer-wise update on a batch; returns the new state and per-block losses."""
        cfg = self.config
        k_neg, key = jax.random.split(key)
        y_neg = wrong_labels(k_neg, y, self.n_classes)
        hp = embed_label(x, y, self.label_dims, self.strength)
        hn = embed_label(x, y_neg, self.label_dims, self.strength)
        n = hp.shape[0]
        params, opts, losses = list(state["params"]), list(state["opt"]), []
        keys = jax.random.split(key, len(self.layers))
        for l in range(len(self.layers)):
            self.phys_evals += 2 * n                                 # one physical run on positives + negatives
            params[l], opts[l], loss, hp, hn = _phyll_layer_step(
                self.layers[l], params[l], opts[l], hp, hn, keys[l], state["xi"][l], cfg.theta, opt=self.opt,
                steps=cfg.inner_steps, skip=self.config.skip)
            fwd = 2 * n * self.block_in(l) * self.hidden[l]
            self.macs += cfg.inner_steps * 2 * fwd + fwd
            losses.append(float(loss))
        return {"params": params, "xi": state["xi"], "opt": opts}, losses

    def train_epoch(self, state, x, y, key):
        x, y = check_data(x, y, self.n_features, self.n_classes)
        self._set_strength(x)
        losses = []
        for idx, sub in minibatches(key, x.shape[0], self.config.batch_size):
            state, loss = self.train_batch(state, jnp.asarray(x[idx]), jnp.asarray(y[idx]), sub)
            losses.append(loss)
        return state, np.mean(np.asarray(losses), axis=0)

    def fit(self, x_train, y_train, x_test=None, y_test=None, *, key, epochs: int | None = None,
            eval_every: int = 0, progress: bool = True, on_epoch: Callable | None = None) -> TrainReport:
        """Train for ``epochs`` (default ``config.epochs``); evaluate every ``eval_every`` epochs (0: at the end).
        ``on_epoch(epoch, trainer)`` runs before each epoch (e.g. to perturb ``trainer.layers``); the current
        parameters are ``trainer.state`` then."""
        x_train, y_train, x_test, y_test, epochs, state, k_train, k_eval = begin_fit(
            self, x_train, y_train, x_test, y_test, key=key, epochs=epochs, default_epochs=self.config.epochs,
            prepare=self._set_strength)
        t0 = time.perf_counter()
        state, history = epoch_loop(
            self, state, epochs=epochs, key=k_train, eval_every=eval_every, evaluate=x_test is not None,
            progress=progress, on_epoch=on_epoch,
            step=lambda epoch, st, sub: _tolist_loss(self.train_epoch(st, x_train, y_train, sub)),
            record=lambda st, epoch: {"test_accuracy": accuracy_at_no_cost(self, st, x_test, y_test,
                                                                           jax.random.fold_in(k_eval, epoch))})
        fwd_macs = sum(self.block_in(l) * self.hidden[l] for l in range(len(self.layers)))
        return final_report(self, state, x_train, y_train, x_test, y_test, k_eval, wall=time.perf_counter() - t0,
                            epochs=epochs, history=history, eval_macs_per_sample=self.n_classes * fwd_macs)


__all__ = ["PhysicalLocalLearning", "PhyLLConfig", "TrainReport", "embed_label", "cosine_goodness", "phyll_loss",
           "wrong_labels", "check_data", "begin_fit", "summarize_reports"]
