"""In-memory stores: one per protocol of :mod:`imagelookup.stores.base`, and a builder.

For tests, and for callers who keep their own data and want Docker's lookup rules over it.

- :class:`MemoryContentStore`: blobs by digest. Every blob is verified against its digest when
  it is added (so a read never returns bytes that do not hash to the digest asked for).
- :class:`MemoryLeaseStore`: lease ID to the digests it holds, in insertion order.
- :class:`MemoryImageStore`: images by ID, with ID-prefix search through
  :class:`imagelookup.IDIndex` (moby's image-store search rules).
- :class:`MemoryReferenceStore`: references to targets, keyed as moby's reference store keys
  them: a bare name means ``:latest``, a name with tag and digest is kept by its digest.
- :class:`MemoryStore`: the four together, with a builder (:meth:`~MemoryStore.add_image`,
  :meth:`~MemoryStore.add_manifest`, :meth:`~MemoryStore.add_index`, :meth:`~MemoryStore.tag`,
  :meth:`~MemoryStore.lease`) that writes real JSON manifests and indexes into the content
  store, so a :class:`imagelookup.ImageService` over it behaves as over any other store.

All stores are safe to use from many threads: writes take a lock, reads are single dict
lookups of immutable values.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from .. import digest as digests
from .. import errors, manifests, platforms, reference
from ..idindex import IDIndex
from ..image import Image
from ..platforms import Platform
from .base import IMAGE_ID, Target, image_lease_id

if TYPE_CHECKING:
    from ..reference import Reference

__all__ = [
    "DOCKER_CONFIG",
    "DOCKER_MANIFEST",
    "DOCKER_MANIFEST_LIST",
    "OCI_CONFIG",
    "OCI_INDEX",
    "OCI_MANIFEST",
    "Entry",
    "MemoryContentStore",
    "MemoryImageStore",
    "MemoryLeaseStore",
    "MemoryReferenceStore",
    "MemoryStore",
]

OCI_MANIFEST = manifests.MEDIA_TYPE_OCI_MANIFEST
OCI_INDEX = manifests.MEDIA_TYPE_OCI_INDEX
OCI_CONFIG = manifests.MEDIA_TYPE_OCI_CONFIG
DOCKER_MANIFEST = manifests.MEDIA_TYPE_DOCKER_MANIFEST
DOCKER_MANIFEST_LIST = manifests.MEDIA_TYPE_DOCKER_MANIFEST_LIST
DOCKER_CONFIG = manifests.MEDIA_TYPE_DOCKER_CONFIG

_CONFIG_FOR = {OCI_MANIFEST: OCI_CONFIG, DOCKER_MANIFEST: DOCKER_CONFIG}
_MANIFEST_FOR = {OCI_INDEX: OCI_MANIFEST, DOCKER_MANIFEST_LIST: DOCKER_MANIFEST}


class MemoryContentStore:
    """Blobs by digest, verified when added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._blobs: dict[str, bytes] = {}

    def add(
        self,
        data: bytes | bytearray | memoryview,
        *,
        digest: str | None = None,
        algorithm: str = "sha256",
    ) -> str:
        """Store ``data``; return its digest.

        With ``digest``, the data must hash to it (``DigestMismatch`` otherwise); without,
        the digest is computed with ``algorithm``.
        """
        blob = bytes(data)
        if digest is None:
            digest = digests.compute(blob, algorithm)
        else:
            digests.verify(blob, digest)
        with self._lock:
            self._blobs[digest] = blob
        return digest

    def remove(self, digest: str) -> None:
        """Forget a blob; ``NotFound`` when absent."""
        with self._lock:
            if self._blobs.pop(digest, None) is None:
                raise errors.NotFound(f"content digest {digest}: not found")

    def read(self, digest: str, limit: int) -> bytes:
        blob = self._blob(digest)
        if len(blob) > limit:
            raise errors.LimitExceeded(
                f"content {digest} is {len(blob)} bytes, more than the limit of {limit}",
                limit=limit,
                size=len(blob),
            )
        return blob

    def size(self, digest: str) -> int:
        return len(self._blob(digest))

    def _blob(self, digest: str) -> bytes:
        blob = self._blobs.get(digest)
        if blob is None:
            digests.validate(digest)
            raise errors.NotFound(f"content digest {digest}: not found")
        return blob

    def __contains__(self, digest: object) -> bool:
        return digest in self._blobs

    def __len__(self) -> int:
        return len(self._blobs)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._blobs))


