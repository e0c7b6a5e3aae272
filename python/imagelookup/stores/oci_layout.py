"""An OCI image layout directory as a store: ``oci-layout``, ``index.json``, ``blobs/``.

This is the layout ``skopeo copy … oci:DIR:TAG``, ``buildah push … oci:``, BuildKit's
``--output type=oci`` and ``ctr export`` write, and the store behind the repository's
example (``examples/oci-layout``).

References
    Each entry of ``index.json`` is named by its ``org.opencontainers.image.ref.name``
    annotation (and by ``io.containerd.image.name`` where containerd wrote one). A name takes
    one of two forms, and both are common:

    - a *full reference* (contains ``/``, ``:`` or ``@``: ``docker.io/library/app:1.0``,
      ``localhost/app:1``, ``app:1.0``), normalized as Docker does; a lookup of that name
      and tag finds it;
    - a *short tag* (``1.0``, ``latest``: what ``skopeo copy … oci:DIR:1.0`` writes). The
      layout says nothing about the repository, so a short tag answers a lookup of *any*
      repository with that tag (``app:1.0``, ``other/thing:1.0``), unless the store was
      opened with ``repository=`` (then only that repository), and a full-reference entry
      for the same name and tag always wins. A bare name means ``:latest``.

    A reference with a digest (``app@sha256:…``) finds any index or manifest of the layout
    with that digest, provided the name is one the layout knows (a full-reference entry) or
    short tags are present (which stand for any name, as above). A reference's target is the
    entry's descriptor: an index or a manifest, which the service resolves for the platform.
    When several entries carry the same name, the first in ``index.json`` wins (the OCI
    specification asks for unique names; the tools replace rather than duplicate).

Images
    The image configs reachable from ``index.json`` through indexes (nested included) and
    manifests, except attestation manifests and non-image artifacts. ID prefixes are searched
    with :class:`imagelookup.IDIndex`. The walk reads each index and manifest once, on the
    first lookup that needs it (opening the store reads ``index.json`` only).

Leases
    For image ``<id>``, lease ``moby-image-<id>`` holds the indexes that list a manifest of it
    (nearest first, then the indexes listing those) and those manifests, which is what moby
    records when it pulls: ``get_image``'s manifest-list fallback works on a layout.

Safety
    Blobs are read only below the layout's root (symlinks resolved and checked), only for
    well-formed digests, bounded, and verified against their digest.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import orjson

from .. import errors
from .. import reference as _reference
from ..reference import Reference
from ._catalog import MANIFEST_LIMIT, Catalog, walk
from ._files import Root
from ._shared import CONFIG_LIMIT, BlobDirectory, CatalogImages, CatalogLeases, Lazy
from .base import Target

__all__ = ["OCILayoutStore"]

log = logging.getLogger("imagelookup.stores")

REF_NAME = "org.opencontainers.image.ref.name"
CONTAINERD_NAME = "io.containerd.image.name"
#: Bound on ``index.json`` (10,000 tagged images take about 2.5 MB).
INDEX_LIMIT = 64 * 1024 * 1024


def _is_full_reference(name: str) -> bool:
    return any(c in name for c in "/:@")


class LayoutReferences:
    """The reference store of a layout (see the module doc for the rules)."""

    __slots__ = ("_catalog", "_entries", "_full", "_names", "_repository", "_short")

    def __init__(
        self,
        entries: list[Mapping[str, Any]],
        catalog: Lazy[Catalog],
        *,
        repository: str | None = None,
    ) -> None:
        self._catalog = catalog
        self._repository = repository
        self._full: dict[str, Target] = {}
        self._short: dict[str, Target] = {}
        self._names: set[str] = set()
        self._entries: dict[str, Target] = {}
        for desc in entries:
            target = Target(desc["digest"], desc.get("mediaType", ""), desc.get("size"))
            self._entries.setdefault(target.digest, target)
            annotations = desc.get("annotations")
            if not isinstance(annotations, dict):
                continue
            names = {annotations.get(REF_NAME), annotations.get(CONTAINERD_NAME)}
            for name in sorted(n for n in names if isinstance(n, str) and n):
                self._add(name, target)

    def _add(self, name: str, target: Target) -> None:
        if not _is_full_reference(name):
            self._short.setdefault(name, target)
            return
        try:
            ref = _reference.parse_normalized_named(name)
        except errors.InvalidParameter as exc:
            log.warning("ignoring layout entry named %r: %s", name, exc)
            return
        self._names.add(ref.name)
        if ref.tag is not None or ref.digest is None:
            self._full.setdefault(f"{ref.name}:{ref.tag or 'latest'}", target)

    def _name_known(self, name: str) -> bool:
        if name in self._names:
            return True
        if not self._short:
            return False
        return self._repository is None or name == self._repository

    def get(self, ref: Reference) -> Target:
        if ref.digest is not None:
            if self._name_known(ref.name):
                found = self._entries.get(ref.digest)
                if found is not None:
                    return found
                entry = self._catalog().entries.get(ref.digest)
                if entry is not None:
                    size = entry.size if entry.size >= 0 else None
                    return Target(entry.digest, entry.media_type, size)
            raise errors.NotFound(f"reference {ref}: not found in the layout")
        tag = ref.tag or "latest"
        target = self._full.get(f"{ref.name}:{tag}")
        if target is None and (self._repository is None or ref.name == self._repository):
            target = self._short.get(tag)
        if target is None:
            raise errors.NotFound(f"reference {ref.name}:{tag}: not found in the layout")
        return target

    def tags(self) -> list[str]:
        """Every name in the layout: full references (normalized), then short tags."""
        return [*self._full, *self._short]


class OCILayoutStore:
    """An OCI image layout directory, read-only. See the module doc.

    ``repository`` limits what the layout's short tags answer for (a name such as ``app``
    or ``docker.io/library/app``). ``manifest_limit`` and ``config_limit`` bound each index,
    manifest and config read while cataloguing and looking up.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        repository: str | None = None,
        manifest_limit: int = MANIFEST_LIMIT,
        config_limit: int = CONFIG_LIMIT,
    ) -> None:
        self.root = Root(path)
        self.path = self.root.path
        layout = _json_object(self.root, "oci-layout", limit=64 * 1024)
        if not isinstance(layout.get("imageLayoutVersion"), str):
            raise errors.StoreError(f"{self.path}: oci-layout has no imageLayoutVersion")
        index = _json_object(self.root, "index.json", limit=INDEX_LIMIT)
        manifests = index.get("manifests", [])
        if not isinstance(manifests, list):
            raise errors.StoreError(f"{self.path}: index.json 'manifests' is not a list")
        roots = [
            d
            for d in manifests
            if isinstance(d, dict)
            and isinstance(d.get("digest"), str)
            and isinstance(d.get("mediaType", ""), str)
        ]
        if repository is not None:
            repository = _reference.parse_normalized_named(repository).name
        self.content = BlobDirectory(self.root, "blobs")
        self._catalog: Lazy[Catalog] = Lazy(lambda: walk(self.content, roots, limit=manifest_limit))
        self.references = LayoutReferences(roots, self._catalog, repository=repository)
        self.images = CatalogImages(self.content, self._catalog, config_limit=config_limit)
        self.leases = CatalogLeases(self._catalog)

    def __repr__(self) -> str:
        return f"OCILayoutStore({self.path!r})"


def _json_object(root: Root, name: str, *, limit: int) -> dict[str, Any]:
    try:
        raw = root.read(name, limit=limit)
    except errors.NotFound:
        raise errors.StoreError(f"{root.path}: not an OCI layout ({name} is missing)") from None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise errors.StoreError(f"{root.path}: {name} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise errors.StoreError(f"{root.path}: {name} is not a JSON object")
    return value
