r"""Hinton's forward-forward algorithm (arXiv 2212.13345, 2022) with physical layers in the blocks.

Block ``l`` maps its input :math:`h_l` to

.. math::

    z_l = [\,\rho(P_l(h_l)),\; \rho(h_l)\,] \ (\text{or } \rho(h_l) \text{ without a physical system}), \qquad
    y_l = \mathrm{ReLU}(W_l z_l + b_l), \qquad h_{l+1} = \rho(y_l),

with the RMS normalisation :math:`\rho(a) = a / \sqrt{\operatorname{mean}(a^2)}` (Hinton's ``ffnormrows``: only
the orientation of a hidden vector is passed on, so the next block cannot read the previous goodness off its length).
The physical system (a black box, never differentiated) receives the raw block input; its own encoding maps it to
the actuators.

Goodness and loss (per block, trained simultaneously and locally, outputs detached between blocks):

.. math::

    G_l = \sum_j y_{l,j}^2, \qquad
    \mathcal L_l = \operatorname{mean}\big[\mathrm{softplus}\big(-(G_l^+ - \theta_l)/\tau\big)
                  + \mathrm{softplus}\big((G_l^- - \theta_l)/\tau\big)\big],

:math:`\theta_l` = the number of units of the block (Hinton's Matlab and loeweX; mean-square activity 1), τ = 1.

Data. Positive = image with its one-hot label of strength ``label_strength`` in ``n_classes`` entries *prepended*
(for a physical input this extends the SLM image, like the label blocks of the optics experiment of Momeni et al.;
Hinton overwrites the first 10 pixels instead). Negatives: the same image with a wrong label, either uniform
(``negatives="random"``) or *hard* (``"hard"``, Hinton's Matlab): sampled from the model's own softmax over the
goodness scores with the true label masked out, recomputed at the start of each epoch (the first epoch uses
uniform negatives).

Inference: embed each label in turn, sum :math:`G_l` over blocks ``l >= min_layer``, predict the argmax.
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
from neurosim.learn.local import (TrainReport, _init_linear, accuracy_at_no_cost, begin_fit,
                                  embed_label, epoch_loop, expand_labels, final_report, wrong_labels)
from neurosim.physical.base import PhysicalLayer


@jax.jit
def rms_normalize(a, eps: float = 1e-8):
    """:math:`a / \\sqrt{\\mathrm{mean}(a^2)}` per row."""
    return a / jnp.sqrt(jnp.mean(a * a, axis=-1, keepdims=True) + eps)


def sumsq_goodness(y):
    """:math:`G = \\sum_j y_j^2` per row."""
    return jnp.sum(y * y, axis=-1)


def ff_loss(g_pos, g_neg, theta: float, temperature: float = 1.0):
    """:math:`\\mathrm{mean}[\\mathrm{softplus}(-(G^+-\\theta)/\\tau) + \\mathrm{softplus}((G^--\\theta)/\\tau)]`."""
    return jnp.mean(jax.nn.softplus(-(g_pos - theta) / temperature) + jax.nn.softplus((g_neg - theta) / temperature))


@dataclasses.dataclass(frozen=True)
class FFConfig:
    """Hyperparameters of :class:`ForwardForward`."""

    lr: float = 1e-3
    epochs: int = 30
    batch_size: int = 100
    theta: float | None = None          # None: the number of units of each block
    temperature: float = 1.0
    negatives: str = "hard"
    label_strength: float = 1.0
    skip: bool = True
    min_layer: int = 0
    weight_decay: float = 0.0

    def __post_init__(self):
        validate.positive("lr", self.lr)
        validate.positive_int("epochs", self.epochs, allow_zero=True)
        validate.positive_int("batch_size", self.batch_size)
        if self.theta is not None:
            validate.positive("theta", self.theta)
        validate.positive("temperature", self.temperature)
        validate.choice("negatives", self.negatives, ("hard", "random"))
        validate.positive("label_strength", self.label_strength)
        validate.positive_int("min_layer", self.min_layer, allow_zero=True)


def _block_z(phys, h, key, skip):
    if phys is None:
        return rms_normalize(h)
    p = rms_normalize(phys(h, key))
    return jnp.concatenate([p, rms_normalize(h)], axis=-1) if skip else p


@partial(jax.jit, static_argnames=("phys", "opt", "skip"))
def _ff_layer_step(phys, wb, opt_state, hp, hn, key, theta, temperature, *, opt, skip):
    """One block of a forward-forward batch step: physical run on positives + negatives, one Adam step."""
    n = hp.shape[0]
    z = jax.lax.stop_gradient(_block_z(phys, jnp.concatenate([hp, hn], axis=0), key, skip))
    zp, zn = z[:n], z[n:]

    def loss_fn(p):
        yp = jax.nn.relu(zp @ p["W"] + p["b"])
        yn = jax.nn.relu(zn @ p["W"] + p["b"])
        return ff_loss(sumsq_goodness(yp), sumsq_goodness(yn), theta, temperature), (yp, yn)

    (loss, (yp, yn)), g = jax.value_and_grad(loss_fn, has_aux=True)(wb)
    upd, opt_state = opt.update(g, opt_state, wb)
    return optax.apply_updates(wb, upd), opt_state, loss, yp, yn


@partial(jax.jit, static_argnames=("phys", "skip"))
def _ff_block(phys, wb, h, key, *, skip):
    y = jax.nn.relu(_block_z(phys, h, key, skip) @ wb["W"] + wb["b"])
    return y, sumsq_goodness(y)


class ForwardForward:
    """Forward-forward trainer (module docstring). ``layers``: one entry per block, a
    :class:`~neurosim.physical.PhysicalLayer` or ``None`` (a purely digital block); ``hidden``: block widths.
    A physical layer in block ``l`` must take the block input: ``n_classes + n_features`` for block 0,
    ``hidden[l-1]`` after."""

    method = "forward_forward"

    def __init__(self, layers: Sequence[PhysicalLayer | None], n_features: int, n_classes: int,
                 hidden: Sequence[int], config: FFConfig = FFConfig()):
        self.layers = list(layers)
        if not self.layers or not all(p is None or isinstance(p, PhysicalLayer) for p in self.layers):
            raise ValidationError("layers: expected a non-empty list of PhysicalLayer objects or None")
        self.n_features = validate.positive_int("n_features", n_features)
        self.n_classes = validate.positive_int("n_classes", n_classes)
        self.hidden = [validate.positive_int("hidden", h) for h in hidden]
        if len(self.hidden) != len(self.layers):
            raise ValidationError(f"hidden: expected {len(self.layers)} widths, got {len(self.hidden)}")
        if config.min_layer >= len(self.layers):
            raise ValidationError(f"min_layer: must be < the number of blocks {len(self.layers)}")
        for l, p in enumerate(self.layers):
            if p is not None and p.n_in != self.block_input_dim(l):
                raise ValidationError(f"layers[{l}].n_in={p.n_in}, expected the block input width "
                                      f"{self.block_input_dim(l)}")
        self.config = config
        tx = [optax.adam(config.lr)]
        if config.weight_decay:
            tx.insert(0, optax.add_decayed_weights(config.weight_decay))
        self.opt = optax.chain(*tx)
        self.macs = 0.0
        self.phys_evals = 0

    def block_input_dim(self, l: int) -> int:
        return self.n_classes + self.n_features if l == 0 else self.hidden[l - 1]

    def block_in(self, l: int) -> int:
        p = self.layers[l]
        if p is None:
            return self.block_input_dim(l)
        return p.n_out + (self.block_input_dim(l) if self.config.skip else 0)

    def theta(self, l: int) -> float:
        return float(self.config.theta if self.config.theta is not None else self.hidden[l])

    def init(self, key):
        keys = jax.random.split(key, len(self.layers))
        params = [_init_linear(keys[l], self.block_in(l), self.hidden[l]) for l in range(len(self.layers))]
        return {"params": params, "opt": [self.opt.init(p) for p in params]}

    def goodness(self, state, x, labels, key):
        """Per-block goodness, shape (n_blocks, batch)."""
        h = embed_label(x, labels, self.n_classes, self.config.label_strength)
        out = []
        keys = jax.random.split(key, len(self.layers))
        for l in range(len(self.layers)):
            if self.layers[l] is not None:
                self.phys_evals += int(h.shape[0])
            h, g = _ff_block(self.layers[l], state["params"][l], h, keys[l], skip=self.config.skip)
            out.append(g)
        return jnp.stack(out)

    def scores(self, state, x, key, batch: int = 2048):
        """Summed goodness (blocks >= min_layer) per candidate label, shape (n, n_classes)."""
        x = jnp.asarray(x, jnp.float32)
        n, k = x.shape[0], self.n_classes
        out = []
        for s in range(0, n, batch):
            xb = x[s:s + batch]
            xs, labels = expand_labels(xb, k)
            key, sub = jax.random.split(key)
            g = self.goodness(state, xs, labels, sub)[self.config.min_layer:].sum(0)
            out.append(g.reshape(k, xb.shape[0]).T)
        return jnp.concatenate(out)

    def predict(self, state, x, key):
        return jnp.argmax(self.scores(state, x, key), -1)

    def accuracy(self, state, x, y, key) -> float:
        return float(np.mean(np.asarray(self.predict(state, x, key)) == np.asarray(y)))

    def hard_negatives(self, state, x, y, key):
        """Wrong labels sampled from softmax(scores) with the true label masked out (Hinton's Matlab)."""
        k_score, k_draw = jax.random.split(key)
        s = self.scores(state, x, k_score)
        s = s - jnp.max(s, -1, keepdims=True)
        logits = jnp.where(jax.nn.one_hot(y, self.n_classes, dtype=bool), -jnp.inf, s)
        return jax.random.categorical(k_draw, logits)

    def train_epoch(self, state, x, y, key, y_neg=None):
        cfg = self.config
        k_perm, k_neg, key = jax.random.split(key, 3)
        if y_neg is None:
            y_neg = wrong_labels(k_neg, y, self.n_classes)
        order = np.asarray(jax.random.permutation(k_perm, x.shape[0]))
        params, opts = list(state["params"]), list(state["opt"])
        losses = []
        for s in range(0, x.shape[0], cfg.batch_size):
            idx = order[s:s + cfg.batch_size]
            xb = jnp.asarray(x[idx])
            hp = embed_label(xb, jnp.asarray(y[idx]), self.n_classes, cfg.label_strength)
            hn = embed_label(xb, jnp.asarray(y_neg[idx]), self.n_classes, cfg.label_strength)
            n = len(idx)
            bl = []
            key, sub = jax.random.split(key)
            keys = jax.random.split(sub, len(self.layers))
            for l in range(len(self.layers)):
                if self.layers[l] is not None:
                    self.phys_evals += 2 * n
                params[l], opts[l], loss, hp, hn = _ff_layer_step(
                    self.layers[l], params[l], opts[l], hp, hn, keys[l], self.theta(l), cfg.temperature,
                    opt=self.opt, skip=cfg.skip)
                self.macs += 2 * 2 * n * self.block_in(l) * self.hidden[l]  # forward + weight gradient (pos + neg)
                bl.append(float(loss))
            losses.append(bl)
        return {"params": params, "opt": opts}, np.mean(losses, axis=0)

    def fit(self, x_train, y_train, x_test=None, y_test=None, *, key, epochs: int | None = None,
            eval_every: int = 0, progress: bool = True, on_epoch: Callable | None = None) -> TrainReport:
        x_train, y_train, x_test, y_test, epochs, state, k_train, k_eval = begin_fit(
            self, x_train, y_train, x_test, y_test, key=key, epochs=epochs, default_epochs=self.config.epochs)
        fwd_macs = sum(self.block_in(l) * self.hidden[l] for l in range(len(self.layers)))
        t0 = time.perf_counter()
        negatives = {"y": None}

        def step(epoch, st, sub, k_hard):
            if self.config.negatives == "hard" and epoch > 0:
                negatives["y"] = np.asarray(self.hard_negatives(st, x_train, y_train, k_hard))
                self.macs += x_train.shape[0] * self.n_classes * fwd_macs
            st, loss = self.train_epoch(st, x_train, y_train, sub, negatives["y"])
            return st, np.asarray(loss).tolist()

        state, history = epoch_loop(
            self, state, epochs=epochs, key=k_train, eval_every=eval_every, evaluate=x_test is not None,
            progress=progress, on_epoch=on_epoch, step=step, n_keys=3,
            record=lambda st, epoch: {"test_accuracy": accuracy_at_no_cost(self, st, x_test, y_test,
                                                                           jax.random.fold_in(k_eval, epoch))})
        return final_report(self, state, x_train, y_train, x_test, y_test, k_eval, wall=time.perf_counter() - t0,
                            epochs=epochs, history=history, eval_macs_per_sample=self.n_classes * fwd_macs)


__all__ = ["ForwardForward", "FFConfig", "rms_normalize", "sumsq_goodness", "ff_loss"]
