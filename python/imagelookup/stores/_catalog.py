"""What a multi-platform store holds: which manifests name which image configs, and which
indexes list which manifests.

A :class:`Catalog` is built once per store, either by walking from roots (an OCI layout's
``index.json``) with :func:`walk`, or by scanning every small blob of a content store (a
Docker data-root's containerd content) with :func:`scan`. It answers the three questions the
stores need: the image IDs (config digests, searchable by prefix through ``IDIndex``), the
media type and size of every manifest and index seen (for digest references), and, for each
image ID, the indexes and manifests that reference it (moby's lease ``moby-image-<id>``,
which ``get_image``'s manifest-list fallback reads).

Rules:
- An index (OCI image index, Docker manifest list) lists manifests and, nested, indexes.
- An image manifest (OCI, Docker schema 2) names an image when its config is an image config
  (``application/vnd.oci.image.config.v1+json`` or
  ``application/vnd.docker.container.image.v1+json``) and no index lists it as an
  attestation (annotation ``vnd.docker.reference.type: attestation-manifest``). Attestations
  and other artifacts are kept as manifests (a digest reference still finds them) but never
  become images.
- A descriptor without a media type is classified by its document's own ``mediaType`` or, if
  absent, its shape (``manifests`` → index, ``config`` → manifest).
- A blob that cannot be read or parsed is skipped and logged: one broken entry does not hide
  the rest of the store. Reading the broken entry through a reference still raises its
  typed error (``DigestMismatch``, ``NotFound`` …) from the content store.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from .. import errors
from .base import ContentStore

__all__ = [
    "ATTESTATION_TYPE",
    "CONFIG_TYPES",
    "INDEX_TYPES",
    "MANIFEST_TYPES",
    "Catalog",
    "Entry",
    "scan",
    "walk",
]

log = logging.getLogger("imagelookup.stores")

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
CONFIG_TYPES = frozenset(
    {"application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"}
)
ATTESTATION_TYPE = "attestation-manifest"
_REFERENCE_TYPE = "vnd.docker.reference.type"

#: Bound on one index or manifest read while cataloguing (containerd's own bound is 4 MiB).
MANIFEST_LIMIT = 4 * 1024 * 1024
#: Indexes nest at most this deep (a deeper chain is skipped and logged).
MAX_DEPTH = 16


@dataclass(frozen=True, slots=True)
class Entry:
    """A manifest or index seen in the store."""

    digest: str
    media_type: str
    size: int


def _document(
    content: ContentStore, digest: str, limit: int, *, json_only: bool = False
) -> dict[str, Any] | None:
    """The blob as a JSON object, or ``None`` (logged) when it is not one.

    With ``json_only``, blobs that do not start like a JSON object are skipped silently
    (a scan meets layers and configs too).
    """
    try:
        raw = content.read(digest, limit)
    except errors.ImageLookupError as exc:
        log.warning("skipping %s: %s", digest, exc)
        return None
    if json_only and not raw.lstrip()[:1] == b"{":
        return None
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        log.warning("skipping %s: not valid JSON (%s)", digest, exc)
        return None
    if not isinstance(doc, dict):
        log.warning("skipping %s: not a JSON object", digest)
        return None
    return doc


def _kind(media_type: str, doc: Mapping[str, Any]) -> str:
    if media_type in INDEX_TYPES:
        return "index"
    if media_type in MANIFEST_TYPES:
        return "manifest"
    if not media_type:
        own = doc.get("mediaType")
        if own in INDEX_TYPES or (own is None and isinstance(doc.get("manifests"), list)):
            return "index"
        if own in MANIFEST_TYPES or (own is None and isinstance(doc.get("config"), dict)):
            return "manifest"
    return "other"


def _descriptors(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = doc.get("manifests")
    if not isinstance(items, list):
        return []
    return [d for d in items if isinstance(d, dict) and isinstance(d.get("digest"), str)]


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _size(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


class Catalog:
    """Images, manifests and indexes of one store, and the links between them."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self._configs: dict[str, str] = {}  # manifest digest -> config digest
        self._parents: dict[str, list[str]] = {}  # child digest -> indexes listing it
        self._attestations: set[str] = set()
        self.images: dict[str, list[str]] = {}  # image ID -> manifests naming it
        from .. import IDIndex  # imported here: the package imports the stores

        self.ids = IDIndex()

    def add_index(self, entry: Entry, doc: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Record an index; its child descriptors."""
        self.entries.setdefault(entry.digest, entry)
        children = _descriptors(doc)
        for child in children:
            parents = self._parents.setdefault(child["digest"], [])
            if entry.digest not in parents:
                parents.append(entry.digest)
            annotations = child.get("annotations")
            if isinstance(annotations, dict) and annotations.get(_REFERENCE_TYPE) == (
                ATTESTATION_TYPE
            ):
                self._attestations.add(child["digest"])
        return children

    def add_manifest(self, entry: Entry, doc: Mapping[str, Any]) -> None:
        self.entries.setdefault(entry.digest, entry)
        config = doc.get("config")
        if not isinstance(config, dict):
            return
        digest = config.get("digest")
        if isinstance(digest, str) and _str(config.get("mediaType")) in CONFIG_TYPES:
            self._configs.setdefault(entry.digest, digest)

    def finish(self) -> Catalog:
        """Index the image IDs once every document is recorded."""
        for manifest, config in self._configs.items():
            if manifest in self._attestations:
                continue
            manifests = self.images.get(config)
            if manifests is None:
                self.images[config] = [manifest]
                try:
                    self.ids.add(config)
                except errors.ImageLookupError as exc:
                    log.warning("skipping image %s: %s", config, exc)
                    del self.images[config]
            elif manifest not in manifests:
                manifests.append(manifest)
        return self

    def lease(self, image_id: str) -> tuple[str, ...]:
        """The indexes (nearest first, then their parents) and manifests naming the image."""
        manifests = self.images.get(image_id, [])
        seen: dict[str, None] = {}
        frontier = list(manifests)
        while frontier:
            parents: list[str] = []
            for digest in frontier:
                for parent in self._parents.get(digest, ()):
                    if parent not in seen:
                        seen[parent] = None
                        parents.append(parent)
            frontier = parents
        return (*seen, *manifests)


def walk(
    content: ContentStore, roots: Iterable[Mapping[str, Any]], *, limit: int = MANIFEST_LIMIT
) -> Catalog:
    """Catalog everything reachable from ``roots`` (descriptors, e.g. ``index.json``'s)."""
    catalog = Catalog()
    seen: set[str] = set()
    stack: list[tuple[Mapping[str, Any], int]] = [(d, 0) for d in reversed(list(roots))]
    while stack:
        desc, depth = stack.pop()
        digest = desc.get("digest")
        if not isinstance(digest, str) or digest in seen:
            continue
        seen.add(digest)
        media_type = _str(desc.get("mediaType"))
        if media_type and media_type not in INDEX_TYPES and media_type not in MANIFEST_TYPES:
            continue
        doc = _document(content, digest, limit)
        if doc is None:
            continue
        kind = _kind(media_type, doc)
        entry = Entry(digest, media_type or _str(doc.get("mediaType")), _size(desc.get("size")))
        if kind == "index":
            if depth >= MAX_DEPTH:
                log.warning("skipping %s: indexes nested deeper than %d", digest, MAX_DEPTH)
                continue
            children = catalog.add_index(entry, doc)
            stack.extend((child, depth + 1) for child in reversed(children))
        elif kind == "manifest":
            catalog.add_manifest(entry, doc)
    return catalog.finish()


def scan(
    content: ContentStore, blobs: Sequence[tuple[str, int]], *, limit: int = 1_000_000
) -> Catalog:
    """Catalog every index and manifest among ``blobs`` (``(digest, size)`` pairs).

    Blobs larger than ``limit`` (layers, mostly) are not read; nor are blobs that do not
    start like a JSON object.
    """
    catalog = Catalog()
    for digest, size in blobs:
        if size > limit or size < 2:
            continue
        doc = _document(content, digest, limit, json_only=True)
        if doc is None:
            continue
        own = _str(doc.get("mediaType"))
        kind = _kind(own, doc)
        entry = Entry(digest, own, size)
        if kind == "index":
            catalog.add_index(entry, doc)
        elif kind == "manifest":
            catalog.add_manifest(entry, doc)
    return catalog.finish()
