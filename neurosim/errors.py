"""The exceptions neurosim raises on bad input.

Every error a user can provoke with bad input is one of these, and its message names the offending item
(parameter, field, file, layer). They subclass the built-in exception a Python user would expect
(``ValueError``, ``OSError``), so ``except ValueError`` keeps working.
"""

from __future__ import annotations


class NeurosimError(Exception):
    """Base class of every error neurosim raises on purpose."""


class ValidationError(NeurosimError, ValueError):
    """A parameter, array or config value is invalid (wrong type, shape, range, NaN, ...)."""


class DataFormatError(NeurosimError, ValueError):
    """A file or byte stream is corrupt, truncated or not in the expected format."""


class CheckpointError(DataFormatError):
    """A checkpoint file cannot be read back (truncated, wrong schema, missing entries)."""


class ProfileError(ValidationError):
    """A hardware-profile file has a missing, unknown, negative or wrongly-typed field."""


class MappingError(NeurosimError, ValueError):
    """A network does not fit the hardware target; the message names the limit and the overflow."""


__all__ = [
    "NeurosimError",
    "ValidationError",
    "DataFormatError",
    "CheckpointError",
    "ProfileError",
    "MappingError",
]
