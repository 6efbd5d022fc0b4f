"""Named device presets: each a :class:`~neurosim.devices.model.DeviceModel` with its sources.

==========================  ================================================================================
name                        what
==========================  ================================================================================
``"pcm-aihwkit"``           aihwkit ``PCMLikeNoiseModel`` (Nandakumar et al., ICECS 2019): g ∈ [0, 25] µS,
                            programming σ(x) polynomial, power-law drift (t0 = 20 s), 1/f read noise.
``"rram-wan2022"``          aihwkit ``ReRamWan2022NoiseModel`` (Wan et al., Nature 2022): g ∈ [0, 40] µS,
                            σ(x, t) polynomials at 1 s / 1 day / 2 days, 1 % additive read noise per cell.
``"rram-cmo"``              aihwkit ``ReRamCMONoiseModel`` (IBM Zurich CMO/HfOx): g ∈ [9.0, 88.2] µS, linear
                            σ(g) (2 % acceptance), log-time relaxation, log-conductance read noise, clipped
                            to the range.
``"rram-forming-random"``   ESGNN-style random electroforming (Wang et al., NMI 2023; the resistive-memory
                            LSM of Lin et al. 2025): breakdown V ~ N(3.43, 0.11) V formed at 3.43 V (50 %),
                            formed G ~ N(14.2473, 2.4624) µS, pristine 0.1 µS, 1 % multiplicative read noise.
==========================  ================================================================================

All presets have no faults, analog levels and an ideal crossbar; change any field with
``get_preset(name, faults=Faults(p_stuck_on=0.01), ...)`` or ``model.replace(...)``.
"""

from __future__ import annotations

from neurosim.devices.drift import CMORelaxation, PCMDrift, WanRetention
from neurosim.devices.forming import Forming
from neurosim.devices.model import DeviceModel
from neurosim.devices.programming import cmo_programming, pcm_programming, wan2022_programming
from neurosim.devices.read_noise import CMOReadNoise, PCMReadNoise, SimpleReadNoise
from neurosim.errors import ValidationError

# aihwkit SinglePairConductanceConverter default g_max; PCMLikeNoiseModel fit reference (Nandakumar, ICECS 2019).
PCM_G_MAX = 25.0  # µS
# aihwkit ReRamWan2022NoiseModel reference g_max (Wan et al., Nature 2022).
WAN_G_MAX = 40.0  # µS
# aihwkit ReRamCMONoiseModel default conductance range (single device): IBM aihwkit, src/aihwkit/inference/noise/reram.py.
CMO_G_MIN, CMO_G_MAX = 9.0, 88.2  # µS
# ESGNN source data: nonzero conductances range 7.6–18.8 (µS presumed) [calc from wangsc1912/ESGNN data/experimental_data; unverified unit];
# used as g_max (stuck-at-ON value, level range) of the forming preset.
FORMING_G_MAX = 18.8  # µS
# Read noise: aihwkit ReRAM docstrings suggest ~1 % short-term read noise (w_noise = 0.01); 1–2 % multiplicative
# is our assumption for formed arrays (unverified for the LSM macro).
RRAM_READ_NOISE = 0.01


def _pcm() -> DeviceModel:
    return DeviceModel(
        name="pcm-aihwkit", g_min=0.0, g_max=PCM_G_MAX, programming=pcm_programming(), drift=PCMDrift(t0=20.0),
        read_noise=PCMReadNoise(t_read=250e-9, t0=20.0),
        source="IBM aihwkit PCMLikeNoiseModel (src/aihwkit/inference/noise/pcm.py); Nandakumar et al., ICECS 2019")


def _wan() -> DeviceModel:
    return DeviceModel(
        name="rram-wan2022", g_min=0.0, g_max=WAN_G_MAX, programming=wan2022_programming(), drift=WanRetention(),
        read_noise=SimpleReadNoise(RRAM_READ_NOISE, "additive"),
        source="Wan et al., Nature 2022 (NeuRRAM) via IBM aihwkit ReRamWan2022NoiseModel; read noise 1 % per "
               "aihwkit docstring suggestion")


def _cmo() -> DeviceModel:
    return DeviceModel(
        name="rram-cmo", g_min=CMO_G_MIN, g_max=CMO_G_MAX, programming=cmo_programming(0.02), drift=CMORelaxation(),
        read_noise=CMOReadNoise(), clip_to_range=True,
        source="IBM aihwkit ReRamCMONoiseModel (IBM Research Zurich CMO/HfOx; Falcone et al., in review)")


def _forming() -> DeviceModel:
    return DeviceModel(
        name="rram-forming-random", g_min=Forming().g_unformed, g_max=FORMING_G_MAX, forming=Forming(),
        read_noise=SimpleReadNoise(RRAM_READ_NOISE, "multiplicative"),
        source="ESGNN source data and simulation backend (Wang et al., Nat. Mach. Intell. 2023, "
               "github wangsc1912/ESGNN); read noise 1 % (proposal, unverified)")


_PRESETS = {"pcm-aihwkit": _pcm, "rram-wan2022": _wan, "rram-cmo": _cmo, "rram-forming-random": _forming}


def list_presets() -> tuple[str, ...]:
    """Names accepted by :func:`get_preset`."""
    return tuple(_PRESETS)


def get_preset(name: str, **overrides) -> DeviceModel:
    """The named :class:`DeviceModel`, with optional field ``overrides`` (validated)."""
    if name not in _PRESETS:
        raise ValidationError(f"preset: unknown device preset {name!r}; valid names: {', '.join(_PRESETS)}")
    model = _PRESETS[name]()
    return model.replace(**overrides) if overrides else model


__all__ = ["get_preset", "list_presets"]
