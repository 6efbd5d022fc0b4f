"""The ``neurosim`` command: a thin layer that parses arguments, calls the public API and formats results.

Exit codes: 0 success, 2 bad usage or bad input (one clear line on stderr), 1 internal error.
Heavy imports (JAX, BrainPy) happen inside the subcommands, so ``neurosim --help`` is instant.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path


def _cmd_demo(args) -> int:
    from neurosim.demo import run_demo

    report = run_demo(out=Path(args.out), epochs=args.epochs, hidden=args.hidden, lsm_neurons=args.lsm_neurons,
                      small=args.small, seed=args.seed, progress=not args.quiet)
    print(report["summary"])
    return 0


def _cmd_simulate(args) -> int:
    import neurosim as ns
    from neurosim.model_source import open_model

    if args.model.lower() == "coba":
        return _simulate_coba(args)
    src = open_model(args.model, dt=args.dt, seed=args.seed)
    steps = args.steps or src.default_steps
    x = src.random_input(steps, args.input_rate, batch=args.batch, seed=args.seed)
    t0 = time.perf_counter()
    res = ns.simulate(src.model, x, params=src.params, record=(), progress=not args.quiet)
    wall = time.perf_counter() - t0
    summary = res.activity.summary()
    out = {"model": src.name, "kind": src.kind, "steps": steps, "batch": args.batch, "input_rate": args.input_rate,
           "wall_seconds": wall, "activity": summary, "notes": src.notes}
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"simulated {src.name} ({src.kind}) for {steps} steps x batch {args.batch} on random input spikes at "
          f"rate {args.input_rate:g} in {wall:.2f} s")
    for name, layer in summary["layers"].items():
        act = layer.get("activity")
        act_text = f"activity {act:.4f} (sparsity {1 - act:.4f})" if act is not None else "non-spiking"
        print(f"  {name:12s} {layer['n_neurons']:6d} neurons  spikes {layer['spikes']:8d}  {act_text}  "
              f"synaptic events {layer['synaptic_events']}")
    for note in src.notes:
        print(f"note: {note}")
    return 0


def _simulate_coba(args) -> int:
    from neurosim.models.coba import coba_network

    import neurosim as ns

    net, state, params = coba_network(scale=args.scale, seed=args.seed)
    steps = args.steps or int(round(args.seconds * 1000 / net.dt))
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
        print(f"simulated {steps * net.dt / 1000:g} s of a {out['neurons']}-neuron COBA network in {wall:.2f} s: "
              f"{rates}")
    return 0


def _activity_arg(text: str | None):
    """``--activity``: a fraction in [0, 1], or a JSON file with per-layer activity (an ``Activity.summary()``
    such as ``report.json["activity"]``, or a plain ``{"layer": fraction}`` mapping)."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    from neurosim.errors import ValidationError

    path = Path(text)
    if not path.exists():
        raise ValidationError(f"--activity: {text!r} is neither a number nor an existing JSON file")
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(f"--activity: {path} is not valid JSON: {exc}") from exc
    if isinstance(data, dict) and "activity" in data and isinstance(data["activity"], dict):
        data = data["activity"]
    if isinstance(data, dict) and "layers" in data:
        data = {k: v["activity"] for k, v in data["layers"].items() if v.get("activity") is not None}
    if not isinstance(data, dict) or not all(isinstance(v, (int, float)) for v in data.values()):
        raise ValidationError(f"--activity: {path} must map layer names to activity fractions")
    return data


def _conv_copies(text):
    from neurosim.errors import ValidationError

    if text is None or text == "all":
        return text
    try:
        return int(text)
    except ValueError:
        raise ValidationError(f"--conv-copies: 'all' or a positive integer, got {text!r}") from None


def _energy_options(args, profile) -> dict:
    """CLI flags → mapper options of ``profile``'s kind (a flag that does not apply is a clear error)."""
    from neurosim.errors import ValidationError

    opts = {}
    if profile.kind == "spinnaker2":
        opts = {"dvfs": args.dvfs, "allow_dram": args.allow_dram or None, "max_chips": args.max_chips,
                "pes": args.pes, "execution": args.execution}
        if args.execution not in (None, "arm", "mac"):
            raise ValidationError("--execution: SpiNNaker 2 takes arm or mac")
    elif profile.kind == "imc":
        if args.execution not in (None, "event", "dense"):
            raise ValidationError("--execution: IMC takes event or dense")
        opts = {"event_driven": None if args.execution is None else args.execution == "event",
                "conv_copies": _conv_copies(args.conv_copies), "input_bit_density": args.input_bit_density}
    else:
        opts = {"execution": args.execution, "batch": args.batch}
    given = {"--dvfs": args.dvfs, "--pes": args.pes, "--max-chips": args.max_chips,
             "--allow-dram": args.allow_dram or None, "--batch": args.batch, "--conv-copies": args.conv_copies,
             "--input-bit-density": args.input_bit_density}
    takes = {"spinnaker2": {"--dvfs", "--pes", "--max-chips", "--allow-dram"},
             "imc": {"--conv-copies", "--input-bit-density"},
             "digital": {"--batch"}}[profile.kind]
    bad = [k for k, v in given.items() if v is not None and k not in takes]
    if bad:
        raise ValidationError(f"{', '.join(bad)}: not an option of {profile.name} ({profile.kind} target)")
    return {k: v for k, v in opts.items() if v is not None}


