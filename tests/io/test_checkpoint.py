"""HDF5 checkpoints and atomic writes: round trip, corrupt files, failed writes keep the old file."""

import os
import subprocess
import sys

import jax.numpy as jnp
import numpy as np
import pytest

from neurosim.errors import CheckpointError
from neurosim.io import atomic_path, load_checkpoint, save_checkpoint, write_text


def tree():
    return {"a": jnp.arange(6.0).reshape(2, 3), "b": [jnp.ones(2), {"c": jnp.zeros((), jnp.int32)}]}


def test_round_trip(tmp_path):
    p = save_checkpoint(tmp_path / "c.h5", {"params": tree()}, config={"lr": 0.1}, meta={"epoch": 3})
    trees, config, meta = load_checkpoint(p, {"params": tree()})
    np.testing.assert_array_equal(trees["params"]["a"], np.arange(6.0).reshape(2, 3))
    assert trees["params"]["b"][1]["c"].dtype == np.int32
    assert config == {"lr": 0.1} and meta == {"epoch": 3}


def test_structure_mismatch_and_foreign_files(tmp_path):
    p = save_checkpoint(tmp_path / "c.h5", {"params": tree()})
    other = {"a": jnp.zeros((3, 3)), "b": [jnp.ones(2), {"c": jnp.zeros((), jnp.int32)}]}
    with pytest.raises(CheckpointError, match="shape"):
        load_checkpoint(p, {"params": other})
    with pytest.raises(CheckpointError, match="missing tree"):
        load_checkpoint(p, {"opt": tree()})
    (tmp_path / "junk.h5").write_bytes(b"not hdf5 at all")
    with pytest.raises(CheckpointError, match="junk.h5"):
        load_checkpoint(tmp_path / "junk.h5", {"params": tree()})
    with pytest.raises(CheckpointError, match="no such"):
        load_checkpoint(tmp_path / "missing.h5", {"params": tree()})


def test_failed_write_leaves_previous_file(tmp_path):
    target = tmp_path / "f.txt"
    write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]  # temp file cleaned up


def test_killed_writer_leaves_previous_checkpoint(tmp_path):
    target = tmp_path / "c.h5"
    save_checkpoint(target, {"params": tree()}, meta={"epoch": 1})
    code = f"""
import os, signal
from neurosim.io.atomic import atomic_path
with atomic_path({str(target)!r}) as tmp:
    tmp.write_bytes(b"x" * 1000)
    os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, "JAX_PLATFORMS": "cpu"})
    assert proc.returncode != 0
    _, _, meta = load_checkpoint(target, {"params": tree()})
    assert meta == {"epoch": 1}
