r"""Character- (or word-) level language model with tied embeddings on EGRU or dense GRU layers.

Architecture (pure functions over a parameter pytree)::

    x_t = E[id_t]                     E: (V, d) token embedding
    h^1..h^L = recurrent stack        EGRU or GRU layers, time-major ``run``
    u_t = h^L_t P + b_P               P: (H, d) projection back to the embedding width
    logits_t = u_t Eᵀ + b_out         the *same* E (tied input/output embedding)

``loss`` is the mean next-token cross-entropy in nats over a batch of windows ``(B, T + 1)`` (read ``[:, :-1]``,
predict ``[:, 1:]``); ``bits_per_char = loss / ln 2``. Training (:func:`train`) is truncated BPTT over
``seq_len`` windows drawn at random positions of the training split; the recurrent state is reset to zero at the
start of every window (training and evaluation alike), so the model sees at most ``seq_len`` characters of context.
EGRU layers add their activity regulariser (``run``'s ``extras["penalty"]``) to the training objective, not to the reported
loss. Activity sparsity of a layer = fraction of unit-steps whose output is exactly zero.
"""

from __future__ import annotations

import math
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from neurosim import validate
from neurosim.data import text as textdata
from neurosim.errors import ValidationError
from neurosim.models.egru import EGRU
from neurosim.models.gru import GRU

LN2 = math.log(2.0)


def bits_per_char(loss_nats):
    """Cross-entropy in nats per character → bits per character."""
    return loss_nats / LN2


class CharLM:
    """Tied-embedding language model: ``vocab_size`` tokens, embedding width ``d``, ``layers`` recurrent layers of
    ``hidden`` units of kind ``cell`` (``"egru"`` or ``"gru"``); ``cell_kwargs`` go to every layer's constructor."""

    def __init__(self, vocab_size: int, *, d: int = 64, hidden: int = 256, layers: int = 1, cell: str = "egru",
                 input_scale: float | None = None, **cell_kwargs):
        self.vocab_size = validate.positive_int("vocab_size", vocab_size)
        self.d = validate.positive_int("d", d)
        self.hidden = validate.positive_int("hidden", hidden)
        self.n_layers = validate.positive_int("layers", layers)
        self.cell = validate.choice("cell", cell, ("egru", "gru"))
        # the input side reads E[id] * input_scale (default √d, so inputs are O(1) while the tied logits start small)
        self.input_scale = float(validate.positive("input_scale", math.sqrt(self.d) if input_scale is None
                                                   else input_scale))
        cls = EGRU if cell == "egru" else GRU
        self.layers = [cls(self.d if i == 0 else self.hidden, self.hidden, **cell_kwargs)
                       for i in range(self.n_layers)]

    # ---- parameters -----------------------------------------------------------------------------------------
    def init(self, key) -> dict:
        keys = jax.random.split(key, self.n_layers + 2)
        return {
            "embed": jax.random.normal(keys[0], (self.vocab_size, self.d), jnp.float32) / math.sqrt(self.d),
            "layers": [layer.init(k) for layer, k in zip(self.layers, keys[2:])],
            "proj": {"W": jax.random.normal(keys[1], (self.hidden, self.d), jnp.float32) / math.sqrt(self.hidden),
                     "b": jnp.zeros((self.d,), jnp.float32)},
            "out_bias": jnp.zeros((self.vocab_size,), jnp.float32),
        }

    # ---- forward --------------------------------------------------------------------------------------------
    def forward(self, params, inputs, *, key=None, train: bool = False, out_embed=None):
        """``inputs`` int (B, T) → ``(logits (B, T, V), penalty, layer_outputs)``; layer outputs are (T, B, H).

        ``out_embed`` (V, d), for analysis and tests only, replaces the output side of the tied embedding (unties
        it), so the gradient reaching ``E`` through the input and through the output can be told apart."""
        inputs = jnp.asarray(inputs)
        if inputs.ndim != 2:
            raise ValidationError(f"inputs: expected (batch, time) token ids, got shape {inputs.shape}")
        E = params["embed"]
        xs = jnp.swapaxes(E[inputs], 0, 1) * self.input_scale  # time-major (T, B, d)
        penalty = jnp.zeros((), jnp.float32)
        outs = []
        keys = jax.random.split(key, self.n_layers) if key is not None else [None] * self.n_layers
        for layer, p, k in zip(self.layers, params["layers"], keys):
            state = layer.init_state((inputs.shape[0],))  # truncated BPTT: zero state per window
            _, xs, _, extras = layer.run(p, state, xs, key=k, train=train)
            penalty = penalty + extras["penalty"]
            outs.append(xs)
        u = xs @ params["proj"]["W"] + params["proj"]["b"]
        E_out = E if out_embed is None else out_embed
        logits = u @ E_out.T + params["out_bias"]  # tied output embedding
        return jnp.swapaxes(logits, 0, 1), penalty, outs

    def loss(self, params, ids, key=None, train: bool = False):
        """Mean next-token cross-entropy (nats) on windows ``ids`` (B, T + 1)."""
        logits, _, _ = self.forward(params, ids[:, :-1], key=key, train=train)
        return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, ids[:, 1:]))

    def objective(self, params, ids, key=None, train: bool = True):
        """Training objective: cross-entropy + EGRU activity regularisers; returns ``(total, cross_entropy)``."""
        logits, penalty, _ = self.forward(params, ids[:, :-1], key=key, train=train)
        ce = jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, ids[:, 1:]))
        return ce + penalty, ce

    def bits_per_char(self, params, ids, key=None, train: bool = False):
        return bits_per_char(self.loss(params, ids, key, train))

    def n_params(self, params) -> int:
        return int(sum(np.prod(a.shape) for a in jax.tree_util.tree_leaves(params)))

    def __repr__(self):
        return (f"CharLM(V={self.vocab_size}, d={self.d}, {self.n_layers}x{self.cell.upper()}({self.hidden}), "
                "tied embedding)")


