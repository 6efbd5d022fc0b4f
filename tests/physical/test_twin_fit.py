"""Twins with a real gap: detuned to a stated error, fitted from measurements (MLP, parametric), used by PAT."""

import jax
import numpy as np
import pytest

from neurosim.errors import ValidationError
from neurosim.learn.pat import BackpropTrainer
from neurosim.physical import OscillatorChain, fit_mlp_twin, fit_parametric_twin, twin_error, twin_with_error
from neurosim.physical.twin_fit import probe_inputs


@pytest.fixture(scope="module")
def chain():
    return OscillatorChain(6, seed=0, n_steps=30)


def test_detuned_twin_has_the_error_asked_for(chain):
    exact = twin_with_error(chain, 0.0)
    assert exact.error < 1e-6  # float32 twin vs float64 physics
    tw = twin_with_error(chain, 0.10, seed=2)
    assert abs(tw.error - 0.10) <= 0.002
    assert 0.0 < tw.info["detuning"] < 1.0
    # measured on fresh probes the error is close to the target too (it is a property of the twin, not the probes)
    assert twin_error(tw, chain, probe_inputs(chain, 256, seed=99)) == pytest.approx(0.10, abs=0.02)
    with pytest.raises(ValidationError, match="error"):
        twin_with_error(chain, 1.5)


def test_parametric_fit_recovers_a_drifted_system(chain):
    drifted = chain.perturb(0.1, seed=3)
    probes = probe_inputs(drifted, 256, seed=5)
    stale = twin_error(drifted.twin(), drifted, probes)  # the nominal twin no longer fits
    fit = fit_parametric_twin(drifted, key=jax.random.PRNGKey(0), n=256, steps=150, lr=2e-2)
    assert stale > 0.05
    assert fit.error < 0.3 * stale
    assert fit.measured_residual is not None and fit.n_measurements == 256


def test_mlp_twin_from_measurements(chain):
    tw = fit_mlp_twin(chain, key=jax.random.PRNGKey(0), n=1024, hidden=64, steps=800)
    assert tw.kind == "mlp" and tw.error < 0.15
    # the residual against noisy measurements includes the 1 % measurement noise
    assert tw.measured_residual >= 0.5 * tw.error
    y = np.asarray(tw(probe_inputs(chain, 4)))
    assert y.shape == (4, chain.n_out) and np.all(np.isfinite(y))


def test_pat_takes_a_fitted_twin(chain):
    tw = twin_with_error(chain, 0.05, seed=1)
    tr = BackpropTrainer([chain], 4, 3, mode="insilico", epochs=1, skip=False)
    tr.refresh_twins([tw])
    assert tr.twins[0] is tw
    tr.refresh_twins([tw.params])  # a parameter dict builds the layer's own model
    assert callable(tr.twins[0]) and tr.twins[0] is not tw
    with pytest.raises(ValidationError, match="one per physical layer"):
        tr.refresh_twins([tw, tw])
