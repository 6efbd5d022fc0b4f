"""Reproduce the numbers on every model-zoo card: re-evaluate trained entries on the set they were measured on (accuracy,
sparsity and the recorded workload), and re-price every entry on every card target through the one pricing path
(``neurosim.hardware.price`` — the function ``neurosim energy`` calls). Prints card vs reproduced values.

Run:  python benchmarks/zoo_cards.py            (check; exit 1 on any mismatch)
      python benchmarks/zoo_cards.py --write    (rewrite the energy table of every card, models/<name>.md)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

BEGIN, END = "<!-- energy-table: written by benchmarks/zoo_cards.py --write -->", "<!-- /energy-table -->"


def energy_table(name: str) -> str:
    """The card's energy table: kernel-bound and as-deployed energy and latency per target, at profile defaults."""
    import neurosim.hardware as hw
    from neurosim.hardware.estimate import fmt_energy, fmt_time

    wl = hw.resolve_workload(name)
    lines = [BEGIN, "", f"Priced with `neurosim energy {name} --target T` ({wl.assumptions[0]}); each profile's "
             "defaults (`hardware_profiles/*.toml`, `[defaults]`).", "",
             "| target | kernel-bound energy | kernel-bound latency | as-deployed energy | as-deployed latency |",
             "|---|---|---|---|---|"]
    for t in hw.CARD_TARGETS:
        e = hw.estimate(wl, t)
        lines.append(f"| {t} | {fmt_energy(e.kernel_energy)} | {fmt_time(e.kernel_latency)} | "
                     f"{fmt_energy(e.energy_per_inference)} | {fmt_time(e.latency)} |")
    lines += ["", "Per option (`neurosim energy " + name + " --target T --dvfs L` / `--conv-copies C`): each DVFS level of "
              "SpiNNaker 2" + (", and on IMC the convolution kernels time-multiplexed on one crossbar copy "
                               "(`conv_copies=1`) or duplicated for every output position (`conv_copies=all`)"
                               if _has_conv(wl) else "") + ".", "",
              "| target | options | kernel-bound energy | kernel-bound latency | as-deployed energy | "
              "as-deployed latency | resources |", "|---|---|---|---|---|---|---|"]
    estimates = {}
    for target, opts in variants(wl):
        e = estimates[(target, _opt_text(opts))] = hw.estimate(wl, target, **opts)
        lines.append(f"| {target} | {_opt_text(opts)} | {fmt_energy(e.kernel_energy)} | {fmt_time(e.kernel_latency)} | "
                     f"{fmt_energy(e.energy_per_inference)} | {fmt_time(e.latency)} | {_resources(e)} |")
    keys = list(estimates)
    lines += ["", "Per layer: dynamic (kernel-scope) energy per inference of each layer, and on SpiNNaker 2 the PEs "
              "it is placed on.", "",
              "| layer | " + " | ".join(f"{t} {o}" for t, o in keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for layer in estimates[keys[0]].layers:
        cells = []
        for k in keys:
            e = estimates[k]
            cell = fmt_energy(sum(e.layers[layer].values()))
            if "pes_per_layer" in e.resources:
                cell += f" ({e.resources['pes_per_layer'][layer]} PEs)"
            cells.append(cell)
        lines.append(f"| {layer} | " + " | ".join(cells) + " |")
    lines += ["", END]
    return "\n".join(lines)


def _has_conv(wl) -> bool:
    return any(l.spec.conv is not None and l.spec.conv.op == "conv" for l in wl)


def variants(wl) -> list[tuple[str, dict]]:
    """The (target, options) rows of a card's per-option table."""
    from neurosim.hardware.profile import load_profile

    rows = [("spinnaker2", {"dvfs": lvl}) for lvl in sorted(load_profile("spinnaker2")["dvfs"])]
    copies = (1, "all") if _has_conv(wl) else (None,)
    rows += [("imc-rram-40nm", {} if c is None else {"conv_copies": c}) for c in copies]
    return rows


def _opt_text(opts: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in opts.items()) or "defaults"


def _resources(e) -> str:
    r = e.resources
    if "PEs" in r:
        return f"{r['PEs']} PEs, {r['chips']} chip(s)"
    if "crossbars" in r:
        return f"{r['crossbars']:,} crossbars {r['crossbar_size']}, {r['area_mm2']:.3g} mm²"
    return ""


def card_block(card_text: str) -> str:
    """The whole generated block of a card (every table in it)."""
    return card_text.split(BEGIN)[-1].split(END)[0].strip() if BEGIN in card_text else ""


def card_table(card_text: str) -> dict[str, tuple[str, ...]]:
    """Parse a card's energy table: target -> its four printed cells."""
    block = card_text.split(BEGIN)[-1].split(END)[0] if BEGIN in card_text else ""
    block = block.split("\nPer option")[0]  # the first table: one row per card target at profile defaults
    rows = {}
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and not cells[0].startswith(("target", "---")):
            rows[cells[0]] = tuple(cells[1:])
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the energy table of every card")
    ap.add_argument("--skip-eval", action="store_true", help="do not re-evaluate trained entries (pricing only)")
    args = ap.parse_args(argv)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import neurosim.hardware as hw
    from neurosim.io.atomic import write_text
    from neurosim.zoo import ZOO_DIR, _read, list_models, load

    ok = True
    for name in list_models():
        config, _ = _read(name)
        card_path = ZOO_DIR / f"{name}.md"
        table = energy_table(name)
        text = card_path.read_text(encoding="utf-8")
        if args.write:
            text = (text.split(BEGIN)[0].rstrip() + "\n\n" + table + text.split(END)[1]) if BEGIN in text \
                else text.rstrip() + "\n\n" + table + "\n"
            write_text(card_path, text)
        same = card_block(text) == card_block(table)
        ok &= same
        print(f"{name}: card energy table {'matches' if same else 'DIFFERS FROM'} the pricing path")
        for t, cells in card_table(table).items():
            print(f"    {t:18s} kernel-bound {cells[0]:>9} in {cells[1]:>8}; as deployed {cells[2]:>9} in {cells[3]:>8}")
        if config.get("kind") == "trained":
            card = config["results"]
            for t, uj in card["energy_uJ_per_inference"].items():
                got = hw.price(name, t).energy_per_inference * 1e6
                match = abs(got - uj) <= 1e-5 * abs(uj)
                ok &= match
                if not match:
                    print(f"    {t}: TOML card {uj} uJ vs pricing path {got:.6g} uJ -> MISMATCH")
            if args.skip_eval:
                continue
            from train_zoo import evaluate, prepare

            zm = load(name)
            _, _, xte, yte = prepare(zm.config)
            ev = evaluate(zm.model, zm.params, zm.config, xte, yte)
            sp = ev["activity"].layers["layer0"].sparsity
            acc_key = "test_accuracy" if "test_accuracy" in card else "training_accuracy"
            same = abs(ev["accuracy"] - card[acc_key]) < 1e-3 and abs(sp - card["activity_sparsity"]) < 1e-3
            rec = hw.from_activity(zm.model, ev["activity"], input_graded=bool(config.get("input_graded"))).record()
            same_wl = all(abs(a["events_per_step"] - b["events_per_step"]) <= 1e-3 * max(1, b["events_per_step"])
                          for a, b in zip(rec["layers"], card["workload"]["layers"]))
            ok &= same and same_wl
            print(f"    {acc_key} card {card[acc_key]:.4f} / reproduced {ev['accuracy']:.4f}; sparsity card "
                  f"{card['activity_sparsity']:.4f} / reproduced {sp:.4f}; recorded workload "
                  f"{'reproduced' if same_wl else 'DIFFERS'} -> {'OK' if same and same_wl else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
