"""Bad parameters raise ValidationError (a ValueError) whose message names the parameter."""

import math

import jax
import numpy as np
import pytest

from neurosim import devices as dev
from neurosim.errors import ValidationError


@pytest.mark.parametrize("make,name", [
    (lambda: dev.Forming(v_bd_std=-0.11), "v_bd_std"),
    (lambda: dev.Forming(g_formed_std=-1.0), "g_formed_std"),
    (lambda: dev.Forming(v_program=math.nan), "v_program"),
    (lambda: dev.ProgrammingNoise(scale=-1.0), "scale"),
    (lambda: dev.ProgrammingNoise(coeffs=(0.1, math.nan)), "coeffs"),
    (lambda: dev.ProgrammingNoise(clip="both"), "clip"),
    (lambda: dev.cmo_programming(acceptance=0.05), "acceptance"),
    (lambda: dev.PCMDrift(t0=0.0), "t0"),
    (lambda: dev.CMORelaxation(scale=-0.5), "scale"),
    (lambda: dev.WanRetention(times=(1.0, 0.5, 2.0)), "times"),
    (lambda: dev.PCMReadNoise(t_read=-1e-9), "t_read"),
    (lambda: dev.SimpleReadNoise(w_noise=-0.01), "w_noise"),
    (lambda: dev.SimpleReadNoise(kind="pink"), "kind"),
    (lambda: dev.Faults(p_stuck_on=1.5), "p_stuck_on"),
    (lambda: dev.Faults(p_stuck_off=-0.1), "p_stuck_off"),
    (lambda: dev.Faults(p_stuck_on=0.6, p_stuck_off=0.6), "p_stuck_on + p_stuck_off"),
    (lambda: dev.Faults(d2d_std=math.nan), "d2d_std"),
    (lambda: dev.Faults(c2c_std=-0.1), "c2c_std"),
    (lambda: dev.CrossbarParams(adc_bits=1), "adc_bits"),
    (lambda: dev.CrossbarParams(ir_drop=-1.0), "ir_drop"),
    (lambda: dev.DeviceModel(g_min=30.0, g_max=25.0), "g_min"),
    (lambda: dev.DeviceModel(g_min=25.0, g_max=25.0), "g_min"),
    (lambda: dev.DeviceModel(g_max=math.nan), "g_max"),
    (lambda: dev.DeviceModel(drift="pcm"), "drift"),
    (lambda: dev.DeviceModel(n_levels=1), "n_levels"),
    (lambda: dev.get_preset("pcm-aihwkit").replace(g_maxx=1.0), "g_maxx"),
    (lambda: dev.get_preset("pcm-aihwkit", g_min=-1.0), "g_min"),
    (lambda: dev.uniform_levels(1, 0.0, 25.0), "n_levels"),
    (lambda: dev.quantize(np.ones(3), 4, 30.0, 25.0), "g_min"),
    (lambda: dev.g_min_from_on_off_ratio(25.0, 0.5), "on_off_ratio"),
    (lambda: dev.voltage_for_fraction(1.2), "fraction"),
    (lambda: dev.weights_to_conductances(np.ones(3), 25.0, 30.0), "g_min"),
    (lambda: dev.stuck_codes(jax.random.PRNGKey(0), (3,), 2.0), "p_stuck_on"),
])
def test_bad_parameter_names_itself(make, name):
    with pytest.raises(ValidationError) as info:
        make()
    assert name in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_preset_lists_valid_names():
    with pytest.raises(ValidationError) as info:
        dev.get_preset("pcm-ibm")
    msg = str(info.value)
    assert "preset" in msg and "pcm-ibm" in msg
    assert all(name in msg for name in dev.list_presets())


def test_bad_runtime_inputs():
    model = dev.get_preset("pcm-aihwkit")
    key = jax.random.PRNGKey(0)
    with pytest.raises(ValidationError, match="^w:.*NaN"):
        dev.program_weights(key, np.array([[1.0, np.nan]]), model)
    state = dev.program_weights(key, np.ones((2, 2)), model)
    with pytest.raises(ValidationError, match="^t:"):
        dev.read_weights(key, state, -1.0, model)
    with pytest.raises(ValidationError, match="^t:"):
        dev.read_weights(key, state, math.nan, model)
    with pytest.raises(ValidationError, match="model"):
        dev.program_weights(key, np.ones((2, 2)), "pcm-aihwkit")
    with pytest.raises(ValidationError, match="forming"):
        dev.random_weights(key, (4, 4), model)  # the PCM preset has no forming parameters
    with pytest.raises(ValidationError, match="mode"):
        dev.random_weights(key, (4, 4), dev.get_preset("rram-forming-random"), mode="signed")
    with pytest.raises(ValidationError, match="^x:"):
        dev.crossbar_mvm(np.ones((1, 3)), np.ones((2, 2)), np.ones((2, 2)), 1.0, g_max=25.0)
    with pytest.raises(ValidationError, match="^w:"):
        dev.reprogram(key, state, np.ones((3, 2)), model)


def test_configs_are_hashable_values():
    a, b = dev.get_preset("rram-cmo"), dev.get_preset("rram-cmo")
    assert a == b and hash(a) == hash(b)
    assert a.replace(g_max=80.0) != a
    assert jax.tree_util.tree_leaves(a) == []  # leaf-free pytree: compiled in, ignored by vmap
