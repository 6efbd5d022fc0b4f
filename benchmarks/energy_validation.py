"""Published measurements of real hardware vs the estimator's prediction on the same workload: the table of
docs/validation.md (cases in neurosim/hardware/validation.py; calibration cases set a constant, validation cases
did not). Run:  python benchmarks/energy_validation.py [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="also write the table as JSON (atomically)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    from neurosim.hardware.validation import table
    from neurosim.io.atomic import write_text

    rows = table()
    print(f"{'case':22s} {'role':11s} {'measured':>11} {'predicted':>11} {'unit':7s} {'ratio':>7}  band")
    inside = 0
    for r in rows:
        ok = r["band"][0] <= r["ratio"] <= r["band"][1]
        inside += ok
        print(f"{r['key']:22s} {r['role']:11s} {r['measured']:11.4g} {r['predicted']:11.4g} {r['unit']:7s} "
              f"{r['ratio']:7.3f}  {r['band'][0]:g}-{r['band'][1]:g}{'' if ok else '  OUTSIDE'}")
    val = [r for r in rows if r["role"] == "validation"]
    within2 = sum(0.5 <= r["ratio"] <= 2.0 for r in val)
    print(f"{len(rows)} cases ({len(rows) - len(val)} calibration, {len(val)} validation); {within2} of {len(val)} "
          f"validation ratios within 2x; {inside} of {len(rows)} inside their stated band")
    if args.json:
        write_text(args.json, json.dumps(rows, indent=2))
    return 0 if inside == len(rows) else 1


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
