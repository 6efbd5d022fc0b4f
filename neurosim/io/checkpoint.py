"""Checkpoints as HDF5: any pytree of arrays (parameters, optimizer state), a JSON config and metadata.

Layout (schema ``neurosim-checkpoint`` version 1)::

    /attrs: schema, schema_version, neurosim_version, created, complete=1
    /trees/<tree>/<leaf path>   one dataset per array leaf, named by its pytree key path
    /meta  (attrs)              JSON-encoded config and user metadata (epoch, seed, history ...)

Loading needs a *template* pytree (e.g. ``model.init(key)``, ``optimizer.init(params)``) and fills its leaves
from the file, checking that every path, shape and dtype matches: nothing is unpickled or executed. Writes are
atomic (:mod:`neurosim.io.atomic`); a truncated or foreign file raises :class:`~neurosim.errors.CheckpointError`
naming the file and the problem, and leaves earlier checkpoints usable.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path
from typing import Any

import h5py
import jax
import numpy as np

from neurosim.errors import CheckpointError
from neurosim.io.atomic import atomic_path

SCHEMA = "neurosim-checkpoint"
SCHEMA_VERSION = 1


def _leaf_name(path) -> str:
    parts = []
    for entry in path:
        if isinstance(entry, jax.tree_util.DictKey):
            parts.append(str(entry.key))
        elif isinstance(entry, jax.tree_util.SequenceKey):
            parts.append(str(entry.idx))
        elif isinstance(entry, jax.tree_util.GetAttrKey):
            parts.append(entry.name)
        else:
            parts.append(str(entry))
    return "/".join(p.replace("/", "|") for p in parts) or "_root"


def save_checkpoint(path: str | os.PathLike, trees: dict[str, Any], *, config: dict | None = None,
                    meta: dict | None = None) -> Path:
    """Write ``trees`` (name → pytree of arrays), ``config`` and ``meta`` (JSON-serialisable) atomically."""
    from neurosim import __version__

    path = Path(path)
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["schema"] = SCHEMA
            f.attrs["schema_version"] = SCHEMA_VERSION
            f.attrs["neurosim_version"] = __version__
            f.attrs["created"] = _dt.datetime.now(_dt.timezone.utc).isoformat()
            g_trees = f.create_group("trees")
            for tree_name, tree in trees.items():
                g = g_trees.create_group(tree_name)
                leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
                g.attrs["n_leaves"] = len(leaves)
                for p, leaf in leaves:
                    arr = np.asarray(jax.device_get(leaf))
                    g.create_dataset(_leaf_name(p), data=arr)
            g_meta = f.create_group("meta")
            g_meta.attrs["config"] = json.dumps(config or {}, sort_keys=True)
            g_meta.attrs["meta"] = json.dumps(meta or {}, sort_keys=True)
            f.attrs["complete"] = 1
    return path


def load_checkpoint(path: str | os.PathLike, templates: dict[str, Any]) -> tuple[dict[str, Any], dict, dict]:
    """Read a checkpoint into the structure of ``templates``; returns ``(trees, config, meta)``."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise CheckpointError(f"{path}: not a readable HDF5 checkpoint (truncated or corrupt): {exc}") from exc
    with f:
        if f.attrs.get("schema") != SCHEMA:
            raise CheckpointError(f"{path}: not a neurosim checkpoint (schema attribute is {f.attrs.get('schema')!r})")
        version = int(f.attrs.get("schema_version", -1))
        if version != SCHEMA_VERSION:
            raise CheckpointError(f"{path}: checkpoint schema version {version}, this neurosim reads {SCHEMA_VERSION}")
        if int(f.attrs.get("complete", 0)) != 1:
            raise CheckpointError(f"{path}: checkpoint is incomplete (writer did not finish)")
        out = {}
        for tree_name, template in templates.items():
            if f"trees/{tree_name}" not in f:
                raise CheckpointError(f"{path}: missing tree {tree_name!r}")
            g = f[f"trees/{tree_name}"]
            leaves, treedef = jax.tree_util.tree_flatten_with_path(template)
            if int(g.attrs.get("n_leaves", -1)) != len(leaves):
                raise CheckpointError(
                    f"{path}: tree {tree_name!r} has {g.attrs.get('n_leaves')} arrays, the model expects {len(leaves)}")
            values = []
            for p, leaf in leaves:
                name = _leaf_name(p)
                if name not in g:
                    raise CheckpointError(f"{path}: tree {tree_name!r} lacks array {name!r}")
                ds = g[name]
                want = np.shape(leaf)
                if ds.shape != want:
                    raise CheckpointError(f"{path}: {tree_name}/{name} has shape {ds.shape}, expected {want}")
                try:
                    arr = ds[()]
                except (OSError, KeyError) as exc:
                    raise CheckpointError(f"{path}: {tree_name}/{name} cannot be read (truncated?): {exc}") from exc
                values.append(np.asarray(arr, dtype=np.asarray(leaf).dtype))
            out[tree_name] = jax.tree_util.tree_unflatten(treedef, values)
        try:
            config = json.loads(f["meta"].attrs["config"])
            meta = json.loads(f["meta"].attrs["meta"])
        except (KeyError, ValueError) as exc:
            raise CheckpointError(f"{path}: metadata missing or not valid JSON: {exc}") from exc
    return out, config, meta
