"""Bad input to the pricing entry point is refused with a ValueError that names the problem: an empty batch, an
option the target kind does not take, something that is not a workload, a zero-length time axis, NaN activity."""

import copy

import numpy as np
import pytest

import neurosim.hardware as hw
from neurosim.errors import ValidationError


def _specs():
    return [hw.describe_layer("a", 16, inputs=[("input", 8, 0.5)]),
            hw.describe_layer("b", 4, inputs=[("a", 16, 1.0)])]


@pytest.fixture
def wl():
    return hw.from_rates(_specs(), steps=10, activity=0.1)


def _activity(batch: int, steps: int):
    from neurosim.core.activity import Activity

    act = Activity.empty({"a": (16, True), "b": (4, True)}, batch, 1.0)
    act.steps = steps
    for layer in act.layers.values():
        layer.spikes, layer.synaptic_events, layer.neuron_updates = 5, 20, layer.n_neurons * steps * batch
    return act


def test_empty_batch_from_a_run_is_a_value_error_naming_the_batch():
    with pytest.raises(ValueError, match="empty batch"):  # was ZeroDivisionError
        hw.from_activity(_specs(), _activity(batch=0, steps=10))


def test_empty_batch_of_a_real_simulation():
    import jax

    import neurosim as ns

    net = ns.Sequential([ns.Layer(ns.Dense(6, 4), ns.LIF(4, beta=0.9))])
    res = ns.simulate(net, np.zeros((5, 0, 6), np.float32), params=net.init(jax.random.PRNGKey(0)), record=())
    with pytest.raises(ValidationError, match="empty batch"):
        hw.price(net, "spinnaker2", activity=res.activity)


def test_batch_option_zero_is_refused_not_silently_one(wl):
    with pytest.raises(ValidationError, match=r"empty batch \(batch = 0\)"):
        hw.estimate(wl, "gpu-a100", batch=0)
    assert hw.estimate(wl, "gpu-a100", batch=2).resources["batch"] == 2


@pytest.mark.parametrize("what", ["workload", "model"])
def test_option_the_target_kind_does_not_take_names_option_and_kind(wl, what):
    arg = wl if what == "workload" else object()  # the option is checked first, whatever the first argument is
    with pytest.raises(ValidationError, match=r"dvfs do not apply to an imc target \(imc targets take conv_copies, event_driven, input_bit_density\)"):
        hw.estimate(arg, "imc-rram-40nm", dvfs="pl1")


def test_a_model_instead_of_a_workload_points_to_from_activity():
    with pytest.raises(ValidationError, match=r"expected a Workload, got list.*from_activity"):
        hw.estimate(_specs(), "imc-rram-40nm")


def test_zero_length_time_axis(wl):
    with pytest.raises(ValidationError, match="zero-length time axis"):
        hw.from_activity(_specs(), _activity(batch=2, steps=0))
    empty = copy.deepcopy(wl)
    empty.steps = 0
    with pytest.raises(ValidationError, match=r"zero-length time axis \(steps = 0\)"):
        hw.estimate(empty, "spinnaker2")
    with pytest.raises(ValidationError, match="steps"):
        hw.from_rates(_specs(), steps=0, activity=0.1)


def test_nan_activity_is_named(wl):
    bad = copy.deepcopy(wl)
    bad.layers[1].spikes_per_step = float("nan")
    for target in ("spinnaker2", "imc-rram-40nm", "gpu-a100"):
        with pytest.raises(ValidationError, match="layer 'b' spikes_per_step is NaN"):
            hw.estimate(bad, target)
    with pytest.raises(ValidationError, match=r"activity\[a\]: contains NaN"):
        hw.from_rates(_specs(), steps=10, activity={"a": float("nan")})
    record = wl.record()
    record["layers"][0]["events_per_step"] = float("nan")
    with pytest.raises(ValidationError, match="events_per_step is NaN"):
        hw.from_record(_specs(), record)
    neg = copy.deepcopy(wl)
    neg.input_values_per_step = -1.0
    with pytest.raises(ValidationError, match="input_values_per_step must be >= 0"):
        hw.estimate(neg, "spinnaker2")


def test_good_workload_still_prices(wl):
    est = hw.estimate(wl, "imc-rram-40nm", event_driven=True)
    assert np.isfinite(est.energy_per_inference) and est.energy_per_inference > 0
