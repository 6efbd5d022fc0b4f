"""Workload extraction and mapping: hand counts on small layers, fit errors, multi-chip mapping, IMC figures."""

import math

import jax
import numpy as np
import pytest

import neurosim as ns
import neurosim.hardware as hw
from neurosim.errors import MappingError
from neurosim.hardware.imc import energy_per_mac, tiles_for
from neurosim.hardware.spinnaker2 import place_layer


@pytest.fixture(scope="module")
def s2():
    return hw.load_profile("spinnaker2")


def test_workload_from_measured_activity_matches_hand_count():
    net = ns.Sequential([ns.Layer(ns.Dense(6, 4), ns.LIF(4, beta=0.9, v_th=0.5)),
                         ns.Layer(ns.Dense(4, 2), ns.LI(2, beta=0.5))])
    x = np.zeros((10, 1, 6), np.float32)
    x[::2, 0, :3] = 1.0  # 5 steps with 3 active inputs
    res = ns.simulate(net, x, record=("spike",))
    wl = hw.from_activity(net, res.activity)
    l0, l1 = wl.layers
    assert l0.events_per_step == pytest.approx(5 * 3 * 4 / 10)  # nonzero inputs x fan-out 4, per step
    spikes = res.records["layer0.spike"]
    assert l0.spikes_per_step == pytest.approx(spikes.sum() / 10)
    assert l1.events_per_step == pytest.approx(spikes.sum() * 2 / 10)
    assert l0.spec.synapses == 24 and l1.spec.dense_synapses == 8


def test_workload_from_rates_hand_count():
    specs = [hw.describe_layer("a", 100, inputs=[("input", 50, 0.2)]),
             hw.describe_layer("b", 10, inputs=[("a", 100, 1.0), ("b", 10, 0.5)])]
    wl = hw.from_rates(specs, steps=20, activity={"a": 0.1, "b": 0.3}, input_activity=0.5)
    assert wl.layers[0].events_per_step == pytest.approx(0.5 * 0.2 * 50 * 100)
    assert wl.layers[1].events_per_step == pytest.approx(0.1 * 100 * 10 + 0.3 * 50)
    assert wl.layers[1].spikes_per_step == pytest.approx(3.0)


def test_spinnaker2_placement_hand_count(s2):
    # 200 neurons, dense 100 -> 200 FP32: per neuron 100 x 4 B + 1 state x 4 B = 404 B;
    # budget 98,304 - 8,192 = 90,112 B -> 223 neurons fit, so 1 PE holds all 200.
    spec = hw.describe_layer("l", 200, inputs=[("input", 100, 1.0)])
    wl = hw.from_rates([spec], steps=1, activity=0.1)
    pl = place_layer(s2, wl.layers[0], precision="fp32", max_neurons_per_pe=1000, allow_dram=False, first_pe=0)
    assert (pl["neurons_per_pe"], pl["pes"], pl["bytes_per_pe"]) == (200, 1, 200 * 404)
    spec2 = hw.describe_layer("l", 1000, inputs=[("input", 100, 1.0)])
    pl2 = place_layer(s2, hw.from_rates([spec2], steps=1, activity=0.1).layers[0], precision="fp32",
                      max_neurons_per_pe=1000, allow_dram=False, first_pe=0)
    assert pl2["neurons_per_pe"] == 90112 // 404 and pl2["pes"] == math.ceil(1000 / (90112 // 404))


def test_memory_fit_error_names_pe_limit_and_overflow(s2):
    spec = hw.describe_layer("huge", 10, inputs=[("input", 30000, 1.0)])  # 30,000 FP32 synapses per neuron
    wl = hw.from_rates([spec], steps=1, activity=0.1)
    with pytest.raises(MappingError) as exc:
        hw.estimate(wl, s2)
    msg = str(exc.value)
    need = 30000 * 4 + 4
    assert "PE 0 (layer 'huge')" in msg and "limit 90,112 B" in msg and f"overflow {need - 90112:,} B" in msg
    est = hw.estimate(wl, s2, allow_dram=True)  # spilling to DRAM maps it and says so
    assert est.resources["dram_weight_bytes"] == 10 * 30000 * 4 and est.components["dram"] > 0


