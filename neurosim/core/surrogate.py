r"""Spike function with selectable surrogate gradients.

The forward pass is the Heaviside step :math:`s = H(x) = [x > 0]` (strictly greater, as in NIR and snnTorch,
so ``H(0) = 0``). The backward pass replaces :math:`H'(x) = \delta(x)` by the derivative of a smooth function
:math:`\tilde S(x)`; each surrogate below is given by that derivative and by :math:`\tilde S` itself
(``Surrogate.smooth``), so tests can check gradients against finite differences of the smoothed network.

=================  ====================================================  =============================================
name               surrogate derivative :math:`\tilde S'(x)`               source
=================  ====================================================  =============================================
``fast_sigmoid``   :math:`1 / (1 + k|x|)^2`, default :math:`k = 25`        Zenke & Ganguli 2018 (SuperSpike); snnTorch
``arctan``         :math:`(\alpha/2) / (1 + (\pi\alpha x/2)^2)`, α = 2    Fang et al. 2021; snnTorch ``atan``
``triangle``       :math:`\gamma \max(0, 1 - |x|/\varepsilon)`, γ=1, ε=1   Bellec et al. 2018; EGRU (γ=0.7 there)
``rectangle``      :math:`[|x| < w/2] / w`, default :math:`w = 1`           Wu et al. 2018 (STBP)
``sigmoid``        :math:`k\,\sigma(kx)(1-\sigma(kx))`, default k = 5        snnTorch ``sigmoid``
=================  ====================================================  =============================================

A :class:`Surrogate` is a small hashable value, so it can be a static argument of ``jax.jit`` and differ per layer.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

from neurosim import validate

_DEFAULT_SCALE = {"fast_sigmoid": 25.0, "arctan": 2.0, "triangle": 1.0, "rectangle": 1.0, "sigmoid": 5.0}


class Surrogate(NamedTuple):
    """A surrogate-gradient choice: ``name`` and one shape parameter ``scale`` (slope, α, width, ...).

    ``height`` multiplies the derivative (the dampening factor γ of the triangle surrogate; 1 elsewhere).
    """

    name: str = "fast_sigmoid"
    scale: float = 25.0
    height: float = 1.0

    def grad(self, x):
        """The surrogate derivative at ``x``."""
        return self.height * _GRADS[self.name](x, self.scale)

    def smooth(self, x):
        """The smooth function whose derivative is :meth:`grad` (used for gradient checks and plots)."""
        return self.height * _SMOOTH[self.name](x, self.scale)


def surrogate(name: str = "fast_sigmoid", scale: float | None = None, height: float = 1.0) -> Surrogate:
    """Build a validated :class:`Surrogate`; ``scale`` defaults per family (see the module table)."""
    validate.choice("surrogate", name, _GRADS)
    scale = _DEFAULT_SCALE[name] if scale is None else float(validate.positive("surrogate scale", scale))
    height = float(validate.positive("surrogate height", height))
    return Surrogate(name, scale, height)


def as_surrogate(spec) -> Surrogate:
    """Accept a :class:`Surrogate`, a family name, or ``(name, scale)``."""
    if isinstance(spec, Surrogate):
        return spec
    if isinstance(spec, str):
        return surrogate(spec)
    if isinstance(spec, tuple) and len(spec) in (2, 3):
        return surrogate(*spec)
    raise validate.ValidationError(f"surrogate: expected a name, (name, scale) or Surrogate, got {spec!r}")


# ---- derivative and antiderivative of each family -------------------------------------------------------------

def _fast_sigmoid_grad(x, k):
    return 1.0 / (1.0 + k * jnp.abs(x)) ** 2


def _fast_sigmoid_smooth(x, k):
    return x / (1.0 + k * jnp.abs(x))


def _arctan_grad(x, a):
    return (a / 2.0) / (1.0 + (math.pi / 2.0 * a * x) ** 2)


def _arctan_smooth(x, a):
    return jnp.arctan(math.pi / 2.0 * a * x) / math.pi + 0.5


def _triangle_grad(x, eps):
    return jnp.maximum(0.0, 1.0 - jnp.abs(x) / eps)


def _triangle_smooth(x, eps):
    # Antiderivative of max(0, 1 - |x|/eps), zero at -inf: 0 | (x + eps)^2 / (2 eps) | eps - (eps - x)^2/(2 eps) | eps
    xc = jnp.clip(x, -eps, eps)
    return jnp.where(xc <= 0, (xc + eps) ** 2 / (2 * eps), eps - (eps - xc) ** 2 / (2 * eps))


def _rectangle_grad(x, w):
    return (jnp.abs(x) < w / 2.0).astype(jnp.result_type(x, jnp.float32)) / w


def _rectangle_smooth(x, w):
    return jnp.clip(x / w + 0.5, 0.0, 1.0)


def _sigmoid_grad(x, k):
    s = jax.nn.sigmoid(k * x)
    return k * s * (1.0 - s)


def _sigmoid_smooth(x, k):
    return jax.nn.sigmoid(k * x)


_GRADS = {
    "fast_sigmoid": _fast_sigmoid_grad,
    "arctan": _arctan_grad,
    "triangle": _triangle_grad,
    "rectangle": _rectangle_grad,
    "sigmoid": _sigmoid_grad,
}
_SMOOTH = {
    "fast_sigmoid": _fast_sigmoid_smooth,
    "arctan": _arctan_smooth,
    "triangle": _triangle_smooth,
    "rectangle": _rectangle_smooth,
    "sigmoid": _sigmoid_smooth,
}


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def spike(x, sg: Surrogate = Surrogate()):
    """Heaviside step ``[x > 0]`` in the forward pass, ``sg.grad(x)`` in the backward pass."""
    x = jnp.asarray(x)
    return (x > 0).astype(x.dtype)


@spike.defjvp
def _spike_jvp(sg, primals, tangents):
    (x,), (dx,) = primals, tangents
    return spike(x, sg), sg.grad(x).astype(x.dtype) * dx


__all__ = ["Surrogate", "surrogate", "as_surrogate", "spike"]
