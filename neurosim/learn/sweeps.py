r"""Robustness sweeps: a metric as a function of one non-ideality, over several random seeds.

:func:`sweep` evaluates ``fn(value, key)`` for every swept ``value`` and every seed key; the seeds are
``jax.vmap``-ed (one compiled batch per value) when ``vectorize=True``, so the result is an array
(n_values, n_seeds) of, e.g., accuracies. Values are looped in Python because they often change static structure
(a device model, a number of levels).

:func:`lsm_device_sweep` is the protocol used for the resistive-memory LSM: a readout is trained once on features
of the nominal chip (noise-free read at t = 0, no faults), then the *same* chip is read under a perturbed device
model (read-noise σ, drift time, stuck-at rate, conductance levels; :meth:`LiquidStateMachine.device_params`)
and the test accuracy is measured — one fresh read (and fault/drift draw) per seed. The device noise models are
those of :mod:`neurosim.devices` (forming: Wang et al., Nat. Mach. Intell. 2023; programming, drift, read noise:
IBM aihwkit, ``src/aihwkit/inference/noise/``).
"""

from __future__ import annotations

from typing import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from neurosim import validate
from neurosim.errors import ValidationError

KNOBS = ("read_noise", "drift_time", "stuck_rate", "levels")


def sweep(fn: Callable, values: Sequence, *, seeds: int = 3, key=None, vectorize: bool = True) -> np.ndarray:
    """(len(values), seeds) array of ``fn(value, key)``; keys vmapped when ``vectorize``."""
    seeds = validate.positive_int("seeds", seeds)
    values = list(values)
    if not values:
        raise ValidationError("values: nothing to sweep")
    keys = jax.random.split(jax.random.PRNGKey(0) if key is None else key, seeds)
    out = []
    for v in values:
        if vectorize:
            out.append(np.asarray(jax.vmap(lambda k: fn(v, k))(keys)))
        else:
            out.append(np.asarray([fn(v, k) for k in keys]))
    return np.stack(out).reshape(len(values), seeds)


def perturbed_model(model, knob: str, value):
    """``(model, t, n_levels)`` for one sweep point: ``read_noise`` (multiplicative σ), ``drift_time`` (s, CMO
    log-time relaxation of RRAM), ``stuck_rate`` (total, half stuck-ON half stuck-OFF) or ``levels``."""
    from neurosim import devices as dev

    validate.choice("knob", knob, KNOBS)
    if knob == "read_noise":
        return model.replace(read_noise=dev.SimpleReadNoise(float(value), "multiplicative")), 0.0, None
    if knob == "drift_time":
        return model.replace(drift=dev.CMORelaxation()), float(value), None
    if knob == "stuck_rate":
        p = float(value) / 2
        return model.replace(faults=dev.Faults(p_stuck_on=p, p_stuck_off=p)), 0.0, None
    return model, 0.0, int(value)


def lsm_device_sweep(lsm, chip_key, readout, x_test, y_test, knob: str, values, *, seeds: int = 3, key=None,
                     feature_kwargs=None, vectorize: bool = True, live: bool = False) -> np.ndarray:
    """Test accuracy (len(values), seeds) of ``readout`` (trained on the nominal chip ``chip_key``) when the chip
    is read under the ``knob`` perturbation at each value.

    ``live=False``: one read of the chip per seed, seen by the whole run (read noise acts as a static variation).
    ``live=True``: a fresh read at every time step (:meth:`LiquidStateMachine.run_live`: cycle-to-cycle read
    noise inside the scan); not for ``stuck_rate`` (faults are static by nature)."""
    validate.choice("knob", knob, KNOBS)
    if live and knob == "stuck_rate":
        raise ValidationError("live: stuck-at faults do not change between reads; sweep them with live=False")
    devs = [c.proj.device for c in lsm.connections.values() if c.proj.device is not None]
    if not devs:
        raise ValidationError("lsm: the reservoir has no device (Gaussian weights); nothing to perturb")
    base = devs[0]
    from neurosim.models.lsm import features as lsm_features

    fk = dict(kind="rates", power=0.5) if feature_kwargs is None else dict(feature_kwargs)
    y = jnp.asarray(np.asarray(y_test))

    def fn(value, k):
        model, t, levels = perturbed_model(base, knob, value)
        k_fault, k_read = jax.random.split(k)
        if live:
            params = lsm.device_params(chip_key, model, t=t, n_levels=levels)
            spikes = lsm.run_live(params, lsm.chip(chip_key, model, n_levels=levels), x_test, k_read, t=t,
                                  model=model).outputs
            f = lsm_features(spikes, dt=lsm.dt, **fk)
        elif knob == "stuck_rate":  # the same formed chip, a new fault map per seed
            params = _refault(lsm, chip_key, k_fault, model, k_read)
            f = lsm.features(params, x_test, **fk)
        else:
            params = lsm.device_params(chip_key, model, read_key=k_read, t=t, n_levels=levels)
            f = lsm.features(params, x_test, **fk)
        return jnp.mean((jnp.argmax(readout.predict(f), -1) == y).astype(jnp.float32))

    return sweep(fn, values, seeds=seeds, key=key, vectorize=vectorize)


def _refault(lsm, chip_key, fault_key, model, read_key):
    """Apply a stuck-at map drawn from ``fault_key`` to the cells of the chip ``chip_key`` and read them."""
    from neurosim import devices as dev

    keys = jax.random.split(chip_key, len(lsm.populations) + len(lsm.connections) + 1)
    fkeys = jax.random.split(fault_key, len(lsm.connections))
    rkeys = jax.random.split(read_key, len(lsm.connections))
    nominal = model.replace(faults=dev.Faults())
    out = {name: g.init(k) for k, (name, g) in zip(keys, lsm.populations.items())}
    for k, fk, rk, (name, conn) in zip(keys[len(lsm.populations):], fkeys, rkeys, lsm.connections.items()):
        proj = conn.proj
        if proj.device is None:
            out[name] = proj.init(k)
            continue
        st = dev.form_weights(k, (proj.n_in, proj.n_out), nominal)
        kp, km = jax.random.split(fk)
        f = model.faults

        def stick(cells, kk):
            codes = dev.stuck_codes(kk, cells.g.shape, f.p_stuck_on, f.p_stuck_off)
            return cells._replace(g=dev.apply_stuck(cells.g, codes, g_min=model.g_min, g_max=model.g_max),
                                  stuck=codes)

        st = st._replace(plus=stick(st.plus, kp), minus=stick(st.minus, km))
        out[name] = proj.finish(dev.read_weights(rk, st, 0.0, nominal))
    return out


__all__ = ["sweep", "perturbed_model", "lsm_device_sweep", "KNOBS"]
