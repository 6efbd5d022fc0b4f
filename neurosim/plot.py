"""Plots people would rather look at than tables: spike rasters, membrane traces, activity over time, energy
breakdowns. Each function draws on a given Matplotlib ``ax`` (or a new figure) and returns the axes; :func:`save`
writes a figure atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _axes(ax, figsize=(7, 3.5)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def raster(spikes, dt: float = 1.0, ax=None, max_neurons: int = 200, color="k", title: str | None = None):
    """Spike raster of ``spikes`` (T, n) or (T, batch, n) (first sample); time axis in units of ``dt``."""
    s = np.asarray(spikes)
    if s.ndim == 3:
        s = s[:, 0]
    s = s[:, :max_neurons]
    ax = _axes(ax)
    t, n = np.nonzero(s)
    ax.scatter(t * dt, n, s=2, c=color, marker="|", linewidths=0.8)
    ax.set_xlabel("time" + (" (ms)" if dt != 1.0 else " (steps)"))
    ax.set_ylabel("neuron")
    ax.set_xlim(0, s.shape[0] * dt)
    ax.set_ylim(-0.5, s.shape[1] - 0.5)
    if title:
        ax.set_title(title)
    return ax


def traces(v, dt: float = 1.0, neurons=(0, 1, 2), ax=None, threshold: float | None = None, title=None):
    """Membrane traces of selected neurons from ``v`` (T, n) or (T, batch, n)."""
    v = np.asarray(v)
    if v.ndim == 3:
        v = v[:, 0]
    ax = _axes(ax)
    t = np.arange(v.shape[0]) * dt
    for i in neurons:
        if i < v.shape[1]:
            ax.plot(t, v[:, i], lw=1, label=f"neuron {i}")
    if threshold is not None:
        ax.axhline(threshold, color="grey", ls="--", lw=0.8, label="threshold")
    ax.set_xlabel("time" + (" (ms)" if dt != 1.0 else " (steps)"))
    ax.set_ylabel("membrane")
    ax.legend(fontsize=7, loc="upper right")
    if title:
        ax.set_title(title)
    return ax


def activity(act, ax=None, title=None):
    """Fraction of active neurons per step for every spiking layer of an :class:`~neurosim.core.activity.Activity`."""
    ax = _axes(ax)
    for name, layer in act.layers.items():
        if layer.spiking and layer.spikes_per_step.size:
            ax.plot(layer.spikes_per_step / (layer.n_neurons * act.batch), lw=1, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("active fraction")
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title)
    return ax


def energy_breakdown(estimates, ax=None, title="energy per inference by component"):
    """Stacked bars: one bar per estimate (target), split by component, log-free linear scale in µJ."""
    if not isinstance(estimates, (list, tuple)):
        estimates = [estimates]
    ax = _axes(ax, figsize=(7, 4))
    comps = sorted({c for e in estimates for c in e.components})
    bottoms = np.zeros(len(estimates))
    for comp in comps:
        vals = np.array([e.components.get(comp, 0.0) * 1e6 for e in estimates])
        if np.any(vals > 0):
            ax.bar(range(len(estimates)), vals, bottom=bottoms, label=comp)
            bottoms += vals
    ax.set_xticks(range(len(estimates)), [e.target for e in estimates], rotation=15)
    ax.set_ylabel("energy per inference (µJ)")
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title)
    return ax


def accuracy_vs(x, accuracy, std=None, ax=None, xlabel="noise", label=None, title=None):
    """Accuracy against a swept parameter (mean ± s.d. band when ``std`` is given)."""
    ax = _axes(ax)
    x, acc = np.asarray(x), np.asarray(accuracy)
    ax.plot(x, acc, marker="o", label=label)
    if std is not None:
        ax.fill_between(x, acc - np.asarray(std), acc + np.asarray(std), alpha=0.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("accuracy")
    if label:
        ax.legend(fontsize=7)
    if title:
        ax.set_title(title)
    return ax


def robustness_sweeps(results: dict, *, xlabels=None, xscales=None, chance=None, nominal=None, title=None):
    """One panel per swept non-ideality: ``results[name] = (values, accuracy (n_values, n_seeds))``, drawn as
    mean ± s.d. over seeds (:func:`accuracy_vs`), with optional ``chance`` and ``nominal`` reference lines;
    ``xscales[name]`` is a Matplotlib scale or ``"log2"`` (ticks at the swept values).
    Returns the figure."""
    import matplotlib.pyplot as plt

    n = len(results)
    fig, axes = plt.subplots(1, n, figsize=(3.4 * n, 3.0), sharey=True, squeeze=False)
    for ax, (name, (values, acc)) in zip(axes[0], results.items()):
        acc = np.asarray(acc).reshape(len(values), -1)
        accuracy_vs(values, acc.mean(1), acc.std(1), ax=ax, xlabel=(xlabels or {}).get(name, name))
        scale = (xscales or {}).get(name, "linear")
        if scale == "log2":  # e.g. numbers of levels: powers of two, labelled as given
            ax.set_xscale("log", base=2)
            ax.set_xticks(list(values), [f"{v:g}" for v in values])
            ax.minorticks_off()
        else:
            ax.set_xscale(scale)
        if nominal is not None:
            ax.axhline(nominal, color="g", ls=":", lw=1, label="nominal")
        if chance is not None:
            ax.axhline(chance, color="gray", ls="--", lw=1, label="chance")
        ax.set_ylim(0, 1)
    axes[0][0].legend(fontsize=7, loc="lower left")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def save(fig, path, *, dpi: int = 120, close: bool = True, **kwargs) -> Path:
    """Write ``fig`` to ``path`` atomically (temporary file, then rename: an interrupted save leaves the previous
    file, never half an image); the format follows the suffix (PNG without one). Closes the figure by default."""
    from neurosim.io.atomic import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".").lower() or "png", **kwargs)
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    return path
