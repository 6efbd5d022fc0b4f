"""Hardware: workloads (action counts per layer), profiles (cost per action), mappers and estimates.

``estimate(model_or_workload, target, activity=...)`` is the one call most users need.
"""

from __future__ import annotations

from neurosim.hardware.digital import estimate_digital
from neurosim.hardware.estimate import Estimate, LatencyPart, Term
from neurosim.hardware.imc import energy_per_mac, estimate_imc
from neurosim.hardware.pricing import CARD_TARGETS, card_energies, estimate, price, resolve_workload
from neurosim.hardware.profile import Profile, list_profiles, load_profile
from neurosim.hardware.spinnaker2 import estimate_spinnaker2
from neurosim.hardware.workload import (LayerWorkload, Workload, describe_layer, from_activity, from_rates,
                                       from_record, readout_workload)

__all__ = ["estimate", "price", "card_energies", "resolve_workload", "CARD_TARGETS", "Estimate", "Term",
           "LatencyPart", "Profile", "load_profile", "list_profiles", "Workload", "LayerWorkload", "from_activity",
           "from_rates", "from_record", "describe_layer", "readout_workload", "estimate_spinnaker2", "estimate_imc",
           "estimate_digital", "energy_per_mac"]
