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
    "03_rram_lsm": [
        ("md", """# 3 · A liquid state machine on resistive memory: device noise and zero-shot retrieval

A liquid state machine is a fixed random spiking reservoir with a trained readout. On resistive memory the
random weights come for free from the physics of electroforming (Lin et al., Nat. Comput. Sci. 2025): here we
draw the reservoir from neurosim's forming-based RRAM model, train a closed-form readout on spoken digits, read
the same chip with more read noise and stuck cells, and try the paper's zero-shot audio↔vision retrieval."""),
        ("code", SETUP),
        ("code", """from neurosim.data import load_spoken_digits, load_vision_digits
from neurosim.models import LiquidStateMachine, fit_ridge
train, test = load_spoken_digits(test_speakers=("theo",))
T, DT_US = 80, 10_000
xtr = np.swapaxes(train.to_dense(DT_US, T, binary=False), 0, 1); ytr = train.labels    # (T, batch, 64)
xte = np.swapaxes(test.to_dense(DT_US, T, binary=False), 0, 1); yte = test.labels
if SMALL:
    i, j = np.random.default_rng(0).permutation(len(ytr))[:400], np.random.default_rng(1).permutation(len(yte))[:100]
    xtr, ytr, xte, yte = xtr[:, i], ytr[i], xte[:, j], yte[j]
N = 200 if SMALL else 600
lsm = LiquidStateMachine(64, N, weights="rram-forming-random", in_gain=2.0, beta=0.95, dt=10.0, seed=0)
chip = jax.random.PRNGKey(0)              # the key *is* the chip: the same key draws the same formed array
params = lsm.init(chip)
w = np.asarray(lsm.projections["res->res"].dense_weights(params["res->res"]))
fig, ax = plt.subplots(1, 2, figsize=(11, 3))
ax[0].hist(w[w != 0].ravel(), bins=80); ax[0].set_title(f"recurrent weights from formed RRAM pairs ({np.mean(w != 0):.1%} nonzero)")
spikes = np.asarray(lsm.run(params, xte[:, :1]))[:, 0]
plot.raster(spikes, dt=10.0, ax=ax[1], title="reservoir spikes, one test digit")"""),
        ("code", """f = lambda x: lsm.features(params, x, "rates", power=0.5)     # square-root spike rates
readout = fit_ridge(f(xtr), ytr, alpha=10.0)                 # closed form: one linear solve
print(f"held-out speaker accuracy: {readout.accuracy(f(xte), yte):.3f}  (chance 0.1)")"""),
        ("md", """**Robustness.** The readout was trained on the nominal chip. Now the *same* chip is read with more
read noise, or with a fraction of its cells stuck ON/OFF — each point is a fresh read, several seeds vmapped."""),
        ("code", """from neurosim.learn.sweeps import lsm_device_sweep
seeds = 2 if SMALL else 3
noise = [0.0, 0.05, 0.1, 0.2, 0.5]
stuck = [0.0, 0.01, 0.05, 0.1]
acc_noise = lsm_device_sweep(lsm, chip, readout, xte, yte, "read_noise", noise, seeds=seeds)
acc_stuck = lsm_device_sweep(lsm, chip, readout, xte, yte, "stuck_rate", stuck, seeds=seeds)
fig = plot.robustness_sweeps({"read_noise": (noise, acc_noise), "stuck_rate": (stuck, acc_stuck)},
                             xlabels={"read_noise": "read-noise σ (relative)", "stuck_rate": "stuck-at rate"}, chance=0.1)"""),
        ("md", """**Zero-shot retrieval.** Two reservoirs encode audio and DVS-vision digits; CLIP-style projection
heads are trained with InfoNCE on pairs from the seen digits only, then audio queries of the unseen digits retrieve
a vision class prototype. Chance is 1/(number of unseen classes). First the paper's setting: spoken digits paired
with pictures of the same digit. Seen-class retrieval works; on the unseen digits the result swings from one
reservoir seed to the next around chance (`benchmarks/lsm_zero_shot.py`, `docs/lsm.md`): nothing in these two
datasets links how an unseen digit sounds to how it looks, so there is nothing for the heads to carry over."""),
        ("code", """from neurosim.models.contrastive import train_clip, zero_shot_top1
vtr, vte = load_vision_digits(test_fraction=0.3, seed=0)
lsm_v = LiquidStateMachine(vtr.n_channels, N, weights="rram-forming-random", in_gain=2.0, beta=0.9, p_in=0.1,
                           dt=10.0, seed=100)
pv = lsm_v.init(jax.random.PRNGKey(100))
fv = lambda ds: np.asarray(lsm_v.features(pv, np.swapaxes(ds.to_dense(10_000, 30, binary=False), 0, 1), "rates", power=0.5))
fa_tr, fa_te = np.asarray(f(xtr)), np.asarray(f(xte))
fv_tr, fv_te = fv(vtr), fv(vte)
unseen = np.array([8, 9]); seen = np.setdiff1d(np.arange(10), unseen)
ma, mv = np.isin(ytr, seen), np.isin(vtr.labels, seen)
heads, scales, losses = train_clip(fa_tr[ma], ytr[ma], fv_tr[mv], vtr.labels[mv], dim=64,
                                   steps=300 if SMALL else 3000, pairs_per_class=4, key=jax.random.PRNGKey(0))
plt.plot(losses); plt.xlabel("step"); plt.ylabel("InfoNCE loss")
for name, classes in (("seen", seen), ("unseen (zero-shot)", unseen)):
    top1 = zero_shot_top1(heads, scales, fa_te, yte, fv_te, vte.labels, classes, direction="a->b")
    print(f"audio->vision top-1 on {name} digits: {top1:.3f} (chance {1 / len(classes):.3f})")"""),
        ("md", """Now a modality pair that *is* linked: the same pictures heard as **soundscapes** (the vOICe
sensory-substitution code: rows → pitch, columns → time), through the same cochlea as the speech. The heads
are trained CLIP-style on **instance** pairs — the sound and the DVS recording of the same picture — so that
they must learn the code between the modalities, not just the seen labels. Audio queries and the vision gallery
of the unseen digits come from disjoint halves of the test pictures."""),
        ("code", """from neurosim.data import load_soundscape_digits
from neurosim.models.contrastive import embed
n_tr, n_te = (400, 160) if SMALL else (len(vtr), len(vte))   # a subset for the test suite
idx_tr, idx_te = vtr.groups[:n_tr], vte.groups[:n_te]        # the pictures behind the vision rows, row for row
fv_pair, yv_pair, fv_test, yv_test = fv_tr[:n_tr], vtr.labels[:n_tr], fv_te[:n_te], vte.labels[:n_te]
sounds = load_soundscape_digits(np.concatenate([idx_tr, idx_te]), progress=not SMALL)
lsm_s = LiquidStateMachine(64, N, weights="rram-forming-random", in_gain=2.0, beta=0.95, dt=10.0, seed=0)
ps = lsm_s.init(jax.random.PRNGKey(0))
fs = np.asarray(lsm_s.features(ps, np.swapaxes(sounds.to_dense(10_000, 100, binary=False), 0, 1), "rates", power=0.5))
fs_tr, ys_tr, fs_te, ys_te = fs[:n_tr], sounds.labels[:n_tr], fs[n_tr:], sounds.labels[n_tr:]
half = np.arange(n_te) % 2 == 0                 # audio from one half of the test pictures, vision from the other
m = np.isin(ys_tr, seen)
heads_s, scales_s, _ = train_clip(fs_tr[m], ys_tr[m], fv_pair[m], yv_pair[m], dim=64, pairing="instance",
                                  batch_size=64, steps=300 if SMALL else 3000, key=jax.random.PRNGKey(0))
for name, classes in (("seen", seen), ("unseen (zero-shot)", unseen)):
    top1 = zero_shot_top1(heads_s, scales_s, fs_te[half], ys_te[half], fv_test[~half], yv_test[~half], classes)
    print(f"soundscape->vision top-1 on {name} digits: {top1:.3f} (chance {1 / len(classes):.3f})")
za = np.asarray(embed(heads_s["a"], fs_te[half], scales_s[0])); zb = np.asarray(embed(heads_s["b"], fv_test[~half], scales_s[1]))
order_a, order_b = np.argsort(ys_te[half], kind="stable"), np.argsort(yv_test[~half], kind="stable")
plt.figure(figsize=(5, 4)); plt.imshow(za[order_a] @ zb[order_b].T, aspect="auto", cmap="viridis")
plt.xlabel("vision test samples (sorted by digit)"); plt.ylabel("soundscape queries (sorted by digit)")
plt.title("cosine similarity in the shared space"); plt.colorbar()"""),
        ("md", """What would the reservoir cost? It is a `Network`, so `ns.simulate` measures its activity and the
estimator prices it — event-driven on the RRAM crossbar vs dense:"""),
        ("code", """import neurosim.hardware as hw
res = ns.simulate(lsm, xte[:, :32], params=params, record=())
wl = hw.from_activity(lsm, res.activity)
for mode in (True, False):
    e = hw.estimate(wl, "imc-rram-40nm", event_driven=mode)
    print(f"IMC {'event-driven' if mode else 'dense':12s}: {e.energy_per_inference * 1e6:.2f} µJ per digit")
print(hw.estimate(wl, "spinnaker2").table())"""),
    ],
    "04_physical_forward_forward": [
        ("md", """# 4 · Training a physical network without backpropagation

A physical layer — here light through a multiple-scattering medium, detected as speckle intensity — is a noisy
black box: it computes, but it cannot be differentiated. Forward-forward training needs only forward passes
through it (each layer learns locally to tell true from false labels); physics-aware training (PAT) sends data
through the real system but needs a differentiable *digital twin* for the backward pass. We train both on the 8×8
digits neurosim ships and compare accuracy, digital MACs, physical evaluations and wall time."""),
        ("code", SETUP),
        ("code", """from neurosim.data.digit_images import load_digit_images
from neurosim.physical import ScatteringMedium, GRAD_REQUESTS, PhysicalGradientError
d = load_digit_images(seed=0)
xtr, ytr, xte, yte = d.x_train, d.y_train, d.x_test, d.y_test
if SMALL:
    xtr, ytr, xte, yte = xtr[:500], ytr[:500], xte[:200], yte[:200]
EPOCHS = 10 if SMALL else 30
medium = ScatteringMedium(74, 128 if SMALL else 512, pool=2, seed=0)     # 64 pixels + 10 label slots in
print(medium)
speckle = np.asarray(medium(jax.numpy.asarray(np.concatenate([xtr[:1], np.zeros((1, 10))], 1)), jax.random.PRNGKey(0)))
fig, ax = plt.subplots(1, 2, figsize=(8, 3))
ax[0].imshow(xtr[0].reshape(8, 8), cmap="gray"); ax[0].set_title(f"input digit {ytr[0]}")
ax[1].plot(speckle[0]); ax[1].set_title("detected intensities (one noisy pass)"); ax[1].set_xlabel("detector")"""),
        ("md", """The layer refuses to be differentiated — a trainer that asked for a gradient would fail loudly:"""),
        ("code", """try:
    jax.grad(lambda v: medium(v, jax.random.PRNGKey(0)).sum())(jax.numpy.ones((1, 74)))
except PhysicalGradientError as e:
    print("PhysicalGradientError:", str(e)[:120])"""),
        ("code", """from neurosim.learn.forward_forward import ForwardForward, FFConfig
from neurosim.learn.pat import BackpropTrainer
before = dict(GRAD_REQUESTS)
ff = ForwardForward([medium], 64, 10, [256], FFConfig(lr=1e-3, epochs=EPOCHS, batch_size=100, negatives="hard"))
rep_ff = ff.fit(xtr, ytr, xte, yte, key=jax.random.PRNGKey(0), eval_every=1, progress=False)
assert dict(GRAD_REQUESTS) == before            # forward-forward never asked the physics for a gradient
pat = BackpropTrainer([medium], 64, 10, mode="pat", lr=1e-2, epochs=EPOCHS, batch_size=100)
rep_pat = pat.fit(xtr, ytr, xte, yte, key=jax.random.PRNGKey(0), eval_every=1, progress=False)
for r in (rep_ff, rep_pat):
    print(f"{r.method:16s} test {r.test_accuracy:.3f}  digital MACs {r.digital_macs:.3g}  "
          f"physical evaluations {r.physical_evals:,}  wall {r.wall_time_s:.1f} s")"""),
        ("code", """fig, ax = plt.subplots(1, 2, figsize=(11, 3.2))
for r in (rep_ff, rep_pat):
    ax[0].plot([h["epoch"] for h in r.history], [h["test_accuracy"] for h in r.history], "o-", label=r.method)
ax[0].set_xlabel("epoch"); ax[0].set_ylabel("test accuracy"); ax[0].legend()
names = [r.method for r in (rep_ff, rep_pat)]
ax[1].bar(np.arange(2) - 0.2, [r.digital_macs for r in (rep_ff, rep_pat)], 0.4, label="digital MACs")
ax[1].bar(np.arange(2) + 0.2, [r.physical_evals for r in (rep_ff, rep_pat)], 0.4, label="physical evaluations")
ax[1].set_xticks(range(2), names); ax[1].set_yscale("log"); ax[1].legend(); ax[1].set_title("training cost")"""),
        ("md", """The full-size numbers (30 epochs, 3 seeds: forward-forward reaches 94.6 ± 1.4 % through the medium),
the vowel task on a nonlinear oscillator chain with physical local learning, and what happens when the physical
system drifts mid-training are in `docs/physical.md`, each measured by a script in `benchmarks/`."""),
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
