"""Persistent compilation cache: keep XLA's compiled programs on disk so a new notebook kernel or script run does
not compile the same train step again.

Opt-in, because the cache holds compiled machine code that JAX loads and runs: it must live in a directory only you
can write (:func:`enable` refuses a directory that other users can write, or that another user owns)::

    import neurosim as ns
    ns.compile_cache.enable()                  # ~/.cache/neurosim/jax (or $XDG_CACHE_HOME/neurosim/jax)
    ns.compile_cache.enable("/scratch/me/jax") # or a directory of your own

or, before ``import neurosim``, ``NEUROSIM_COMPILE_CACHE=1`` (default directory) / ``NEUROSIM_COMPILE_CACHE=DIR``.
It is JAX's own persistent cache (``jax_compilation_cache_dir``), with the size and compile-time floors set to
``min_compile_seconds`` and 0 bytes so the many small programs of a simulation are kept too.
``python benchmarks/train_step.py --compile-cache`` times a fresh process's first train step with a cold and a warm
cache (numbers in ``docs/performance.md``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from neurosim.errors import ValidationError

ENV = "NEUROSIM_COMPILE_CACHE"
_enabled: Path | None = None


def default_dir() -> Path:
    """``$XDG_CACHE_HOME/neurosim/jax``, else ``~/.cache/neurosim/jax``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "neurosim" / "jax"


def _check_private(path: Path) -> None:
    info = path.stat()
    if not stat.S_ISDIR(info.st_mode):
        raise ValidationError(f"compile cache: {path} is not a directory")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise ValidationError(f"compile cache: {path} belongs to another user (uid {info.st_uid}); the cache holds "
                              "code that is loaded and run, so it must be your own directory")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ValidationError(f"compile cache: {path} is writable by other users (mode {stat.S_IMODE(info.st_mode):o}); "
                              "the cache holds code that is loaded and run — use a directory only you can write "
                              f"(chmod go-w {path})")


def enable(path: str | os.PathLike | None = None, *, min_compile_seconds: float = 0.0) -> Path:
    """Turn JAX's persistent compilation cache on in ``path`` (created with mode 0700 when missing; default
    :func:`default_dir`) for every later compilation of this process; returns the directory."""
    global _enabled
    from neurosim import validate  # here, not at module level: ``import neurosim`` imports this module

    min_compile_seconds = float(validate.positive("min_compile_seconds", min_compile_seconds, allow_zero=True))
    target = Path(path).expanduser() if path is not None else default_dir()
    if not target.exists():
        target.mkdir(mode=0o700, parents=True)
    target = target.resolve()
    _check_private(target)
    import jax

    jax.config.update("jax_compilation_cache_dir", str(target))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", min_compile_seconds)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    _enabled = target
    return target


def status() -> Path | None:
    """The directory :func:`enable` turned on in this process, or None."""
    return _enabled


def from_environment() -> Path | None:
    """Apply ``NEUROSIM_COMPILE_CACHE`` (``1``/``on``: default directory; ``0``/``off``/empty: nothing; else a
    directory); called at ``import neurosim``, imports JAX only when the variable asks for the cache. A directory
    :func:`enable` refuses gives a warning, not an import error."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in ("", "0", "off", "false", "no"):
        return None
    try:
        return enable(None if value.lower() in ("1", "on", "true", "yes") else value)
    except (ValidationError, OSError) as err:  # a bad directory must not make ``import neurosim`` fail
        import warnings

        warnings.warn(f"{ENV}={value!r}: compilation cache not enabled: {err}", stacklevel=2)
        return None