def _cmd_energy(args) -> int:
    import neurosim.hardware as hw
    from neurosim.zoo import load_description

    if str(args.model).endswith(".nir"):
        name, task = Path(args.model).name, "NIR file"
        workload = hw.resolve_workload(args.model, activity=_activity_arg(args.activity), rate=args.rate,
                                       steps=args.steps, dt=args.dt)
    else:
        desc = load_description(args.model)
        name, task = desc.name, desc.task
        workload = hw.resolve_workload(desc, activity=_activity_arg(args.activity), rate=args.rate,
                                       steps=args.steps, dt=args.dt)
    profile = hw.load_profile(args.target)
    est = hw.estimate(workload, profile, **_energy_options(args, profile))
    if args.json:
        out = est.as_dict()
        out["model"] = name
        out["workload"] = workload.as_dict()
        print(json.dumps(out, indent=2))
    else:
        print(f"model {name} ({task})")
        print(est.explain() if args.explain else est.table())
    return 0


def _cmd_profiles(args) -> int:
    import neurosim.hardware as hw

    if args.action == "list":
        names = hw.list_profiles()
        if not names:
            from neurosim import resources
            from neurosim.errors import ProfileError

            searched = ", ".join(map(str, resources.search_dirs("profiles"))) or "no folder"
            raise ProfileError(f"no hardware profiles found (searched: {searched}); set NEUROSIM_PROFILE_PATH to a "
                               "folder of profile .toml files")
        for name in names:
            prof = hw.load_profile(name)
            print(f"{name:20s} {prof.kind:11s} {prof.description}")
        return 0
    if not args.name:
        from neurosim.errors import ValidationError

        raise ValidationError(f"profiles {args.action}: give a profile name or file")
    prof = hw.load_profile(args.name)
    if args.action == "validate":
        print(f"{prof.path}: valid {prof.kind} profile '{prof.name}' with {len(prof.constants)} sourced constants")
        return 0
    print(f"{prof.name} ({prof.kind}): {prof.description}")
    for key, c in prof.constants.items():
        print(f"  {key:40s} {c.value:<12g} {c.unit:9s} {c.source}")
    return 0


def _cmd_datasets(args) -> int:
    import h5py

    from neurosim.data.datasets import EMBEDDED

    for f in sorted(EMBEDDED.glob("*.h5")):
        with h5py.File(f, "r") as h:
            n = h["labels"].shape[0]
            attribution = h.attrs.get("attribution", "")
            if isinstance(attribution, bytes):
                attribution = attribution.decode()
        print(f"{f.stem:15s} {n:5d} samples  {f.stat().st_size / 1e6:5.2f} MB  {attribution}")
    return 0


def _cmd_export_nir(args) -> int:
    from neurosim.io.nir import export_nir
    from neurosim.zoo import load

    zm = load(args.model)
    export_nir(zm.model, zm.params, args.out, dt=args.dt)
    print(f"wrote {args.out} ({zm.name})")
    return 0


def _cmd_import_nir(args) -> int:
    from neurosim.io.nir import import_nir

    model, params = import_nir(args.file, dt=args.dt, method=args.method)
    print(f"{args.file}: {model!r}")
    if args.target:
        import numpy as np

        import neurosim as ns
        import neurosim.hardware as hw

        x = (np.random.default_rng(0).random((args.steps, 1, model.n_in)) < args.input_rate).astype(np.float32)
        res = ns.simulate(model, x, params=params, record=())
        est = hw.estimate(hw.from_activity(model, res.activity), args.target)
        print(f"with random input at rate {args.input_rate} for {args.steps} steps:")
        print(est.table())
    return 0


