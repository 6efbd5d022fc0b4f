"""Reproduce the numbers on every model-zoo card: re-evaluate trained entries on their full test set and re-run
their energy estimates; price description entries. Prints card vs reproduced values.

Run:  python benchmarks/zoo_cards.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main():
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import neurosim.hardware as hw
    from neurosim.zoo import _read, list_models, load, load_description
    from train_zoo import evaluate, prepare

    ok = True
    for name in list_models():
        config, _ = _read(name)
        if config.get("kind") == "trained":
            zm = load(name)
            _, _, xte, yte = prepare(zm.config)
            ev = evaluate(zm.model, zm.params, zm.config, xte, yte)
            card = zm.results
            sp = ev["activity"].layers["layer0"].sparsity
            same = abs(ev["accuracy"] - card["test_accuracy"]) < 1e-3 and abs(sp - card["activity_sparsity"]) < 1e-3
            ok &= same
            print(f"{name}: accuracy card {card['test_accuracy']:.4f} / reproduced {ev['accuracy']:.4f}; sparsity "
                  f"card {card['activity_sparsity']:.4f} / reproduced {sp:.4f} -> {'OK' if same else 'MISMATCH'}")
            wl = hw.from_activity(zm.model, ev["activity"])
            for tgt, uj in card["energy_uJ_per_inference"].items():
                got = hw.estimate(wl, tgt).energy_per_inference * 1e6
                match = abs(got - uj) <= 1e-3 * abs(uj) + 1e-3
                ok &= match
                print(f"    {tgt:18s} card {uj:10.3f} uJ / reproduced {got:10.3f} uJ -> {'OK' if match else 'MISMATCH'}")
        else:
            d = load_description(name)
            est = hw.estimate(d.workload(), "spinnaker2")
            print(f"{name} (description): SpiNNaker 2 {est.energy_per_inference * 1e6:.1f} uJ per inference, "
                  f"{est.resources['PEs']} PEs")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
