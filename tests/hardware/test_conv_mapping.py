"""Convolutional layers on SpiNNaker 2 (placement by channels / tiles, binding limit named), IMC (im2col, kernel
copies vs time multiplexing) and digital targets (kernel stored once): hand-computed expectations."""

import math

import jax
import numpy as np
import pytest

import neurosim as ns
from neurosim import hardware as hw
from neurosim.errors import MappingError
from neurosim.hardware.imc import tiles_for


def _net(c_in=2, hw_in=12, c_out=4, k=3):
    n = c_out * hw_in * hw_in
    return ns.Sequential([ns.Layer(ns.Conv2d((c_in, hw_in, hw_in), c_out, k, padding=k // 2, bias=False),
                                   ns.IF(n)),
                          ns.SumPool2d((c_out, hw_in, hw_in), 2), ns.Flatten((c_out, hw_in // 2, hw_in // 2)),
                          ns.Layer(ns.Dense(n // 4, 5), ns.IF(5))], names=["conv", "pool", "flat", "fc"])


@pytest.fixture(scope="module")
def measured():
    net = _net()
    params = net.init(jax.random.PRNGKey(1))
    x = (np.random.default_rng(0).random((6, 2, net.n_in)) < 0.1).astype(np.float32)
    res = ns.simulate(net, x, params=params)
    return net, hw.from_activity(net, res.activity), res


def test_workload_from_a_cnn_run(measured):
    net, wl, res = measured
    names = [l.name for l in wl]
    assert names == ["conv", "pool", "fc"]  # Flatten does no work
    conv = wl.layers[0]
    assert conv.events_per_step == pytest.approx(res.activity.layers["conv"].synaptic_events / 12)
    assert conv.spec.stored_weights == 4 * 2 * 9
    assert wl.n_inputs == 2 * 144 and wl.input_values_per_step == pytest.approx(
        res.activity.layers["conv"].synaptic_events / 12 / (net.layers["conv"].proj.nnz / net.n_in), rel=1e-9)


def test_spinnaker2_places_conv_by_whole_channels(measured):
    _, wl, _ = measured
    est = hw.estimate(wl, "spinnaker2", max_neurons_per_pe=300)
    # 144 neurons per channel, 300 per PE -> 2 channels per PE -> 2 PEs for 4 channels
    assert est.resources["neurons_per_pe"]["conv"] == 288
    assert est.resources["binding_limit"]["conv"] == "neurons per PE"
    whole = hw.estimate(wl, "spinnaker2")
    assert whole.resources["binding_limit"]["conv"] == "whole layer on one PE"
    assert whole.resources["neurons_per_pe"]["conv"] == 576


def test_spinnaker2_tiles_a_large_feature_map_and_names_the_limit():
    wl = hw.from_rates(ns.Sequential([ns.Layer(ns.Conv2d((2, 128, 128), 3, 5, padding=2), ns.IF(3 * 128 * 128))]),
                       steps=4, activity=0.05, input_activity=0.02)
    est = hw.estimate(wl, "spinnaker2")
    tiles = math.ceil(128 * 128 / 1000)
    assert est.resources["PEs"] == 3 * tiles
    assert est.resources["binding_limit"]["layer0"] == "neurons per PE"
    prof = hw.load_profile("spinnaker2")
    budget = prof["chip"]["sram_data_per_pe"] - prof["memory"]["buffer_bytes_per_pe"]
    big = hw.from_rates(ns.Sequential([ns.Layer(ns.Conv2d((4096, 4, 4), 2, 3, padding=1), ns.IF(32))]),
                        steps=1, activity=0.1)
    kernel = 4096 * 9 * prof["memory"]["bytes_per_weight_fp32"]
    with pytest.raises(MappingError, match=f"one kernel needs {kernel:,.0f} B") as err:
        hw.estimate(big, "spinnaker2")
    assert f"limit {budget:,.0f} B" in str(err.value)
    assert hw.estimate(big, "spinnaker2", precision="int8").resources["PEs"] >= 1  # int8 kernel fits


def test_imc_kernel_copies_trade_area_for_latency(measured):
    _, wl, _ = measured
    mux = hw.estimate(wl, "imc-rram-40nm")
    dup = hw.estimate(wl, "imc-rram-40nm", conv_copies="all")
    positions = 144
    prof = hw.load_profile("imc-rram-40nm")
    rt, ct, _ = tiles_for(prof, 144, 5)
    fc = rt * ct
    # conv: 18 kernel rows x 4 columns fits one crossbar; the 144 x 5 matrix of fc takes rt x ct
    assert tiles_for(prof, 18, 4)[:2] == (1, 1)
    assert mux.resources["crossbars"] == 1 + fc
    assert dup.resources["crossbars"] == positions + fc
    assert dup.memory_bytes - mux.memory_bytes == (positions - 1) * 72  # 72 int8 weights per copy
    xb, per = prof["crossbar"], prof["periphery"]
    t_cycle = max(xb["cycle_time"], per["columns_per_adc"] / per["adc_sample_rate"])
    assert mux.resources["step_time_s"] == pytest.approx(positions * t_cycle)  # binary spikes: 1 cycle/position
    fc_cycles = math.ceil(xb["input_bits"] / per["input_bits_per_cycle"])  # fc sees graded pooled sums
    assert dup.resources["step_time_s"] == pytest.approx(max(1, fc_cycles) * t_cycle)
    dyn = lambda e: sum(v for k, v in e.layers["conv"].items())  # noqa: E731
    assert dyn(mux) == pytest.approx(dyn(dup))  # same work, different arrangement
    half = hw.estimate(wl, "imc-rram-40nm", conv_copies=12)
    assert half.resources["crossbars"] == 12 + fc
    assert half.resources["step_time_s"] == pytest.approx(max(12, fc_cycles) * t_cycle)


def test_imc_event_driven_conv_row_drives(measured):
    _, wl, _ = measured
    est = hw.estimate(wl, "imc-rram-40nm")
    dac = [t for t in est.terms if t.layer == "conv" and t.component == "dac"][0]
    conv = wl.layers[0]
    # each input event reaches C_out = 4 outputs per position: events / 4 (input, position) row drives
    assert dac.count == pytest.approx(conv.events_per_step / 4 * conv.steps)


def test_digital_stores_the_kernel_once(measured):
    _, wl, _ = measured
    est = hw.estimate(wl, "cpu-45nm-core")
    assert est.resources["weight_bytes"] == (72 + 36 * 4 * 5) * hw.load_profile("cpu-45nm-core")["memory"][
        "bytes_per_weight"]


def test_from_rates_pool_emits_when_any_input_does():
    wl = hw.from_rates(_net(), steps=3, activity=0.1, input_activity=0.2)
    pool = {l.name: l for l in wl}["pool"]
    assert pool.activity == pytest.approx(1 - 0.9 ** 4)


def _rx_cycles(est, layer):
    (t,) = [t for t in est.terms if t.layer == layer and "packet_receive" in t.field]
    return t.count, t.field


def test_spinnaker2_routes_conv_and_pool_events_only_to_the_pes_holding_their_targets():
    # pooling (groups = channels) on 8 PEs: an input event reaches the PE holding its own channel's window, about
    # one PE, not all 8; a dense layer's events reach every PE
    net = ns.Sequential([ns.Layer(ns.Conv2d((2, 32, 32), 8, 3, padding=1, bias=False), ns.IF(8 * 32 * 32)),
                         ns.SumPool2d((8, 32, 32), 2)], names=["conv", "pool"])
    wl = hw.from_rates(net, steps=5, activity=0.1, input_activity=0.05)
    est = hw.estimate(wl, "spinnaker2", max_neurons_per_pe=256)
    pes = est.resources["neurons_per_pe"]["pool"]
    assert pes == 256 and math.ceil(8 * 16 * 16 / 256) == 8
    count, field = _rx_cycles(est, "pool")
    conv_spikes = wl.layers[0].spikes_per_step
    per_pe_event = count / (conv_spikes * 5 * 30)  # receiving PEs per event (30 cycles per received packet)
    # footprint: ceil(2/2) output row of 16 positions in a 256-neuron chunk: 1 + 15/256 PEs
    assert per_pe_event == pytest.approx(1 + 15 / 256)
    assert "receiving PEs of 8" in field
    # the conv: 1024-neuron maps cut into 4 tiles of 256 (32 PEs); an input event (groups = 1) reaches all 8
    # output channels, in each the tiles its 3-row footprint (96 positions) overlaps: 1 + 95/256
    count, field = _rx_cycles(est, "conv")
    assert est.resources["PEs"] == 32 + 8
    assert count / (wl.input_values_per_step * 5 * 30) == pytest.approx(8 * (1 + 95 / 256))