class MemoryLeaseStore:
    """Leases: an ID and the digests of the content it holds, in the order added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._leases: dict[str, tuple[str, ...]] = {}

    def add(self, lease_id: str, *resources: str) -> None:
        """Create lease ``lease_id`` if needed and add ``resources`` it does not hold yet."""
        with self._lock:
            held = self._leases.get(lease_id, ())
            added = tuple(dict.fromkeys(r for r in resources if r not in held))
            self._leases[lease_id] = held + added

    def remove(self, lease_id: str) -> None:
        """Delete a lease; ``NotFound`` when absent."""
        with self._lock:
            if self._leases.pop(lease_id, None) is None:
                raise errors.NotFound(f"lease {lease_id!r}: not found")

    def resources(self, lease_id: str) -> tuple[str, ...]:
        try:
            return self._leases[lease_id]
        except KeyError:
            raise errors.NotFound(f"lease {lease_id!r}: not found") from None

    def __contains__(self, lease_id: object) -> bool:
        return lease_id in self._leases

    def __len__(self) -> int:
        return len(self._leases)


class MemoryImageStore:
    """Images by ID, searchable by ID prefix."""

    def __init__(self, images: Iterable[Image] = ()) -> None:
        self._lock = threading.Lock()
        self._images: dict[str, Image] = {}
        self._index = IDIndex()
        for image in images:
            self.add(image)

    def add(self, image: Image) -> Image:
        """Store ``image``; its raw config must hash to its ID (``DigestMismatch``)."""
        digests.verify(image.raw, image.id)
        with self._lock:
            known = image.id in self._images
            self._images[image.id] = image
            if not known:
                self._index.add(image.id)
        return image

    def add_config(self, raw: bytes | bytearray | memoryview) -> Image:
        """Store the image whose config is ``raw`` (its ID is the sha256 of ``raw``)."""
        blob = bytes(raw)
        image = Image.from_config_bytes(digests.compute(blob), blob)
        return self.add(image)

    def remove(self, image_id: str) -> None:
        """Forget an image; ``NotFound`` when absent."""
        with self._lock:
            if image_id not in self._images:
                raise errors.NotFound(f"No such image: {image_id}")
            self._index.remove(image_id)
            del self._images[image_id]

    def get(self, image_id: str) -> Image:
        try:
            return self._images[image_id]
        except KeyError:
            raise errors.NotFound(f"No such image: {image_id}") from None

    def search(self, prefix: str) -> str:
        return self._index.search(prefix)

    def __contains__(self, image_id: object) -> bool:
        return image_id in self._images

    def __len__(self) -> int:
        return len(self._images)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._images))


def _reference_key(ref: Reference) -> str:
    """moby's reference-store key: digest over tag, ``latest`` for a bare name."""
    name = ref.name
    dgst = ref.digest
    if dgst is not None:
        return f"{name}@{dgst}"
    tag = ref.tag
    return f"{name}:{'latest' if tag is None else tag}"


