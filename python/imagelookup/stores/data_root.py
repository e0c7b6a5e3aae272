"""A Docker data-root (``/var/lib/docker``) as a read-only store, in moby's on-disk format.

Files read (``<driver>`` is the storage driver: ``overlay2``, ``vfs``, ``btrfs`` …):

- ``image/<driver>/imagedb/content/sha256/<hex>``: each image's config; the file's name is
  the image ID's hex, and the bytes must hash to it (moby checks the same on load).
- ``image/<driver>/repositories.json``: moby's reference store,
  ``{"Repositories": {<familiar name>: {<familiar reference>: <image ID>}}}``. Every key is
  normalized as Docker does (``alpine:3.19`` is ``docker.io/library/alpine:3.19``); a
  reference with a digest is looked up by name and digest only (a tag beside it is ignored),
  a bare name means ``:latest``.
- containerd's content store, where the daemon keeps the manifest lists and manifests it
  pulled: ``containerd/daemon/io.containerd.content.v1.content/blobs/<alg>/<hex>`` under the
  data-root (dockerd's own containerd), or ``io.containerd.content.v1.content`` under the
  ``containerd_root`` given (a system containerd, usually ``/var/lib/containerd``).

Leases, and a limit
    moby finds an image's manifest lists through containerd lease ``moby-image-<id>``, kept in
    containerd's metadata database (``io.containerd.metadata.v1.bolt/meta.db``, a bbolt file).
    This store does not read that database. It derives the lease instead: the content store's
    indexes and manifests (each blob up to 1,000,000 bytes that is a JSON object) are scanned
    once, on first need, and lease ``moby-image-<id>`` holds the manifests whose config is
    ``<id>`` and the indexes that list them. That is what moby's lease holds for an image pulled
    by tag or digest; it can hold more when another pull left a list naming the same config
    (the fallback then accepts that list's platforms too), and it cannot tell content that a
    lease has already released but garbage collection has not yet removed.

    Images kept in containerd's image store (the ``containerd-snapshotter`` feature) are in
    that same bbolt database and are not seen by this store.

Safety
    Nothing outside the data-root (or the containerd root) is read: paths are resolved and
    checked, digests are checked for form before use, reads are bounded and verified.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from typing import Any

import orjson

from .. import errors
from .. import reference as _reference
from ..image import Image
from ..reference import Reference
from ._catalog import Catalog, scan
from ._files import Root, blob_parts, verify
from ._shared import CONFIG_LIMIT, BlobDirectory, CatalogLeases, Lazy
from .base import IMAGE_ID, Target

__all__ = ["DataRootStore"]

log = logging.getLogger("imagelookup.stores")

CONTENT_DIR = "io.containerd.content.v1.content"
#: Bound on a manifest list read while deriving leases (moby's own bound in get_image).
LIST_LIMIT = 1_000_000
_REPOSITORIES_LIMIT = 64 * 1024 * 1024
_HEX64 = re.compile(r"^[a-f0-9]{64}$")


class ImageDB:
    """moby's image store: ``imagedb/content/sha256/<hex>``."""

    __slots__ = ("_config_limit", "_ids", "_parts", "_root")

    def __init__(self, root: Root, driver: str, *, config_limit: int) -> None:
        self._root = root
        self._parts = ("image", driver, "imagedb", "content")
        self._config_limit = config_limit
        self._ids = Lazy(self._index)

    def _index(self) -> tuple[list[str], Any]:
        from .. import IDIndex  # imported here: the package imports the stores

        ids = [
            f"sha256:{name}"
            for name in self._root.listdir(*self._parts, "sha256")
            if _HEX64.match(name)
        ]
        index = IDIndex()
        for image_id in ids:
            index.add(image_id)
        return ids, index

    def get(self, image_id: str) -> Image:
        algorithm, hex_ = blob_parts(image_id)
        try:
            raw = self._root.read(*self._parts, algorithm, hex_, limit=self._config_limit)
        except errors.NotFound:
            raise errors.NotFound(f"No such image: {image_id}") from None
        verify(image_id, raw)
        return Image.from_config_bytes(image_id, raw)

    def search(self, prefix: str) -> str:
        return str(self._ids()[1].search(prefix))

    def ids(self) -> list[str]:
        return list(self._ids()[0])


