"""Figures are written atomically: a finished save is a real image, an interrupted one leaves the previous file."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from neurosim import plot  # noqa: E402


def test_save_writes_png_and_svg_and_closes(tmp_path):
    ax = plot.raster(np.random.default_rng(0).random((50, 20)) < 0.1, dt=1.0)
    fig = ax.figure
    out = plot.save(fig, tmp_path / "sub" / "raster.png", dpi=60, close=False)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = plot.save(fig, tmp_path / "raster.svg")
    assert b"<svg" in svg.read_bytes()[:500]
    assert not plt.fignum_exists(fig.number)


def test_interrupted_save_keeps_the_previous_file(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    path = plot.save(fig, tmp_path / "f.png", close=False)
    before = path.read_bytes()
    with pytest.raises(Exception):
        plot.save(fig, path, dpi=60, bbox_inches=object())  # fails inside savefig
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png"]  # no temporary file left behind
    plt.close(fig)


# --- neuron selection, visible truncation, labelled axes with units, log energy axes ------------------------------

def _spikes(t=40, n=1000, batch=None, seed=0):
    shape = (t, n) if batch is None else (t, batch, n)
    return np.random.default_rng(seed).random(shape) < 0.05


def test_raster_says_when_it_truncates():
    ax = plot.raster(_spikes(n=1000), dt=0.5, title="layer E")
    assert "showing 200 of 1000 neurons" in ax.get_title() and ax.get_title().startswith("layer E")
    assert ax.get_ylim() == (-0.5, 199.5)
    ax = plot.raster(_spikes(n=150), dt=0.5)
    assert ax.get_title() == ""  # nothing hidden, nothing to say
    ax = plot.raster(_spikes(n=1000), max_neurons=None, neurons=1000)
    assert ax.get_title() == "" and ax.get_ylim() == (-0.5, 999.5)
    plt.close("all")


@pytest.mark.parametrize("neurons, shown, ylim", [
    (50, 50, (-0.5, 49.5)),                              # a count: the first k
    (slice(300, 700), 400, (299.5, 699.5)),              # a slice: real indices on the y axis
    (np.arange(1000) % 100 == 0, 10, (-0.5, 9.5)),       # a mask
    (np.array([900, 5, 42]), 3, (-0.5, 2.5)),            # indices, in the order given
])
def test_raster_neuron_selection(neurons, shown, ylim):
    s = _spikes(n=1000)
    ax = plot.raster(s, dt=1.0, neurons=neurons)
    assert f"showing {shown} of 1000 neurons" in ax.get_title()
    assert ax.get_ylim() == ylim
    ys = ax.collections[0].get_offsets()[:, 1]
    if isinstance(neurons, slice):
        assert ys.min() >= 300 and ys.max() < 700
    plt.close("all")


def test_raster_selected_indices_label_the_rows_and_max_neurons_caps():
    ax = plot.raster(_spikes(n=1000), neurons=np.array([900, 5, 42]))
    ax.figure.canvas.draw()
    assert {t.get_text() for t in ax.get_yticklabels()} - {""} == {"900", "5", "42"}
    ax = plot.raster(_spikes(n=1000), neurons=slice(0, 600), max_neurons=100)
    assert "showing 100 of 1000 neurons" in ax.get_title()
    ax = plot.raster(_spikes(n=30, batch=4), sample=2)
    assert "sample 2 of 4" in ax.get_title()
    plt.close("all")


def test_raster_and_traces_refuse_bad_input():
    from neurosim.errors import ValidationError

    with pytest.raises(ValidationError, match="empty time axis"):
        plot.raster(np.zeros((0, 5)))
    with pytest.raises(ValidationError, match="NaN"):
        plot.raster(np.full((4, 5), np.nan))
    with pytest.raises(ValidationError, match="index 7 out of range for 5 neurons"):
        plot.raster(np.zeros((4, 5)), neurons=[7])
    with pytest.raises(ValidationError, match="index 9 out of range"):
        plot.traces(np.zeros((4, 5)), neurons=(0, 9))  # used to be skipped without a word
    with pytest.raises(ValidationError, match="expected"):
        plot.raster(np.zeros(5))
    plt.close("all")


def _estimates():
    import neurosim.hardware as hw

    wl = hw.from_rates([hw.describe_layer("a", 64, inputs=[("input", 32, 0.5)])], steps=20, activity=0.1)
    return [hw.estimate(wl, t) for t in ("imc-rram-40nm", "spinnaker2", "gpu-a100")]


def _has_units(label: str) -> bool:
    """A unit in parentheses at the end, or a dimensionless index/category axis."""
    return ("(" in label and label.rstrip().endswith(")")) or label in ("neuron index", "target")


def test_every_plot_labels_its_axes_with_units():
    from neurosim.core.activity import Activity

    act = Activity.empty({"E": (10, True), "out": (2, False)}, 2, 0.5)
    act.layers["E"].spikes_per_step = np.array([1, 4, 2, 0])
    axes = [plot.raster(_spikes(n=20), dt=0.1), plot.raster(_spikes(n=20)), plot.traces(np.zeros((10, 4)), dt=0.1),
            plot.traces(np.zeros((10, 4)), unit="mV"), plot.activity(act), plot.energy_breakdown(_estimates()),
            plot.accuracy_vs([0, 0.1], [0.9, 0.8])]
    fig = plot.robustness_sweeps({"read_noise": ([0.0, 0.1], np.ones((2, 3)))},
                                 xlabels={"read_noise": "read noise σ (relative)"})
    axes += list(fig.axes)
    for ax in axes:
        assert _has_units(ax.get_xlabel()), ax.get_xlabel()
        assert _has_units(ax.get_ylabel()), ax.get_ylabel()
    assert axes[0].get_xlabel() == "time (ms)" and axes[1].get_xlabel() == "time (steps)"
    assert axes[0].get_ylabel() == "neuron index"
    assert axes[2].get_ylabel() == "membrane potential (a.u.)" and axes[3].get_ylabel() == "membrane potential (mV)"
    assert axes[4].get_xlabel() == "time (ms)"
    np.testing.assert_allclose(axes[4].lines[0].get_xdata(), [0, 0.5, 1.0, 1.5])  # in ms, the run's dt
    assert "µJ" in axes[5].get_ylabel()
    plt.close("all")


def test_energy_breakdown_uses_a_log_axis_when_targets_span_decades():
    ests = _estimates()
    totals = [e.energy_per_inference for e in ests]
    assert max(totals) / min(totals) > 100  # GPU vs IMC: a linear axis shows only the GPU bar
    ax = plot.energy_breakdown(ests)
    assert ax.get_yscale() == "log" and "log" in ax.get_ylabel()
    lo, hi = ax.get_ylim()
    assert lo < min(totals) * 1e6 < max(totals) * 1e6 < hi
    assert plot.energy_breakdown(ests, log=False).get_yscale() == "linear"
    assert plot.energy_breakdown(ests[1:2]).get_yscale() == "linear"  # one bar: nothing to span
    assert plot.energy_breakdown(ests[0]).get_yscale() == "linear"
    plt.close("all")
