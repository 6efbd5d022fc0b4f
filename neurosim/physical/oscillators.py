r"""A driven chain of coupled nonlinear (Duffing / Fermi–Pasta–Ulam) oscillators: an acoustic or mechanical
physical layer.

Model. ``N`` unit masses with displacements :math:`q_i` and velocities :math:`v_i`, fixed ends
(:math:`q_0 = q_{N+1} = 0`), bond extensions :math:`d_j = q_j - q_{j-1}` (:math:`j = 1..N+1`):

.. math::

    \ddot q_i = -\omega_i^2 q_i - \alpha_i q_i^3
                + k_{i+1} d_{i+1} - k_i d_i + \beta_{i+1} d_{i+1}^3 - \beta_i d_i^3
                - \gamma \dot q_i + A\,u_i \sin(\Omega t)

(on-site Duffing springs :math:`\omega_i, \alpha_i`; FPU-α/β-type bonds with linear stiffness :math:`k_j` and cubic
stiffness :math:`\beta_j`; damping :math:`\gamma`; each encoded input :math:`u_i \in [0, 1]` sets the amplitude of
a sinusoidal force on mass ``i``, like a loudspeaker driving one membrane). Integrated from rest with classical
fourth-order Runge–Kutta (step ``dt``, ``n_steps`` steps). The read-out is the oscillation amplitude of each mass,
:math:`a_i = \sqrt{2}\,\mathrm{RMS}(q_i)` over the last ``readout_fraction`` of the window (a microphone spectrum's
magnitude at the drive frequency, in effect). Measurement noise: relative Gaussian (``noise``) plus a floor.

Invariant (tested): without drive and damping the energy

.. math::

    H = \sum_i \left(\tfrac12 v_i^2 + \tfrac12\omega_i^2 q_i^2 + \tfrac14\alpha_i q_i^4\right)
        + \sum_j \left(\tfrac12 k_j d_j^2 + \tfrac14\beta_j d_j^4\right)

is conserved to the RK4 truncation error, :math:`O(dt^4)`.

The drift-able parameters are :math:`\omega, \alpha, k, \beta` (``perturb(0.1)`` detunes them by ±10 %).
Coupled nonlinear oscillators are the physical system of the physics-aware-training tutorial (Wright et al.,
Nature 2022); the paper by Momeni et al. (Science 2023) used an acoustic cavity with nonlinear membranes.
"""

from __future__ import annotations

import numpy as np

from neurosim import validate
from neurosim.physical.base import Encoding, PhysicalLayer


def _accel(p, q, v, force, xp):
    z = xp.zeros(q.shape[:-1] + (1,), q.dtype)
    qp = xp.concatenate([z, q, z], axis=-1)
    d = qp[..., 1:] - qp[..., :-1]                                  # (..., N+1) bond extensions
    bond = d * (p["k"] + p["beta"] * d * d)                          # bond tension
    return (-q * (p["omega"] * p["omega"] + p["alpha"] * q * q) + bond[..., 1:] - bond[..., :-1]
            - p["gamma"] * v + force)


def energy(p, q, v, xp=np):
    """Total mechanical energy :math:`H` of the chain (module docstring) for states ``q, v`` (..., N)."""
    z = xp.zeros(q.shape[:-1] + (1,), q.dtype)
    qp = xp.concatenate([z, q, z], axis=-1)
    d = qp[..., 1:] - qp[..., :-1]
    e = 0.5 * v ** 2 + 0.5 * p["omega"] ** 2 * q ** 2 + 0.25 * p["alpha"] * q ** 4
    return xp.sum(e, -1) + xp.sum(0.5 * p["k"] * d ** 2 + 0.25 * p["beta"] * d ** 4, -1)


def rk4_step(p, q, v, t, dt, drive, freq, xp=np):
    """One classical RK4 step of the chain with force ``drive · sin(freq · t)``."""
    def f(q_, v_, t_):
        return v_, _accel(p, q_, v_, drive * xp.sin(freq * t_), xp)

    k1q, k1v = f(q, v, t)
    k2q, k2v = f(q + 0.5 * dt * k1q, v + 0.5 * dt * k1v, t + 0.5 * dt)
    k3q, k3v = f(q + 0.5 * dt * k2q, v + 0.5 * dt * k2v, t + 0.5 * dt)
    k4q, k4v = f(q + dt * k3q, v + dt * k3v, t + dt)
    return (q + dt / 6.0 * (k1q + 2 * k2q + 2 * k3q + k4q),
            v + dt / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v))


