r"""Liquid state machine (LSM): a fixed random reservoir of LIF neurons whose spikes feed a trained readout.

**Neurons** (:class:`~neurosim.core.neurons.lif.LIF`, discrete form of Lin et al. 2025 / MemristorLSM):
:math:`v_t = \beta v_{t-1} + W_\mathrm{in}^\top x_t + W_\mathrm{rec}^\top s_{t-1}`, :math:`s_t = H(v_t - \vartheta)`,
hard reset to 0 (``reset="value"``). The recurrent input arrives with one step of delay (:class:`Network`).

**Structure** (Maass, Natschläger & Markram, Neural Comput. 2002): ``n_res`` neurons on the integer points of a
3-D grid, a fraction ``exc_fraction`` excitatory (default 80/20). A synapse :math:`i \to j` exists with probability

.. math:: p_{ij} = C_{\mathrm{type}(i)\mathrm{type}(j)} \exp\!\big(-(D_{ij}/\lambda)^2\big)

with :math:`D_{ij}` the Euclidean grid distance, :math:`C_{EE}=0.3, C_{EI}=0.2, C_{IE}=0.4, C_{II}=0.1` (pre, post)
and :math:`\lambda = 2` (Maass 2002), no self-connections. ``connectivity="random"`` draws every pair with a
fixed probability instead. Input channels connect to each neuron with probability ``p_in``.

**Weights** (drawn in :meth:`init` from the key): unit-variance draws :math:`z_{ij}` — Gaussian (software) or
electroformed RRAM differential pairs :math:`(G_a - G_b)s` (:func:`neurosim.devices.random_weights`; ESGNN
statistics, Wang et al. NMI 2023, as used by the resistive-memory LSM of Lin et al., Nat. Comput. Sci. 2025) —
scaled by :math:`g/\sqrt{\bar k}` (:math:`\bar k` the mean fan-in). With Dale's law the recurrent weight is
:math:`\sigma_i |z_{ij}|` with :math:`\sigma_i = +1` for excitatory and :math:`-g_I` for inhibitory presynaptic
neurons; input weights are zero-mean. The device state (conductances) is available through
:meth:`ReservoirProjection.form` / :meth:`ReservoirProjection.finish` so read noise, drift, stuck cells and
quantisation (``neurosim.devices``) can be applied to the same chip.

**Features** of the reservoir spikes :math:`s_t` (time-major ``(T, batch, n)``): ``"rates"``
:math:`\frac1T\sum_t s_t`; ``"binned"`` the rates in ``n_bins`` equal time windows, concatenated; ``"trace"`` an
exponential filter :math:`r_t = e^{-\Delta t/\tau} r_{t-1} + s_t` sampled at ``n_bins`` equally spaced times.
``power`` compresses the features :math:`f \mapsto f^p` (``power=0.5``, a square root, evens out the spread of
rates across neurons and helps linear readouts generalise across speakers).

The model *is* a :class:`~neurosim.core.network.Network` (input ``"in"``, population ``"res"``), so
``ns.simulate`` records it and ``neurosim.hardware.from_activity`` prices its measured activity.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.core.connectivity import from_dense
from neurosim.core.network import Network
from neurosim.core.run import Run
from neurosim.core.neurons.lif import LIF
from neurosim.core.projections.base import Projection
from neurosim.errors import ValidationError

#: Maass et al. 2002 connection scale C by (presynaptic, postsynaptic) type.
MAASS_C = {"EE": 0.3, "EI": 0.2, "IE": 0.4, "II": 0.1}
MAASS_LAMBDA = 2.0
FEATURES = ("rates", "binned", "trace")


# ---- structure ------------------------------------------------------------------------------------------------
def grid_positions(n: int, shape=None) -> np.ndarray:
    """(n, 3) integer coordinates: the first ``n`` points of a ``shape`` grid (C order); default a near-cube."""
    n = validate.positive_int("n", n)
    if shape is None:
        side = math.ceil(round(n ** (1.0 / 3.0), 9))
        shape = (side, side, math.ceil(n / side ** 2))
    shape = tuple(int(validate.positive_int("grid", s)) for s in shape)
    if len(shape) != 3 or int(np.prod(shape)) < n:
        raise ValidationError(f"grid: expected 3 sizes with at least {n} points, got {shape}")
    idx = np.arange(n)
    return np.stack(np.unravel_index(idx, shape), axis=-1).astype(np.float64)


def excitatory_mask(n: int, exc_fraction: float = 0.8, seed: int = 0) -> np.ndarray:
    """Boolean (n,): round(exc_fraction·n) excitatory neurons at random positions."""
    n = validate.positive_int("n", n)
    f = float(validate.in_range("exc_fraction", exc_fraction, 0.0, 1.0))
    exc = np.zeros(n, bool)
    exc[np.random.default_rng(seed).permutation(n)[: int(round(f * n))]] = True
    return exc


def maass_probabilities(pos, exc, lam: float = MAASS_LAMBDA, C=None) -> np.ndarray:
    """(n, n) connection probabilities :math:`C_{type(i)type(j)} e^{-(D_{ij}/\\lambda)^2}`, zero diagonal."""
    pos, exc = np.asarray(pos, np.float64), np.asarray(exc, bool)
    lam = float(validate.positive("lam", lam))
    C = dict(MAASS_C, **(C or {}))
    for k, v in C.items():
        validate.in_range(f"C[{k}]", v, 0.0, 1.0)
    d2 = np.sum((pos[:, None, :] - pos[None, :, :]) ** 2, axis=-1)
    pre, post = exc[:, None], exc[None, :]
    c = np.where(pre & post, C["EE"], np.where(pre & ~post, C["EI"], np.where(~pre & post, C["IE"], C["II"])))
    p = c * np.exp(-d2 / lam ** 2)
    np.fill_diagonal(p, 0.0)
    return p


def sample_mask(p, seed: int = 0) -> np.ndarray:
    """Boolean connectivity: each entry present independently with probability ``p``."""
    p = np.asarray(p)
    return np.random.default_rng(seed).random(p.shape) < p


# ---- projection -----------------------------------------------------------------------------------------------
class ReservoirProjection(Projection):
    """Fixed random projection on a boolean ``mask`` (rows = presynaptic) with weights drawn in :meth:`init`.

    ``weights``: ``"gaussian"`` or a :class:`~neurosim.devices.DeviceModel` with forming parameters (RRAM).
    ``sign``: per-presynaptic signs/gains for Dale's law (weights ``sign_i |z_ij|``), or ``None`` (zero-mean).
    ``backend``: ``"dense"`` (spikes @ dense W: fastest for batched runs on CPU/GPU) or ``"event"`` (BrainPy
    event-driven CSR kernel: touches only the rows of active inputs).
    """

    def __init__(self, mask, *, weights="gaussian", sign=None, gain: float = 1.0, backend: str = "dense",
                 name: str | None = None):
        mask = np.asarray(mask, bool)
        if mask.ndim != 2:
            raise ValidationError(f"mask: expected a 2-D (n_in, n_out) array, got shape {mask.shape}")
        super().__init__(mask.shape[0], mask.shape[1], name=name)
        self.mask = mask
        self.conn = from_dense(mask)
        self.backend = validate.choice("backend", backend, ("dense", "event"))
        self.event_driven = self.backend == "event"
        if isinstance(weights, str):
            validate.choice("weights", weights, ("gaussian",))
            self.device = None
        else:
            from neurosim.devices import DeviceModel

            if not isinstance(weights, DeviceModel):
                raise ValidationError(f"weights: expected 'gaussian' or a DeviceModel, got {type(weights).__name__}")
            if weights.forming is None:
                raise ValidationError(f"weights: device {weights.name!r} has no forming parameters")
            self.device = weights
        self.sign = None if sign is None else np.asarray(validate.finite("sign", sign), np.float32)
        if self.sign is not None and self.sign.shape != (self.n_in,):
            raise ValidationError(f"sign: expected shape ({self.n_in},), got {self.sign.shape}")
        fan_in = max(mask.sum() / max(self.n_out, 1), 1.0)
        self.scale = float(validate.finite("gain", gain)) / math.sqrt(fan_in)
        self._mask = jnp.asarray(mask, jnp.float32)
        self._rows = jnp.asarray(self.conn.rows())
        self._cols = jnp.asarray(self.conn.indices)
        self._indptr = jnp.asarray(self.conn.indptr)

    # weights
    def form(self, key):
        """The device state (differential-pair conductances) that :meth:`init` reads with ``key`` (RRAM only)."""
        if self.device is None:
            raise ValidationError("form: this projection has Gaussian (software) weights, no device")
        from neurosim.devices import form_weights

        return form_weights(key, (self.n_in, self.n_out), self.device)

    def finish(self, z):
        """Parameters from unit-variance draws ``z`` (n_in, n_out): Dale signs, connectivity mask, scale."""
        z = jnp.asarray(z, jnp.float32)
        if self.sign is not None:
            z = jnp.abs(z) * jnp.asarray(self.sign)[:, None]
        w = z * self._mask * self.scale
        return {"w": w[self._rows, self._cols] if self.event_driven else w}

    def init(self, key):
        if self.device is None:
            z = jax.random.normal(key, (self.n_in, self.n_out), jnp.float32)
        else:
            st = self.form(key)
            z = (st.plus.g - st.minus.g) * st.scale
        return self.finish(z)

    def dense_weights(self, params):
        """(n_in, n_out) weight matrix of ``params`` (either backend)."""
        if not self.event_driven:
            return params["w"]
        return jnp.zeros((self.n_in, self.n_out), jnp.float32).at[self._rows, self._cols].set(params["w"])

    def analog_params(self, g_plus, g_minus, scale, model, key):
        """Parameters that route this projection's product through the crossbar of ``model``
        (:func:`neurosim.devices.crossbar_mvm`: DAC, IR drop, output noise, ADC) with read conductances
        ``g_plus``/``g_minus``: unconnected cells hold no current, the gain goes into the scale. Only for
        zero-mean (no Dale's law) dense projections: a crossbar cannot apply a sign to ``|w|``."""
        if self.sign is not None:
            raise ValidationError("analog: a Dale's-law projection signs |w| digitally, which a crossbar cannot do "
                                  "(build the reservoir with dale=False, as the RRAM LSM paper does)")
        if self.event_driven:
            raise ValidationError("analog: needs backend='dense' (the crossbar computes the whole product)")
        return {"g_plus": g_plus * self._mask, "g_minus": g_minus * self._mask,
                "scale": jnp.asarray(scale * self.scale, jnp.float32), "key": key, "device": model}

    def apply(self, params, x):
        if "g_plus" in params:  # analog route (analog_params)
            from neurosim.devices.crossbar import crossbar_mvm

            m = params["device"]
            return crossbar_mvm(x, params["g_plus"], params["g_minus"], params["scale"], m.crossbar, g_max=m.g_max,
                                key=params["key"])
        if not self.event_driven:
            return jnp.matmul(x, params["w"])
        import brainpy.math as bm

        def mv(e):
            return bm.event.csrmv(params["w"], self._cols, self._indptr, e, shape=self.conn.shape, transpose=True)

        flat = x.reshape((-1, self.n_in))
        return jax.vmap(mv)(flat).reshape(x.shape[:-1] + (self.n_out,))


# ---- model ----------------------------------------------------------------------------------------------------
class LiquidStateMachine(Network):
    """LIF reservoir with input projection ``"in->res"`` and recurrent projection ``"res->res"``.

    Args:
      n_in: input channels. n_res: reservoir neurons. exc_fraction: excitatory share (Dale's law signs).
      connectivity: ``"maass"`` (3-D grid, distance-dependent; ``lam``, ``C``, ``grid``) or ``"random"``
        (probability ``p_rec``). dale: sign recurrent weights by presynaptic type (inhibitory gain ``inh_gain``);
        else zero-mean recurrent weights.
      p_in: input connection probability. in_gain, rec_gain: weight gains (weights ~ gain/sqrt(mean fan-in)).
      weights: ``"gaussian"``, a device preset name (e.g. ``"rram-forming-random"``) or a ``DeviceModel``.
      beta: membrane decay per step (or ``tau_mem`` in ms). v_th: threshold. t_ref: refractory period (ms).
      backend: ``"dense"`` or ``"event"`` (see :class:`ReservoirProjection`). seed: structure seed (the weights
        come from the key given to :meth:`init`).
    """

    def __init__(self, n_in: int, n_res: int = 200, *, exc_fraction: float = 0.8, connectivity: str = "maass",
                 lam: float = MAASS_LAMBDA, C=None, grid=None, p_rec: float = 0.1, dale: bool = True,
                 inh_gain: float = 4.0, p_in: float = 0.3, in_gain: float = 1.0, rec_gain: float = 1.0,
                 weights="gaussian", beta: float | None = 0.9, tau_mem=None, v_th: float = 1.0, t_ref: float = 0.0,
                 dt: float = 1.0, backend: str = "dense", seed: int = 0, name: str | None = None):
        super().__init__(dt=dt, name=name)
        n_in = validate.positive_int("n_in", n_in)
        n_res = validate.positive_int("n_res", n_res)
        self.connectivity = validate.choice("connectivity", connectivity, ("maass", "random"))
        device = weights
        if isinstance(weights, str) and weights != "gaussian":
            from neurosim.devices import get_preset

            device = get_preset(weights)
        self.exc = excitatory_mask(n_res, exc_fraction, seed)
        if self.connectivity == "maass":
            self.positions = grid_positions(n_res, grid)
            self.p_rec = maass_probabilities(self.positions, self.exc, lam, C)
        else:
            p = float(validate.in_range("p_rec", p_rec, 0.0, 1.0))
            self.positions = None
            self.p_rec = np.full((n_res, n_res), p)
            np.fill_diagonal(self.p_rec, 0.0)
        rec_mask = sample_mask(self.p_rec, seed + 1)
        in_mask = sample_mask(np.full((n_in, n_res), float(validate.in_range("p_in", p_in, 0.0, 1.0))), seed + 2)
        sign = np.where(self.exc, 1.0, -float(validate.positive("inh_gain", inh_gain))) if dale else None
        self.dale = bool(dale)
        self.add_input("in", n_in)
        self.add("res", LIF(n_res, tau_mem, beta=beta if tau_mem is None else None, dt=dt, v_th=v_th,
                            reset="value", t_ref=t_ref))
        self.connect("in", "res", ReservoirProjection(in_mask, weights=device, gain=in_gain, backend=backend))
        self.connect("res", "res", ReservoirProjection(rec_mask, weights=device, sign=sign, gain=rec_gain,
                                                       backend=backend))

    @property
    def n_res(self) -> int:
        return self.populations["res"].size

    @property
    def projections(self) -> dict[str, ReservoirProjection]:
        return {k: c.proj for k, c in self.connections.items()}

    def chip(self, key, model=None, *, n_levels: int | None = None) -> dict:
        """The formed cells (:class:`~neurosim.devices.DeviceState`) of every RRAM projection of the chip that
        :meth:`init` draws from ``key``, under ``model`` (default: the projections' own), conductances optionally
        rounded to ``n_levels`` uniform levels in [g_min, g_max]. Gaussian projections have none."""
        from neurosim import devices as dev

        keys = jax.random.split(key, len(self.populations) + len(self.connections) + 1)
        out = {}
        for k, (name, conn) in zip(keys[len(self.populations):], self.connections.items()):
            proj = conn.proj
            if proj.device is None:
                continue
            m = model if model is not None else proj.device
            st = dev.form_weights(k, (proj.n_in, proj.n_out), m)
            if n_levels is not None:
                q = lambda c: c._replace(g=dev.quantize(c.g, n_levels, m.g_min, m.g_max))
                st = st._replace(plus=q(st.plus), minus=q(st.minus))
            out[name] = st
        return out

    def device_params(self, key, model=None, *, read_key=None, t: float = 0.0, n_levels: int | None = None):
        """Parameters of the chip that :meth:`init` draws from ``key``, seen through the device model ``model``
        (default: the projections' own; e.g. with ``faults=Faults(...)`` or ``drift=...``): conductances optionally
        rounded to ``n_levels`` uniform levels in [g_min, g_max], then one read at ``t`` s with ``read_key``
        (``None``: the noise-free conductances at ``t``). Same ``key`` → same formed cells (stuck cells and drift
        parameters come from their own sub-keys), so a sweep perturbs one chip. Gaussian projections keep their
        software weights. This read is *static*: the whole run sees it; :meth:`run_live` reads every step."""
        from neurosim import devices as dev

        keys = jax.random.split(key, len(self.populations) + len(self.connections) + 1)
        params = {name: g.init(k) for k, (name, g) in zip(keys, self.populations.items())}
        cells = self.chip(key, model, n_levels=n_levels)
        read_keys = (jax.random.split(read_key, len(self.connections)) if read_key is not None
                     else [None] * len(self.connections))
        for k, rk, (name, conn) in zip(keys[len(self.populations):], read_keys, self.connections.items()):
            proj = conn.proj
            if proj.device is None:
                params[name] = proj.init(k)
                continue
            m = model if model is not None else proj.device
            st = cells[name]
            if rk is None:
                z = (dev.conductances_at(st.plus, t, m) - dev.conductances_at(st.minus, t, m)) * st.scale
            else:
                z = dev.read_weights(rk, st, t, m)
            params[name] = proj.finish(z)
        return params

    def run_live(self, params, chip: dict, x, key, *, t: float = 0.0, model=None, analog: bool = False,
                 batch_first: bool = False) -> Run:
        """Run with *live* device noise: every time step reads the conductances of ``chip`` (:meth:`chip`) afresh —
        cycle-to-cycle read noise drawn inside the scan from ``fold_in(key, step)``, so the same key gives the same
        run — at ``t`` s after forming (drift as the model has it), under ``model`` (default: each projection's
        own). One read per step is shared by the samples of a batch (a batch is copies of one chip run in
        lockstep; each sample's noise is independent across steps, as on the chip). With ``analog=True`` every
        RRAM product goes through the crossbar periphery of the model (:meth:`ReservoirProjection.analog_params`:
        DAC, IR drop, output noise, ADC; zero-mean reservoirs only). ``params`` supplies the neurons and any
        Gaussian projection (e.g. :meth:`device_params` of the same chip key). Returns a
        :class:`~neurosim.core.run.Run` like :meth:`run`."""
        from neurosim.devices.model import _check_model

        x = jnp.asarray(self.check_inputs(x, batch_first), jnp.float32)
        missing = [n for n, c in self.connections.items() if c.proj.device is not None and n not in chip]
        if missing:
            raise ValidationError(f"chip: no cells for projection(s) {missing} (use lsm.chip(key))")
        models = {n: _check_model(model if model is not None else self.connections[n].proj.device) for n in chip}
        fn = self.__dict__.setdefault("_run_live_jit", jax.jit(self._run_live, static_argnames=("models", "analog")))
        state, spikes = fn(params, chip, x, jnp.asarray(key), jnp.asarray(t, jnp.float32),
                           tuple(sorted(models.items())), bool(analog))
        return Run(state, spikes, None, {"penalty": jnp.zeros((), jnp.float32)})

    def _run_live(self, params, chip, x, key, t, models, analog):
        from neurosim.devices.model import _read_conductances

        models = dict(models)

        def body(carry, xt):
            st, i = carry
            k = jax.random.fold_in(key, i)
            p = dict(params)
            for j, (name, cells) in enumerate(sorted(chip.items())):
                m, proj = models[name], self.connections[name].proj
                kp, km, ko = jax.random.split(jax.random.fold_in(k, j), 3)
                gp = _read_conductances(kp, cells.plus, t, m)
                gm = _read_conductances(km, cells.minus, t, m)
                p[name] = (proj.analog_params(gp, gm, cells.scale, m, ko) if analog
                           else proj.finish((gp - gm) * cells.scale))
            st, out = self.step(p, st, xt)
            return (st, i + 1), out["res"]

        (state, _), spikes = jax.lax.scan(body, (self.init_state(x.shape[1:-1]), jnp.zeros((), jnp.int32)), x)
        return state, spikes

    def check_inputs(self, x, batch_first: bool = False):
        """Validate inputs — time-major ``(T, batch, n_in)`` (or ``(T, n_in)``), or ``(batch, T, n_in)`` with
        ``batch_first=True`` — for shape and finiteness; returns them time-major."""
        layout = "(batch, T, n_in)" if batch_first else "(T, batch, n_in)"
        x = validate.input_array(f"inputs {layout}", x, trailing=(self.n_in,), min_ndim=3 if batch_first else 2)
        if batch_first:
            x = jnp.swapaxes(jnp.asarray(x), 0, 1)
        if x.shape[0] == 0:
            raise ValidationError(f"inputs: empty time axis (T = 0, axis {1 if batch_first else 0} of {layout})")
        return x

    def run(self, params, x, *, batch_size: int | None = None, batch_first: bool = False) -> Run:
        """Run the reservoir on inputs ``(T, batch, n_in)`` — or ``(batch, T, n_in)`` with ``batch_first=True``, the
        layout of datasets and :class:`~neurosim.learn.bptt.Trainer` — as a jit-compiled scan; returns a
        :class:`~neurosim.core.run.Run` whose ``outputs`` are the reservoir spikes ``(T, batch, n_res)`` and whose
        ``state`` is the final network state (``counts`` is ``None``: work is counted by :func:`neurosim.simulate`).
        ``batch_size`` splits a large batch into chunks of that size to bound memory."""
        x = jnp.asarray(self.check_inputs(x, batch_first), jnp.float32)
        fn = self.__dict__.setdefault("_run_jit", jax.jit(self._run))
        if batch_size is None or x.ndim == 2 or x.shape[1] <= batch_size:
            state, spikes = fn(params, x)
        else:
            parts = [fn(params, x[:, i:i + batch_size]) for i in range(0, x.shape[1], batch_size)]
            state = jax.tree_util.tree_map(lambda *a: jnp.concatenate(a, axis=0), *[p[0] for p in parts])
            spikes = jnp.concatenate([p[1] for p in parts], axis=1)
        return Run(state, spikes, None, {"penalty": jnp.zeros((), jnp.float32)})

    def _run(self, params, x):
        def body(st, xt):
            st, out = self.step(params, st, xt)
            return st, out["res"]

        return jax.lax.scan(body, self.init_state(x.shape[1:-1]), x)

    def features(self, params, x, kind: str = "rates", *, n_bins: int = 4, tau: float = 20.0, power: float = 1.0,
                 batch_size: int | None = 512, batch_first: bool = False):
        """Readout features ``(batch, n_features)`` of inputs ``x`` (time-major, or ``(batch, T, n_in)`` with
        ``batch_first=True``); see :func:`features`."""
        spikes = self.run(params, x, batch_size=batch_size, batch_first=batch_first).outputs
        return features(spikes, kind, n_bins=n_bins, tau=tau, dt=self.dt, power=power)


def features(spikes, kind: str = "rates", *, n_bins: int = 4, tau: float = 20.0, dt: float = 1.0,
             power: float = 1.0):
    """Features of time-major spikes ``(T, batch, n)``: ``"rates"`` (batch, n), ``"binned"`` or ``"trace"``
    (batch, n_bins·n), concatenated bin-major; each raised to ``power``."""
    validate.choice("kind", kind, FEATURES)
    power = float(validate.positive("power", power))
    s = jnp.asarray(validate.input_array("spikes", spikes, min_ndim=2), jnp.float32)
    f = _features(s, kind, n_bins, tau, dt)
    return f if power == 1.0 else f ** power


def _features(s, kind, n_bins, tau, dt):
    T = s.shape[0]
    if kind == "rates":
        return jnp.mean(s, axis=0)
    n_bins = validate.positive_int("n_bins", n_bins)
    if n_bins > T:
        raise ValidationError(f"n_bins: {n_bins} exceeds the number of steps {T}")
    edges = np.linspace(0, T, n_bins + 1).round().astype(int)
    if kind == "binned":
        parts = [jnp.mean(s[a:b], axis=0) for a, b in zip(edges[:-1], edges[1:])]
    else:
        decay = math.exp(-float(validate.positive("dt", dt)) / float(validate.positive("tau", tau)))
        r = _trace(s, decay)
        parts = [r[b - 1] * (1.0 - decay) for b in edges[1:]]
    return jnp.concatenate(parts, axis=-1)


@functools.partial(jax.jit, static_argnums=1)
def _trace(s, decay: float):
    return jax.lax.scan(lambda r, st: (decay * r + st, decay * r + st), jnp.zeros_like(s[0]), s)[1]


__all__ = ["LiquidStateMachine", "ReservoirProjection", "features", "grid_positions", "excitatory_mask",
           "maass_probabilities", "sample_mask", "MAASS_C", "MAASS_LAMBDA", "FEATURES"]
