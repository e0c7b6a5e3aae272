"""The four store protocols that image lookup relies on, as moby's daemon does.

A store answers one narrow question each; :class:`imagelookup.service.ImageService` does the
orchestration, so every store kind (in-memory, OCI layout, docker-archive, Docker data-root,
registry) gets exactly the same ``get_image`` semantics.

- :class:`ContentStore`: blobs by digest, always read with a bound and verified.
- :class:`LeaseStore`: what content is held for an image (moby's lease ``moby-image-<id>``:
  the manifest lists and manifests pulled for it). The manifest-list fallback of
  ``get_image`` reads these.
- :class:`ImageStore`: image configs by image ID (the config digest), and ID-prefix search.
- :class:`ReferenceStore`: what a name, tag or digest reference points at.

Two kinds of store fit these protocols without special cases in the service:

- *Single-image stores* (moby's image store, docker-archive): a reference points straight at
  an image ID; its :class:`Target` has ``media_type == IMAGE_ID``.
- *Multi-platform stores* (OCI layout, registry, containerd content): a reference points at a
  manifest or an index; the service reads it from the :class:`ContentStore` and, for an
  index, picks the manifest that ``platforms.only(platform)`` prefers (the host default when
  no platform is asked for), as containerd does. The chosen manifest's config digest is the
  image ID that :meth:`ImageStore.get` is then asked for.

All methods raise :class:`imagelookup.errors.NotFound` for absent things, and
:class:`imagelookup.errors.StoreError` (or a subclass of ``ImageLookupError``) for trouble;
they never return ``None`` for "absent". Implementations must be safe to call from many
threads at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..image import Image
    from ..reference import Reference

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

#: ``Target.media_type`` for a reference that names an image ID directly (moby's reference
#: store), as opposed to a manifest or index media type.
IMAGE_ID = "application/vnd.imagelookup.image-id"


def image_lease_id(image_id: str) -> str:
    """moby's lease name for the content pulled for an image: ``moby-image-<id>``.

    moby (v24) names the lease after the full image ID, algorithm included
    (``moby-image-sha256:<hex>``).
    """
    return f"moby-image-{image_id}"


@dataclass(frozen=True, slots=True)
class Target:
    """What a reference points at: an image ID, a manifest or an index.

    ``size`` is the descriptor's size where the store knows it (a read of the target is then
    bounded by it and checked against it), else ``None``.
    """

    digest: str
    media_type: str = IMAGE_ID
    size: int | None = None


@runtime_checkable
class ContentStore(Protocol):
    """Blobs by digest."""

    def read(self, digest: str, limit: int) -> bytes:
        """The blob's bytes, verified against ``digest``.

        Raises ``NotFound`` when absent, ``LimitExceeded`` when the blob is larger than
        ``limit`` (without reading more than ``limit`` bytes of it), ``DigestMismatch`` when
        the bytes do not hash to ``digest``, ``InvalidDigest`` for a malformed digest.
        """
        ...

    def size(self, digest: str) -> int:
        """The blob's size in bytes; ``NotFound`` when absent."""
        ...


@runtime_checkable
class LeaseStore(Protocol):
    """Content held for a purpose, by lease ID."""

    def resources(self, lease_id: str) -> Sequence[str]:
        """Digests of the content the lease holds, in a stable order.

        Raises ``NotFound`` when there is no such lease (``get_image`` then treats the image as
        having no manifest lists, as moby does).
        """
        ...


@runtime_checkable
class ImageStore(Protocol):
    """Image configs by image ID."""

    def get(self, image_id: str) -> Image:
        """The image whose config digest is ``image_id`` (``sha256:<hex>``); ``NotFound``
        when absent."""
        ...

    def search(self, prefix: str) -> str:
        """The one image ID that ``prefix`` (bare hex or ``algorithm:hex``) starts, as moby's
        image store search does. ``NotFound`` when none, ``AmbiguousPrefix`` when several."""
        ...


@runtime_checkable
class ReferenceStore(Protocol):
    """Names, tags and digests to targets."""

    def get(self, ref: Reference) -> Target:
        """The target ``ref`` points at. ``ref`` is normalized (``docker.io/library/…``);
        a name with neither tag nor digest means ``:latest``. ``NotFound`` when absent."""
        ...


@runtime_checkable
class Store(Protocol):
    """A bundle of the four stores, as the on-disk and registry stores provide them."""

    @property
    def images(self) -> ImageStore: ...

    @property
    def references(self) -> ReferenceStore: ...

    @property
    def content(self) -> ContentStore: ...

    @property
    def leases(self) -> LeaseStore: ...
