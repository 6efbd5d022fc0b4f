r"""Baselines that need a model of the physics: physics-aware training (PAT) and plain in-silico backprop.

Network (same blocks as :mod:`neurosim.learn.local`, without label embedding): the input is
:math:`h_0 = [\,0_{p},\; x\,]` (``p`` zero entries so that it fits the first physical system, the slots PhyLL uses
for the label), then :math:`z_l = [P_l(h_l), h_l]`, :math:`h_{l+1} = W_l z_l + b_l`; the last map outputs class
logits, trained with softmax cross-entropy and Adam.

* **PAT** (Wright, Onodera et al., Nature 601:549, 2022): the forward pass runs the *real* physical system
  (noisy, possibly drifted; :meth:`~neurosim.physical.PhysicalLayer.callback`), the backward pass uses the
  vector–Jacobian product of the *digital twin* :meth:`~neurosim.physical.PhysicalLayer.twin` evaluated at the same
  input (a :func:`jax.custom_vjp`):
  :math:`\partial L/\partial h_l \approx J_{f_m}(h_l)^\top\,\partial L/\partial P_l`.
* **In-silico backprop** (``mode="insilico"``): forward and backward through the noise-free twin only; the trained
  weights are then *deployed* on the physical system, which is where accuracy is measured.

The twin has the physical system's *nominal* parameters (what was known when it was built); after drift it is stale.
:meth:`BackpropTrainer.refresh_twins` takes any other twin — fitted from measurements or detuned to a stated error
(:mod:`neurosim.physical.twin_fit`) — so PAT and in-silico training can be compared with a real model gap.

Accounting: digital MACs = digital layers (forward, and 2× forward for the backward pass) + twin forward and backward
(3× :meth:`~neurosim.physical.PhysicalLayer.twin_macs_per_sample` per sample: the twin is a digital computation);
physical evaluations = one per sample and block per step (PAT) or none (in silico).
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from neurosim import validate
from neurosim.errors import ValidationError
from neurosim.learn.local import TrainReport, _init_linear, begin_fit, epoch_loop, minibatches
from neurosim.physical.base import PhysicalLayer


def _key_words(key):
    return jax.random.key_data(key) if jnp.issubdtype(key.dtype, jax.dtypes.prng_key) else key


def pat_control_function(layer: PhysicalLayer, twin_params: dict | None = None) -> Callable:
    """``f(x, key_words, controls)``: physical forward with the control parameters ``controls`` set, twin backward
    to both the input and the controls (a :func:`jax.custom_vjp`)."""
    twin = layer.twin_with_controls(twin_params)

    @jax.custom_vjp
    def f(x, kw, c):
        return layer.callback(x, kw, c)

    def fwd(x, kw, c):
        return layer.callback(x, kw, c), (x, c)

    def bwd(res, g):
        x, c = res
        _, vjp = jax.vjp(twin, x, c)
        gx, gc = vjp(g)
        return gx, None, gc

    f.defvjp(fwd, bwd)
    return f


def pat_function(layer: PhysicalLayer, twin: Callable | None = None) -> Callable:
    """``f(x, key_words)``: physical forward, twin backward (a :func:`jax.custom_vjp`)."""
    twin = layer.twin() if twin is None else twin

    @jax.custom_vjp
    def f(x, kw):
        return layer.callback(x, kw)

    def fwd(x, kw):
        return layer.callback(x, kw), x

    def bwd(x, g):
        _, vjp = jax.vjp(twin, x)
        return vjp(g)[0], None

    f.defvjp(fwd, bwd)
    return f


class BackpropTrainer:
    """PAT (``mode="pat"``) or in-silico backprop (``mode="insilico"``) of the block network (module docstring).

    ``hidden``: output widths of all but the last block (default: the next physical layer's input width).
    ``train_physical``: also train each block's physical *control* parameters (:attr:`PhysicalLayer.control_keys`,
    e.g. the couplings of the oscillator chain), as Wright et al. do: they are set on the system before every
    measurement, their gradient comes from the twin (PAT) or is the twin's own (in silico); they are trained as
    log-ratios to their initial values, so they keep their sign.
    """

    def __init__(self, layers: Sequence[PhysicalLayer], n_features: int, n_classes: int, *, mode: str = "pat",
                 hidden: Sequence[int] | None = None, lr: float = 1e-2, epochs: int = 100,
                 batch_size: int | None = None, skip: bool = True, train_physical: bool = False):
        self.layers = list(layers)
        if not self.layers or not all(isinstance(p, PhysicalLayer) for p in self.layers):
            raise ValidationError("layers: expected a non-empty list of PhysicalLayer objects")
        self.train_physical = bool(train_physical)
        if self.train_physical:
            lacking = [p.name for p in self.layers if not p.control_keys]
            if lacking:
                raise ValidationError(f"train_physical: {lacking[0]} exposes no control parameters "
                                      "(PhysicalLayer.control_keys is empty)")
        # the control settings training starts from: the systems' values now
        self._control_base = [{k: np.asarray(p.params[k]) for k in p.control_keys} for p in self.layers]
        self.mode = validate.choice("mode", mode, ("pat", "insilico"))
        self.method = mode
        self.n_features = validate.positive_int("n_features", n_features)
        self.n_classes = validate.positive_int("n_classes", n_classes)
        self.pad = self.layers[0].n_in - self.n_features
        if self.pad < 0:
            raise ValidationError(f"layers[0].n_in={self.layers[0].n_in} < n_features={self.n_features}")
        hidden = [p.n_in for p in self.layers[1:]] if hidden is None else list(hidden)
        if len(hidden) != len(self.layers) - 1:
            raise ValidationError(f"hidden: expected {len(self.layers) - 1} widths, got {len(hidden)}")
        self.widths = [validate.positive_int("hidden", h) for h in hidden] + [self.n_classes]
        self.lr = float(validate.positive("lr", lr))
        self.epochs = validate.positive_int("epochs", epochs, allow_zero=True)
        self.batch_size = batch_size
        self.skip = skip
        self.opt = optax.adam(self.lr)
        self.refresh_twins()

    def refresh_twins(self, params: list | None = None):
        """(Re)build the twins: from each layer's nominal parameters, or from ``params`` — per layer a parameter
        dict of the layer's own model, or a ready twin ``f(x)`` (e.g. a
        :class:`~neurosim.physical.twin_fit.FittedTwin` fitted from measurements)."""
        if params is not None and len(params) != len(self.layers):
            raise ValidationError(f"params: expected {len(self.layers)} twins (one per physical layer), got "
                                  f"{len(params)}")
        self.twins = [params[i] if params is not None and callable(params[i])
                      else p.twin(None if params is None else params[i]) for i, p in enumerate(self.layers)]
        self._twin_params = [None if params is None else (getattr(params[i], "params", None)
                                                          if callable(params[i]) else params[i])
                             for i in range(len(self.layers))]
        if self.train_physical and params is not None:
            for i, tp in enumerate(self._twin_params):
                if tp is None or any(k not in tp for k in self.layers[i].control_keys):
                    raise ValidationError(f"params[{i}]: training physical controls needs a twin of the system's "
                                          "own model (a parameter dict), not a black-box twin")
        self._step = None
        self._logits = {}

    def set_layers(self, layers: Sequence[PhysicalLayer]):
        """Swap in new physical systems (e.g. drifted copies); the twins stay as they are (stale)."""
        if len(layers) != len(self.layers):
            raise ValidationError(f"layers: expected {len(self.layers)} physical layers, got {len(layers)}")
        self.layers = list(layers)
        self._step = None
        self._logits = {}

    def block_in(self, l):
        d_in = self.layers[0].n_in if l == 0 else self.widths[l - 1]
        return self.layers[l].n_out + (d_in if self.skip else 0)

    def init(self, key):
        keys = jax.random.split(key, len(self.layers))
        params = [_init_linear(keys[l], self.block_in(l), self.widths[l]) for l in range(len(self.layers))]
        if self.train_physical:
            for l, p in enumerate(self.layers):
                params[l]["control"] = {k: jnp.zeros(np.shape(p.params[k]), jnp.float32) for k in p.control_keys}
        return {"params": params, "opt": self.opt.init(params)}

    def controls(self, state, l: int) -> dict:
        """The physical control values block ``l`` sets (``{}`` without ``train_physical``)."""
        c = state["params"][l].get("control") if isinstance(state["params"][l], dict) else None
        return {} if not c else self._control_values(l, c)

    def _control_values(self, l, logs):
        base = self._control_base[l]
        return {k: jnp.asarray(base[k], jnp.float32) * jnp.exp(v) for k, v in logs.items()}

    def _inputs(self, x):
        x = jnp.asarray(x, jnp.float32)
        return jnp.concatenate([jnp.zeros(x.shape[:-1] + (self.pad,), jnp.float32), x], axis=-1)

    def _forward(self, params, x, key, physical: bool):
        h = self._inputs(x)
        for l, wb in enumerate(params):
            key, sub = jax.random.split(key)
            c = self._control_values(l, wb["control"]) if "control" in wb else None
            if physical == "pat":
                p = (pat_control_function(self.layers[l], self._twin_params[l])(h, _key_words(sub), c) if c
                     else pat_function(self.layers[l], self.twins[l])(h, _key_words(sub)))
            elif physical:
                p = self.layers[l].callback(h, _key_words(sub), c)
            else:
                p = self.layers[l].twin_with_controls(self._twin_params[l])(h, c) if c else self.twins[l](h)
            z = jnp.concatenate([p, h], axis=-1) if self.skip else p
            h = z @ wb["W"] + wb["b"]
        return h

    def _make_step(self):
        mode = "pat" if self.mode == "pat" else False

        def loss_fn(params, x, y, key):
            logits = self._forward(params, x, key, mode)
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

        @jax.jit
        def step(state, x, y, key):
            loss, g = jax.value_and_grad(loss_fn)(state["params"], x, y, key)
            upd, opt = self.opt.update(g, state["opt"], state["params"])
            return {"params": optax.apply_updates(state["params"], upd), "opt": opt}, loss

        return step

    def logits(self, state, x, key, physical: bool = True):
        """Class logits; ``physical=True`` runs the (noisy) physical systems, else the twins."""
        x = jnp.asarray(x, jnp.float32)
        if physical:
            for p in self.layers:
                p.n_evals += int(x.shape[0])
        if physical not in self._logits:
            self._logits[physical] = jax.jit(lambda pr, xx, k: self._forward(pr, xx, k, physical))
        return self._logits[physical](state["params"], x, key)

    def accuracy(self, state, x, y, key, physical: bool = True) -> float:
        return float(np.mean(np.asarray(jnp.argmax(self.logits(state, x, key, physical), -1)) == np.asarray(y)))

    def _macs_per_sample(self, backward: bool) -> float:
        dig = sum(self.block_in(l) * self.widths[l] for l in range(len(self.layers)))
        twin = sum(p.twin_macs_per_sample() for p in self.layers)
        if not backward:
            return float(dig)
        twin_cost = 3 * twin  # twin forward (linearisation) + backward, for both PAT and in silico
        return float(3 * dig + twin_cost)

    def train_epoch(self, state, x, y, key):
        if self._step is None:
            self._step = self._make_step()
        losses = []
        for idx, sub in minibatches(key, x.shape[0], self.batch_size):
            state, loss = self._step(state, jnp.asarray(x[idx]), jnp.asarray(y[idx]), sub)
            losses.append(float(loss))
            self.macs += len(idx) * self._macs_per_sample(True)
            if self.mode == "pat":
                self.phys_evals += len(idx) * len(self.layers)
        return state, float(np.mean(losses))

    def fit(self, x_train, y_train, x_test=None, y_test=None, *, key, epochs: int | None = None,
            eval_every: int = 0, progress: bool = True, on_epoch: Callable | None = None) -> TrainReport:
        x_train, y_train, x_test, y_test, epochs, state, k_train, k_eval = begin_fit(
            self, x_train, y_train, x_test, y_test, key=key, epochs=epochs, default_epochs=self.epochs)
        t0 = time.perf_counter()
        state, history = epoch_loop(
            self, state, epochs=epochs, key=k_train, eval_every=eval_every, evaluate=x_test is not None,
            progress=progress, on_epoch=on_epoch,
            step=lambda epoch, st, sub: self.train_epoch(st, x_train, y_train, sub),
            record=lambda st, epoch: {
                "test_accuracy": self.accuracy(st, x_test, y_test, jax.random.fold_in(k_eval, epoch)),
                "twin_test_accuracy": self.accuracy(st, x_test, y_test, k_eval, physical=False)})
        wall = time.perf_counter() - t0
        train_acc = self.accuracy(state, x_train, y_train, jax.random.fold_in(k_eval, 10 ** 6))
        test_acc = None
        extra = {}
        if x_test is not None:
            test_acc = self.accuracy(state, x_test, y_test, jax.random.fold_in(k_eval, 10 ** 7))
            extra["twin_test_accuracy"] = self.accuracy(state, x_test, y_test, k_eval, physical=False)
        n_test = 0 if x_test is None else x_test.shape[0]
        return TrainReport(self.method, train_acc, test_acc, self.macs, self.phys_evals, wall, epochs, history,
                           eval_physical_evals=n_test * len(self.layers),
                           eval_digital_macs=n_test * self._macs_per_sample(False), params=state, extra=extra)


def train_pat(layers, x_train, y_train, x_test=None, y_test=None, *, key, **kw) -> TrainReport:
    """Physics-aware training (see :class:`BackpropTrainer`); ``kw``: trainer options and ``fit`` options."""
    fit_kw = {k: kw.pop(k) for k in ("eval_every", "progress", "on_epoch") if k in kw}
    n_classes = kw.pop("n_classes", int(np.max(y_train)) + 1)
    tr = BackpropTrainer(layers, np.shape(x_train)[1], n_classes, mode="pat", **kw)
    return tr.fit(x_train, y_train, x_test, y_test, key=key, **fit_kw)


def train_insilico(layers, x_train, y_train, x_test=None, y_test=None, *, key, **kw) -> TrainReport:
    """Plain backprop on the noise-free twin, evaluated on the physical system (see :class:`BackpropTrainer`)."""
    fit_kw = {k: kw.pop(k) for k in ("eval_every", "progress", "on_epoch") if k in kw}
    n_classes = kw.pop("n_classes", int(np.max(y_train)) + 1)
    tr = BackpropTrainer(layers, np.shape(x_train)[1], n_classes, mode="insilico", **kw)
    return tr.fit(x_train, y_train, x_test, y_test, key=key, **fit_kw)


__all__ = ["BackpropTrainer", "pat_function", "pat_control_function", "train_pat", "train_insilico"]
