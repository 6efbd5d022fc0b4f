"""One owner for the time step.

``dt`` (ms) belongs to the model: a :class:`~neurosim.core.sequential.Sequential` or
:class:`~neurosim.core.network.Network` resolves it once from what it is given and what its parts were built for,
and everything that depends on it (simulated time, firing rates in the activity record, BrainPy's shared ``dt``)
reads that one value. A part whose constants were *derived* from a time step — a neuron built from ``tau_mem`` or
with a refractory period, an exponential synapse, or any part given ``dt=`` explicitly — reports it through
``time_step()``; parts built from discrete constants (``beta=``) work at any dt and report None.

* ``dt`` given to the model: every part that reports a time step must agree, else the model is refused with a
  message naming both values (a ``LIF(dt=0.1)`` in a ``Sequential(dt=1.0)`` would report rates 10x off).
* ``dt`` left out: the parts' common time step, or :data:`DEFAULT_DT` when none reports one; parts that disagree
  with each other are refused, naming both.
"""

from __future__ import annotations

import math

from neurosim import validate
from neurosim.errors import ValidationError

DEFAULT_DT = 1.0  # ms


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


def resolve(owner: str, dt: float | None, parts: dict[str, float | None]) -> tuple[float, bool]:
    """``(dt, fixed)`` for a model called ``owner`` whose parts report ``parts`` (name -> time step or None);
    ``fixed`` is False when nothing pinned the default. Raises ``ValidationError`` on a disagreement."""
    fixed = {k: float(v) for k, v in parts.items() if v is not None}
    if dt is not None:
        dt = float(validate.positive("dt", dt))
        for name, value in fixed.items():
            if not _same(value, dt):
                raise ValidationError(f"dt: {name} was built for dt = {value:g} ms, but the {owner} steps at dt = "
                                      f"{dt:g} ms; build {name} with dt={dt:g} (the model owns dt)")
        return dt, True
    first = None
    for name, value in fixed.items():
        if first is None:
            first = (name, value)
        elif not _same(value, first[1]):
            raise ValidationError(f"dt: {first[0]} was built for dt = {first[1]:g} ms and {name} for dt = "
                                  f"{value:g} ms; one {owner} steps at one dt (give dt= to the {owner} and build "
                                  "its parts with it)")
    return (first[1], True) if first is not None else (DEFAULT_DT, False)


def check_part(owner: str, dt: float, name: str, value: float | None) -> None:
    """Refuse a part added to a model (``Network.add/connect``) built for another time step."""
    if value is not None and not _same(float(value), dt):
        raise ValidationError(f"dt: {name} was built for dt = {float(value):g} ms, but the {owner} steps at dt = "
                              f"{dt:g} ms; build {name} with dt={dt:g} (the model owns dt)")
