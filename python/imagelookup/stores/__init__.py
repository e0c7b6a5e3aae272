"""Stores that image lookup reads from. See :mod:`imagelookup.stores.base` for the protocols."""

from __future__ import annotations

from .base import (
    IMAGE_ID,
    ContentStore,
    ImageStore,
    LeaseStore,
    ReferenceStore,
    Store,
    Target,
    image_lease_id,
)

__all__ = [
    "IMAGE_ID",
    "ContentStore",
    "ImageStore",
    "LeaseStore",
    "ReferenceStore",
    "Store",
    "Target",
    "image_lease_id",
]