def _cmd_train(args) -> int:
    import numpy as np

    import neurosim as ns
    from neurosim.data import load_spoken_digits
    from neurosim.errors import ValidationError
    from neurosim.models import EGRU, GRU

    ckpt = Path(args.checkpoint) if args.checkpoint else None
    if args.resume and ckpt is None:
        raise ValidationError("--resume needs --checkpoint FILE (the checkpoint to continue from)")
    if args.resume and not ckpt.exists():
        raise ValidationError(f"--resume: checkpoint {ckpt} does not exist")
    if ckpt is not None and ckpt.exists() and not (args.resume or args.overwrite):
        raise ValidationError(f"checkpoint {ckpt} exists: pass --resume to continue training from it or "
                              "--overwrite to replace it")
    train, test = load_spoken_digits(test_speakers=(args.test_speaker,))
    prep = lambda ds: np.log1p(ds.to_dense(10_000, 80, binary=False))  # noqa: E731
    xtr, xte = prep(train), prep(test)
    ytr, yte = train.labels.astype(np.int32), test.labels.astype(np.int32)
    if args.small:  # a quick look: 64 training and 32 test samples drawn at random
        rng = np.random.default_rng(0)
        tr_idx, te_idx = rng.permutation(len(ytr))[:64], rng.permutation(len(yte))[:32]
        xtr, ytr, xte, yte = xtr[tr_idx], ytr[tr_idx], xte[te_idx], yte[te_idx]
    H = args.hidden
    first = {"egru": lambda: EGRU(64, H, threshold_mean=-1.5, activity_weight=0.5),
             "gru": lambda: GRU(64, H),
             "lif": lambda: ns.Layer(ns.Dense(64, H), ns.LIF(H, beta=0.9),
                                     recurrent=ns.Dense(H, H, bias=False, scale=0.5))}[args.model]()
    net = ns.Sequential([first, ns.Layer(ns.Dense(H, 10), ns.LI(10, beta=0.9))])
    trainer = ns.Trainer(net, lr=args.lr, readout="mean", batch_size=args.batch_size, progress=not args.quiet,
                         seed=args.seed)
    if args.resume:
        trainer.restore(ckpt)
        if trainer.seed != args.seed:
            print(f"note: continuing with the checkpoint's seed {trainer.seed} (not --seed {args.seed})",
                  file=sys.stderr)
    remaining = args.epochs - trainer.epoch
    if remaining <= 0:
        print(f"{ckpt}: already trained for {trainer.epoch} epochs (--epochs {args.epochs}); nothing to do")
    else:
        callbacks = [ns.Checkpoint(ckpt)] if ckpt else []
        trainer.fit(xtr, ytr, epochs=remaining, callbacks=callbacks)
    ev = trainer.evaluate(xte, yte)
    sp = ev["activity"].layers["layer0"].sparsity
    print(f"{args.model}: {trainer.epoch} epochs, test accuracy {ev['accuracy']:.3f} on held-out speaker "
          f"{args.test_speaker}, activity sparsity {sp:.3f}" + (f"; checkpoint {ckpt}" if ckpt else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurosim", formatter_class=_Formatter,
        description="Differentiable neuromorphic simulator: simulate, train, and estimate energy on SpiNNaker 2 / IMC.",
    )
    from neurosim import __version__

    parser.add_argument("--version", action="version", version=f"neurosim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser("demo", help="train EGRU + RRAM LSM on shipped spoken digits, price them, write a report",
                          description="On the embedded spoken digits: train an EGRU and an RRAM liquid state machine, "
                                      "measure accuracy and activity sparsity, estimate energy/latency/memory on "
                                      "SpiNNaker 2 and RRAM IMC, and write DIR/report.json, DIR/report.md and PNGs.")
    demo.add_argument("--out", default="neurosim-demo", help="output directory (default: ./neurosim-demo)")
    demo.add_argument("--epochs", type=_positive_int, default=20, help="EGRU training epochs (default 20)")
    demo.add_argument("--hidden", type=_positive_int, default=128, help="EGRU hidden units (default 128)")
    demo.add_argument("--lsm-neurons", type=_positive_int, default=400, help="reservoir size (default 400)")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--small", action="store_true", help="a quick look on a data subset (numbers not meaningful)")
    demo.add_argument("--quiet", action="store_true", help="no progress bars")
    demo.set_defaults(func=_cmd_demo)

    sim = sub.add_parser("simulate", help="simulate a zoo model, NIR file, model description or the COBA network",
                         description="Simulate MODEL and print its activity: a trained zoo entry (name or .toml), a "
                                     "NIR file (.nir), a description entry (built with random weights) on random "
                                     "input spikes, or 'coba', the COBA E/I network (Brette et al. 2007).")
    sim.add_argument("model", nargs="?", default="coba", help="zoo entry, .toml, .nir file or 'coba'")
    sim.add_argument("--steps", type=_positive_int, help="time steps (default: the entry's input length; "
                                                         "COBA: --seconds)")
    sim.add_argument("--input-rate", type=_fraction, default=0.05, help="probability of an input spike per "
                                                                        "channel and step")
    sim.add_argument("--batch", type=_positive_int, default=1, help="independent samples simulated together")
    sim.add_argument("--dt", type=_positive_float, help="NIR files: time step in s (default: the dt the file "
                                                           "records, else 1e-4)")
    sim.add_argument("--seconds", type=_positive_float, default=1.0, help="COBA: simulated time in s")
    sim.add_argument("--scale", type=_positive_float, default=1.0, help="COBA: network size relative to 4,000 "
                                                                        "neurons")
    sim.add_argument("--seed", type=int, default=0, help="seed of the input spikes (and of random weights)")
    sim.add_argument("--json", action="store_true", help="print JSON instead of a sentence")
    sim.add_argument("--quiet", action="store_true", help="no progress bar")
    sim.set_defaults(func=_cmd_simulate)

    energy = sub.add_parser("energy", help="estimate energy, latency and memory of a model on a hardware target",
                            description="Map a model (zoo name, description file or NIR file) onto a hardware profile and "
                                        "print energy per inference, latency, memory and resources.")
    energy.add_argument("model", help="zoo entry (e.g. egru-lm-wikitext2), a model description .toml or a NIR file "
                                      "(.nir, priced at --rate/--activity)")
    energy.add_argument("--steps", type=_positive_int, help="NIR files: time steps per inference (default 100)")
    energy.add_argument("--dt", type=_positive_float, help="NIR files: import time step in s (default: the dt the "
                                                           "file records, else 1e-4)")
    energy.add_argument("--target", default="spinnaker2",
                        help="profile name or file (spinnaker2, imc-rram-40nm, cpu-45nm-horowitz, gpu-a100)")
    energy.add_argument("--activity", help="activity fraction (e.g. 0.2 = 80%% sparsity) or a JSON file of "
                                           "per-layer activity (e.g. a run's report.json)")
    energy.add_argument("--rate", type=float, help="uniform activity fraction R in [0, 1] on every spiking layer "
                                                   "(instead of the entry's recorded or stated activity)")
    energy.add_argument("--dvfs", help="SpiNNaker 2 performance level (pl1 = 150 MHz/0.5 V, pl4 = 300 MHz/0.8 V; "
                                       "default: the profile's [defaults])")
    energy.add_argument("--pes", type=_positive_int, help="SpiNNaker 2: PEs the deployment allocates "
                                                                        "(default: what the placer packs)")
    energy.add_argument("--batch", type=_positive_int, help="CPU/GPU: inferences per batch "
                                                                          "(default: the profile's, 1)")
    energy.add_argument("--execution", choices=("dense", "event", "arm", "mac"),
                        help="CPU/GPU/IMC: dense or event; SpiNNaker 2: arm or mac (default: the profile's)")
    energy.add_argument("--conv-copies", help="IMC: crossbar copies of each convolution kernel: 1 = time-"
                                              "multiplexed over output positions, 'all' = one per position, or N "
                                              "(default: the profile's)")
    energy.add_argument("--input-bit-density", type=_fraction,
                        help="IMC: fraction of the bit-serial cycles of a graded input whose bit is set, i.e. that "
                             "pulse a row (default: the profile's, 0.5 = uniform random codes)")
    energy.add_argument("--max-chips", type=int, help="fail if the network needs more chips than this")
    energy.add_argument("--allow-dram", action="store_true", help="let weights that do not fit a PE live in DRAM")
    energy.add_argument("--explain", action="store_true", help="print every term as count x unit cost = energy "
                                                               "with its profile field and source, and the latency parts")
    energy.add_argument("--json", action="store_true", help="print JSON (carries the same terms and parts)")
    energy.set_defaults(func=_cmd_energy)

    prof = sub.add_parser("profiles", help="list, show or validate hardware profiles",
                          description="List the shipped hardware profiles, show one with its sources, or validate "
                                      "a profile file.")
    prof.add_argument("action", choices=["list", "show", "validate"])
    prof.add_argument("name", nargs="?", help="profile name or path to a .toml file")
    prof.set_defaults(func=_cmd_profiles)

    ds = sub.add_parser("datasets", help="list the embedded datasets", description="List the datasets shipped "
                        "inside the package with their size and attribution.")
    ds.set_defaults(func=_cmd_datasets)

    ex = sub.add_parser("export-nir", help="export a trained zoo model to a NIR file",
                        description="Write a trained model-zoo entry as a NIR (HDF5) graph.")
    ex.add_argument("model", help="trained zoo entry name or .toml file")
    ex.add_argument("out", help="output .nir file")
    ex.add_argument("--dt", type=_positive_float, default=1e-4, help="time step used for tau = dt/(1-beta)")
    ex.set_defaults(func=_cmd_export_nir)

    im = sub.add_parser("import-nir", help="import a NIR file (e.g. from snnTorch) and optionally price it",
                        description="Import a NIR graph as a neurosim network; with --target, simulate it on "
                                    "random input and estimate its energy on a hardware profile.")
    im.add_argument("file")
    im.add_argument("--dt", type=_positive_float, help="time step in s (default: the dt the file records, else "
                                                       "1e-4, snnTorch's); a dt contradicting the file's is refused")
    im.add_argument("--method", choices=["euler", "exact"], default="euler")
    im.add_argument("--target", help="hardware profile to price the imported network on")
    im.add_argument("--steps", type=int, default=100)
    im.add_argument("--input-rate", type=_positive_float, default=0.05)
    im.set_defaults(func=_cmd_import_nir)

    tr = sub.add_parser("train", help="train a classifier on the embedded spoken digits",
                        description="Train an EGRU, GRU or recurrent LIF network on the embedded spoken digits "
                                    "(4 speakers) and test it on the held-out speaker.")
    tr.add_argument("--model", choices=["egru", "gru", "lif"], default="egru", help="network type")
    tr.add_argument("--hidden", type=_positive_int, default=128, help="hidden units")
    tr.add_argument("--epochs", type=_positive_int, default=10, help="total epochs (with --resume: trained up to "
                                                                     "this many)")
    tr.add_argument("--lr", type=_positive_float, default=3e-3, help="Adam learning rate")
    tr.add_argument("--batch-size", type=_positive_int, default=32, help="samples per batch")
    tr.add_argument("--seed", type=int, default=0, help="seeds the weights, the shuffling and dropout masks")
    tr.add_argument("--test-speaker", default="theo", help="speaker held out for the test")
    tr.add_argument("--checkpoint", help="HDF5 checkpoint written atomically after every epoch")
    tr.add_argument("--resume", action="store_true", help="continue from --checkpoint (parameters, optimizer "
                                                          "state, epoch, seed)")
    tr.add_argument("--overwrite", action="store_true", help="replace an existing --checkpoint instead of refusing")
    tr.add_argument("--small", action="store_true", help="a quick look: 64 training / 32 test samples (numbers "
                                                         "not meaningful)")
    tr.add_argument("--quiet", action="store_true", help="no progress bars")
    tr.set_defaults(func=_cmd_train)
    return parser


def _positive(cast, noun: str):
    """An argparse type: ``cast(text)`` that must be finite and > 0, else one line naming what was expected."""

    def parse(text: str):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive {noun}, got {text!r}") from None
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"expected a positive {noun}, got {text!r}")
        return value

    parse.__name__ = f"positive {noun}"  # argparse names the type in some messages
    return parse


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Shows every option's default (unless its help already names one)."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        unset = default is None or default is False or default is argparse.SUPPRESS
        shows_value = (action.option_strings and action.nargs != 0) or (not action.option_strings
                                                                        and action.nargs == "?")
        if "default" not in text and not unset and shows_value:
            text += " (default: %(default)s)"
        return text


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


#: module that is missing -> the optional extra that installs it
EXTRAS = {"torch": "torch", "snntorch": "torch", "nirtorch": "torch", "nir": "nir", "tonic": "data"}


_positive_int = _positive(int, "integer")
_positive_float = _positive(float, "finite number")


def _fraction(text: str) -> float:
    """argparse type: a number in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}")
    return value


def main(argv=None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading: end quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _main(argv) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    from neurosim.errors import NeurosimError

    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, inside the BrokenPipeError handler of main
        return code
    except NeurosimError as exc:
        print(f"neurosim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        print(f"neurosim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        top = (getattr(exc, "name", None) or "").split(".")[0]
        if top in EXTRAS:
            print(f"neurosim {args.command}: error: this needs the optional package {top!r}, which is not installed;"
                  f" install it with: pip install 'neurosim[{EXTRAS[top]}]'", file=sys.stderr)
            return 2
        print(f"neurosim {args.command}: internal error: ImportError: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise
    except Exception as exc:  # an internal error: say so, exit 1
        print(f"neurosim {args.command}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
