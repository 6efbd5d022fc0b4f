"""Hardware: workloads (action counts per layer), profiles (cost per action), mappers and estimates.

``estimate(model_or_workload, target, activity=...)`` is the one call most users need.
"""

from __future__ import annotations

from neurosim.hardware.digital import estimate_digital
from neurosim.hardware.estimate import Estimate
from neurosim.hardware.imc import energy_per_mac, estimate_imc
from neurosim.hardware.profile import Profile, list_profiles, load_profile
from neurosim.hardware.spinnaker2 import estimate_spinnaker2
from neurosim.hardware.workload import (LayerWorkload, Workload, describe_layer, from_activity, from_rates,
                                       readout_workload)

_MAPPERS = {"spinnaker2": estimate_spinnaker2, "imc": estimate_imc, "digital": estimate_digital}


def estimate(workload: Workload, target: str | Profile = "spinnaker2", **options) -> Estimate:
    """Price a :class:`Workload` on a target profile (name, path or :class:`Profile`); options go to the mapper."""
    profile = target if isinstance(target, Profile) else load_profile(target)
    return _MAPPERS[profile.kind](workload, profile, **options)


__all__ = ["estimate", "Estimate", "Profile", "load_profile", "list_profiles", "Workload", "LayerWorkload",
           "from_activity", "from_rates", "describe_layer", "readout_workload", "estimate_spinnaker2", "estimate_imc",
           "estimate_digital", "energy_per_mac"]
