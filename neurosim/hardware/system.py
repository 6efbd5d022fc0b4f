r"""What a deployed system adds around the kernel — the one owner of the "as deployed" accounting, shared by every
mapper (profile section ``[system]``).

Per batch of ``b`` inferences:

* **host link**: ``transactions_per_inference`` transfers, each paying ``host_link_latency``, carrying the
  workload's external input (spike events 4 B each, graded values 4 B each, 8 B when sparse) and its outputs
  (last layer, FP32, once per inference): :math:`t_\mathrm{link} = n_\mathrm{tx}\,t_\mathrm{tx}
  + b\,(B_\mathrm{in}+B_\mathrm{out}) / \mathrm{BW}`; energy ``host_link_energy_per_byte`` per byte;
* **orchestration**: ``orchestration_time`` per batch (starting the run and collecting results on the host side);
* **idle power** over those parts: the chip's static power plus ``idle_active_fraction`` × its average active
  power during the kernel (0 = it sleeps while it waits, 1 = it busy-waits).

The kernel-bound figure already charges static power over the whole kernel latency (compute, pipeline fill, NoC,
memory); the as-deployed figure adds these terms, so it is always ≥ the kernel-bound one.
"""

from __future__ import annotations

from neurosim.hardware.estimate import KERNEL, SYSTEM, LatencyPart, Term
from neurosim.hardware.profile import Profile
from neurosim.hardware.workload import Workload


def static_term(profile: Profile, seconds_per_inference: float, power: float, field: str, source: str) -> Term:
    """Static power charged over the kernel latency (per inference)."""
    return Term("system", "static", seconds_per_inference, power, field, source, KERNEL, "s")


def deployed_parts(profile: Profile, workload: Workload, *, static_power: float, static_field: str,
                   kernel_terms: list[Term], kernel_seconds: float, batch: int = 1
                   ) -> tuple[list[Term], list[LatencyPart]]:
    """Host-link and orchestration latency (per batch) and their energy terms (per inference)."""
    sysc = profile["system"]
    in_b, out_b = workload.input_bytes_per_inference(), workload.output_bytes_per_inference()
    n_tx = sysc["transactions_per_inference"]
    t_link = n_tx * sysc["host_link_latency"] + batch * (in_b + out_b) / sysc["host_link_bandwidth"]
    t_orch = sysc["orchestration_time"]
    dynamic = sum(t.energy for t in kernel_terms if t.scope == KERNEL and t.component != "static")
    busy_power = dynamic * batch / kernel_seconds if kernel_seconds > 0 else 0.0
    idle_power = static_power + sysc["idle_active_fraction"] * busy_power
    src = profile.source
    parts = [LatencyPart("host_link", t_link,
                         f"{n_tx:g} transaction(s) x system.host_link_latency + {in_b + out_b:,.0f} B per inference "
                         f"/ system.host_link_bandwidth", SYSTEM),
             LatencyPart("orchestration", t_orch, "system.orchestration_time", SYSTEM)]
    terms = [Term("system", "host_link", in_b + out_b, sysc["host_link_energy_per_byte"],
                  "system.host_link_energy_per_byte", src("system.host_link_energy_per_byte"), SYSTEM, "B"),
             Term("system", "idle", (t_link + t_orch) / batch, idle_power,
                  f"{static_field} + system.idle_active_fraction ({sysc['idle_active_fraction']:g}) x active power",
                  src("system.idle_active_fraction"), SYSTEM, "s")]
    return terms, parts
