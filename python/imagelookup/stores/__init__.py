"""Stores that image lookup reads from.

See :mod:`imagelookup.stores.base` for the protocols and :mod:`imagelookup.stores.memory` for
the in-memory stores.
"""

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
from .memory import (
    Entry,
    MemoryContentStore,
    MemoryImageStore,
    MemoryLeaseStore,
    MemoryReferenceStore,
    MemoryStore,
)

__all__ = [
    "IMAGE_ID",
    "ContentStore",
    "Entry",
    "ImageStore",
    "LeaseStore",
    "MemoryContentStore",
    "MemoryImageStore",
    "MemoryLeaseStore",
    "MemoryReferenceStore",
    "MemoryStore",
    "ReferenceStore",
    "Store",
    "Target",
    "image_lease_id",
]
