"""Build neurosim/data/embedded/digit_images.h5: the 1,797 8x8 handwritten digits of scikit-learn's load_digits
(UCI optical recognition of handwritten digits, Alpaydin & Kaynak 1998, CC BY 4.0) as uint8 images (values 0-16)
with their labels. Deterministic (no randomness, gzip without timestamps).

    python scripts/build_digit_images.py
"""

from __future__ import annotations

import h5py
import numpy as np

from neurosim.data.digit_images import ATTRIBUTION, DEFAULT_PATH
from neurosim.io.atomic import atomic_path


def main():
    from sklearn.datasets import load_digits

    d = load_digits()
    images = d.images.reshape(len(d.images), 64).astype(np.uint8)
    labels = d.target.astype(np.uint8)
    assert images.shape == (1797, 64) and images.max() == 16
    with atomic_path(DEFAULT_PATH) as tmp:
        with h5py.File(tmp, "w", track_order=True) as f:
            f.create_dataset("images", data=images, compression="gzip", compression_opts=9)
            f.create_dataset("labels", data=labels, compression="gzip", compression_opts=9)
            f.attrs["attribution"] = ATTRIBUTION
            f.attrs["licence"] = "CC BY 4.0"
            f.attrs["shape"] = np.array([8, 8])
            f.attrs["max_value"] = 16
    print(f"wrote {DEFAULT_PATH} ({images.shape[0]} images)")


if __name__ == "__main__":
    main()
