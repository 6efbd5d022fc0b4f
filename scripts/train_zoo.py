"""Train a trained model-zoo entry from its TOML recipe, write its weights and append its measured results
(``--results-only``: re-measure and re-price the shipped weights without training; ``--loso FILE``: store the
leave-one-speaker-out estimate of the recipe, the JSON of ``benchmarks/spoken_digits.py --models egru --json``).

    python scripts/train_zoo.py egru-spoken-digits [--loso loso.json]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

MARKER = "# --- results (written by scripts/train_zoo.py; reproduced by benchmarks/zoo_cards.py) ---"


RELEASE_SET = "all 2,500 recordings of the five speakers (the release model's training data: it has no held-out " \
              "speaker; its accuracy on unseen speakers is the leave-one-speaker-out estimate)"


def prepare(config):
    """(x_train, y_train, x_eval, y_eval): a release entry (``test_speakers = []``) trains on every recording and
    is measured on them too (activity and workload; its accuracy on new speakers is the cross-validated one)."""
    from neurosim.data import load_event_dataset, load_spoken_digits
    from neurosim.data.datasets import EMBEDDED

    inp = config["input"]
    dense = lambda ds: np.log1p(ds.to_dense(inp["dt_us"], inp["n_steps"], binary=False))  # noqa: E731
    if not inp["test_speakers"]:
        ds = load_event_dataset(EMBEDDED / "spoken_digits.h5")
        x, y = dense(ds), ds.labels.astype(np.int32)
        return x, y, x, y
    train, test = load_spoken_digits(test_speakers=tuple(inp["test_speakers"]))
    return dense(train), train.labels.astype(np.int32), dense(test), test.labels.astype(np.int32)


def _cross_validated(path: Path) -> str:
    """The [results.cross_validated] block from ``benchmarks/spoken_digits.py --models egru --json FILE``."""
    import json

    r = json.loads(Path(path).read_text())
    e = r["results"]["egru"]
    a = r["args"]
    folds = ", ".join(f'"{k}" = {v:.4f}' for k, v in e["fold_means"].items())
    return ("\n[results.cross_validated]  # benchmarks/spoken_digits.py --protocol loso, the same recipe\n"
            f'protocol = "leave one speaker out over 5 speakers; learning rate from {a["lrs"]} chosen on a '
            f'validation speaker drawn from the training speakers; seeds {a["seeds"]}"\n'
            f"accuracy_mean = {e['accuracy_mean']:.4f}\naccuracy_sd = {e['accuracy_sd']:.4f}\n"
            f"sparsity_mean = {e['sparsity_mean']:.4f}\nfold_means = {{ {folds} }}\n")


def evaluate(zm_model, params, config, x, y):
    import neurosim as ns

    tr = ns.Trainer(zm_model, readout=config.get("readout", "mean"), batch_size=50, progress=False, params=params)
    return tr.evaluate(x, y)


def write_results(name: str, model, params, config, path, xte, yte, loso: Path | None = None) -> dict:
    """Evaluate on the test set, record the measured workload and price it through the one pricing path
    (``neurosim.hardware.card_energies``); rewrite the entry's results block."""
    import neurosim.hardware as hw

    ev = evaluate(model, params, config, xte, yte)
    act = ev["activity"]
    wl = hw.from_activity(model, act, input_graded=bool(config.get("input_graded", False)))
    record = wl.record()
    sparsity = act.layers["layer0"].sparsity
    text = path.read_text().split(MARKER)[0] + MARKER + "\n[results]\n"
    release = not config["input"]["test_speakers"]
    key = "training_accuracy" if release else "test_accuracy"
    text += f"{key} = {ev['accuracy']:.4f}\nactivity_sparsity = {sparsity:.4f}\nactivity = {1 - sparsity:.4f}\n"
    text += f'measured_on = "{RELEASE_SET if release else "the test set (held-out speakers)"}"\n'
    if release:
        old_cv = path.read_text().split(MARKER)[-1].split("\n[results.cross_validated]")
        if loso is not None:
            text += _cross_validated(loso)
        elif len(old_cv) > 1:  # keep the estimate already on the card
            text += "\n[results.cross_validated]" + old_cv[1].split("\n[results.workload]")[0].rstrip() + "\n"
    text += "\n[results.workload]  # measured on measured_on: what neurosim energy and the card price\n"
    text += (f"steps = {record['steps']}\ninput_values_per_step = {record['input_values_per_step']!r}\n"
             f"input_graded = {str(record['input_graded']).lower()}\nlayers = [\n")
    for r in record["layers"]:
        text += (f'  {{ name = "{r["name"]}", steps = {r["steps"]}, events_per_step = {r["events_per_step"]!r}, '
                 f'spikes_per_step = {r["spikes_per_step"]!r} }},\n')
    text += "]\n"
    from neurosim.io.atomic import write_text

    write_text(path, text)
    energies = hw.card_energies(name)
    text += "\n[results.energy_uJ_per_inference]  # as deployed, each profile's defaults (neurosim.hardware.card_energies)\n"
    text += "".join(f'"{k}" = {v:.6g}\n' for k, v in energies.items())
    write_text(path, text)
    print(f"{name}: {key.replace('_', ' ')} {ev['accuracy']:.4f}, activity sparsity {sparsity:.4f}, energy (uJ) {energies}")
    return energies


def main(name: str, results_only: bool = False, loso: Path | None = None):
    import optax

    import neurosim as ns
    from neurosim.zoo import ZOO_DIR, _read, build, load

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from spoken_digits import augment

    config, path = _read(name)
    xtr, ytr, xte, yte = prepare(config)
    if results_only:  # re-measure and re-price the shipped weights
        zm = load(name)
        return write_results(name, zm.model, zm.params, config, path, xte, yte, loso)
    t = config["training"]
    model = build(config, str(path))
    steps = t["epochs"] * (len(ytr) // t["batch_size"])
    trainer = ns.Trainer(model, optimizer=optax.adam(optax.cosine_decay_schedule(t.get("lr", 3e-3), steps)),
                         readout=config.get("readout", "mean"), batch_size=t["batch_size"], seed=t["seed"])
    rng = np.random.default_rng(t["seed"])
    for _ in range(t["epochs"]):
        trainer.fit(augment(xtr, rng), ytr, epochs=1)
    trainer.save(ZOO_DIR / config["weights"])
    return write_results(name, model, trainer.params, config, path, xte, yte, loso)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    argv = sys.argv[1:]
    loso = Path(argv[argv.index("--loso") + 1]) if "--loso" in argv else None
    args = [a for i, a in enumerate(argv) if not a.startswith("--") and (i == 0 or argv[i - 1] != "--loso")]
    main(args[0] if args else "egru-spoken-digits", results_only="--results-only" in argv, loso=loso)
