"""Published measurements of real hardware, the estimator's prediction of each on the same workload, and their
ratio — printed by ``benchmarks/energy_validation.py``, documented in ``docs/validation.md`` and held inside their
stated bands by ``tests/hardware/test_validation.py``.

``role = "calibration"``: a profile constant was derived from this measurement, so agreement is by construction
(listed to show the arithmetic closes). ``role = "validation"``: no constant was set from it. A validation case
whose workload the source does not fully specify, or that misses a named effect, says so in ``missing`` and may
carry a wider band.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Case:
    key: str
    what: str
    measured: float
    unit: str
    source: str
    role: str  # "calibration" | "validation"
    predict: Callable[[], float]
    band: tuple[float, float] = (0.5, 2.0)  # allowed predicted/measured ratio
    missing: str = ""  # named effect(s) the estimator leaves out, or what the source leaves unspecified

    def ratio(self) -> float:
        return self.predict() / self.measured


def _chip_power(dvfs: str) -> float:
    """All 152 PEs busy (CoreMark): chip base + PEs × (sleep + active energy per cycle × f)."""
    from neurosim.hardware.profile import load_profile

    s2 = load_profile("spinnaker2")
    lvl = s2.dvfs(dvfs)
    return s2["chip"]["chip_base_power"] + s2["chip"]["pes_per_chip"] * (
        lvl["pe_sleep_power"] + lvl["energy_per_cycle"] * lvl["frequency"])


def _mac_tops_per_w(dvfs: str) -> float:
    from neurosim.hardware.profile import load_profile

    return 2.0 / load_profile("spinnaker2").dvfs(dvfs)["mac_energy"] / 1e12


def _lm(target: str, **opts):
    from neurosim.hardware.pricing import price

    return price("egru-lm-wikitext2", target, **opts)


def _lm_power(target: str, **opts) -> float:
    e = _lm(target, **opts)
    return e.energy_per_inference / e.latency


def _lm_latency_ratio(dvfs: str) -> float:
    return _lm("gpu-a100").latency / _lm("spinnaker2", pes=150, dvfs=dvfs).latency


def _imc_tops_per_w(profile: str = "imc-rram-40nm", node_nm: float | None = None, **overrides) -> float:
    """Macro TOPS/W (2 ops per MAC) of a dense 128×128 layer of uniform random codes on an RRAM profile with
    ``overrides`` of ``crossbar``/``periphery`` fields (e.g. binary weights and inputs); an overridden
    ``adc_bits`` takes the NeuroSim SAR energy of that resolution at ``node_nm`` (the profile's node)."""
    import copy

    from neurosim.hardware.imc import energy_per_mac
    from neurosim.hardware.node_scaling import sar_adc_energy
    from neurosim.hardware.profile import load_profile

    prof = copy.deepcopy(load_profile(profile))
    for key, value in overrides.items():
        section, field = key.split("__")
        prof.sections[section][field] = value
    if "periphery__adc_bits" in overrides:
        prof.sections["periphery"]["adc_energy"] = sar_adc_energy(overrides["periphery__adc_bits"], node_nm)
    return energy_per_mac(prof, 128)["macro_tops_per_w"]


_BINARY = dict(crossbar__cell_bits=1, crossbar__weight_bits=1, crossbar__input_bits=1, periphery__adc_bits=5)


def _kws_cpu_energy() -> float:
    """Blouw et al.'s keyword spotter (dense 390-256-256-29, one inference) on the real-core CPU profile, dense."""
    from neurosim.hardware.pricing import estimate
    from neurosim.hardware.workload import describe_layer, from_rates

    specs = [describe_layer("h1", 256, inputs=[("input", 390, 1.0)], spiking=False, graded=True),
             describe_layer("h2", 256, inputs=[("h1", 256, 1.0)], spiking=False, graded=True),
             describe_layer("out", 29, inputs=[("h2", 256, 1.0)], spiking=False, graded=True, update="readout")]
    wl = from_rates(specs, steps=1, activity=1.0, input_activity=1.0, input_graded=True)
    return estimate(wl, "cpu-45nm-core", execution="dense").energy_per_inference


S2_CHIP = ("Scholze, Partzsch, Höppner et al., SpiNNaker2 chip paper, IEEE OJCAS 2026, arXiv 2607.24396 "
           "(quoted by third-party SpiNNaker2 survey notes; not read in the original)")
S2_LM = ("Khan Nazeer et al., 'Language Modeling on a SpiNNaker2 Neuromorphic Chip', AICAS 2024, arXiv 2312.09084, "
         "Table II (quoted by two independent notes; not read in the PDF)")
CASES = [
    Case("s2-coremark-0.8V", "SpiNNaker 2 chip, all 152 PEs running CoreMark, 300 MHz / 0.8 V: chip power",
         1.2479, "W", S2_CHIP, "calibration",
         lambda: _chip_power("pl4")),
    Case("s2-coremark-0.5V", "SpiNNaker 2 chip, all 152 PEs running CoreMark, 150 MHz / 0.5 V: chip power",
         0.4246, "W", S2_CHIP, "calibration", lambda: _chip_power("pl1")),
    Case("s2-mac-0.5V", "SpiNNaker 2 MAC array, int8 matmul, 150 MHz / 0.5 V: efficiency", 2.77, "TOPS/W",
         S2_CHIP + ", Tab. 3", "calibration", lambda: _mac_tops_per_w("pl1")),
    Case("s2-mac-0.8V", "SpiNNaker 2 MAC array, int8 matmul, 300 MHz / 0.8 V: efficiency", 2.06, "TOPS/W",
         S2_CHIP + ", Tab. 3", "calibration", lambda: _mac_tops_per_w("pl4")),
    Case("s2-lm-power-pl1", "EGRU LM (3 x EGRU 1350/1350/750, 95 % pruned FP32 CSR, batch 1) on one SpiNNaker 2 "
         "chip, 150 PEs: average power; predicted at 150 MHz / 0.5 V", 0.39, "W", S2_LM, "validation",
         lambda: _lm_power("spinnaker2", pes=150, dvfs="pl1"),
         missing="the source does not state the DVFS level (both levels listed) nor the exact activity "
                 "sparsity (the zoo entry's 80 % is used)"),
    Case("s2-lm-power-pl4", "same, predicted at 300 MHz / 0.8 V", 0.39, "W", S2_LM, "validation",
         lambda: _lm_power("spinnaker2", pes=150, dvfs="pl4"),
         missing="DVFS level not stated by the source; activity sparsity assumed 80 %"),
    Case("a100-lm-power", "same EGRU LM on an NVIDIA A100, batch 1: average board power", 60.0, "W", S2_LM,
         "validation", lambda: _lm_power("gpu-a100"),
         missing="framework and kernel count of the paper's GPU run not stated (profile: 3 kernels per layer-step)"),
    Case("lm-latency-ratio-pl1", "EGRU LM latency per inference, A100 / SpiNNaker 2 (19.9 ms / 170.25 ms); "
         "SpiNNaker 2 at 0.5 V", 19.9 / 170.25, "ratio", S2_LM, "validation", lambda: _lm_latency_ratio("pl1"),
         missing="'inference' is not defined in the quoted table (a token or a sequence): only the ratio is "
                 "compared, which does not depend on it"),
    Case("lm-latency-ratio-pl4", "same ratio, SpiNNaker 2 at 0.8 V", 19.9 / 170.25, "ratio", S2_LM, "validation",
         lambda: _lm_latency_ratio("pl4"), missing="as above"),
    Case("rram-22nm-8b", "22 nm 4 Mb ReRAM CIM macro, 8b input / 8b weight: macro efficiency (imc-rram-22nm, "
         "dense 128x128, uniform random 8-bit inputs)", 15.6, "TOPS/W",
         "Hung et al., Nature Electronics 4, 921 (2021), DOI 10.1038/s41928-021-00676-9 (abstract)", "validation",
         lambda: _imc_tops_per_w("imc-rram-22nm"), band=(0.5, 2.0),
         missing="the macro's input statistics, rows per cycle and readout are not in the abstract (the profile: "
                 "uniform random codes, 128 rows, 8-bit SAR per 8 columns); 2 ops per MAC by convention "
                 "[unverified]"),
    Case("rram-22nm-8b-tdr", "22 nm 8 Mb ReRAM CIM macro (time-domain readout), 8b/8b/19b: macro efficiency "
         "(imc-rram-22nm)", 21.6, "TOPS/W", "JSSC 58(1):303-315 (2023), IEEE Xplore 9874915 (abstract)",
         "validation", lambda: _imc_tops_per_w("imc-rram-22nm"), band=(0.5, 2.0),
         missing="a time-domain readout (voltage-to-time converter) instead of a SAR ADC"),
    Case("rram-22nm-binary", "same 22 nm 4 Mb macro in binary mode (1b input / 1b weight): imc-rram-22nm with 1-bit "
         "cells, weights and inputs and a 5-bit SAR (NeuroSim's default resolution)", 194.4, "TOPS/W",
         "Hung et al., Nature Electronics 4, 921 (2021) (abstract)", "validation",
         lambda: _imc_tops_per_w("imc-rram-22nm", 22, **_BINARY), band=(0.5, 5.0),
         missing="per-cycle costs that do not scale with precision (wordline decoding, reference generation, "
                 "timing control) are not modelled, so low precision comes out too efficient; wider band"),
    Case("pcm-14nm-8b", "IBM HERMES 14 nm PCM, 8-bit input/output MVM, 4-phase high-precision mode: efficiency "
         "(imc-rram-22nm, the nearest node)", 2.48, "TOPS/W",
         "Le Gallo et al., Nature Electronics (2023), DOI 10.1038/s41928-023-01010-1 (abstract)", "validation",
         lambda: _imc_tops_per_w("imc-rram-22nm"), band=(1.0, 12.0),
         missing="PCM, not RRAM: a 4-phase read (four array reads per MVM), on-chip digital processing and "
                 "time-based readout counted in the chip figure; a cross-technology reference with a wide band"),
    Case("rram-40nm-binary", "40 nm 64 kb RRAM binary CIM macro: average efficiency (imc-rram-40nm with 1-bit "
         "cells, 1-bit weights, binary inputs, 5-bit SAR)", 16.2, "TOPS/W",
         "Spetalnick et al., ISSCC 2022 (quoted in a note; title has the 26.56 TOPS/W peak)", "validation",
         lambda: _imc_tops_per_w("imc-rram-40nm", 40, **_BINARY), band=(0.5, 20.0),
         missing="as rram-22nm-binary (fixed per-cycle costs), and the macro's array size, rows per cycle and ADC "
                 "are not modelled from the paper; wider band"),
    Case("kws-cpu", "Keyword spotter (dense 390-256-256-29, TensorFlow, batch 1) on a Xeon E5-2630: dynamic energy "
         "per inference", 11.47 / 1813.63, "J",
         "Blouw et al., NICE 2019, arXiv 1812.01739, Table 1 (abr/power_benchmarks)", "validation",
         _kws_cpu_energy, band=(0.001, 2.0),
         missing="TensorFlow session overhead per inference (~0.55 ms at the measured 1,814 inferences/s) and "
                 "many-core dynamic power: the profile prices compiled code on one core (20 us orchestration)"),
]


def table() -> list[dict]:
    """Every case with its prediction and ratio (what the benchmark prints and the doc lists)."""
    rows = []
    for c in CASES:
        pred = c.predict()
        rows.append({"key": c.key, "what": c.what, "measured": c.measured, "predicted": pred, "unit": c.unit,
                     "ratio": pred / c.measured, "band": c.band, "role": c.role, "source": c.source,
                     "missing": c.missing})
    return rows
