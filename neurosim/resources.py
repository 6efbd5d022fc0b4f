"""Where neurosim finds its data files: hardware profiles and the model zoo.

The repository's top-level ``hardware_profiles/`` and ``models/`` are the source of truth. A wheel carries copies
inside the package (``neurosim/_shipped/hardware_profiles``, ``neurosim/_shipped/models``, written by the build step
in ``setup.py``), read through :mod:`importlib.resources`; a source checkout or an editable install reads the
top-level folders directly. Users add their own folders, searched **before** the shipped ones (so a user file can
shadow a shipped one of the same name), with

* an environment variable — ``NEUROSIM_PROFILE_PATH`` / ``NEUROSIM_ZOO_PATH``, folders separated by
  :data:`os.pathsep` — or
* an argument — ``search_path=`` of :func:`neurosim.hardware.load_profile` / :func:`neurosim.models.load`.

Search order: argument folders, then environment folders, then the shipped folder.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Iterable

from neurosim.errors import ValidationError

#: kind -> (environment variable, folder name at the repository root and inside ``neurosim/_shipped``)
KINDS = {"profiles": ("NEUROSIM_PROFILE_PATH", "hardware_profiles"), "zoo": ("NEUROSIM_ZOO_PATH", "models")}


def shipped_dir(kind: str) -> Path | None:
    """The folder of shipped files of ``kind`` ("profiles" or "zoo"): inside the installed package when it was
    built as a wheel, else the repository's top-level folder; None if neither exists."""
    _, folder = _kind(kind)
    packaged = resources.files("neurosim") / "_shipped" / folder
    if packaged.is_dir():
        return Path(str(packaged))
    source = Path(__file__).resolve().parents[1] / folder
    return source if source.is_dir() else None


def search_dirs(kind: str, search_path: str | os.PathLike | Iterable[str | os.PathLike] | None = None) -> list[Path]:
    """Folders searched for files of ``kind``, in order (argument, environment, shipped); user folders that do not
    exist are refused with the variable or argument that named them."""
    env_var, _ = _kind(kind)
    dirs: list[Path] = []
    for origin, entries in (("search_path", _split(search_path)), (env_var, _split(os.environ.get(env_var)))):
        for entry in entries:
            path = Path(entry).expanduser()
            if not path.is_dir():
                raise ValidationError(f"{origin}: {entry!r} is not a folder (it names where neurosim looks for "
                                      f"{'hardware profiles' if kind == 'profiles' else 'zoo models'})")
            dirs.append(path)
    shipped = shipped_dir(kind)
    if shipped is not None:
        dirs.append(shipped)
    return dirs


def find(kind: str, name: str, suffix: str, search_path=None) -> Path | None:
    """The first ``name + suffix`` in :func:`search_dirs`, or None."""
    for folder in search_dirs(kind, search_path):
        candidate = folder / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def names(kind: str, suffix: str, search_path=None) -> list[str]:
    """Sorted names (file stems) of every ``*suffix`` file in :func:`search_dirs` (a shadowed name once)."""
    found = set()
    for folder in search_dirs(kind, search_path):
        found.update(p.stem for p in folder.glob(f"*{suffix}") if p.is_file())
    return sorted(found)


def _kind(kind: str) -> tuple[str, str]:
    if kind not in KINDS:
        raise ValidationError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
    return KINDS[kind]


def _split(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (str, os.PathLike)):
        return [p for p in str(value).split(os.pathsep) if p]
    return [str(v) for v in value]
