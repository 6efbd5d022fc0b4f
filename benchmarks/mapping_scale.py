"""Mapping scale: a 10^6-neuron, 10^9-synapse network described by layer specs (no weight matrices are ever
built) placed and priced on SpiNNaker 2 boards. Prints the wall time, PEs, chips, boards and the estimate.

Network: 4 populations of 250,000 LIF neurons; each receives 1,000 synapses per neuron from the previous one
(recurrent ring, fixed in-degree), i.e. 10^9 synapses, activity 2 % per 1 ms step, 1,000 steps.

Run:  python benchmarks/mapping_scale.py
"""

from __future__ import annotations

import os
import sys
import time


def main():
    import neurosim.hardware as hw

    t0 = time.perf_counter()
    n, fan_in = 250_000, 1_000
    names = [f"pop{i}" for i in range(4)]
    specs = [hw.describe_layer(name, n, inputs=[(names[i - 1], n, fan_in / n)]) for i, name in enumerate(names)]
    wl = hw.from_rates(specs, steps=1000, activity=0.02)
    synapses = sum(s.synapses for s in specs)
    # 250,000 presynaptic rows cannot be indexed inside a 96 kB PE: synaptic matrices live in DRAM, as in sPyNNaker
    est = hw.estimate(wl, "spinnaker2", precision="int8", max_neurons_per_pe=1000, allow_dram=True)
    wall = time.perf_counter() - t0
    r = est.resources
    print(f"{sum(s.n_neurons for s in specs):,} neurons, {synapses:,} synapses: mapped in {wall:.3f} s")
    print(f"  {r['PEs']:,} PEs on {r['chips']:,} chips / {r['boards']} boards of 48; binding limit "
          f"{sorted(set(r['binding_limit'].values()))}; {r['neurons_per_pe']['pop0']} neurons per PE")
    print(f"  energy per 1 s of activity: {est.energy_per_inference:.3g} J; step time {r['step_time_s'] * 1e6:.1f} us")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
