"""Baseline for the service benchmark: the floor any lookup pays, a dict lookup.

There is no plain-Python implementation of moby's GetImage to race against (the service *is*
the Python layer over the Rust core), so the baseline row is the cheapest possible answer to
"which image does this tag mean": one dict lookup of a canonical reference string already in
hand. It shows the scale of the service's overhead, not a competitor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def dict_lookup(table: Mapping[str, Any], key: str) -> Any:
    """The image stored under ``key``."""
    return table[key]
