"""Loaders of the vowel formants (shared data) and the embedded 8x8 digit images."""

import numpy as np
import pytest

from neurosim.data.digit_images import load_digit_images, read_digit_images
from neurosim.data.vowels import FEATURES, VOWELS, load_vowels, read_vowdata, shared_data_dir
from neurosim.errors import DataFormatError, ValidationError

HEADER = "(c) 1995 James Hillenbrand\n\n  1    2   3 ...\n"


def test_vowels_subset(shared_data):
    d = load_vowels(shared_data / "vowels" / "vowdata.dat", seed=0)
    assert d.x_train.shape[1] == 12 and len(FEATURES) == 12 and d.classes == VOWELS
    assert d.x_train.shape[0] + d.x_test.shape[0] == 316
    assert set(d.y_train.tolist()) == set(range(7)) and set(d.y_test.tolist()) == set(range(7))
    assert all(t.startswith("w") for t in d.ids_train + d.ids_test)
    assert not set(d.ids_train) & set(d.ids_test)
    np.testing.assert_allclose(d.x_train.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(d.x_train.std(0), 1, atol=1e-4)
    e = load_vowels(shared_data / "vowels", seed=1)
    assert e.ids_test != d.ids_test
    assert load_vowels(shared_data / "vowels", seed=0).ids_test == d.ids_test


def test_vowels_env_var(shared_data, monkeypatch):
    monkeypatch.setenv("NEUROSIM_SHARED_DATA", str(shared_data))
    assert shared_data_dir() == shared_data
    assert load_vowels().x_test.shape[1] == 12


def test_vowels_corrupt_files(tmp_path):
    good = "w01ae 323 174  663 2012 2659 3691  669 2008 2671  671 1992 2659  685 1773 2680\n"
    p = tmp_path / "vowdata.dat"
    p.write_text(HEADER + good.replace(" 2680", ""))
    with pytest.raises(DataFormatError, match="columns"):
        read_vowdata(p)
    p.write_text(HEADER + good.replace("2012", "20x2"))
    with pytest.raises(DataFormatError, match="non-integer"):
        read_vowdata(p)
    p.write_text(HEADER + good.replace("w01ae", "w01zz"))
    with pytest.raises(DataFormatError, match="unknown vowel"):
        read_vowdata(p)
    p.write_text(HEADER)
    with pytest.raises(DataFormatError, match="no vowel tokens"):
        read_vowdata(p)
    p.write_bytes(b"\x89HDF\xff\xfe")
    with pytest.raises(DataFormatError):
        read_vowdata(p)
    p.write_text(HEADER + good)                      # valid, but only one vowel
    with pytest.raises(DataFormatError, match="no tokens of vowel"):
        load_vowels(p)
    with pytest.raises(FileNotFoundError, match="NEUROSIM_SHARED_DATA"):
        load_vowels(tmp_path / "missing.dat")
    with pytest.raises(ValidationError):
        load_vowels(p, test_fraction=1.5)


def test_digit_images():
    images, labels, attrs = read_digit_images()
    assert images.shape == (1797, 64) and images.dtype == np.uint8 and images.max() == 16
    assert labels.shape == (1797,) and set(labels.tolist()) == set(range(10))
    assert "Alpaydin" in attrs["attribution"] and "CC BY 4.0" in attrs["attribution"]
    d = load_digit_images(seed=0)
    assert d.x_train.shape == (1438, 64) and d.x_test.shape == (359, 64)
    assert d.x_train.dtype == np.float32 and 0 <= d.x_train.min() and d.x_train.max() <= 1
    d2 = load_digit_images(seed=0)
    np.testing.assert_array_equal(d.x_test, d2.x_test)
    assert not np.array_equal(load_digit_images(seed=1).y_test, d.y_test)


def test_digit_images_corrupt(tmp_path):
    p = tmp_path / "bad.h5"
    p.write_bytes(b"not hdf5 at all")
    with pytest.raises(DataFormatError):
        load_digit_images(path=p)
    import h5py

    with h5py.File(p, "w") as f:
        f["images"] = np.zeros((3, 10), np.uint8)
        f["labels"] = np.zeros(3, np.uint8)
    with pytest.raises(DataFormatError, match="expected images"):
        load_digit_images(path=p)