# ---- training and evaluation ----------------------------------------------------------------------------------
def make_optimizer(lr: float = 2e-3, clip: float = 1.0) -> optax.GradientTransformation:
    """Adam with global-norm gradient clipping."""
    return optax.chain(optax.clip_by_global_norm(float(validate.positive("clip", clip))),
                       optax.adam(float(validate.positive("lr", lr))))


def make_train_step(model: CharLM, optimizer: optax.GradientTransformation):
    """Jitted ``step(params, opt_state, ids, key) -> (params, opt_state, cross_entropy)``."""

    def step(params, opt_state, ids, key):
        (_, ce), grads = jax.value_and_grad(model.objective, has_aux=True)(params, ids, key, True)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, ce

    return jax.jit(step)


def evaluate(model: CharLM, params, ids, seq_len: int = 64, batch_size: int = 256) -> dict:
    """Cross-entropy (nats), bits per character and per-layer activity sparsity (fraction of exactly-zero outputs:
    the graded events ``y`` of EGRU layers, ``h`` of GRU layers) over consecutive windows covering ``ids`` (state
    reset per window, as in training)."""
    windows = textdata.eval_windows(ids, seq_len)

    @jax.jit
    def batch_stats(p, w):
        logits, _, outs = model.forward(p, w[:, :-1])
        nll = jnp.sum(optax.softmax_cross_entropy_with_integer_labels(logits, w[:, 1:]))
        zeros = jnp.stack([jnp.sum(o == 0) for o in outs]).astype(jnp.float32)
        return nll, zeros

    nll, zeros, n_tok = 0.0, np.zeros(model.n_layers), 0
    for i in range(0, len(windows), batch_size):
        w = windows[i:i + batch_size]
        a, z = batch_stats(params, jnp.asarray(w))
        nll += float(a)
        zeros += np.asarray(z, np.float64)
        n_tok += w.shape[0] * seq_len
    loss = nll / n_tok
    return {"loss": loss, "bpc": loss / LN2, "tokens": n_tok,
            "activity_sparsity": [float(zf) / (n_tok * model.hidden) for zf in zeros]}


def train(model: CharLM, train_ids, *, steps: int, seq_len: int = 64, batch_size: int = 32, lr: float = 2e-3,
          clip: float = 1.0, seed: int = 0, params=None, log_every: int = 0, callback=None) -> tuple[dict, dict]:
    """Train for a fixed number of steps; returns ``(params, history)`` with the per-step training cross-entropy
    and the wall time (compilation included)."""
    steps = validate.positive_int("steps", steps)
    rng = np.random.default_rng(seed)
    key = jax.random.PRNGKey(seed)
    if params is None:
        key, k = jax.random.split(key)
        params = model.init(k)
    opt = make_optimizer(lr, clip)
    opt_state = opt.init(params)
    step_fn = make_train_step(model, opt)
    losses: list[float] = []
    t0 = time.perf_counter()
    for i in range(steps):
        ids = jnp.asarray(textdata.char_batches(train_ids, seq_len, batch_size, rng))
        key, k = jax.random.split(key)
        params, opt_state, ce = step_fn(params, opt_state, ids, k)
        losses.append(float(ce))
        if log_every and (i + 1) % log_every == 0:
            msg = f"step {i + 1:5d}  train bpc {np.mean(losses[-log_every:]) / LN2:.3f}"
            (callback or print)(msg)
    return params, {"train_loss": losses, "wall_s": time.perf_counter() - t0}


__all__ = ("CharLM", "bits_per_char", "make_optimizer", "make_train_step", "evaluate", "train", "LN2")
