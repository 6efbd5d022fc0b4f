"""Train a trained model-zoo entry from its TOML recipe, write its weights and append its measured results
(``--results-only``: re-measure and re-price the shipped weights without training).

    python scripts/train_zoo.py egru-spoken-digits
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

MARKER = "# --- results (written by scripts/train_zoo.py; reproduced by benchmarks/zoo_cards.py) ---"


def prepare(config):
    from neurosim.data import load_spoken_digits

    inp = config["input"]
    train, test = load_spoken_digits(test_speakers=tuple(inp["test_speakers"]))
    dense = lambda ds: np.log1p(ds.to_dense(inp["dt_us"], inp["n_steps"], binary=False))  # noqa: E731
    return dense(train), train.labels.astype(np.int32), dense(test), test.labels.astype(np.int32)


def evaluate(zm_model, params, config, x, y):
    import neurosim as ns

    tr = ns.Trainer(zm_model, readout=config.get("readout", "mean"), batch_size=50, progress=False, params=params)
    return tr.evaluate(x, y)


def write_results(name: str, model, params, config, path, xte, yte) -> dict:
    """Evaluate on the test set, record the measured workload and price it through the one pricing path
    (``neurosim.hardware.card_energies``); rewrite the entry's results block."""
    import neurosim.hardware as hw

    ev = evaluate(model, params, config, xte, yte)
    act = ev["activity"]
    wl = hw.from_activity(model, act, input_graded=bool(config.get("input_graded", False)))
    record = wl.record()
    sparsity = act.layers["layer0"].sparsity
    text = path.read_text().split(MARKER)[0] + MARKER + "\n[results]\n"
    text += f"test_accuracy = {ev['accuracy']:.4f}\nactivity_sparsity = {sparsity:.4f}\nactivity = {1 - sparsity:.4f}\n"
    text += "\n[results.workload]  # measured on the test set: what neurosim energy and the card price\n"
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
    print(f"{name}: test accuracy {ev['accuracy']:.4f}, activity sparsity {sparsity:.4f}, energy (uJ) {energies}")
    return energies


def main(name: str, results_only: bool = False):
    import optax

    import neurosim as ns
    from neurosim.zoo import ZOO_DIR, _read, build, load

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from spoken_digits import augment

    config, path = _read(name)
    xtr, ytr, xte, yte = prepare(config)
    if results_only:  # re-measure and re-price the shipped weights
        zm = load(name)
        return write_results(name, zm.model, zm.params, config, path, xte, yte)
    t = config["training"]
    model = build(config, str(path))
    steps = t["epochs"] * (len(ytr) // t["batch_size"])
    trainer = ns.Trainer(model, optimizer=optax.adam(optax.cosine_decay_schedule(3e-3, steps)),
                         readout=config.get("readout", "mean"), batch_size=t["batch_size"], seed=t["seed"])
    rng = np.random.default_rng(t["seed"])
    for _ in range(t["epochs"]):
        trainer.fit(augment(xtr, rng), ytr, epochs=1)
    trainer.save(ZOO_DIR / config["weights"])
    return write_results(name, model, trainer.params, config, path, xte, yte)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(args[0] if args else "egru-spoken-digits", results_only="--results-only" in sys.argv)
