"""Stores that image lookup reads from. See :mod:`imagelookup.stores.base` for the protocols.

On disk: :class:`OCILayoutStore` (an OCI image layout directory), :class:`DockerArchiveStore`
(a ``docker save`` / ``skopeo … docker-archive:`` tarball) and :class:`DataRootStore` (a Docker
data-root, read-only); :func:`imagelookup.open` picks one from a location.
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
from .data_root import DataRootStore
from .docker_archive import DockerArchiveStore
from .oci_layout import OCILayoutStore

__all__ = [
    "IMAGE_ID",
    "ContentStore",
    "DataRootStore",
    "DockerArchiveStore",
    "ImageStore",
    "LeaseStore",
    "OCILayoutStore",
    "ReferenceStore",
    "Store",
    "Target",
    "image_lease_id",
]
