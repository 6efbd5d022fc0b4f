"""Bit-serial IMC inputs pulse a row only for a set bit: DAC and cell terms scale exactly with input_bit_density,
spikes are unaffected, the option is validated and reachable from the CLI."""

import contextlib
import io

import pytest

import neurosim.hardware as hw
from neurosim.cli import main
from neurosim.errors import ValidationError
from neurosim.hardware.imc import energy_per_mac
from neurosim.hardware.workload import describe_layer, from_rates


def _graded():
    spec = describe_layer("h", 128, inputs=[("input", 128, 1.0)], spiking=False, graded=True)
    return from_rates([spec], steps=1, activity=1.0, input_activity=1.0, input_graded=True)


def _spiking():
    spec = describe_layer("h", 128, inputs=[("input", 128, 1.0)])
    return from_rates([spec], steps=10, activity=0.1, input_activity=0.1)


def _component(est, name):
    return sum(t.energy for t in est.terms if t.component == name)


@pytest.mark.parametrize("target", ["imc-rram-40nm", "imc-rram-22nm"])
def test_dac_and_cells_scale_with_bit_density_adc_does_not(target):
    full = hw.estimate(_graded(), target, input_bit_density=1.0)
    quarter = hw.estimate(_graded(), target, input_bit_density=0.25)
    assert _component(quarter, "dac") == pytest.approx(0.25 * _component(full, "dac"), rel=1e-12)
    assert _component(quarter, "crossbar") == pytest.approx(0.25 * _component(full, "crossbar"), rel=1e-12)
    assert _component(quarter, "adc") == pytest.approx(_component(full, "adc"), rel=1e-12)  # 128 rows: ~1
    default = hw.estimate(_graded(), target)
    assert _component(default, "dac") == pytest.approx(0.5 * _component(full, "dac"), rel=1e-12)
    assert any("0.5 of bit-serial input cycles" in n for n in default.notes)


def test_spikes_are_one_pulse_whatever_the_bit_density():
    a = hw.estimate(_spiking(), "imc-rram-40nm", input_bit_density=1.0)
    b = hw.estimate(_spiking(), "imc-rram-40nm", input_bit_density=0.1)
    assert a.energy_per_inference == b.energy_per_inference


def test_all_zero_bits_leave_only_the_adc_of_nothing():
    est = hw.estimate(_graded(), "imc-rram-40nm", input_bit_density=0.0)
    assert _component(est, "dac") == 0 and _component(est, "crossbar") == 0 and _component(est, "adc") == 0


def test_bad_density_is_refused_and_cli_takes_the_flag():
    with pytest.raises(ValidationError, match="input_bit_density"):
        hw.estimate(_graded(), "imc-rram-40nm", input_bit_density=1.5)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["energy", "egru-lm-wikitext2", "--target", "imc-rram-22nm", "--input-bit-density", "0.25",
                     "--json"]) == 0
    api = hw.price("egru-lm-wikitext2", "imc-rram-22nm", input_bit_density=0.25)
    import json

    assert json.loads(out.getvalue())["energy_per_inference_J"] == pytest.approx(api.energy_per_inference)
    with pytest.raises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
        main(["energy", "egru-lm-wikitext2", "--target", "imc-rram-22nm", "--input-bit-density", "2"])
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["energy", "egru-lm-wikitext2", "--target", "spinnaker2", "--input-bit-density", "0.5"]) != 0


def test_figure_of_merit_tracks_bit_density():
    from neurosim.hardware.profile import load_profile

    p = load_profile("imc-rram-22nm")
    assert energy_per_mac(p, input_bit_density=1.0)["macro_tops_per_w"] < energy_per_mac(p)["macro_tops_per_w"]
