"""Build the embedded datasets in neurosim/data/embedded/ (deterministic; needs ../shared/data and scikit-learn).

    python scripts/build_embedded_datasets.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import wave
from pathlib import Path

import numpy as np
from tqdm import tqdm

from neurosim.data.cochlea import Cochlea
from neurosim.data.datasets import EMBEDDED, SPEAKERS
from neurosim.data.digit_images import picture16
from neurosim.data.dvs import emulate, saccades
from neurosim.data.events import make_events
from neurosim.data.readers.hdf5_spikes import write_spike_dataset

COCHLEA_GAIN, COCHLEA_FLOOR = 40.0, 0.005  # the Cochlea defaults
FSDD_ATTRIBUTION = ("Derived from the Free Spoken Digit Dataset (Jakobovski et al., "
                    "github.com/Jakobovski/free-spoken-digit-dataset), CC BY-SA 4.0; converted to spike events "
                    "with neurosim's cochlear front end (64 ERB-spaced channels, 1 ms). Licensed CC BY-SA 4.0.")
DIGITS_ATTRIBUTION = ("Derived from the UCI optical recognition of handwritten digits data (Alpaydin & Kaynak 1998) "
                      "as shipped by scikit-learn's load_digits, CC BY 4.0; upsampled to 16x16 and converted to "
                      "ON/OFF events with neurosim's DVS emulator along three saccades.")


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path}: expected 16-bit mono WAV")
        return np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768, w.getframerate()


def build_spoken(shared: Path, out: Path):
    files = sorted((shared / "fsdd").glob("*.wav"))
    if len(files) != 2500:
        raise SystemExit(f"expected 2,500 FSDD recordings in {shared / 'fsdd'}, found {len(files)}")
    cochlea = Cochlea(8000, 64, gain=COCHLEA_GAIN, floor=COCHLEA_FLOOR)
    events, labels, speakers = [], [], []
    for f in tqdm(files, desc="spoken digits", unit="wav"):
        digit, speaker, _ = f.stem.split("_")
        audio, sr = read_wav(f)
        if sr != 8000:
            raise SystemExit(f"{f}: sample rate {sr}, expected 8000")
        events.append(cochlea(audio))
        labels.append(int(digit))
        speakers.append(speaker)
    assert set(speakers) == set(SPEAKERS)
    write_spike_dataset(out, events, labels, n_channels=64, flat=True,
                        extra={"speaker": np.array(speakers, dtype="S8")},
                        attrs={"sensor_size": np.array([64, 1]), "layout": "audio (x = channel)",
                               "attribution": FSDD_ATTRIBUTION, "licence": "CC BY-SA 4.0",
                               "front_end": f"Cochlea(8000, 64, gain={COCHLEA_GAIN}, floor={COCHLEA_FLOOR}), dt 1 ms"})


def build_vision(out: Path):
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(0)
    events, labels = [], []
    for img, label in tqdm(list(zip(digits.images, digits.target)), desc="vision digits", unit="img"):
        big = picture16(img)  # 16 x 16
        frames, times = saccades(big, duration_us=300_000, n_frames=60, amplitude=2.0, pad=1)
        ev = emulate(frames * 0.9 + 0.05, times, rng, c_on=0.35, c_off=0.35, sigma=0.03, refractory_us=10000)
        w, h = frames.shape[2], frames.shape[1]
        ch = (ev["p"].astype(np.int64) * h + ev["y"]) * w + ev["x"]
        events.append(make_events(ch, ev["t"]))
        labels.append(int(label))
    write_spike_dataset(out, events, labels, n_channels=2 * w * h, flat=True,
                        attrs={"sensor_size": np.array([w, h, 2]), "layout": "vision stored as channel = (p*H + y)*W + x",
                               "attribution": DIGITS_ATTRIBUTION, "licence": "CC BY 4.0"})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--only", choices=["spoken", "vision"])
    args = ap.parse_args()
    EMBEDDED.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "spoken"):
        build_spoken(Path(args.shared), EMBEDDED / "spoken_digits.h5")
    if args.only in (None, "vision"):
        build_vision(EMBEDDED / "vision_digits.h5")
    for f in sorted(EMBEDDED.glob("*.h5")):
        print(f"{f.name}: {f.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