def test_network_larger_than_a_chip_spans_chips_and_max_chips_errors(s2):
    specs = [hw.describe_layer("big", 400_000, inputs=[("input", 1000, 0.01)])]
    wl = hw.from_rates(specs, steps=10, activity=0.05)
    est = hw.estimate(wl, s2)
    assert est.resources["chips"] > 1 and any("spans" in n for n in est.notes)
    with pytest.raises(MappingError, match=r"limit 1 chip\(s\): over by"):
        hw.estimate(wl, s2, max_chips=1)


def test_spinnaker2_energy_scales_with_activity(s2):
    specs = [hw.describe_layer("h", 500, inputs=[("input", 200, 0.1), ("h", 500, 0.1)])]
    lo = hw.estimate(hw.from_rates(specs, steps=100, activity=0.02), s2)
    hi = hw.estimate(hw.from_rates(specs, steps=100, activity=0.2), s2)
    assert hi.components["arm_cores"] > lo.components["arm_cores"] and hi.components["noc"] > lo.components["noc"]
    slow = hw.estimate(hw.from_rates(specs, steps=100, activity=0.2), s2, dvfs="pl1")
    assert slow.latency > hi.latency  # lower clock


def test_imc_tiling_and_energy_per_mac():
    imc = hw.load_profile("imc-rram-40nm")
    assert tiles_for(imc, 128, 128) == (1, 8, 16)  # 8-bit weights / 2-bit cells x 2 (differential) = 8 columns
    e = energy_per_mac(imc, 128)
    assert set(e["components_J"]) == {"dac", "crossbar", "adc", "shift_add", "digital", "buffers"}
    # hand count of the ADC share: 8 column tiles x 128 columns x 8 input bits conversions over 128x128 MACs
    assert e["components_J"]["adc"] == pytest.approx(8 * 128 * 8 * 0.306e-12 / 128 ** 2)
    # cell reads: 8 input bits x 8 columns per output (differential pair of four 2-bit slices) x 1.8 fJ per cell-bit
    assert e["components_J"]["crossbar"] == pytest.approx(8 * 8 * 1.8e-15)
    macro = sum(e["components_J"][k] for k in ("dac", "crossbar", "adc", "shift_add"))
    assert e["macro_energy_per_mac_J"] == pytest.approx(macro) and e["energy_per_mac_J"] > macro
    assert e["macro_tops_per_w"] == pytest.approx(2e-12 / macro)


def test_event_driven_reservoir_on_imc_costs_less_in_proportion_to_activity():
    imc = hw.load_profile("imc-rram-40nm")
    net = ns.Network(dt=1.0)
    net.add_input("in", 64)
    net.add("res", ns.LIF(256, beta=0.9, v_th=1.0))
    net.connect("in", "res", ns.EventCSR(64, 256, p=0.2, weight=0.8, seed=0))
    net.connect("res", "res", ns.EventCSR(256, 256, p=0.05, weight=0.2, seed=1))
    rates = []
    for rate in (0.02, 0.08):
        x = (np.random.default_rng(0).random((100, 64)) < rate).astype(np.float32)
        res = ns.simulate(net, x, record=())
        wl = hw.from_activity(net, res.activity)
        ev, dense = hw.estimate(wl, imc, event_driven=True), hw.estimate(wl, imc, event_driven=False)
        assert ev.energy_per_inference < dense.energy_per_inference
        rates.append((wl.layers[0].input_density, ev.components["dac"] / dense.components["dac"]))
    for density, dac_ratio in rates:
        assert dac_ratio == pytest.approx(density, rel=1e-6)  # row drives scale exactly with input activity
    assert rates[1][1] > rates[0][1]