class MemoryReferenceStore:
    """References (names with a tag or digest) to targets."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._targets: dict[str, Target] = {}

    def add(self, ref: str | Reference, target: Target | str) -> Reference:
        """Point ``ref`` at ``target`` (a :class:`Target`, or an image ID); return the parsed
        reference. An existing reference is overwritten.

        ``ref`` is parsed as Docker parses it (``ubuntu`` is ``docker.io/library/ubuntu``,
        stored as ``:latest``). Raises ``InvalidParameter`` for a digest-only reference and,
        as moby does, for the familiar name ``sha256``.
        """
        parsed = reference.parse_any(ref) if isinstance(ref, str) else ref
        if parsed.name is None:
            raise errors.InvalidParameter(
                f"refusing to create a reference without a name: {ref}", kind="invalid_reference"
            )
        if parsed.name == "docker.io/library/sha256":
            raise errors.InvalidParameter(
                "refusing to create an ambiguous tag using digest algorithm as name",
                kind="invalid_tag",
            )
        resolved = Target(target) if isinstance(target, str) else target
        with self._lock:
            self._targets[_reference_key(parsed)] = resolved
        return parsed

    def remove(self, ref: str | Reference) -> None:
        """Forget a reference; ``NotFound`` when absent."""
        parsed = reference.parse_any(ref) if isinstance(ref, str) else ref
        with self._lock:
            if self._targets.pop(_reference_key(parsed), None) is None:
                raise errors.NotFound("reference does not exist")

    def get(self, ref: Reference) -> Target:
        if ref.name is None:
            raise errors.NotFound("reference does not exist")
        try:
            return self._targets[_reference_key(ref)]
        except KeyError:
            raise errors.NotFound("reference does not exist") from None

    def items(self) -> list[tuple[str, Target]]:
        """``(reference, target)`` pairs, references in their full form."""
        return list(self._targets.items())

    def __len__(self) -> int:
        return len(self._targets)


@dataclass(frozen=True, slots=True)
class Entry:
    """A manifest or index the builder wrote, usable as an index entry or a tag target.

    ``platform`` and ``annotations`` are what an index entry for it says (OCI JSON form);
    :meth:`MemoryStore.add_index` lets an item override the platform.
    """

    digest: str
    size: int
    media_type: str
    platform: Mapping[str, Any] | None = None
    annotations: Mapping[str, str] | None = None

    @property
    def target(self) -> Target:
        return Target(self.digest, self.media_type, self.size)

    def descriptor(self) -> dict[str, Any]:
        """The OCI descriptor JSON object of this entry."""
        out: dict[str, Any] = {
            "mediaType": self.media_type,
            "digest": self.digest,
            "size": self.size,
        }
        if self.platform is not None:
            out["platform"] = dict(self.platform)
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        return out


#: A platform for the builder: a :class:`Platform`, a specifier (parsed by
#: ``platforms.parse``) or an OCI platform mapping, written verbatim.
PlatformArg = Platform | str | Mapping[str, Any]
#: An index item: an :class:`Entry`, or ``(image or entry, platform or None)``.
IndexItem = Entry | tuple[Image | Entry, PlatformArg | None]


def _oci_platform(platform: PlatformArg) -> dict[str, Any]:
    if isinstance(platform, Mapping):
        return dict(platform)
    parsed = platforms.parse(platform) if isinstance(platform, str) else platform
    return dict(parsed.to_oci())


def _dumps(doc: Mapping[str, Any]) -> bytes:
    return orjson.dumps(doc)


class MemoryStore:
    """The four in-memory stores, with a builder for images, manifests, indexes and tags."""

    def __init__(self) -> None:
        self._images = MemoryImageStore()
        self._references = MemoryReferenceStore()
        self._content = MemoryContentStore()
        self._leases = MemoryLeaseStore()

    @property
    def images(self) -> MemoryImageStore:
        return self._images

    @property
    def references(self) -> MemoryReferenceStore:
        return self._references

    @property
    def content(self) -> MemoryContentStore:
        return self._content

    @property
    def leases(self) -> MemoryLeaseStore:
        return self._leases

    def add_image(
        self,
        *,
        os: str = "linux",
        architecture: str = "amd64",
        variant: str = "",
        os_version: str = "",
        os_features: Iterable[str] = (),
        config: Mapping[str, Any] | None = None,
        tags: Iterable[str] = (),
    ) -> Image:
        """Add an image whose config has these platform fields (empty ones left out), then
        the fields of ``config`` (which win), and tag it with ``tags``.

        Give ``config`` something distinct (a label, a ``created`` time) to add several
        images of one platform.
        """
        doc: dict[str, Any] = {"architecture": architecture, "os": os}
        if variant:
            doc["variant"] = variant
        if os_version:
            doc["os.version"] = os_version
        features = list(os_features)
        if features:
            doc["os.features"] = features
        doc["rootfs"] = {"type": "layers", "diff_ids": []}
        if config:
            doc.update(config)
        return self.add_config(_dumps(doc), tags=tags)

    def add_config(self, raw: bytes | bytearray | memoryview, *, tags: Iterable[str] = ()) -> Image:
        """Add the image whose config bytes are ``raw`` (exactly), and tag it."""
        image = self._images.add_config(raw)
        self._content.add(image.raw, digest=image.id)
        for tag in tags:
            self.tag(tag, image)
        return image

    def add_blob(self, data: bytes | bytearray | memoryview) -> str:
        """Add any bytes to the content store; return their digest."""
        return self._content.add(data)

    def add_manifest(
        self,
        image: Image,
        *,
        media_type: str = OCI_MANIFEST,
        tags: Iterable[str] = (),
        lease: bool = False,
    ) -> Entry:
        """Write a manifest for ``image`` (config descriptor, no layers); tag it with
        ``tags`` (multi-platform style: the tag names the manifest); with ``lease``, add it to
        the image's lease."""
        config_type = _CONFIG_FOR.get(media_type, OCI_CONFIG)
        doc = {
            "schemaVersion": 2,
            "mediaType": media_type,
            "config": {"mediaType": config_type, "digest": image.id, "size": len(image.raw)},
            "layers": [],
        }
        raw = _dumps(doc)
        entry = Entry(self._content.add(raw), len(raw), media_type)
        for tag in tags:
            self.tag(tag, entry)
        if lease:
            self.lease(image, entry)
        return entry

    def add_index(
        self,
        items: Iterable[IndexItem],
        *,
        media_type: str = OCI_INDEX,
        tags: Iterable[str] = (),
        lease_for: Iterable[Image] = (),
        annotations: Mapping[str, str] | None = None,
    ) -> Entry:
        """Write an index (or Docker manifest list, by ``media_type``) of ``items``.

        An item is an :class:`Entry` (written as is), or ``(image, platform)`` (a manifest of
        the index's family is written for the image) or ``(entry, platform)``; a ``None``
        platform writes an entry without one. ``tags`` name the index (multi-platform style);
        each image of ``lease_for`` gets the index and its entries in its lease, as moby
        leases what it pulled for an image.
        """
        manifest_type = _MANIFEST_FOR.get(media_type, OCI_MANIFEST)
        descriptors: list[dict[str, Any]] = []
        written: list[str] = []
        for item in items:
            if isinstance(item, Entry):
                entry = item
            else:
                what, platform = item
                entry = (
                    self.add_manifest(what, media_type=manifest_type)
                    if isinstance(what, Image)
                    else what
                )
                oci = None if platform is None else _oci_platform(platform)
                entry = Entry(entry.digest, entry.size, entry.media_type, oci, entry.annotations)
            descriptors.append(entry.descriptor())
            written.append(entry.digest)
        doc: dict[str, Any] = {
            "schemaVersion": 2,
            "mediaType": media_type,
            "manifests": descriptors,
        }
        if annotations:
            doc["annotations"] = dict(annotations)
        raw = _dumps(doc)
        index = Entry(self._content.add(raw), len(raw), media_type)
        for tag in tags:
            self.tag(tag, index)
        for image in lease_for:
            self.lease(image, index, *written)
        return index

    def tag(self, ref: str, target: Image | Entry | Target | str) -> Reference:
        """Point ``ref`` at an image (by ID), a manifest or index :class:`Entry`, or a
        :class:`Target`."""
        if isinstance(target, Image):
            resolved = Target(target.id, IMAGE_ID)
        elif isinstance(target, Entry):
            resolved = target.target
        elif isinstance(target, str):
            resolved = Target(target, IMAGE_ID)
        else:
            resolved = target
        return self._references.add(ref, resolved)

    def lease(self, image: Image | str, *resources: Entry | str) -> str:
        """Add ``resources`` to the image's lease ``moby-image-<id>``; return the lease ID."""
        image_id = image.id if isinstance(image, Image) else image
        lease_id = image_lease_id(image_id)
        self._leases.add(lease_id, *(r.digest if isinstance(r, Entry) else r for r in resources))
        return lease_id
