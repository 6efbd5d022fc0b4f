"""Write the tutorial notebooks 02–04 from the cell sources below (outputs are produced by running them; the test
suite executes every notebook top to bottom with NEUROSIM_NOTEBOOK_SMALL=1).

    python scripts/make_notebooks.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NB = Path(__file__).resolve().parents[1] / "notebooks"

SETUP = """import os
os.environ.setdefault("JAX_PLATFORMS", "cpu")
SMALL = os.environ.get("NEUROSIM_NOTEBOOK_SMALL", "0") == "1"   # the test suite runs the small version
import numpy as np, jax, matplotlib.pyplot as plt
import neurosim as ns
from neurosim import plot"""

NOTEBOOKS = {
    "02_egru_classifier": [
        ("md", """# 2 · An event-based classifier with the EGRU

The EGRU (Subramoney et al., ICLR 2023) is a GRU whose units only communicate when their state crosses a learned
threshold: between events a unit is silent, so the recurrent matrix-vector product only touches the columns of the
units that fired. Here we train one on the shipped spoken digits (FSDD recordings through neurosim's cochlear front
end), test it on a speaker it never heard, and look at how sparse it is — forward (events) and backward
(pseudo-derivative exactly zero)."""),
        ("code", SETUP),
        ("code", """from neurosim.data import load_spoken_digits
train, test = load_spoken_digits(test_speakers=("theo",))
print(len(train), "training recordings from", sorted(set(train.groups)), "|", len(test), "test recordings (theo)")
ev = train.events[0]                               # one recording as a structured event array (x, t, p)
plt.figure(figsize=(7, 2.5)); plt.scatter(ev["t"] / 1e3, ev["x"], s=1, c="k")
plt.xlabel("time (ms)"); plt.ylabel("cochlear channel"); plt.title(f"digit {train.labels[0]}: {len(ev)} events")"""),
        ("code", """T, DT_US = 80, 10_000                              # 80 bins of 10 ms
xtr = np.log1p(train.to_dense(DT_US, T, binary=False)); ytr = train.labels.astype(np.int32)
xte = np.log1p(test.to_dense(DT_US, T, binary=False)); yte = test.labels.astype(np.int32)
if SMALL:                                          # a quick run for the test suite, on a random subset
    i, j = np.random.default_rng(0).permutation(len(ytr))[:96], np.random.default_rng(1).permutation(len(yte))[:64]
    xtr, ytr, xte, yte = xtr[i], ytr[i], xte[j], yte[j]
H, EPOCHS = (32, 1) if SMALL else (128, 8)
xtr.shape, xte.shape                               # (samples, time, channels)"""),
        ("code", """from neurosim.models import EGRU
egru = EGRU(64, H, threshold_mean=-1.5, zoneout=0.05, activity_weight=1.0, activity_target=0.04)
net = ns.Sequential([egru, ns.Layer(ns.Dense(H, 10), ns.LI(10, beta=0.9))])
trainer = ns.Trainer(net, lr=3e-3, readout="mean", batch_size=32, seed=0)
history = trainer.fit(xtr, ytr, epochs=EPOCHS, validation_data=(xte, yte))
plt.plot([e["epoch"] for e in history.epochs], [e["val_accuracy"] for e in history.epochs], "o-", label="test")
plt.plot([e["epoch"] for e in history.epochs], [e["accuracy"] for e in history.epochs], "s--", label="train")
plt.xlabel("epoch"); plt.ylabel("accuracy"); plt.legend()"""),
        ("md", """Evaluation also returns the measured **activity**: spikes (events) per layer, synaptic events and MACs
actually executed — the numbers the hardware estimator prices."""),
        ("code", """result = trainer.evaluate(xte, yte)
act = result["activity"]
print(f"test accuracy {result['accuracy']:.3f}, EGRU activity sparsity {act.layers['layer0'].sparsity:.3f}")
act.summary()["layers"]["layer0"]"""),
        ("code", """from neurosim.models.egru import sparsity
params0 = trainer.params["layer0"]
_, _, states = egru.run_with_states(params0, egru.init_state((16,)), jax.numpy.asarray(xte[:16].transpose(1, 0, 2)))
print(sparsity(states, egru.threshold(params0), egru.support))
y = np.asarray(states.y)[:, 0]                     # (time, units) graded events of one test digit
fig, ax = plt.subplots(1, 2, figsize=(11, 3))
plot.raster(y != 0, dt=10.0, ax=ax[0], title="EGRU events, one test digit")
ax[1].plot(np.arange(T) * 10, (y != 0).mean(1)); ax[1].set_xlabel("time (ms)"); ax[1].set_ylabel("fraction of units active")"""),
        ("md", """What would this network cost on SpiNNaker 2 or an RRAM in-memory-computing chip? The measured activity
goes straight into the estimator (notebook 5 explains the model)."""),
        ("code", """import neurosim.hardware as hw
wl = hw.from_activity(net, act)
for target in ("spinnaker2", "imc-rram-40nm"):
    print(hw.estimate(wl, target).table(), "\\n")"""),
    ],
}


def build(name: str, cells) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def main(names=None):
    for name, cells in NOTEBOOKS.items():
        if names and name not in names:
            continue
        nbformat.write(build(name, cells), NB / f"{name}.ipynb")
        print("wrote", NB / f"{name}.ipynb")


if __name__ == "__main__":
    main(sys.argv[1:])
