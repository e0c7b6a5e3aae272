"""Stores that image lookup reads from. See :mod:`imagelookup.stores.base` for the protocols.

In memory: :class:`MemoryStore` and its parts (:mod:`imagelookup.stores.memory`). On disk:
:class:`OCILayoutStore` (an OCI image layout directory), :class:`DockerArchiveStore` (a
``docker save`` / ``skopeo … docker-archive:`` tarball) and :class:`DataRootStore` (a Docker
data-root, read-only); :func:`imagelookup.open` picks one from a location.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from .data_root import DataRootStore
    from .docker_archive import DockerArchiveStore
    from .oci_layout import OCILayoutStore

_STORES = {
    "DataRootStore": ".data_root",
    "DockerArchiveStore": ".docker_archive",
    "OCILayoutStore": ".oci_layout",
}


def __getattr__(name: str) -> Any:
    """The on-disk store classes, imported on first use (the protocols stay light)."""
    module = _STORES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


__all__ = [
    "IMAGE_ID",
    "ContentStore",
    "DataRootStore",
    "DockerArchiveStore",
    "Entry",
    "ImageStore",
    "LeaseStore",
    "MemoryContentStore",
    "MemoryImageStore",
    "MemoryLeaseStore",
    "MemoryReferenceStore",
    "MemoryStore",
    "OCILayoutStore",
    "ReferenceStore",
    "Store",
    "Target",
    "image_lease_id",
]