class RepositoriesJSON:
    """moby's reference store, read from ``repositories.json``."""

    __slots__ = ("_refs",)

    def __init__(self, repositories: Mapping[str, object]) -> None:
        self._refs: dict[str, str] = {}
        for repo in repositories.values():
            if not isinstance(repo, dict):
                continue
            for key, image_id in repo.items():
                if not isinstance(key, str) or not isinstance(image_id, str):
                    continue
                try:
                    ref = _reference.parse_normalized_named(key)
                except errors.InvalidParameter as exc:
                    log.warning("ignoring repositories.json entry %r: %s", key, exc)
                    continue
                self._refs.setdefault(_key(ref), image_id)

    def get(self, ref: Reference) -> Target:
        image_id = self._refs.get(_key(ref))
        if image_id is None:
            raise errors.NotFound(f"reference {ref}: not found in repositories.json")
        return Target(image_id, IMAGE_ID)

    def tags(self) -> list[str]:
        return list(self._refs)


def _key(ref: Reference) -> str:
    if ref.digest is not None:
        return f"{ref.name}@{ref.digest}"
    return f"{ref.name}:{ref.tag or 'latest'}"


class NoContent:
    """The content store of a data-root without containerd content: always empty."""

    __slots__ = ()

    def read(self, digest: str, limit: int) -> bytes:
        blob_parts(digest)
        raise errors.NotFound(f"content {digest}: not found (no containerd content store)")

    def size(self, digest: str) -> int:
        return len(self.read(digest, 0))

    def blobs(self) -> list[tuple[str, int]]:
        return []


class DataRootStore:
    """A Docker data-root, read-only. See the module doc.

    ``driver`` picks ``image/<driver>`` when the data-root has several (default: the only one,
    else ``overlay2``); ``containerd_root`` names a containerd root whose content store holds
    the daemon's manifest lists (default: dockerd's own, under the data-root, when present).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        driver: str | None = None,
        containerd_root: str | os.PathLike[str] | None = None,
        config_limit: int = CONFIG_LIMIT,
    ) -> None:
        self.root = Root(path)
        self.path = self.root.path
        drivers = [d for d in self.root.listdir("image") if self.root.exists("image", d, "imagedb")]
        if driver is None:
            if len(drivers) == 1:
                driver = drivers[0]
            elif "overlay2" in drivers:
                driver = "overlay2"
            elif not drivers:
                raise errors.StoreError(f"{self.path}: not a Docker data-root (no image/*/imagedb)")
            else:
                raise errors.InvalidParameter(
                    f"{self.path}: several storage drivers ({', '.join(drivers)}); choose one",
                    kind="invalid_store",
                )
        elif driver not in drivers:
            raise errors.NotFound(f"{self.path}: no image store for driver {driver!r}")
        self.driver = driver
        self.images = ImageDB(self.root, driver, config_limit=config_limit)
        self.references = RepositoriesJSON(self._repositories())
        self.content: BlobDirectory | NoContent
        if containerd_root is not None:
            self.content = BlobDirectory(Root(containerd_root), CONTENT_DIR, "blobs")
        elif self.root.exists("containerd", "daemon", CONTENT_DIR):
            self.content = BlobDirectory(self.root, "containerd", "daemon", CONTENT_DIR, "blobs")
        else:
            self.content = NoContent()
        content = self.content
        self._catalog: Lazy[Catalog] = Lazy(
            lambda: scan(content, content.blobs(), limit=LIST_LIMIT)
        )
        self.leases = CatalogLeases(self._catalog)

    def _repositories(self) -> Mapping[str, object]:
        try:
            raw = self.root.read(
                "image", self.driver, "repositories.json", limit=_REPOSITORIES_LIMIT
            )
        except errors.NotFound:
            return {}
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise errors.StoreError(
                f"{self.path}: repositories.json is not valid JSON: {exc}"
            ) from None
        repositories = data.get("Repositories") if isinstance(data, dict) else None
        return repositories if isinstance(repositories, dict) else {}

    def __repr__(self) -> str:
        return f"DataRootStore({self.path!r}, driver={self.driver!r})"