def integrate(p, q0, v0, drive, freq: float, dt: float, n_steps: int, xp=np):
    """Integrate ``n_steps`` RK4 steps from ``(q0, v0)``; returns the final state and the trajectory of ``q``."""
    q, v, traj = q0, v0, []
    for s in range(n_steps):
        q, v = rk4_step(p, q, v, s * dt, dt, drive, freq, xp)
        traj.append(q)
    return q, v, traj


class OscillatorChain(PhysicalLayer):
    """Driven Duffing/FPU oscillator chain (module docstring). ``n`` masses = inputs = outputs.

    ``omega`` (on-site frequencies, drawn uniformly in ``omega_range`` from ``seed``), ``alpha`` (Duffing), ``k``
    (linear coupling), ``beta`` (cubic coupling), ``gamma`` (damping), ``drive_freq`` Ω, ``drive_amp`` A,
    ``dt``, ``n_steps``, ``readout_fraction``. Default encoding: :math:`|x|/\\lVert x\\rVert_2` (as in PhyLL's
    acoustic experiment).
    """

    name = "oscillator_chain"
    drift_keys = ("omega", "alpha", "k", "beta")
    control_keys = ("k",)  # tunable linear couplings (e.g. electrostatically tuned springs)

    def __init__(self, n: int = 20, *, seed: int = 0, omega_range=(0.8, 1.6), alpha: float = 1.0, k: float = 0.3,
                 beta: float = 0.5, gamma: float = 0.3, drive_freq: float = 1.2, drive_amp: float = 1.5,
                 dt: float = 0.2, n_steps: int = 100, readout_fraction: float = 0.4, encoding: Encoding | None = None,
                 noise: float = 0.01, noise_floor: float = 1e-3, drift_rate: float = 0.0):
        super().__init__(n, n, encoding=encoding or Encoding("l2abs"), noise=noise, noise_floor=noise_floor,
                         drift_rate=drift_rate)
        lo, hi = (float(v) for v in validate.positive("omega_range", omega_range))
        rng = np.random.default_rng(seed)
        self.params = {
            "omega": rng.uniform(lo, hi, n),
            "alpha": np.full(n, float(validate.positive("alpha", alpha, allow_zero=True))),
            "k": np.full(n + 1, float(validate.positive("k", k, allow_zero=True))),
            "beta": np.full(n + 1, float(validate.positive("beta", beta, allow_zero=True))),
            "gamma": np.asarray(float(validate.positive("gamma", gamma, allow_zero=True))),
        }
        self.drive_freq = float(validate.positive("drive_freq", drive_freq))
        self.drive_amp = float(validate.positive("drive_amp", drive_amp, allow_zero=True))
        self.dt = float(validate.positive("dt", dt))
        self.n_steps = validate.positive_int("n_steps", n_steps)
        self.readout_fraction = float(validate.in_range("readout_fraction", readout_fraction, 0, 1, lo_open=True))
        self._finish_init()

    def model(self, params, u, xp):
        if xp is np:
            return self._model_np(params, u)
        import jax

        q0 = xp.zeros_like(u)
        drive = self.drive_amp * u
        n_read = max(1, int(round(self.readout_fraction * self.n_steps)))

        def body(carry, s):
            q, v = carry
            q, v = rk4_step(params, q, v, s * self.dt, self.dt, drive, self.drive_freq, xp)
            return (q, v), q

        _, traj = jax.lax.scan(body, (q0, q0), xp.arange(self.n_steps, dtype=u.dtype))
        tail = traj[-n_read:]
        return xp.sqrt(2.0 * xp.mean(tail ** 2, axis=0) + 1e-12)

    def _model_np(self, params, u):
        q0 = np.zeros_like(u)
        n_read = max(1, int(round(self.readout_fraction * self.n_steps)))
        q, v = q0, q0
        acc = np.zeros_like(u)
        drive = self.drive_amp * u
        for s in range(self.n_steps):
            q, v = rk4_step(params, q, v, s * self.dt, self.dt, drive, self.drive_freq, np)
            if s >= self.n_steps - n_read:
                acc += q * q
        return np.sqrt(2.0 * acc / n_read + 1e-12)

    def twin_macs_per_sample(self) -> float:
        # 4 force evaluations per RK4 step, ~12 multiply-adds per mass each, plus the state update.
        return float(self.n_steps * self.n_in * (4 * 12 + 8))


__all__ = ["OscillatorChain", "energy", "rk4_step", "integrate"]
