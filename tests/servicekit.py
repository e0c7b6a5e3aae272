"""Helpers the service tests share: distinct images in a :class:`MemoryStore`."""

from __future__ import annotations

import itertools
from typing import Any

from imagelookup import Image
from imagelookup.stores import MemoryStore

_labels = itertools.count()


def new_image(
    store: MemoryStore, architecture: str = "amd64", variant: str = "", **kw: Any
) -> Image:
    """A distinct image (unique label) with these platform fields."""
    kw.setdefault("config", {"config": {"Labels": {"n": str(next(_labels))}}})
    return store.add_image(architecture=architecture, variant=variant, **kw)
