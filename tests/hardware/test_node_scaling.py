"""The CMOS node-scaling rule and every IMC profile constant derived with it: recomputed here from the base figures
the sources quote, so a profile value cannot drift from its stated derivation."""

import pytest

from neurosim.errors import ValidationError
from neurosim.hardware.node_scaling import cmos_energy_scale, sar_adc_energy, sar_conversion_time
from neurosim.hardware.profile import load_profile

# Base figures as the sources quote them (value, node in nm).
ISAAC_DAC, ISAAC_SHIFT_ADD, ISAAC_EDRAM_BYTE = (0.417e-12, 32), (0.021e-12, 32), (20.45e-12 / 32, 32)
HOROWITZ_ADD, NEURON_UPDATE = (0.1e-12, 45), (1.0e-12, 45)
ISAAC_CELL_POWER = 30e-12 / 100e-9 / (128 * 128)  # ~0.3 mW per 128x128 array over a 100 ns cycle


def test_sar_energy_is_neurosims_formula_at_its_nodes():
    # NeuroSim V1.4 SarADC.cpp, LP: (a*b + c) uW x (b+1) ns; the values the reference sheet tabulates
    assert sar_adc_energy(8, 45) == pytest.approx(306.4e-15, rel=1e-3)
    assert sar_adc_energy(5, 45) == pytest.approx(165.2e-15, rel=1e-3)
    assert sar_adc_energy(8, 32) == pytest.approx(161.4e-15, rel=1e-3)
    assert sar_adc_energy(8, 22) == pytest.approx(78.1e-15, rel=1e-3)
    assert sar_adc_energy(4, 22) == pytest.approx(33.0e-15, rel=1e-2)
    assert sar_conversion_time(8) == pytest.approx(9e-9)


def test_scale_is_monotone_consistent_and_refuses_unknown_nodes():
    assert cmos_energy_scale(32, 32) == 1.0
    assert cmos_energy_scale(45, 22) == pytest.approx(cmos_energy_scale(45, 32) * cmos_energy_scale(32, 22))
    assert sar_adc_energy(8, 45) > sar_adc_energy(8, 40) > sar_adc_energy(8, 32)
    with pytest.raises(ValidationError, match="outside"):
        sar_adc_energy(8, 90)
    with pytest.raises(ValidationError):
        sar_adc_energy(-1, 22)


@pytest.mark.parametrize("name, node", [("imc-rram-40nm", 40), ("imc-rram-22nm", 22)])
def test_profile_constants_follow_their_stated_derivation(name, node):
    p = load_profile(name)
    per, xb = p["periphery"], p["crossbar"]

    def scaled(base):
        value, at = base
        return value * cmos_energy_scale(at, node)

    assert per["dac_energy_per_row"] == pytest.approx(scaled(ISAAC_DAC), rel=2e-3)
    assert per["shift_add_energy"] == pytest.approx(scaled(ISAAC_SHIFT_ADD), rel=2e-3)
    assert per["buffer_energy_per_byte"] == pytest.approx(scaled(ISAAC_EDRAM_BYTE), rel=2e-3)
    assert per["digital_add_energy"] == pytest.approx(scaled(HOROWITZ_ADD), rel=2e-3)
    assert per["digital_neuron_update_energy"] == pytest.approx(scaled(NEURON_UPDATE), rel=2e-3)
    assert per["adc_energy"] == pytest.approx(sar_adc_energy(per["adc_bits"], node), rel=2e-3)
    assert xb["cell_read_energy"] == pytest.approx(
        ISAAC_CELL_POWER * xb["cycle_time"] * (1.0 if node > 30 else (0.55 / 0.51) ** 2), rel=1e-2)
    assert p.defaults["input_bit_density"].value == 0.5
