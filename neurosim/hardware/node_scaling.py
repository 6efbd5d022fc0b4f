r"""CMOS technology-node scaling of the digital and mixed-signal periphery energies of an IMC profile.

One rule, from one source, so that components quoted at different nodes (ISAAC at 32 nm, Horowitz at 45 nm,
NeuroSim at 45/32/22 nm) are put on the node of the profile they enter, and the derivation of every scaled
constant in ``hardware_profiles/imc-*.toml`` can be recomputed (``tests/hardware/test_node_scaling.py`` does).

**SAR ADC** energy per conversion, DNN+NeuroSim V1.4 (Georgia Tech, IEEE TCAS-I 2024; repository
``neurosim/DNN_NeuroSim_V1.4``, ``Inference_pytorch/NeuroSIM/SarADC.cpp``), low-power devices, column current
excluded:

.. math:: E_\mathrm{SAR}(b, n) = (a_n\,b + c_n)\ \mu\mathrm{W} \times (b + 1) \times 1\ \mathrm{ns}

with the published coefficients :data:`SAR_LP` per node :math:`n`.

**Scaling factor** between nodes: the ratio of the 8-bit SAR energy at the two nodes,
:math:`s(n_1 \to n_2) = E_\mathrm{SAR}(8, n_2) / E_\mathrm{SAR}(8, n_1)`, interpolated log-log between the
tabulated nodes (e.g. 40 nm between 45 and 32 nm). It is the CV² scaling of NeuroSim's own device models for a
mixed-signal block; NeuroSim's current-sense amplifier coefficients give the same ratio within 4 % (45 → 22 nm:
0.245 vs 0.255). Resistive cells do not scale with it: their read energy is set by read voltage, conductance and
pulse width, which NeuroSim keeps near 0.5 V at 45-22 nm.
"""

from __future__ import annotations

import math

from neurosim import validate
from neurosim.errors import ValidationError

# (a, c) in µW of P = a*b + c for a b-bit SAR ADC, LP devices (NeuroSim V1.4, SarADC.cpp).
SAR_LP = {45: (2.1691, 16.693), 32: (1.1294, 8.8998), 22: (0.538, 4.3753), 14: (0.3132, 2.5681), 7: (0.1061, 0.8847)}
_CONVERSION_TIME_PER_BIT = 1e-9  # s: NeuroSim's SAR takes b + 1 cycles of 1 ns


def _sar_tabulated(bits: float, node: int) -> float:
    a, c = SAR_LP[node]
    return (a * bits + c) * 1e-6 * (bits + 1) * _CONVERSION_TIME_PER_BIT


def sar_adc_energy(bits: float, node_nm: float) -> float:
    """Energy (J) of one ``bits``-bit SAR conversion at ``node_nm`` (log-log between NeuroSim's nodes)."""
    bits = float(validate.positive("bits", bits))
    node_nm = float(validate.positive("node_nm", node_nm))
    nodes = sorted(SAR_LP)
    if not nodes[0] <= node_nm <= nodes[-1]:
        raise ValidationError(f"node_nm: {node_nm:g} nm is outside the {nodes[0]}-{nodes[-1]} nm range "
                                       "NeuroSim's SAR coefficients cover")
    if node_nm in SAR_LP:
        return _sar_tabulated(bits, int(node_nm))
    hi = min(n for n in nodes if n > node_nm)
    lo = max(n for n in nodes if n < node_nm)
    e_lo, e_hi = _sar_tabulated(bits, lo), _sar_tabulated(bits, hi)
    t = math.log(node_nm / lo) / math.log(hi / lo)
    return math.exp(math.log(e_lo) + t * (math.log(e_hi) - math.log(e_lo)))


def sar_conversion_time(bits: float) -> float:
    """Seconds per conversion of NeuroSim's SAR model ((b + 1) x 1 ns)."""
    return (float(validate.positive("bits", bits)) + 1) * _CONVERSION_TIME_PER_BIT


def cmos_energy_scale(from_nm: float, to_nm: float) -> float:
    """Factor that takes a CMOS periphery energy quoted at ``from_nm`` to ``to_nm`` (see module docstring)."""
    return sar_adc_energy(8, to_nm) / sar_adc_energy(8, from_nm)
