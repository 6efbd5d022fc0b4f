r"""Fast path for a LIF membrane over a whole sequence of input currents, with a hand-written backward pass.

Autodiff through ``lax.scan`` stores and replays every step; for the common LIF configuration (reset in the
spiking step and detached from the graph, no refractoriness, no trainable neuron constants) the adjoint is a
*linear* recurrence, so the backward pass needs no scan at all. With :math:`v_t` the pre-reset membrane,
:math:`u_t` the post-reset one, :math:`g_t = \partial L/\partial s_t` and :math:`\sigma` the surrogate:

.. math::
    \lambda_t = \frac{\partial L}{\partial v_t} = g_t\,\sigma(v_t - \vartheta) + d_t\,\mu_t,\qquad
    \mu_t = \frac{\partial L}{\partial u_t} = \beta\,\lambda_{t+1},\qquad
    d_t = \frac{\partial u_t}{\partial v_t} = \begin{cases}1-s_t & \text{reset to a value}\\ 1 & \text{otherwise}\end{cases}

and :math:`\partial L/\partial I_t = \mathrm{gain}\cdot\lambda_t`. The recurrence :math:`\lambda_t = A_t + B_t
\lambda_{t+1}` is elementwise, so it is solved by whichever formulation suits the backend (:func:`adjoint_method`):
a reverse ``lax.scan`` (T cheap fused steps, the least work and the fastest to compile; the choice on CPU) or
``lax.associative_scan`` (log-depth, ~2·log2(T) passes over the whole sequence; for accelerators, where a long
sequential loop leaves the device idle). Gradients equal autodiff of the step-by-step scan (tested, both methods).
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp

from neurosim.core import numba_ffi
from neurosim.core.neurons.membrane import SpikeRule, leaky_integrate


METHODS = ("scan", "associative")


def eligible(rule: SpikeRule) -> bool:
    return (not rule.reset_delay) and rule.n_ref == 0 and rule.detach_reset


def adjoint_method() -> str:
    """How the adjoint recurrence is solved: ``NEUROSIM_LIF_ADJOINT`` (``scan`` or ``associative``) if set, else
    ``scan`` on CPU (measured faster there at every shape of ``benchmarks/train_step.py``) and ``associative`` on
    accelerators."""
    import os

    forced = os.environ.get("NEUROSIM_LIF_ADJOINT")
    if forced:
        if forced not in METHODS:
            from neurosim.errors import ValidationError

            raise ValidationError(f"NEUROSIM_LIF_ADJOINT: expected one of {', '.join(METHODS)}, got {forced!r}")
        return forced
    return "scan" if jax.default_backend() == "cpu" else "associative"


def solve_adjoint(A, B, method: str | None = None):
    """``lam`` with ``lam[t] = A[t] + B[t] * lam[t+1]`` (``B[-1]`` is ignored: ``lam[-1] = A[-1]``).

    ``B`` is per step (the shape of ``A``) or, with fewer dimensions than ``A``, the same at every step (it
    broadcasts against ``A[t]``): the scan then never forms a (T, ...) array of it."""
    method = adjoint_method() if method is None else method
    constant = jnp.ndim(B) < jnp.ndim(A)
    if method == "scan" and A.ndim >= 2 and _kernel_eligible(A, B):
        def kernel(A, B):  # on CPU: one Numba loop (cpu_kernels.lif_adjoint_kernel), no per-step dispatch
            steps, shape = A.shape[0], A.shape[1:]
            k = math.prod(shape)
            b = jnp.broadcast_to(B, shape).reshape(1, k) if constant else B.reshape(steps, k)
            lam = numba_ffi.call("lif_adjoint", jax.ShapeDtypeStruct((steps, k), jnp.float32), A.reshape(steps, k), b)
            return lam.reshape(A.shape)

        return jax.lax.platform_dependent(A, B, cpu=kernel, default=lambda A, B: solve_adjoint(A, B, "xla-scan"))
    if method in ("scan", "xla-scan"):
        if constant:
            def body(nxt, a):
                lam = a + B * nxt
                return lam, lam

            return jax.lax.scan(body, jnp.zeros_like(A[-1]), A, reverse=True)[1]

        def body(nxt, ab):
            lam = ab[0] + ab[1] * nxt
            return lam, lam

        return jax.lax.scan(body, jnp.zeros_like(A[-1]), (A, B.at[-1].set(0.0)), reverse=True)[1]

    if constant:
        B = jnp.broadcast_to(B, A.shape)

    def combine(x, y):  # x earlier, y later in the reversed sequence: lam = y_A + y_B * lam_prev
        return y[0] * x[0], y[0] * x[1] + y[1]

    _, lam = jax.lax.associative_scan(combine, (B.at[-1].set(0.0)[::-1], A[::-1]))
    return lam[::-1]


def _forward(rule, cur, v0, decay, gain, v_leak, v_th, v_reset):
    """(final post-reset membrane, pre-reset membranes, spikes): on CPU, for up to ``KERNEL_MAX_NEURONS`` neurons,
    one Numba kernel (``cpu_kernels.lif_forward_kernel``: the scan below without its per-step dispatch), else a ``lax.scan``."""
    def scan(cur, v0, decay, gain, v_leak, v_th, v_reset):
        def body(u, c):
            v = leaky_integrate(u, c, decay, gain, v_leak)
            s = (v > v_th).astype(v.dtype)
            if rule.reset == "subtract":
                u_new = v - s * (v_th - v_reset)
            elif rule.reset == "value":
                u_new = v * (1.0 - s) + s * v_reset
            else:
                u_new = v
            return u_new, (v, s)

        u_final, (v_pre, s) = jax.lax.scan(body, v0, cur)
        return u_final, v_pre, s

    args = (cur, v0, decay, gain, v_leak, v_th, v_reset)
    if not _kernel_eligible(cur, v0, decay, gain, v_leak, v_th, v_reset):
        return scan(*args)

    def kernel(cur, v0, decay, gain, v_leak, v_th, v_reset):
        steps, shape = cur.shape[0], cur.shape[1:]
        k = math.prod(shape)
        params = jnp.stack([jnp.broadcast_to(p, shape).reshape(k) for p in (decay, gain, v_leak, v_th, v_reset)])
        f32 = functools.partial(jax.ShapeDtypeStruct, dtype=jnp.float32)
        u, v_pre, s = numba_ffi.call("lif_forward", (f32((k,)), f32((steps, k)), f32((steps, k))),
                                     cur.reshape(steps, k), jnp.broadcast_to(v0, shape).reshape(k), params,
                                     jnp.full((1,), _RESET_CODES[rule.reset], jnp.int32))
        return u.reshape(shape), v_pre.reshape(cur.shape), s.reshape(cur.shape)

    return jax.lax.platform_dependent(*args, cpu=kernel, default=scan)


#: ``SpikeRule.reset`` as the kernel's mode code (``cpu_kernels.SUBTRACT``, ``VALUE``, ``NONE``)
_RESET_CODES = {"subtract": 0, "value": 1, "none": 2}


#: the most neurons (batch × size) for which the Numba kernels are used: XLA splits each step of its scan over
#: the CPU threads, which pays above this (measured on 2 cores: 4,096 neurons × 1,000 steps 105 vs 122 ms per
#: train step with the kernels, 8,192 × 100 steps 21 vs 18 ms, 32,768 × 300 steps 340 vs 309 ms; batch-1
#: inference, 256 neurons × 1,000 steps, 0.08 vs 0.34 ms per layer)
KERNEL_MAX_NEURONS = 4096


def _kernel_eligible(cur, *rest) -> bool:
    """Whether the Numba kernels run this sequence: float32 throughout, a time axis, at most
    ``KERNEL_MAX_NEURONS`` neurons, Numba present."""
    return (cur.ndim >= 2 and math.prod(cur.shape[1:]) <= KERNEL_MAX_NEURONS
            and all(jnp.result_type(a) == jnp.float32 for a in (cur, *rest)) and numba_ffi.available())


@functools.partial(jax.custom_vjp, nondiff_argnums=(0,))
def lif_sequence(rule: SpikeRule, cur, v0, decay, gain, v_leak, v_th, v_reset):
    """Spikes (T, ...) and final post-reset membrane for currents ``cur`` (T, ..., n) from membrane ``v0``."""
    u_final, _, s = _forward(rule, cur, v0, decay, gain, v_leak, v_th, v_reset)
    return s, u_final


def _fwd(rule, cur, v0, decay, gain, v_leak, v_th, v_reset):
    u_final, v_pre, s = _forward(rule, cur, v0, decay, gain, v_leak, v_th, v_reset)
    return (s, u_final), (v_pre, s, decay, gain, v_leak, v_th, v_reset, v0)


def _bwd(rule, res, cotangents):
    v_pre, s, decay, gain, v_leak, v_th, v_reset, v0 = res
    g_s, g_u = cotangents
    a = g_s * rule.surrogate.grad(v_pre - v_th)
    if rule.reset == "value":
        d = 1.0 - s
        A = a.at[-1].add(d[-1] * g_u)
        lam = solve_adjoint(A, d * decay)
    else:  # du/dv = 1 at every step: the recurrence's factor is the decay alone (no (T, ...) array of it)
        A = a.at[-1].add(g_u)
        lam = solve_adjoint(A, decay)
    d_cur = gain * lam
    d_v0 = jnp.broadcast_to(decay * lam[0], v0.shape)
    zeros = [jnp.zeros_like(x) for x in (decay, gain, v_leak, v_th, v_reset)]
    return (d_cur, d_v0, *zeros)


lif_sequence.defvjp(_fwd, _bwd)
