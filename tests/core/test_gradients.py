"""Surrogate gradients of a small network vs finite differences of its smoothed version.

Network: input (T, B, 5) → Dense → LIF (hard reset, detached) → spike counts → linear readout → loss.
The loss is linear in the emitted spikes, so its gradient does not depend on their forward values. With the reset
detached, the surrogate gradient of the loss equals the exact gradient of the same network in which
the *emitted* spikes are replaced by the smooth function S(v - ϑ) whose derivative is the surrogate, while the reset
keeps using the hard threshold (it is piecewise constant, so a small finite difference does not see it).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurosim as ns

def build(surrogate_name):
    return ns.Layer(ns.Dense(5, 4, bias=True), ns.LIF(4, beta=0.8, v_th=0.5, surrogate=surrogate_name))


def loss_surrogate(layer, params, xs, readout):
    _, outs, _, _ = layer.run(params, layer.init_state((xs.shape[1],)), xs)
    return jnp.sum(jnp.sum(outs, axis=0) @ readout)  # linear in the emitted spikes (see module docstring)


SMOOTH64 = {  # the surrogates' antiderivatives in float64 (see neurosim.core.surrogate)
    "fast_sigmoid": lambda x, k: x / (1.0 + k * np.abs(x)),
    "arctan": lambda x, a: np.arctan(np.pi / 2 * a * x) / np.pi + 0.5,
    "sigmoid": lambda x, k: 1.0 / (1.0 + np.exp(-k * x)),
}


def loss_smoothed64(layer, w, b, xs, readout):
    """The smoothed network in float64; returns the loss and the hard spike pattern (used by the reset)."""
    p = {k: np.asarray(v, np.float64) for k, v in layer.neuron.const.items()}
    sg = layer.neuron.rule.surrogate
    smooth = SMOOTH64[sg.name]
    v = np.zeros((xs.shape[1], 4))
    total = np.zeros_like(v)
    pattern = []
    for t in range(xs.shape[0]):
        v = p["v_leak"] + p["decay"] * (v - p["v_leak"]) + p["gain"] * (xs[t] @ w + b)
        total += sg.height * smooth(v - p["v_th"], sg.scale)
        hard = (v > p["v_th"]).astype(float)
        pattern.append(hard)
        v = v - hard * (p["v_th"] - p["v_reset"])
    return float(np.sum(total @ readout)), np.array(pattern)


@pytest.mark.parametrize("name", ["fast_sigmoid", "arctan", "sigmoid"])
def test_network_surrogate_gradient_matches_finite_differences(name):
    rng = np.random.default_rng(0)
    xs = jnp.asarray(rng.uniform(0, 1, size=(12, 3, 5)), jnp.float32)
    readout = jnp.asarray(rng.normal(size=(4, 2)), jnp.float32)
    layer = build(name)
    params = layer.init(jax.random.PRNGKey(3))
    grad = np.asarray(jax.grad(lambda p: loss_surrogate(layer, p, xs, readout))(params)["proj"]["w"])
    xs64, r64 = np.asarray(xs, np.float64), np.asarray(readout, np.float64)
    w0, b0 = np.asarray(params["proj"]["w"], np.float64), np.asarray(params["proj"]["b"], np.float64)
    _, pattern0 = loss_smoothed64(layer, w0, b0, xs64, r64)
    assert pattern0.sum() > 5  # the network spikes, so resets are part of the check
    h = 1e-6
    checked = 0
    for i in range(5):
        for j in range(4):
            wp, wm = w0.copy(), w0.copy()
            wp[i, j] += h
            wm[i, j] -= h
            (fp, pp), (fm, pm) = loss_smoothed64(layer, wp, b0, xs64, r64), loss_smoothed64(layer, wm, b0, xs64, r64)
            if not (np.array_equal(pp, pattern0) and np.array_equal(pm, pattern0)):
                continue  # a threshold crossing inside ±h: the smoothed function is not differentiable there
            fd = (fp - fm) / (2 * h)
            assert grad[i, j] == pytest.approx(fd, rel=1e-3, abs=1e-4), (i, j)
            checked += 1
    assert checked >= 15
    assert np.max(np.abs(grad)) > 1e-3
