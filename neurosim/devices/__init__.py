"""Resistive-memory device physics: seeded, jit-able transforms of conductance arrays.

Units everywhere: conductance in µS, time in s (since programming), voltage in V. Every random function takes an
explicit PRNG key; the same key gives bitwise-identical arrays. Configurations are frozen, hashable, leaf-free
pytrees (pass them to ``jax.jit``-compiled functions as ordinary arguments); device states are pytrees of arrays.

Typical use::

    import jax
    from neurosim import devices as dev

    model = dev.get_preset("pcm-aihwkit")
    state = dev.program_weights(jax.random.PRNGKey(0), w, model)        # program once
    w_1h = dev.read_weights(jax.random.PRNGKey(1), state, 3600.0, model)  # one noisy read 1 h later
    w_lsm = dev.random_weights(jax.random.PRNGKey(2), (256, 200), dev.get_preset("rram-forming-random"))

One module per effect: :mod:`.forming`, :mod:`.programming`, :mod:`.drift`, :mod:`.read_noise`, :mod:`.faults`,
:mod:`.quantize`, :mod:`.crossbar`; the composite pipeline is in :mod:`.model`, named presets in :mod:`.presets`,
a whole network's parameters programmed and read back in :mod:`.deployment`.
See ``docs/devices.md``.
"""

from __future__ import annotations

from neurosim.devices.crossbar import (CrossbarParams, conductances_to_weights, crossbar_mvm, ir_drop_position_factor,
                                       weights_to_conductances)
from neurosim.devices.deployment import ProgrammedParams, program_params, read_params, weight_error
from neurosim.devices.drift import CMORelaxation, PCMDrift, WanRetention, apply_drift, drift_exponents, pcm_nu_mean
from neurosim.devices.faults import Faults, apply_stuck, cycle_to_cycle, d2d_gains, stuck_codes
from neurosim.devices.forming import (Forming, conductance_moments, form, formed_fraction, formed_mask,
                                      voltage_for_fraction)
from neurosim.devices.model import (CellState, DeviceModel, DeviceState, analog_matmul, conductances_at,
                                    drift_compensation_factor, form_weights, program_cells, program_weights,
                                    random_weight_scale, random_weights, read_conductances, read_weights, reprogram)
from neurosim.devices.presets import get_preset, list_presets
from neurosim.devices.programming import (ProgrammingNoise, cmo_programming, pcm_programming, program,
                                          programming_sigma, wan2022_programming)
from neurosim.devices.quantize import g_min_from_on_off_ratio, quantize, quantize_symmetric, uniform_levels
from neurosim.devices.read_noise import (CMOReadNoise, PCMReadNoise, SimpleReadNoise, cmo_read_sigma,
                                         pcm_read_sigma, read)

__all__ = [
    # composite model and pipeline
    "DeviceModel", "DeviceState", "CellState", "get_preset", "list_presets", "program_weights", "reprogram",
    "program_cells", "conductances_at", "read_conductances", "read_weights", "drift_compensation_factor",
    "analog_matmul", "form_weights", "random_weights", "random_weight_scale",
    # deploying a network's parameters
    "ProgrammedParams", "program_params", "read_params", "weight_error",
    # forming
    "Forming", "form", "formed_fraction", "formed_mask", "voltage_for_fraction", "conductance_moments",
    # programming
    "ProgrammingNoise", "pcm_programming", "wan2022_programming", "cmo_programming", "program", "programming_sigma",
    # drift
    "PCMDrift", "CMORelaxation", "WanRetention", "drift_exponents", "apply_drift", "pcm_nu_mean",
    # read noise
    "PCMReadNoise", "CMOReadNoise", "SimpleReadNoise", "pcm_read_sigma", "cmo_read_sigma", "read",
    # faults
    "Faults", "stuck_codes", "apply_stuck", "d2d_gains", "cycle_to_cycle",
    # quantisation
    "uniform_levels", "quantize", "g_min_from_on_off_ratio", "quantize_symmetric",
    # crossbar
    "CrossbarParams", "weights_to_conductances", "conductances_to_weights", "crossbar_mvm", "ir_drop_position_factor",
]
