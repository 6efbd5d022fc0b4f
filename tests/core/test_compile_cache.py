"""The opt-in persistent compilation cache (neurosim/compile_cache.py): a second process loads what the first
compiled instead of compiling it; directories other users could write are refused; the environment variable."""

import os
import subprocess
import sys

import pytest

from neurosim import compile_cache
from neurosim.errors import ValidationError

PROBE = """
import sys
import jax
from jax._src import monitoring
hits = []
monitoring.register_event_listener(lambda event, **kw: hits.append(event) if event.endswith("cache_hits") else None)
import neurosim as ns
print("dir", ns.compile_cache.status())
import jax.numpy as jnp
f = jax.jit(lambda x: jnp.tanh(x @ x.T).sum() * 3.0 + jnp.cumsum(x, 0).max())
f(jnp.ones((64, 64))).block_until_ready()
print("hits", len(hits))
"""


def _probe(env_value, home):
    env = dict(os.environ, JAX_PLATFORMS="cpu", NEUROSIM_COMPILE_CACHE=env_value, XDG_CACHE_HOME=str(home))
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True).stdout
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines() if line.startswith(("dir", "hits")))
    return lines["dir"], int(lines["hits"])


def test_second_process_loads_compiled_programs_from_the_cache(tmp_path):
    cache = tmp_path / "jaxcache"
    first_dir, first_hits = _probe(str(cache), tmp_path)
    assert first_dir == str(cache.resolve()) and first_hits == 0
    assert any(cache.iterdir()), "nothing was written to the cache"
    assert oct(cache.stat().st_mode & 0o777) == oct(0o700)
    second_dir, second_hits = _probe(str(cache), tmp_path)
    assert second_hits >= 1, "the second process compiled again instead of loading from the cache"


def test_env_on_uses_the_default_directory_and_off_does_nothing(tmp_path):
    on_dir, _ = _probe("1", tmp_path)
    assert on_dir == str((tmp_path / "neurosim" / "jax").resolve())
    off_dir, _ = _probe("off", tmp_path)
    assert off_dir == "None"


def test_refuses_a_directory_other_users_can_write(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(ValidationError, match="writable by other users"):
        compile_cache.enable(shared)
    with pytest.raises(ValidationError, match="min_compile_seconds"):
        compile_cache.enable(tmp_path / "x", min_compile_seconds=-1)
    (tmp_path / "file").write_text("")
    with pytest.raises(ValidationError, match="not a directory"):
        compile_cache.enable(tmp_path / "file")
    assert compile_cache.status() is None  # nothing was turned on in this process


def test_env_naming_an_unsafe_directory_warns_and_imports(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    env = dict(os.environ, NEUROSIM_COMPILE_CACHE=str(shared))
    out = subprocess.run([sys.executable, "-W", "always", "-c", "import neurosim as ns; print(ns.compile_cache.status())"],
                         env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "None" and "writable by other users" in out.stderr
