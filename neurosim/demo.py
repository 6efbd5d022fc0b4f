"""The README's main job (``neurosim demo``): the whole pipeline on shipped data, in a few minutes on 2 CPU cores.

events → encoding → train → activity → workload → mapping → report:

1. loads the embedded spoken-digit events (FSDD through the cochlear front end; speaker ``theo`` held out);
2. trains an **EGRU** classifier with BPTT (activity-regularised) and an **RRAM liquid state machine** (reservoir
   weights drawn from the forming-based random RRAM device model, closed-form ridge readout);
3. measures test accuracy and activity sparsity of both;
4. turns the measured activity into per-layer workloads and prices them on SpiNNaker 2 and on the RRAM IMC profile
   (CPU and GPU profiles beside them for scale);
5. writes ``DIR/report.json`` (everything above, per target and per layer), PNG figures (event raster, training
   curve, energy breakdown) and ``DIR/report.md`` that embeds them.

``small=True`` (or ``neurosim demo --small``) trains on a subset for a quick look; the numbers are then not
meaningful, only the plumbing.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tqdm.auto import tqdm

from neurosim.hardware.pricing import CARD_TARGETS as TARGETS  # one list of targets for cards and demo
from neurosim.io.atomic import write_text

T_STEPS, DT_US = 80, 10_000  # 80 bins of 10 ms: the spoken-digit input used throughout the repo


def _data(small: bool):
    import numpy as np

    from neurosim.data import load_spoken_digits

    train, test = load_spoken_digits(test_speakers=("theo",))
    prep = lambda ds: np.log1p(ds.to_dense(DT_US, T_STEPS, binary=False))  # noqa: E731
    xtr, xte = prep(train), prep(test)
    ytr, yte = train.labels.astype(np.int32), test.labels.astype(np.int32)
    if small:
        rng = np.random.default_rng(0)
        i, j = rng.permutation(len(ytr))[:128], rng.permutation(len(yte))[:64]
        xtr, ytr, xte, yte = xtr[i], ytr[i], xte[j], yte[j]
    return xtr, ytr, xte, yte, train, test


def _estimates(model, activity, extra=()):
    import neurosim.hardware as hw

    wl = hw.from_activity(model, activity, input_graded=True).with_layers(*extra)  # inputs: log event counts
    wl.assumptions = ["activity: measured on the held-out speaker's test set in this run"]
    return {t: hw.estimate(wl, t) for t in TARGETS}


def _target_summary(est) -> dict:
    d = est.as_dict()
    return {k: d[k] for k in ("energy_per_inference_J", "latency_s", "throughput_per_s", "memory_bytes",
                              "kernel_bound", "as_deployed", "latency_parts_s", "energy_by_component_J",
                              "energy_by_layer_J", "resources", "notes", "assumptions")}


def train_egru(xtr, ytr, xte, yte, *, hidden: int, epochs: int, seed: int, progress: bool):
    """EGRU(64 → hidden) + LI readout, trained with Adam on a cosine schedule and shift augmentation (the recipe
    of ``benchmarks/spoken_digits.py``); returns a result dict."""
    import numpy as np
    import optax

    import neurosim as ns
    from neurosim.data.augment import shift_channels_and_time
    from neurosim.models import EGRU

    net = ns.Sequential([EGRU(xtr.shape[-1], hidden, threshold_mean=-1.5, zoneout=0.05, activity_weight=1.0,
                              activity_target=0.04),
                         ns.Layer(ns.Dense(hidden, 10), ns.LI(10, beta=0.9))])
    batch = min(32, len(ytr))
    steps = max(epochs * (len(ytr) // batch), 1)
    trainer = ns.Trainer(net, optimizer=optax.adam(optax.cosine_decay_schedule(3e-3, steps)), readout="mean",
                         batch_size=batch, seed=seed, progress=False)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    bar = tqdm(range(epochs), desc="EGRU training", unit="epoch", disable=not progress)
    for _ in bar:  # fresh channel/time-shift augmentation every epoch
        hist = trainer.fit(shift_channels_and_time(xtr, rng), ytr, epochs=1, validation_data=(xte, yte))
        bar.set_postfix(loss=f"{hist.epochs[-1]['loss']:.3f}", test_acc=f"{hist.epochs[-1]['val_accuracy']:.3f}")
    wall = time.perf_counter() - t0
    ev = trainer.evaluate(xte, yte)
    act = ev["activity"]
    sample = ns.simulate(net, xte[:1].transpose(1, 0, 2), params=trainer.params, record=("layer0.y",))
    return {"model": net, "params": trainer.params, "accuracy": ev["accuracy"],
            "sparsity": act.layers["layer0"].sparsity, "activity": act, "history": hist.epochs,
            "train_seconds": wall, "events": np.asarray(sample.records["layer0.y"])[:, 0]}


def train_lsm(xtr, ytr, xte, yte, *, n_neurons: int, seed: int, progress: bool):
    """RRAM liquid state machine (weights drawn from the forming-based random RRAM model) with a closed-form ridge
    readout on square-root spike rates; returns a result dict."""
    import jax
    import numpy as np

    import neurosim as ns
    import neurosim.hardware as hw
    from neurosim.models.lsm import LiquidStateMachine, features
    from neurosim.models.readouts import fit_ridge

    lsm = LiquidStateMachine(xtr.shape[-1], n_neurons, weights="rram-forming-random", in_gain=2.0, beta=0.95,
                             dt=DT_US / 1000, seed=seed)
    params = lsm.init(jax.random.PRNGKey(seed))
    t0 = time.perf_counter()
    with tqdm(total=3, desc="RRAM LSM", unit="stage", disable=not progress) as bar:
        ftr = np.asarray(lsm.features(params, xtr.transpose(1, 0, 2), "rates", power=0.5))
        bar.update()
        readout = fit_ridge(ftr, ytr, alpha=10.0)
        bar.update()
        # the test set goes through ns.simulate so that the measured activity is recorded for the estimator
        sim = ns.simulate(lsm, xte.transpose(1, 0, 2), params=params, record=("res.spike",))
        spikes = np.asarray(sim.records["res.spike"])
        acc = readout.accuracy(features(spikes, "rates", power=0.5), yte)  # the features the readout learned on
        bar.update()
    wall = time.perf_counter() - t0
    act = sim.activity
    return {"model": lsm, "params": params, "accuracy": acc, "sparsity": act.layers["res"].sparsity,
            "extra_layers": [hw.readout_workload(n_neurons, 10)],  # the ridge readout, once per inference
            "activity": act, "train_seconds": wall, "spikes": spikes[:, 0, :200], "dt_ms": DT_US / 1000,
            "description": f"{n_neurons}-neuron LIF reservoir, Maass 3-D grid, 80/20 E/I, RRAM-formed weights, "
                           f"ridge readout on sqrt spike rates"}


def _figures(out: Path, egru: dict, lsm: dict | None, ests: dict) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neurosim import plot

    files = {}
    fig, axes = plt.subplots(1, 2 if lsm else 1, figsize=(11 if lsm else 6, 3.6), squeeze=False)
    plot.raster(egru["events"] != 0, dt=DT_US / 1000, ax=axes[0, 0],
                title=f"EGRU events, one test digit ({1 - egru['sparsity']:.0%} of unit-steps active)")
    if lsm:
        plot.raster(lsm["spikes"], dt=lsm["dt_ms"], ax=axes[0, 1], title="RRAM LSM reservoir spikes")
    fig.tight_layout()
    files["raster"] = "raster.png"
    plot.save(fig, out / files["raster"], dpi=110)

    fig, ax = plt.subplots(figsize=(6, 3.6))
    h = egru["history"]
    ep = [e["epoch"] for e in h]
    ax.plot(ep, [e["loss"] for e in h], "o-", label="train loss")
    ax2 = ax.twinx()
    ax2.plot(ep, [e["accuracy"] for e in h], "s--", color="C1", label="train accuracy")
    ax2.plot(ep, [e["val_accuracy"] for e in h], "s-", color="C2", label="test accuracy (held-out speaker)")
    ax2.set_ylim(0, 1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax2.set_ylabel("accuracy")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="center right", fontsize=7)
    ax.set_title("EGRU training on spoken digits")
    fig.tight_layout()
    files["training"] = "training.png"
    plot.save(fig, out / files["training"], dpi=110)

    fig, axes = plt.subplots(len(ests), 3, figsize=(15, 3.4 * len(ests)), squeeze=False)
    for row, (name, per_target) in zip(axes, ests.items()):
        import numpy as np

        pos = np.arange(len(TARGETS))
        row[0].barh(pos - 0.2, [per_target[t].kernel_energy * 1e6 for t in TARGETS], height=0.4, color="C0",
                    label="kernel-bound")
        row[0].barh(pos + 0.2, [per_target[t].energy_per_inference * 1e6 for t in TARGETS], height=0.4,
                    color="C1", label="as deployed")
        row[0].set_yticks(pos, TARGETS)
        row[0].legend(fontsize=7)
        row[0].set_xscale("log")
        row[0].set_xlabel("µJ per inference (log scale)")
        row[0].set_title(f"{name}: energy per inference by target")
        for ax, tgt in zip(row[1:], ("spinnaker2", "imc-rram-40nm")):
            comps = {k: v * 1e6 for k, v in per_target[tgt].components.items() if v > 0}
            ax.barh(range(len(comps)), list(comps.values()), color="C0" if tgt == "spinnaker2" else "C1")
            ax.set_yticks(range(len(comps)), list(comps))
            ax.set_xlabel("µJ per inference")
            ax.set_title(f"{name} on {tgt}: by component")
    fig.tight_layout()
    files["energy"] = "energy.png"
    plot.save(fig, out / files["energy"], dpi=100)
    for f in files.values():
        if (out / f).stat().st_size == 0:
            raise RuntimeError(f"figure {f} was not written")
    return files


def _markdown(report: dict, files: dict[str, str]) -> str:
    from neurosim.hardware.estimate import fmt_bytes, fmt_energy, fmt_time

    lines = ["# neurosim demo report", "", report["summary"], "",
             "Data: " + report["data"]["description"], "",
             "| model | test accuracy | activity sparsity | train time |", "|---|---|---|---|"]
    for name, m in report["models"].items():
        lines.append(f"| {name} | {m['test_accuracy']:.3f} | {m['activity_sparsity']:.3f} | "
                     f"{m['train_seconds']:.0f} s |")
    lines += ["", f"![raster]({files['raster']})", "", f"![training curve]({files['training']})", "",
              "## Cost per inference (one spoken digit, 0.8 s of audio)", "",
              "Two figures per target, on the same basis everywhere: **kernel-bound** (what the silicon spends while it "
              "computes, static power over that time) and **as deployed** (plus host link, per-inference "
              "orchestration and idle power over the whole wall-clock latency). `cpu-45nm-horowitz` is an "
              "arithmetic-only lower bound, not a CPU; `docs/energy-model.md` says what each figure includes.", "",
              "| model | target | kernel-bound energy | kernel-bound latency | as-deployed energy | as-deployed latency "
              "| memory | resources |", "|---|---|---|---|---|---|---|---|"]
    for name, m in report["models"].items():
        for tgt, e in m["hardware"].items():
            res = ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in e["resources"].items()
                            if not isinstance(v, (dict, list)))
            k = e["kernel_bound"]
            lines.append(f"| {name} | {tgt} | {fmt_energy(k['energy_per_inference_J'])} | {fmt_time(k['latency_s'])} "
                         f"| {fmt_energy(e['energy_per_inference_J'])} | {fmt_time(e['latency_s'])} "
                         f"| {fmt_bytes(e['memory_bytes'])} | {res} |")
    lines += ["", f"![energy breakdown]({files['energy']})", "",
              "Per-layer and per-component energies are in `report.json`. How each number is computed, with the "
              "source of every constant: `docs/energy-model.md`.", ""]
    return "\n".join(lines)


def run_demo(out: Path, *, epochs: int = 20, hidden: int = 128, lsm_neurons: int = 400, small: bool = False,
             seed: int = 0, progress: bool = True) -> dict:
    """Run the pipeline and write ``out/report.json``, ``out/report.md`` and PNG figures; returns the report."""
    import numpy as np

    from neurosim import validate

    epochs = validate.positive_int("epochs", epochs)
    hidden = validate.positive_int("hidden", hidden)
    lsm_neurons = validate.positive_int("lsm_neurons", lsm_neurons)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    xtr, ytr, xte, yte, train, test = _data(small)
    egru = train_egru(xtr, ytr, xte, yte, hidden=hidden, epochs=epochs, seed=seed, progress=progress)
    lsm = train_lsm(xtr, ytr, xte, yte, n_neurons=lsm_neurons, seed=seed, progress=progress)
    results = {"EGRU": egru, "RRAM LSM": lsm}
    ests = {name: _estimates(r["model"], r["activity"], r.get("extra_layers", ())) for name, r in results.items()}
    files = _figures(out, egru, lsm, ests)
    models = {}
    for name, r in results.items():
        models[name] = {"test_accuracy": float(r["accuracy"]), "activity_sparsity": float(r["sparsity"]),
                        "train_seconds": float(r["train_seconds"]), "description": r.get("description", ""),
                        "hardware": {t: _target_summary(e) for t, e in ests[name].items()}}
        if "history" in r:
            models[name]["history"] = r["history"]
    wall = time.perf_counter() - t_start
    s2 = {n: ests[n]["spinnaker2"].energy_per_inference for n in results}
    imc = {n: ests[n]["imc-rram-40nm"].energy_per_inference for n in results}
    summary = ("neurosim demo: " + "; ".join(
        f"{n} {models[n]['test_accuracy']:.1%} test accuracy at {models[n]['activity_sparsity']:.0%} sparsity, "
        f"{s2[n] * 1e6:.1f} µJ/inference on SpiNNaker 2, {imc[n] * 1e6:.1f} µJ on RRAM IMC" for n in results)
        + f" ({wall:.0f} s; report {out / 'report.md'})")
    report = {"summary": summary, "wall_seconds": wall, "small": small,
              "data": {"description": (f"embedded spoken digits (FSDD, cochlear front end, 64 channels, "
                                       f"{T_STEPS} bins of {DT_US // 1000} ms); train speakers "
                                       f"{sorted(set(np.asarray(train.groups).tolist()))}, test speaker theo"),
                       "n_train": int(len(ytr)), "n_test": int(len(yte))},
              "models": models, "figures": files}
    write_text(out / "report.json", json.dumps(report, indent=2, default=float))
    write_text(out / "report.md", _markdown(report, files))
    return report
