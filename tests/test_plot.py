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
