"""Persistence: atomic writes and HDF5 checkpoints (NIR import/export lives in :mod:`neurosim.io.nir`)."""

from neurosim.io.atomic import atomic_path, write_bytes, write_text
from neurosim.io.checkpoint import load_checkpoint, save_checkpoint

__all__ = ["atomic_path", "write_bytes", "write_text", "save_checkpoint", "load_checkpoint"]
