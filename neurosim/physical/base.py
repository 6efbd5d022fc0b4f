"""The :class:`PhysicalLayer` abstraction: a noisy, possibly drifting, non-differentiable physical transform.

A physical layer is treated like a lab instrument. A call ``layer(x, key)``

1. *encodes* the digital input for the hardware (:class:`Encoding`: per-sample normalisation, then quantisation to
   the number of levels the actuator can set, e.g. an SLM's grey levels or a metasurface's bits),
2. runs the physics on the host (NumPy, through :func:`jax.pure_callback`) with the layer's *true* parameters, and
3. adds measurement noise drawn from ``key`` (same key → bitwise-identical output; new key → new noise).

The result carries **no gradient**: the call is wrapped in a :func:`jax.custom_jvp` whose derivative rule raises
:class:`PhysicalGradientError` (and counts the request in :data:`GRAD_REQUESTS`). Trainers that need no gradient of
the physics (physical local learning, forward-forward) therefore never touch it; physics-aware training differentiates
a separate, explicit :meth:`PhysicalLayer.twin` (the noise-free digital model with the *nominal* parameters).

Drift: :meth:`PhysicalLayer.perturb` returns a copy whose physical parameters are each scaled by ``1 ± rel`` (random
sign per element, seeded); :meth:`PhysicalLayer.advance` applies a random walk of ``drift_rate · dt`` in place. The
twin keeps the parameters it was built with (a stale twin), which is how model mismatch arises in practice.

Subclasses implement ``model(params, u, xp)`` — the noise-free physics on the encoded input ``u`` written against an
array module ``xp`` (``numpy`` for the physical system, ``jax.numpy`` for the twin) — and optionally ``_noise``.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.errors import NeurosimError, ValidationError

GRAD_REQUESTS = {"count": 0}
"""How many times any physical layer was asked for a derivative (each request also raises)."""


class PhysicalGradientError(NeurosimError, RuntimeError):
    """A derivative of a physical layer was requested; physical systems have none (use ``layer.twin()``)."""


_ENCODINGS = ("none", "l2abs", "minmax", "maxabs", "clip01")


@dataclasses.dataclass(frozen=True)
class Encoding:
    """How a digital vector is written onto the physical actuators.

    ``mode``: ``"none"`` (as is), ``"l2abs"`` (:math:`|x|/\\lVert x\\rVert_2`, the acoustic PhyLL encoding),
    ``"minmax"`` (per-sample :math:`(x-\\min)/(\\max-\\min)`, the microwave encoding), ``"maxabs"``
    (:math:`|x|/\\max|x|`), ``"clip01"`` (clip to [0, 1]). ``levels``: quantise the [0, 1] result to this many
    uniform levels (``None``: analogue). ``gain`` multiplies the encoded value (drive amplitude, laser power).
    In the twin the quantiser uses a straight-through estimator (identity derivative).
    """

    mode: str = "none"
    levels: int | None = None
    gain: float = 1.0

    def __post_init__(self):
        validate.choice("encoding.mode", self.mode, _ENCODINGS)
        if self.levels is not None and validate.positive_int("encoding.levels", self.levels) < 2:
            raise ValidationError(f"encoding.levels: need at least 2 levels, got {self.levels}")
        validate.positive("encoding.gain", self.gain)

    def __call__(self, x, xp=jnp, ste: bool = False):
        eps = 1e-12
        if self.mode == "l2abs":
            a = xp.abs(x)
            u = a / (xp.sqrt(xp.sum(a * a, axis=-1, keepdims=True)) + eps)
        elif self.mode == "minmax":
            lo, hi = xp.min(x, axis=-1, keepdims=True), xp.max(x, axis=-1, keepdims=True)
            u = (x - lo) / (hi - lo + eps)
        elif self.mode == "maxabs":
            a = xp.abs(x)
            u = a / (xp.max(a, axis=-1, keepdims=True) + eps)
        elif self.mode == "clip01":
            u = xp.clip(x, 0.0, 1.0)
        else:
            u = x
        if self.levels is not None:
            n = self.levels - 1
            q = xp.round(xp.clip(u, 0.0, 1.0) * n) / n
            u = (u + jax.lax.stop_gradient(q - u)) if (ste and xp is jnp) else q
        return u * self.gain


def key_seed(key) -> np.ndarray:
    """The raw uint32 words of a JAX PRNG key (typed or legacy) as a NumPy array."""
    if jnp.issubdtype(getattr(key, "dtype", np.uint32), jax.dtypes.prng_key):
        key = jax.random.key_data(key)
    return np.asarray(key, dtype=np.uint32).ravel()


class PhysicalLayer:
    """Base class of a physical system used as a layer (see the module docstring).

    Parameters common to every system: ``n_in``, ``n_out``; ``encoding`` (:class:`Encoding`); ``noise``
    (relative, multiplicative Gaussian output noise, s.d.); ``noise_floor`` (additive Gaussian output noise, s.d.);
    ``drift_rate`` (relative parameter random walk per unit of :meth:`advance` time).
    Attributes: ``params`` (dict of NumPy arrays, the true physical state), ``n_calls`` / ``n_evals`` (calls and
    single-sample evaluations made so far, counted on eager calls).
    """

    name = "physical"
    drift_keys: tuple[str, ...] = ()
    #: physical parameters the experimenter can set before a measurement (trainable by physics-aware training)
    control_keys: tuple[str, ...] = ()

    def __init__(self, n_in: int, n_out: int, *, encoding: Encoding | None = None, noise: float = 0.0,
                 noise_floor: float = 0.0, drift_rate: float = 0.0):
        self.n_in = validate.positive_int("n_in", n_in)
        self.n_out = validate.positive_int("n_out", n_out)
        self.encoding = encoding if encoding is not None else Encoding()
        if not isinstance(self.encoding, Encoding):
            raise ValidationError(f"encoding: expected an Encoding, got {type(encoding).__name__}")
        self.noise = float(validate.positive("noise", noise, allow_zero=True))
        self.noise_floor = float(validate.positive("noise_floor", noise_floor, allow_zero=True))
        self.drift_rate = float(validate.positive("drift_rate", drift_rate, allow_zero=True))
        self.params: dict[str, np.ndarray] = {}
        self.nominal: dict[str, np.ndarray] = {}
        self.time = 0.0
        self.n_calls = 0
        self.n_evals = 0
        self._drift_rng = np.random.default_rng(0)
        self._blackbox = None

    # ---- to implement -------------------------------------------------------------------------------------------
    def model(self, params: dict, u, xp):
        """Noise-free physics on the encoded input ``u`` (batch, n_in) → (batch, n_out), array module ``xp``."""
        raise NotImplementedError

    def twin_macs_per_sample(self) -> float:
        """Estimated multiply-accumulates of one twin forward pass for one sample (for compute accounting)."""
        return float(self.n_in * self.n_out)

    def _noise(self, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.noise:
            y = y * (1.0 + self.noise * rng.standard_normal(y.shape))
        if self.noise_floor:
            y = y + self.noise_floor * rng.standard_normal(y.shape)
        return y

    def _finish_init(self):
        """Call at the end of a subclass ``__init__`` once ``params`` are set: remembers them as nominal."""
        self.params = {k: np.asarray(v) for k, v in self.params.items()}
        self.nominal = {k: v.copy() for k, v in self.params.items()}

    # ---- the physical forward -----------------------------------------------------------------------------------
    def host_forward(self, x, key_words, controls: dict | None = None) -> np.ndarray:
        """The physics on the host: encode, model (NumPy), noise from ``key_words``. Returns float32.
        ``controls`` sets the values of some :attr:`control_keys` for this call (the knobs an experimenter sets
        before a measurement)."""
        x = np.asarray(x, dtype=np.float64)
        u = self.encoding(x, np)
        params = self.params if not controls else {**self.params, **self._check_controls(controls)}
        y = self.model(params, u, np)
        rng = np.random.default_rng(np.asarray(key_words, dtype=np.uint32).tolist())
        return np.asarray(self._noise(np.asarray(y, dtype=np.float64), rng), dtype=np.float32)

    def _make_blackbox(self) -> Callable:
        layer = self

        def raw(x, kw):
            shape = jax.ShapeDtypeStruct(x.shape[:-1] + (layer.n_out,), jnp.float32)
            return jax.pure_callback(lambda a, k: layer.host_forward(a, k), shape, x, kw,
                                     vmap_method="broadcast_all")

        @jax.custom_jvp
        def blackbox(x, kw):
            return raw(x, kw)

        @blackbox.defjvp
        def _no_derivative(primals, tangents):
            GRAD_REQUESTS["count"] += 1
            raise PhysicalGradientError(
                f"{layer.name}: a gradient of the physical system was requested; physical layers are black boxes "
                "without derivatives (train with a local rule, or differentiate layer.twin() for PAT)")

        return jax.jit(blackbox)

    def __call__(self, x, key):
        """Evaluate the physical system on ``x`` (batch, n_in) with measurement noise from ``key``."""
        shape = tuple(np.shape(x))
        if len(shape) != 2 or shape[1] != self.n_in:
            raise ValidationError(f"{self.name}: x: expected shape (batch, {self.n_in}), got {shape}")
        validate.input_array(f"{self.name}: x", x)
        if self._blackbox is None:
            self._blackbox = self._make_blackbox()
        if not isinstance(x, jax.core.Tracer):
            self.n_calls += 1
            self.n_evals += shape[0]
        if isinstance(key, jax.core.Tracer):
            kw = jax.random.key_data(key) if jnp.issubdtype(key.dtype, jax.dtypes.prng_key) else key
        else:
            kw = jnp.asarray(key_seed(key))
        return self._blackbox(jnp.asarray(x, jnp.float32), kw)

    def callback(self, x, key_words, controls: dict | None = None):
        """Traceable physical call without the no-gradient guard (for physics-aware training's custom VJP);
        ``controls`` (traced arrays of some :attr:`control_keys`) are set for the measurement."""
        shape = jax.ShapeDtypeStruct(x.shape[:-1] + (self.n_out,), jnp.float32)
        if not controls:
            return jax.pure_callback(lambda a, k: self.host_forward(a, k), shape, x, key_words,
                                     vmap_method="broadcast_all")
        names = tuple(sorted(controls))

        def host(a, k, *vals):
            return self.host_forward(a, k, dict(zip(names, (np.asarray(v) for v in vals))))

        return jax.pure_callback(host, shape, x, key_words, *(controls[n] for n in names),
                                 vmap_method="broadcast_all")

    # ---- controls (physical parameters an experimenter can set) ----------------------------------------------
    def _check_controls(self, controls: dict) -> dict:
        bad = sorted(set(controls) - set(self.control_keys))
        if bad:
            raise ValidationError(f"{self.name}: {bad[0]!r} is not a control of this system (controls: "
                                  f"{list(self.control_keys) or 'none'})")
        out = {}
        for k, v in controls.items():
            v = np.asarray(v, np.float64)
            if v.shape != np.shape(self.params[k]):
                raise ValidationError(f"{self.name}: control {k!r}: expected shape {np.shape(self.params[k])}, "
                                      f"got {v.shape}")
            out[k] = v
        return out

    def twin_with_controls(self, params: dict | None = None) -> Callable:
        """``f(x, controls)``: the twin with some :attr:`control_keys` given as (differentiable) arguments."""
        base = self.twin_params() if params is None else params
        enc = self.encoding

        def f(x, controls):
            return self.model({**base, **controls}, enc(x, jnp, ste=True), jnp).astype(jnp.float32)

        return f

    # ---- twin, drift --------------------------------------------------------------------------------------------
    def twin_params(self) -> dict:
        """The nominal parameters as JAX arrays (what a digital twin built at construction time knows)."""
        return {k: jnp.asarray(v) for k, v in self.nominal.items()}

    def twin(self, params: dict | None = None) -> Callable:
        """A differentiable, noise-free JAX model ``f(x)`` of this system (encoding with straight-through
        quantisation). Default parameters are the nominal ones (a twin built before any drift)."""
        p = self.twin_params() if params is None else params
        enc = self.encoding

        def f(x):
            return self.model(p, enc(x, jnp, ste=True), jnp).astype(jnp.float32)

        return f

    def _perturb_param(self, name: str, value: np.ndarray, rel: float, rng: np.random.Generator) -> np.ndarray:
        sign = rng.choice(np.array([-1.0, 1.0]), size=np.shape(value))
        return value * (1.0 + rel * sign)

    def perturb(self, rel: float = 0.1, seed: int = 0) -> "PhysicalLayer":
        """A copy whose drift-able parameters (``drift_keys``) are each scaled by ``1 ± rel`` (seeded signs).
        The copy keeps the original's nominal parameters, so its twin is stale."""
        rel = float(validate.positive("rel", rel, allow_zero=True))
        new = copy.copy(self)
        new.params = dict(self.params)
        rng = np.random.default_rng(seed)
        for k in self.drift_keys:
            new.params[k] = self._perturb_param(k, self.params[k], rel, rng)
        new._blackbox = None
        return new

    def advance(self, dt: float) -> None:
        """Let time ``dt`` pass: a relative random walk of s.d. ``drift_rate·sqrt(dt)`` on drift-able parameters."""
        dt = float(validate.positive("dt", dt, allow_zero=True))
        self.time += dt
        if self.drift_rate and dt:
            s = self.drift_rate * np.sqrt(dt)
            for k in self.drift_keys:
                v = self.params[k]
                self.params[k] = v * (1.0 + s * self._drift_rng.standard_normal(np.shape(v)))

    def __repr__(self):
        return f"{type(self).__name__}(n_in={self.n_in}, n_out={self.n_out}, encoding={self.encoding})"


__all__ = ["PhysicalLayer", "Encoding", "PhysicalGradientError", "GRAD_REQUESTS", "key_seed"]
