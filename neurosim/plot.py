"""Plots people would rather look at than tables: spike rasters, membrane traces, activity over time, energy
breakdowns. Each function draws on a given Matplotlib ``ax`` (or a new figure) and returns the axes; :func:`save`
writes a figure atomically. Every axis is labelled with its unit (time in ms or steps, membrane potential in the
unit given, energy in µJ — on a log axis when targets differ by orders of magnitude), and a raster that draws only
some of the neurons says so in its title."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _axes(ax, figsize=(7, 3.5)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _time_label(dt, unit: str) -> str:
    return "time (steps)" if dt is None else f"time ({unit})"


def _trace_array(name: str, arr, sample: int) -> np.ndarray:
    """(T, n) from ``arr`` (T, n) or (T, batch, n) (sample ``sample``), refusing empty or non-finite input."""
    from neurosim import validate
    from neurosim.errors import ValidationError

    a = np.asarray(arr)
    if a.ndim not in (2, 3):
        raise ValidationError(f"{name}: expected (T, n) or (T, batch, n), got shape {a.shape}")
    if a.shape[0] == 0:
        raise ValidationError(f"{name}: empty time axis (T = 0), nothing to plot")
    validate.input_array(name, a)
    if a.ndim == 3:
        if not -a.shape[1] <= sample < a.shape[1]:
            raise ValidationError(f"sample: {sample} out of range for a batch of {a.shape[1]}")
        a = a[:, sample]
    return a


def _select(neurons, n: int, max_neurons) -> np.ndarray:
    """Indices of the neurons to draw: ``neurons`` (None = all) capped at ``max_neurons`` (None: 200 when
    ``neurons`` is None, else no cap)."""
    from neurosim.errors import ValidationError

    if neurons is None:
        idx = np.arange(n)
        cap = 200 if max_neurons is None else max_neurons
    else:
        cap = max_neurons
        if isinstance(neurons, (int, np.integer)) and not isinstance(neurons, bool):
            if neurons <= 0:
                raise ValidationError(f"neurons: a count must be > 0, got {neurons}")
            idx = np.arange(min(int(neurons), n))
        elif isinstance(neurons, slice):
            idx = np.arange(n)[neurons]
        else:
            idx = np.asarray(neurons)
            if idx.dtype == bool:
                if idx.shape != (n,):
                    raise ValidationError(f"neurons: boolean mask of shape {idx.shape} for {n} neurons")
                idx = np.flatnonzero(idx)
            elif idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
                raise ValidationError(f"neurons: expected a count, a slice, integer indices or a boolean mask, "
                                      f"got {idx.dtype} array of shape {idx.shape}")
            elif idx.size and (idx.min() < -n or idx.max() >= n):
                raise ValidationError(f"neurons: index {int(idx[(idx < -n) | (idx >= n)][0])} out of range for "
                                      f"{n} neurons")
            idx = np.where(idx < 0, idx + n, idx).astype(np.int64)
    if idx.size == 0:
        raise ValidationError(f"neurons: the selection is empty (the array has {n} neurons)")
    if cap is not None:
        if isinstance(cap, bool) or not isinstance(cap, (int, np.integer)) or cap <= 0:
            raise ValidationError(f"max_neurons: expected a positive integer or None, got {cap!r}")
        idx = idx[:int(cap)]
    return idx


def raster(spikes, dt: float | None = None, ax=None, max_neurons: int | None = None, color="k",
           title: str | None = None, *, neurons=None, sample: int = 0, time_unit: str = "ms"):
    """Spike raster of ``spikes`` (T, n) or (T, batch, n) (sample ``sample``, default the first).

    ``dt``: the step in ``time_unit`` (ms by default; ``None`` labels the time axis in steps). Which neurons:
    ``neurons`` = a count (the first k), a slice, an index array or a boolean mask; ``max_neurons`` caps the
    number drawn (default 200 when ``neurons`` is not given, no cap when it is). Whenever fewer neurons are drawn
    than the array holds, the title says so ("showing 200 of 1000 neurons"), and the y axis gives the real
    neuron indices."""
    s = _trace_array("spikes", spikes, sample)
    n_total = s.shape[1]
    idx = _select(neurons, n_total, max_neurons)
    sel = s[:, idx]
    ax = _axes(ax)
    t, row = np.nonzero(sel)
    step = 1.0 if dt is None else float(dt)
    contiguous = bool(np.all(np.diff(idx) == 1))
    y = idx[row] if contiguous else row
    ax.scatter(t * step, y, s=2, c=color, marker="|", linewidths=0.8)
    ax.set_xlabel(_time_label(dt, time_unit))
    ax.set_xlim(0, s.shape[0] * step)
    if contiguous:
        ax.set_ylabel("neuron index")
        ax.set_ylim(idx[0] - 0.5, idx[-1] + 0.5)
    else:  # rows in selection order, ticks labelled with the neuron each row shows
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        ax.set_ylabel("neuron index (selected)")
        ax.set_ylim(-0.5, idx.size - 0.5)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _pos: str(idx[int(round(v))]) if 0 <= round(v) < idx.size and abs(v - round(v)) < 1e-6
            else ""))
    notes = []
    if idx.size < n_total:
        notes.append(f"showing {idx.size} of {n_total} neurons")
    if np.ndim(spikes) == 3 and np.shape(spikes)[1] > 1:
        notes.append(f"sample {sample} of {np.shape(spikes)[1]}")
    note = ", ".join(notes)
    if title or note:
        ax.set_title(f"{title} ({note})" if title and note else (title or note), fontsize=9 if note else None)
    return ax


def traces(v, dt: float | None = None, neurons=None, ax=None, threshold: float | None = None, title=None, *,
           unit: str = "a.u.", sample: int = 0, time_unit: str = "ms"):
    """Membrane traces of selected neurons from ``v`` (T, n) or (T, batch, n) (sample ``sample``).

    ``unit``: the unit of ``v`` for the y label (``"mV"`` for conductance-based models in mV; the default
    ``"a.u."`` for dimensionless LIF units); ``dt`` in ``time_unit`` (``None``: steps). ``neurons`` as in
    :func:`raster` (default the first three; indices out of range are an error)."""
    v = _trace_array("v", v, sample)
    idx = _select(3 if neurons is None else neurons, v.shape[1], None)
    ax = _axes(ax)
    t = np.arange(v.shape[0]) * (1.0 if dt is None else float(dt))
    for i in idx:
        ax.plot(t, v[:, i], lw=1, label=f"neuron {i}")
    if threshold is not None:
        ax.axhline(threshold, color="grey", ls="--", lw=0.8, label="threshold")
    ax.set_xlabel(_time_label(dt, time_unit))
    ax.set_ylabel(f"membrane potential ({unit})")
    ax.legend(fontsize=7, loc="upper right")
    if title:
        ax.set_title(title)
    return ax


def activity(act, ax=None, title=None):
    """Fraction of neurons spiking per step (over the batch) for every spiking layer of an
    :class:`~neurosim.core.activity.Activity`, against time in ms (the run's ``dt``)."""
    ax = _axes(ax)
    drawn = 0
    for name, layer in act.layers.items():
        if layer.spiking and layer.spikes_per_step.size:
            t = np.arange(layer.spikes_per_step.size) * act.dt
            ax.plot(t, layer.spikes_per_step / (layer.n_neurons * max(act.batch, 1)), lw=1, label=name)
            drawn += 1
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neurons spiking (fraction per step)")
    if drawn:
        ax.legend(fontsize=7)
    if title:
        ax.set_title(title)
    return ax


def energy_breakdown(estimates, ax=None, title="energy per inference by component", *, log: bool | None = None,
                     totals: bool = True):
    """Stacked bars in µJ: one bar per estimate (target, as deployed), split by component.

    ``log``: a logarithmic energy axis; by default (``None``) it is used when the totals span more than a factor
    of 10 (e.g. neuromorphic chips next to a GPU, which a linear axis would flatten to nothing). On a log axis the
    stacking still adds up, but the visible size of a segment no longer reflects its share. ``totals`` writes each
    bar's total above it."""
    import matplotlib

    from neurosim.hardware.estimate import fmt_energy

    if not isinstance(estimates, (list, tuple)):
        estimates = [estimates]
    ax = _axes(ax, figsize=(7, 4))
    comps = sorted({c for e in estimates for c in e.components})
    colors = matplotlib.colormaps["tab20"].colors  # up to 20 components without a repeated colour
    bottoms = np.zeros(len(estimates))
    for k, comp in enumerate(comps):
        vals = np.array([e.components.get(comp, 0.0) * 1e6 for e in estimates])
        if np.any(vals > 0):
            ax.bar(range(len(estimates)), vals, bottom=bottoms, label=comp, color=colors[k % len(colors)])
            bottoms += vals
    pos = bottoms[bottoms > 0]
    if log is None:
        log = bool(pos.size > 1 and pos.max() / pos.min() > 10)
    if log and pos.size:
        ax.set_yscale("log")
        ax.set_ylim(pos.min() / 1e3, pos.max() * 3)
    if totals:
        for i, top in enumerate(bottoms):
            if top > 0:
                ax.text(i, top * (1.15 if log else 1.01), fmt_energy(top * 1e-6), ha="center", va="bottom",
                        fontsize=7)
        if not log and pos.size:
            ax.set_ylim(0, pos.max() * 1.12)
    ax.set_xticks(range(len(estimates)), [e.target for e in estimates], rotation=20, ha="right")
    ax.set_xlabel("target")
    ax.set_ylabel("energy per inference (µJ" + (", log scale)" if log else ")"))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="component", title_fontsize=7)
    if title:
        ax.set_title(title)
    return ax


def accuracy_vs(x, accuracy, std=None, ax=None, xlabel="noise (a.u.)", label=None, title=None):
    """Accuracy against a swept parameter (mean ± s.d. band when ``std`` is given)."""
    ax = _axes(ax)
    x, acc = np.asarray(x), np.asarray(accuracy)
    ax.plot(x, acc, marker="o", label=label)
    if std is not None:
        ax.fill_between(x, acc - np.asarray(std), acc + np.asarray(std), alpha=0.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("accuracy (fraction correct)")
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
    if axes[0][0].get_legend_handles_labels()[0]:
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
