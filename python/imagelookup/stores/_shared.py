"""Store parts that several on-disk stores share: a blob directory, images and leases taken
from a :class:`~imagelookup.stores._catalog.Catalog`, and a thread-safe lazy value."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from .. import errors
from ..image import Image
from ._cache import BlobCache
from ._catalog import Catalog
from ._files import Root, blob_parts, read_file, verify
from .base import ContentStore, image_lease_id

__all__ = ["BlobDirectory", "CatalogImages", "CatalogLeases", "Lazy"]

T = TypeVar("T")

#: Bound on one image config read (configs with long histories reach a few hundred KB).
CONFIG_LIMIT = 8 * 1024 * 1024
#: Verified blobs kept in memory per blob directory (small documents only: see BlobCache).
BLOB_CACHE_BYTES = 16 * 1024 * 1024
_LEASE_PREFIX = image_lease_id("")


class Lazy(Generic[T]):
    """A value computed once, on first use, by whichever thread gets there first."""

    __slots__ = ("_factory", "_lock", "_value")

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._value: T | None = None

    def __call__(self) -> T:
        value = self._value
        if value is None:
            with self._lock:
                value = self._value
                if value is None:
                    value = self._value = self._factory()
        return value


class BlobDirectory:
    """A content store over ``<root>/<prefix…>/<algorithm>/<hex>`` (OCI layout ``blobs``,
    containerd's ``io.containerd.content.v1.content/blobs``). Reads are bounded and
    verified; digests are checked for form before a path is built.

    Each ``<algorithm>`` directory is resolved once (symlinks followed and checked to stay
    under the root); a blob itself must be a regular file, never a symbolic link, so no
    per-read path resolution is needed.

    Verified blobs are kept in a byte-bounded cache (``cache_bytes``; 0 turns it off): a blob
    is named by its digest, so verified bytes never go stale, and a lookup by tag reads the
    same index, manifest and config again and again. A blob deleted or altered on disk after
    it was cached is still answered from the cache, as a registry's cache would.
    """

    __slots__ = ("_cache", "_dirs", "_prefix", "_root")

    def __init__(self, root: Root, *prefix: str, cache_bytes: int = BLOB_CACHE_BYTES) -> None:
        self._root = root
        self._prefix = prefix
        self._dirs: dict[str, str] = {}
        self._cache = BlobCache(cache_bytes)

    def _path(self, algorithm: str, hex_: str) -> str:
        directory = self._dirs.get(algorithm)
        if directory is None:
            directory = self._dirs[algorithm] = self._root.resolve(*self._prefix, algorithm)
        return os.path.join(directory, hex_)

    def read(self, digest: str, limit: int) -> bytes:
        cached = self._cache.get(digest)
        if cached is not None and len(cached) <= limit:
            return cached
        algorithm, hex_ = blob_parts(digest)
        data = read_file(self._path(algorithm, hex_), limit, f"content {digest}")
        verify(digest, data)
        self._cache.put(digest, data)
        return data

    def size(self, digest: str) -> int:
        algorithm, hex_ = blob_parts(digest)
        try:
            return self._root.size(*self._prefix, algorithm, hex_)
        except errors.NotFound:
            raise errors.NotFound(f"content {digest}: not found") from None

    def blobs(self) -> list[tuple[str, int]]:
        """Every ``(digest, size)`` present, in a stable order (well-formed names only)."""
        found: list[tuple[str, int]] = []
        for algorithm in self._root.listdir(*self._prefix):
            for hex_ in self._root.listdir(*self._prefix, algorithm):
                digest = f"{algorithm}:{hex_}"
                try:
                    found.append((digest, self.size(digest)))
                except errors.ImageLookupError:
                    continue
        return found


class CatalogImages:
    """The image store of a multi-platform store: the configs its catalog names."""

    __slots__ = ("_catalog", "_config_limit", "_content")

    def __init__(
        self,
        content: ContentStore,
        catalog: Callable[[], Catalog],
        *,
        config_limit: int = CONFIG_LIMIT,
    ) -> None:
        self._content = content
        self._catalog = catalog
        self._config_limit = config_limit

    def get(self, image_id: str) -> Image:
        if image_id not in self._catalog().images:
            raise errors.NotFound(f"No such image: {image_id}")
        return Image.from_config_bytes(image_id, self._content.read(image_id, self._config_limit))

    def search(self, prefix: str) -> str:
        return str(self._catalog().ids.search(prefix))

    def ids(self) -> list[str]:
        """Every image ID, in the order the catalog found them."""
        return list(self._catalog().images)


class CatalogLeases:
    """moby's leases, derived: ``moby-image-<id>`` holds the indexes and manifests of the
    catalog that name image ``<id>`` (see :meth:`Catalog.lease`)."""

    __slots__ = ("_catalog",)

    def __init__(self, catalog: Callable[[], Catalog]) -> None:
        self._catalog = catalog

    def resources(self, lease_id: str) -> Sequence[str]:
        if lease_id.startswith(_LEASE_PREFIX):
            held = self._catalog().lease(lease_id[len(_LEASE_PREFIX) :])
            if held:
                return held
        raise errors.NotFound(f"lease {lease_id}: not found")
