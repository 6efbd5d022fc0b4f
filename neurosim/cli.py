"""The ``neurosim`` command: a thin layer that parses arguments, calls the public API and formats results.

Exit codes: 0 success, 2 bad usage or bad input (one clear line on stderr), 1 internal error.
Heavy imports (JAX, BrainPy) happen inside the subcommands, so ``neurosim --help`` is instant.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _cmd_demo(args) -> int:
    from neurosim.demo import run_demo

    report = run_demo(out=Path(args.out), seconds=args.seconds, progress=not args.quiet)
    print(report["summary"])
    return 0


def _cmd_simulate(args) -> int:
    from neurosim.demo import coba_network

    import neurosim as ns

    net, state, params = coba_network(scale=args.scale, seed=args.seed)
    steps = int(round(args.seconds * 1000 / net.dt))
    t0 = time.perf_counter()
    res = ns.simulate(net, steps=steps, params=params, state=state, record=(), chunk_size=min(steps, 2000),
                      progress=not args.quiet)
    wall = time.perf_counter() - t0
    out = {"network": "COBA", "neurons": sum(g.size for g in net.populations.values()), "steps": steps,
           "wall_seconds": wall, "rates_hz": res.activity.rates_hz(), "activity": res.activity.summary()}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        rates = ", ".join(f"{k} {v:.2f} Hz" for k, v in out["rates_hz"].items())
        print(f"simulated {args.seconds:g} s of a {out['neurons']}-neuron COBA network in {wall:.2f} s: {rates}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurosim",
        description="Differentiable neuromorphic simulator: simulate, train, and estimate energy on SpiNNaker 2 / IMC.",
    )
    from neurosim import __version__

    parser.add_argument("--version", action="version", version=f"neurosim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the main demonstration on shipped data and write a report",
                          description="Simulate a network on shipped data, print a summary and write DIR/report.json.")
    demo.add_argument("--out", default="neurosim-demo", help="output directory (default: ./neurosim-demo)")
    demo.add_argument("--seconds", type=_positive_float, default=0.5, help="simulated time in s (default 0.5)")
    demo.add_argument("--quiet", action="store_true", help="no progress bars")
    demo.set_defaults(func=_cmd_demo)

    sim = sub.add_parser("simulate", help="simulate the COBA E/I benchmark network",
                         description="Simulate the COBA E/I network (Brette et al. 2007) and print firing rates.")
    sim.add_argument("--seconds", type=_positive_float, default=1.0, help="simulated time in s (default 1)")
    sim.add_argument("--scale", type=_positive_float, default=1.0, help="network size relative to 4,000 neurons")
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--json", action="store_true", help="print JSON instead of a sentence")
    sim.add_argument("--quiet", action="store_true", help="no progress bar")
    sim.set_defaults(func=_cmd_simulate)
    return parser


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    from neurosim.errors import NeurosimError

    try:
        return int(args.func(args) or 0)
    except NeurosimError as exc:
        print(f"neurosim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        print(f"neurosim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal error: say so, exit 1
        print(f"neurosim {args.command}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
