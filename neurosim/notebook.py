"""One switch for the size of every tutorial notebook: ``NEUROSIM_NOTEBOOK_SMALL``.

Each notebook in ``notebooks/`` starts with::

    from neurosim.notebook import small, pick
    SMALL = small()            # NEUROSIM_NOTEBOOK_SMALL=1: a quick version (the test suite runs this one)
    N = pick(small=200, full=600)

Unset (or ``0``/``false``/``no``/``off``) means the full-size version that the notebook's text describes; ``1``,
``true``, ``yes`` or ``on`` the small one (minutes on a laptop CPU; what ``tests/test_notebooks.py`` executes).
Anything else is an error naming the variable, so a typo never silently picks a size. The variable is read on
every call, so setting ``os.environ["NEUROSIM_NOTEBOOK_SMALL"]`` in a notebook takes effect at once.
"""

from __future__ import annotations

import os
from typing import TypeVar

from neurosim.errors import ValidationError

ENV = "NEUROSIM_NOTEBOOK_SMALL"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")

T = TypeVar("T")


def small() -> bool:
    """Whether notebooks should run their small version (``$NEUROSIM_NOTEBOOK_SMALL``, default: full size)."""
    raw = os.environ.get(ENV, "")
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError(f"{ENV}: expected 1/true/yes/on (small notebooks) or 0/false/no/off/unset (full size), "
                          f"got {raw!r}")


def pick(small: T, full: T) -> T:  # noqa: A002 - the keyword names read best at the call site
    """``small`` when the small switch is on, else ``full`` — e.g. ``EPOCHS = pick(small=1, full=8)``."""
    return small if _is_small() else full


_is_small = small


def describe() -> str:
    """One line for a notebook's first cell: which size runs and how to change it."""
    if _is_small():
        return f"small version ({ENV}=1); unset it for the full-size run"
    return f"full-size version; set {ENV}=1 for a quick small run"


__all__ = ["ENV", "small", "pick", "describe"]
