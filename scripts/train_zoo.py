"""Train a trained model-zoo entry from its TOML recipe, write its weights and append its measured results.

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


def main(name: str):
    import optax

    import neurosim as ns
    import neurosim.hardware as hw
    from neurosim.zoo import ZOO_DIR, _read, build

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from spoken_digits import augment

    config, path = _read(name)
    xtr, ytr, xte, yte = prepare(config)
    t = config["training"]
    model = build(config, str(path))
    steps = t["epochs"] * (len(ytr) // t["batch_size"])
    trainer = ns.Trainer(model, optimizer=optax.adam(optax.cosine_decay_schedule(3e-3, steps)),
                         readout=config.get("readout", "mean"), batch_size=t["batch_size"], seed=t["seed"])
    rng = np.random.default_rng(t["seed"])
    for _ in range(t["epochs"]):
        trainer.fit(augment(xtr, rng), ytr, epochs=1)
    trainer.save(ZOO_DIR / config["weights"])
    ev = evaluate(model, trainer.params, config, xte, yte)
    act = ev["activity"]
    wl = hw.from_activity(model, act)
    energies = {tgt: hw.estimate(wl, tgt).energy_per_inference * 1e6
                for tgt in ("spinnaker2", "imc-rram-40nm", "cpu-45nm-horowitz", "gpu-a100")}
    sparsity = act.layers["layer0"].sparsity
    text = path.read_text().split(MARKER)[0] + MARKER + "\n[results]\n"
    text += f"test_accuracy = {ev['accuracy']:.4f}\nactivity_sparsity = {sparsity:.4f}\nactivity = {1 - sparsity:.4f}\n"
    text += "energy_uJ_per_inference = { " + ", ".join(f'"{k}" = {v:.3f}' for k, v in energies.items()) + " }\n"
    path.write_text(text)
    print(f"{name}: test accuracy {ev['accuracy']:.4f}, activity sparsity {sparsity:.4f}, energy (uJ) {energies}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main(sys.argv[1] if len(sys.argv) > 1 else "egru-spoken-digits")
