"""Input activity of a real DVS recording in the binning of the DVS128 Gesture zoo entry: the fraction of
(pixel, polarity) cells with at least one event per 25 ms bin, in the central 128x128 crop of
``../shared/data/events/sample.aedat4`` (tonic's test recording; not a gesture clip). The figure
``cnn-egru-dvs-gesture.toml`` states as ``[input] activity``.

Run:  python benchmarks/dvs_input_activity.py [PATH]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def input_activity(path, size: int = 128, dt_us: int = 25_000) -> tuple[float, int, tuple]:
    from neurosim.data import events as E
    from neurosim.data.readers.aedat4 import read_aedat4

    ev, sensor = read_aedat4(path)
    w, h = sensor[0], sensor[1]
    x0, y0 = (w - size) // 2, (h - size) // 2
    frames = E.to_frames(E.crop(ev, x0, x0 + size, y0, y0 + size), (size, size, 2), dt_us=dt_us)
    return float((frames > 0).mean()), frames.shape[0], sensor


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    root = Path(__file__).resolve().parents[1]
    path = Path(argv[0]) if argv else root.parent / "shared" / "data" / "events" / "sample.aedat4"
    if not path.exists():
        print(f"{path}: not found (the shared data folder is absent)")
        return 0
    act, bins, sensor = input_activity(path)
    print(f"{path.name}: sensor {sensor[0]}x{sensor[1]}, {bins} bins of 25 ms, central 128x128 crop: "
          f"input activity {act:.4f} (cells with an event per bin)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