def test_digital_targets_give_ratios():
    specs = [hw.describe_layer("h", 256, inputs=[("input", 700, 1.0)])]
    wl = hw.from_rates(specs, steps=100, activity=0.05, input_activity=0.03)
    cpu, gpu = hw.estimate(wl, "cpu-45nm-horowitz"), hw.estimate(wl, "gpu-a100", execution="dense")
    assert cpu.energy_per_inference > 0 and gpu.energy_per_inference > 0
    assert gpu.components["static"] > 0


def test_batch_amortises_weight_reads_on_digital_targets():
    specs = [hw.describe_layer("h", 512, inputs=[("input", 512, 1.0)])]
    wl = hw.from_rates(specs, steps=50, activity=0.1, input_activity=1.0)
    one = hw.estimate(wl, "gpu-a100", execution="dense", batch=1)
    many = hw.estimate(wl, "gpu-a100", execution="dense", batch=64)
    assert many.kernel_components["memory"] == pytest.approx(one.kernel_components["memory"] / 64)
    assert many.throughput > one.throughput
    assert many.components["compute"] == pytest.approx(one.components["compute"])


def test_estimate_plot_and_json(tmp_path):
    import json

    import matplotlib

    matplotlib.use("Agg")
    specs = [hw.describe_layer("h", 64, inputs=[("input", 32, 0.5)])]
    est = hw.estimate(hw.from_rates(specs, steps=10, activity=0.1), "spinnaker2")
    ax = est.plot()
    ax.figure.savefig(tmp_path / "e.png")
    assert (tmp_path / "e.png").stat().st_size > 5000
    assert json.loads(est.to_json())["resources"]["PEs"] == 1


def test_readout_once_per_inference_adds_its_macs_on_every_target():
    spec = hw.describe_layer("res", 200, inputs=[("input", 64, 0.3), ("res", 200, 0.1)])
    wl = hw.from_rates([spec], steps=80, activity=0.05, input_activity=0.1)
    full = wl.with_layers(hw.readout_workload(200, 10))
    assert [l.name for l in full] == ["res", "readout"] and full.steps == 80
    ro = full.layers[1]
    assert ro.steps == 1 and ro.events_per_step == 2000 and ro.input_density == 1.0
    for tgt in ("spinnaker2", "imc-rram-40nm", "cpu-45nm-horowitz"):
        a, b = hw.estimate(wl, tgt), hw.estimate(full, tgt)
        assert b.layers["readout"] and sum(b.layers["readout"].values()) > 0, tgt
        assert b.kernel_energy > a.kernel_energy, tgt
    # a once-per-inference layer does not slow every step: the per-step time is unchanged, the total grows a little
    for tgt in ("spinnaker2", "imc-rram-40nm"):
        a, b = hw.estimate(wl, tgt), hw.estimate(full, tgt)
        assert b.resources["step_time_s"] == a.resources["step_time_s"], tgt
        assert a.kernel_latency < b.kernel_latency < 1.5 * a.kernel_latency, tgt
    # on the CPU profile the readout costs its 2,000 MACs once (not 80 times)
    cpu = hw.estimate(full, "cpu-45nm-horowitz").layers["readout"]["compute"]
    prof = hw.load_profile("cpu-45nm-horowitz")
    assert cpu < 2000 * 10 * max(v for k, v in prof["compute"].items() if "energy" in k)
    with pytest.raises(ns.ValidationError, match="already exists"):
        full.with_layers(hw.readout_workload(200, 10))


def test_physical_crossbar_layer_prices_like_a_dense_imc_layer():
    from neurosim.physical import CrossbarLayer

    layer = CrossbarLayer(128, 128, seed=0)
    wl = hw.from_rates(layer, steps=1, activity=1.0, input_activity=1.0)
    assert wl.layers[0].events_per_step == 128 * 128
    est = hw.estimate(wl, "imc-rram-40nm", event_driven=False)
    per_mac = hw.energy_per_mac(hw.load_profile("imc-rram-40nm"), 128)["energy_per_mac_J"]
    layer_energy = sum(sum(parts.values()) for parts in est.layers.values())
    assert layer_energy / (128 * 128) == pytest.approx(per_mac, rel=1e-9)
