"""The image service: which image does a reference, ID or ID prefix mean, for a platform?

:meth:`ImageService.get_image` answers as Docker 24's daemon does (moby
``daemon/images/image.go``, ``GetImage``), over the four store protocols of
:mod:`imagelookup.stores.base`. The rules, in order:

1. The input is parsed with :func:`imagelookup.reference.parse_any`. A parse error is
   re-raised unchanged (an :class:`~imagelookup.errors.InvalidParameter`).
2. A digest-only reference (``sha256:<hex>`` or a bare 64-hex ID) is looked up in the image
   store and nowhere else.
3. A named reference is looked up in the reference store (a bare name means ``:latest``; a
   name with tag and digest is looked up by the digest, as moby's reference store does). If
   that gives nothing, the **raw input** is searched as an image-ID prefix, so ``3f5a`` and
   ``sha256:3f5a`` (which parses as name ``sha256``, tag ``3f5a``) find the image whose ID
   starts so. An ambiguous prefix is "not found", as in moby.
4. Nothing found: :class:`~imagelookup.errors.ImageNotFound`, message exactly
   ``No such image: <familiar name:tag>`` (``ubuntu`` reads ``ubuntu:latest``), or the digest
   for a digest-only reference.
5. With a platform, the found image is accepted when
   :func:`imagelookup.platforms.only_with_fallback` accepts its config's
   os/architecture/variant (only those three fields, as moby passes them). Otherwise the
   manifest lists leased for the image (lease ``moby-image-<id>``) are read, each bounded to
   1,000,000 bytes; their image-manifest entries (OCI or Docker schema 2 media type) that the
   strict :func:`imagelookup.platforms.only` accepts are read, and the image is accepted when
   such a manifest's config digest is the image ID. Blobs that are missing, unreadable,
   oversize or malformed are skipped (and logged, as moby logs them). No lease at all means no
   lists; any other lease-store error is raised. (Early 24.0 releases returned the lease's
   "not found" too, which hid the mismatch; moby#46293, backported to 24.0 as moby#46300
   before 24.0.7, made it "no lists", as here.)
6. Still no match: :class:`~imagelookup.errors.PlatformMismatch`, whose first line is exactly
   moby's ``image with reference <input> was found but does not match the specified
   platform: wanted <format(wanted)>, actual: <format(image)>``.

Multi-platform stores. A reference may point at a manifest or an index instead of an image ID
(see :class:`~imagelookup.stores.base.Target`). The service then does what containerd does:

- a manifest: its config digest is the image ID;
- an index (nested indexes are followed, at most :data:`MAX_INDEX_DEPTH` deep): the
  runnable entries (image-manifest media types, attestations left out) are ranked by
  ``platforms.only(platform)``, or by the host default ``platforms.default()`` when no platform
  is asked for (then every runnable entry is a candidate, the host's first, as moby's
  containerd store ranks them). Entries without a platform are ranked by their config's
  platform. The best entry whose manifest and config are present in the store is the image;
  absent ones are passed over, as containerd passes over platforms that were never pulled.
- the found image then goes through the same platform check (step 5); an image chosen from an
  index for the wanted platform passes it, because that index is a manifest list saying so.

When an index has no present entry for the wanted platform, Docker 24's classic store never
gets there and moby's containerd store reports "not found" (``No such image`` in Docker 25-27,
``… does not provide the specified platform`` from Docker 28). We raise
:class:`~imagelookup.errors.PlatformMismatch`, a ``NotFound`` like both, with the Docker 24
first line; as there is no single image, ``actual:`` lists the platforms the index offers
(comma-separated, document order, ``none`` for an index without runnable entries), the
``actual`` attribute is ``None``, and ``available`` and ``candidates`` say what was there and
why each entry was passed over. With no platform asked for and nothing present, it is
:class:`~imagelookup.errors.ImageNotFound`.

Diagnostics. Every :class:`~imagelookup.errors.ImageNotFound` and
:class:`~imagelookup.errors.PlatformMismatch` raised here carries attributes ``ref_or_id``,
``reference``, ``wanted``, ``actual``, ``available`` (platforms seen in the lists and indexes
consulted), ``candidates`` (a :class:`Candidate` per entry considered, with its
:class:`Verdict` and reason) and ``steps`` (the :class:`Step` story).
:meth:`ImageService.explain` returns the same story as an :class:`Explanation`, for successes
too. The mismatch message adds these details after its first line; the not-found message is
moby's alone.

Deviations from moby, on purpose:

- A store that fails with something other than ``NotFound`` (a ``StoreError``, a digest
  mismatch on a reference's target) makes ``get_image`` raise that error, where moby would
  swallow it and answer "No such image". A broken store is reported, not disguised. In the
  manifest-list fallback, bad blobs are skipped exactly as moby skips them.
- moby reads the first 1,000,000 bytes of a larger blob and then fails to decode it (except
  for a document padded with whitespace past the limit, which it accepts); we skip any blob
  larger than the bound without reading it.
- An index entry with no platform crashes Docker 24's fallback; we pass over it.

Logging goes to the ``imagelookup.service`` logger with moby's events and levels (``Checking
lease resource for platform match``, ``Manifest is not a match``, ``Found matching manifest for
image``, ``Skipping non-matching manifest`` at DEBUG; the read and decode failures at ERROR),
each message followed by moby's fields as ``key=value`` and the fields also on the record as
``record.fields``.

Thread safety: an :class:`ImageService` keeps no state between calls; it is as thread-safe as
its stores (the in-memory stores are).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from . import errors, manifests, platforms, reference
from .image import Image
from .platforms import Platform
from .stores.base import (
    IMAGE_ID,
    ContentStore,
    ImageStore,
    LeaseStore,
    ReferenceStore,
    Store,
    Target,
    image_lease_id,
)

if TYPE_CHECKING:
    from .reference import Reference

__all__ = [
    "FALLBACK_READ_LIMIT",
    "MAX_INDEX_DEPTH",
    "TARGET_READ_LIMIT",
    "Candidate",
    "Explanation",
    "ImageService",
    "PlatformLike",
    "Step",
    "Verdict",
]

logger = logging.getLogger("imagelookup.service")

#: moby's bound on each blob read by the manifest-list fallback.
FALLBACK_READ_LIMIT = 1_000_000
#: Default bound on manifests and indexes a reference points at (distribution's 4 MiB limit).
TARGET_READ_LIMIT = 4 * 1024 * 1024
#: How deep nested indexes are followed.
MAX_INDEX_DEPTH = 8

_MANIFEST_TYPES = frozenset(
    {manifests.MEDIA_TYPE_OCI_MANIFEST, manifests.MEDIA_TYPE_DOCKER_MANIFEST}
)
_INDEX_TYPES = frozenset(
    {manifests.MEDIA_TYPE_OCI_INDEX, manifests.MEDIA_TYPE_DOCKER_MANIFEST_LIST}
)

#: What ``platform=`` accepts: a :class:`Platform`, a specifier (``"linux/arm64/v8"``) or an
#: OCI platform mapping (``{"os": "linux", "architecture": "arm64"}``).
PlatformLike = Platform | str | Mapping[str, Any]


class Verdict(str, enum.Enum):
    """Why a manifest entry was taken or passed over."""

    #: The entry gave the image (chosen from an index, or a manifest list confirming it).
    ACCEPTED = "accepted"
    #: Matched the platform, but a better-ranked entry was taken.
    NOT_PREFERRED = "not-preferred"
    #: Its platform is not accepted for the wanted platform.
    PLATFORM = "platform"
    #: It has no platform (the manifest-list fallback cannot judge it).
    NO_PLATFORM = "no-platform"
    #: Not an image manifest (an unknown media type, or an index where none is expected).
    MEDIA_TYPE = "media-type"
    #: An attestation manifest (``unknown/unknown``), never an image to run.
    ATTESTATION = "attestation"
    #: Its manifest is readable and names a config other than the image's.
    OTHER_IMAGE = "other-image"
    #: Its manifest or config is not in the store (a platform that was never pulled).
    ABSENT = "absent"
    #: Its manifest could not be read or decoded (oversize, malformed, digest mismatch).
    UNREADABLE = "unreadable"


class Step(NamedTuple):
    """One thing the service did: ``action`` on ``subject``, with ``outcome``."""

    action: str
    subject: str
    outcome: str

    def __str__(self) -> str:
        return f"{self.action} {self.subject}: {self.outcome}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A manifest entry of an index or manifest list that the service considered.

    ``source`` is the digest of the index or list the entry came from; ``platform`` is the
    entry's platform (as the lookup judged it), ``None`` when it has none.
    """

    digest: str
    media_type: str
    platform: Platform | None
    source: str
    verdict: Verdict
    reason: str

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.ACCEPTED

    def __str__(self) -> str:
        plat = "no platform" if self.platform is None else platforms.format(self.platform)
        return f"{self.digest} ({plat}) in {self.source}: {self.verdict.value}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Explanation:
    """The story of one lookup, as :meth:`ImageService.explain` tells it.

    - ``image``: the image found (``None`` on failure); ``error``: the exception
      :meth:`ImageService.get_image` raises for this lookup (``None`` on success).
    - ``found_by``: ``"digest"``, ``"reference"`` or ``"id-prefix"``; ``target``: what the
      reference store gave, if it was consulted and had the reference.
    - ``matched_by``: how the platform check passed: ``"config"`` (the image config's
      platform), ``"index"`` (chosen from an index for the platform) or ``"manifest-list"``
      (moby's fallback); ``None`` when no platform was asked for or the check failed.
    - ``actual``: the image config's os/architecture/variant.
    - ``available``, ``candidates``, ``steps``: as on the errors (see the module doc).
    """

    ref_or_id: str
    wanted: Platform | None
    reference: Reference | None
    image: Image | None
    error: errors.ImageLookupError | None
    found_by: str | None
    target: Target | None
    matched_by: str | None
    actual: Platform | None
    available: tuple[Platform, ...]
    candidates: tuple[Candidate, ...]
    steps: tuple[Step, ...]

    @property
    def ok(self) -> bool:
        """Whether :meth:`ImageService.get_image` returns an image for this lookup."""
        return self.error is None

    def __str__(self) -> str:
        wanted = "any platform" if self.wanted is None else platforms.format(self.wanted)
        lines = [f"lookup of {self.ref_or_id!r} for {wanted}"]
        lines += [f"  {step}" for step in self.steps]
        if self.candidates:
            lines.append("  candidates:")
            lines += [f"    {candidate}" for candidate in self.candidates]
        if self.image is not None:
            how = f" (platform matched by {self.matched_by})" if self.matched_by else ""
            lines.append(f"  found {self.image.id} by {self.found_by}{how}")
        elif self.error is not None:
            first = str(self.error).split("\n", 1)[0]
            lines.append(f"  {type(self.error).__name__}: {first}")
        return "\n".join(lines)


@functools.lru_cache(maxsize=512)
def _parse_spec(spec: str) -> Platform:
    return platforms.parse(spec)


@functools.lru_cache(maxsize=512)
def _fallback_matcher(wanted: Platform) -> Any:
    return platforms.only_with_fallback(wanted)


@functools.lru_cache(maxsize=512)
def _only_matcher(wanted: Platform) -> Any:
    return platforms.only(wanted)


@functools.lru_cache(maxsize=1)
def _default_matcher() -> Any:
    return platforms.default()


def _wanted_platform(platform: PlatformLike | None) -> Platform | None:
    if platform is None or isinstance(platform, Platform):
        return platform
    if isinstance(platform, str):
        return _parse_spec(platform)
    if isinstance(platform, Mapping):
        return Platform.from_oci(platform)
    raise TypeError(
        "platform must be a Platform, a specifier string or an OCI platform mapping, "
        f"not {type(platform).__name__}"
    )


def _short(p: Platform) -> Platform:
    """The os/architecture/variant part of ``p``, as moby builds the platforms it compares."""
    return Platform(p.os, p.architecture, p.variant)


def _log(level: int, event: str, **fields: Any) -> None:
    if logger.isEnabledFor(level):
        text = " ".join(f"{key}={value}" for key, value in fields.items())
        logger.log(level, "%s %s", event, text, extra={"fields": fields})


class ImageService:
    """Image lookup over an image store, a reference store, content and leases.

    ``read_limit`` bounds each read of a manifest or index that a reference points at (the
    manifest-list fallback always uses moby's :data:`FALLBACK_READ_LIMIT`).
    """

    __slots__ = ("_content", "_images", "_leases", "_read_limit", "_references")

    def __init__(
        self,
        images: ImageStore,
        references: ReferenceStore,
        content: ContentStore,
        leases: LeaseStore,
        *,
        read_limit: int = TARGET_READ_LIMIT,
    ) -> None:
        if read_limit <= 0:
            raise errors.InvalidParameter(f"read_limit must be positive, not {read_limit}")
        self._images = images
        self._references = references
        self._content = content
        self._leases = leases
        self._read_limit = read_limit

    @classmethod
    def from_store(cls, store: Store, *, read_limit: int = TARGET_READ_LIMIT) -> ImageService:
        """A service over the four stores of ``store``."""
        return cls(
            store.images, store.references, store.content, store.leases, read_limit=read_limit
        )

    @property
    def images(self) -> ImageStore:
        return self._images

    @property
    def references(self) -> ReferenceStore:
        return self._references

    @property
    def content(self) -> ContentStore:
        return self._content

    @property
    def leases(self) -> LeaseStore:
        return self._leases

    def get_image(self, ref_or_id: str, *, platform: PlatformLike | None = None) -> Image:
        """The image ``ref_or_id`` names, checked against ``platform`` if one is given.

        Raises ``InvalidParameter`` (bad reference or platform), ``ImageNotFound``,
        ``PlatformMismatch``, or a store's own error for a store in trouble.
        """
        return _Lookup(self, ref_or_id, _wanted_platform(platform)).run()

    def explain(self, ref_or_id: str, *, platform: PlatformLike | None = None) -> Explanation:
        """The story of ``get_image(ref_or_id, platform=platform)``, whatever its outcome.

        Lookup outcomes (``InvalidParameter``, ``ImageNotFound``, ``PlatformMismatch``) are
        reported in :attr:`Explanation.error`, not raised; a store's own errors are raised.
        """
        try:
            wanted = _wanted_platform(platform)
        except errors.InvalidParameter as exc:
            step = Step("platform", str(platform), f"invalid: {exc}")
            return Explanation(
                ref_or_id, None, None, None, exc, None, None, None, None, (), (), (step,)
            )
        lookup = _Lookup(self, ref_or_id, wanted)
        image: Image | None = None
        error: errors.ImageLookupError | None = None
        try:
            image = lookup.run()
        except (errors.InvalidParameter, errors.ImageNotFound, errors.PlatformMismatch) as exc:
            error = exc
            if isinstance(exc, errors.InvalidParameter):
                lookup.step("parse", ref_or_id, f"invalid: {exc}")
        return Explanation(
            ref_or_id=ref_or_id,
            wanted=wanted,
            reference=lookup.reference,
            image=image,
            error=error,
            found_by=lookup.found_by if image is not None else None,
            target=lookup.target,
            matched_by=lookup.matched_by if image is not None else None,
            actual=lookup.actual,
            available=tuple(lookup.available),
            candidates=tuple(lookup.candidates),
            steps=tuple(lookup.steps),
        )


class _Slot:
    """An index entry while an index is being judged."""

    __slots__ = ("descriptor", "platform", "reason", "source", "verdict")

    def __init__(self, descriptor: Any, source: str) -> None:
        self.descriptor = descriptor
        self.source = source
        self.platform: Platform | None = descriptor.platform
        self.verdict: Verdict | None = None
        self.reason = ""

    def judge(self, verdict: Verdict, reason: str) -> None:
        self.verdict = verdict
        self.reason = reason

    def candidate(self) -> Candidate:
        d = self.descriptor
        verdict = Verdict.NOT_PREFERRED if self.verdict is None else self.verdict
        return Candidate(d.digest, d.media_type, self.platform, self.source, verdict, self.reason)


def _config_of(data: bytes, manifest_digest: str) -> str:
    """The config digest of a manifest (already read within its bound); ``InvalidManifest``
    when it names none."""
    config = manifests.config_digest(data, limit=max(len(data), 1))
    if not config:
        raise errors.InvalidManifest(
            f"manifest {manifest_digest} has no config digest", reason="no config digest"
        )
    return str(config)


class _Lookup:
    """The state of one lookup; one per call, never shared between threads."""

    __slots__ = (
        "actual",
        "available",
        "candidates",
        "found_by",
        "index_matched",
        "matched_by",
        "ref_or_id",
        "reference",
        "service",
        "steps",
        "target",
        "wanted",
    )

    def __init__(self, service: ImageService, ref_or_id: str, wanted: Platform | None) -> None:
        self.service = service
        self.ref_or_id = ref_or_id
        self.wanted = wanted
        self.reference: Reference | None = None
        self.found_by: str | None = None
        self.target: Target | None = None
        self.matched_by: str | None = None
        self.actual: Platform | None = None
        self.index_matched = False
        self.available: list[Platform] = []
        self.candidates: list[Candidate] = []
        self.steps: list[Step] = []

    def step(self, action: str, subject: str, outcome: str) -> None:
        self.steps.append(Step(action, subject, outcome))

    def candidate(
        self,
        descriptor: Any,
        source: str,
        verdict: Verdict,
        reason: str,
        platform: Platform | None = None,
    ) -> None:
        plat = descriptor.platform if platform is None else platform
        self.candidates.append(
            Candidate(descriptor.digest, descriptor.media_type, plat, source, verdict, reason)
        )

    def saw(self, platform: Platform) -> None:
        if platform not in self.available:
            self.available.append(platform)

    # --- the branches of GetImage ---

    def run(self) -> Image:
        ref = reference.parse_any(self.ref_or_id)
        self.reference = ref
        image = self._find(ref)
        if self.wanted is not None:
            self._check_platform(image)
        return image

    def _find(self, ref: Reference) -> Image:
        images = self.service._images
        if ref.name is None:
            image_id = str(ref.digest)
            try:
                image = images.get(image_id)
            except errors.NotFound:
                self.step("image", image_id, "not in the image store")
                self._not_found(ref)
            self.step("image", image_id, "found")
            self.found_by = "digest"
            return image

        try:
            target = self.service._references.get(ref)
        except errors.NotFound:
            self.step("reference", str(ref), "not in the reference store")
        else:
            self.target = target
            found = self._from_target(ref, target)
            if found is not None:
                self.found_by = "reference"
                return found

        try:
            image_id = images.search(self.ref_or_id)
        except errors.AmbiguousPrefix:
            self.step("search", self.ref_or_id, "ambiguous ID prefix")
            self._not_found(ref)
        except (errors.NotFound, errors.InvalidParameter):
            self.step("search", self.ref_or_id, "no image ID starts so")
            self._not_found(ref)
        try:
            image = images.get(image_id)
        except errors.NotFound:
            self.step("search", self.ref_or_id, f"{image_id}, not in the image store")
            self._not_found(ref)
        self.step("search", self.ref_or_id, f"image {image_id}")
        self.found_by = "id-prefix"
        return image

    def _from_target(self, ref: Reference, target: Target) -> Image | None:
        media_type = target.media_type
        if media_type == IMAGE_ID:
            try:
                image = self.service._images.get(target.digest)
            except errors.NotFound:
                self.step("reference", str(ref), f"image {target.digest}, not in the image store")
                return None
            self.step("reference", str(ref), f"image {target.digest}")
            return image
        if media_type in _MANIFEST_TYPES:
            self.step("reference", str(ref), f"manifest {target.digest}")
            data = self._read_present("manifest", target)
            if data is None:
                return None
            config = _config_of(data, target.digest)
            try:
                image = self.service._images.get(config)
            except errors.NotFound:
                self.step("manifest", target.digest, f"config {config}, not in the image store")
                return None
            self.step("manifest", target.digest, f"config {config}")
            return dataclasses.replace(image, manifest_digest=target.digest)
        if media_type in _INDEX_TYPES:
            self.step("reference", str(ref), f"index {target.digest}")
            data = self._read_present("index", target)
            if data is None:
                return None
            return self._from_index(ref, target.digest, data)
        raise errors.InvalidManifest(
            f"reference {ref} points at {target.digest} of unsupported media type {media_type!r}",
            reason="unsupported media type",
        )

    def _read_present(self, kind: str, target: Target) -> bytes | None:
        """The target's content; None, noted as a step, when the content store lacks it."""
        try:
            return self._read(target.digest, target.size)
        except errors.NotFound:
            self.step(kind, target.digest, "not in the content store")
            return None

    def _read(self, digest: str, size: int | None) -> bytes:
        limit = self.service._read_limit
        data = self.service._content.read(digest, limit if size is None else min(size, limit))
        if size is not None and len(data) != size:
            raise errors.StoreError(
                f"content {digest} is {len(data)} bytes, but its descriptor says {size}"
            )
        return data

    # --- multi-platform targets (containerd's way) ---

    def _from_index(self, ref: Reference, index_digest: str, data: bytes) -> Image | None:
        wanted = self.wanted
        matcher = _default_matcher() if wanted is None else _only_matcher(wanted)
        slots: list[_Slot] = []
        self._collect(index_digest, data, matcher, slots, depth=0)

        # Each runnable entry's platform; an entry without one is judged by its config.
        resolved: dict[str, Image | Verdict] = {}
        for slot in slots:
            if slot.verdict is not None:
                continue
            if slot.platform is None:
                found = self._resolve_entry(slot, resolved)
                if isinstance(found, Image):
                    slot.platform = found.platform
                else:
                    slot.judge(found, "not present in the store")
                    continue
            self.saw(slot.platform)
            if wanted is not None and not matcher.match(slot.platform):
                slot.judge(
                    Verdict.PLATFORM,
                    f"{platforms.format(slot.platform)} is not accepted for "
                    f"{platforms.format(wanted)}",
                )

        open_slots = [slot for slot in slots if slot.verdict is None]
        ranked = _rank([slot for slot in open_slots if matcher.match(slot.platform)], matcher)
        if wanted is None:
            ranked += [slot for slot in open_slots if not matcher.match(slot.platform)]
        chosen: tuple[_Slot, Image] | None = None
        for slot in ranked:
            if chosen is not None:
                slot.judge(Verdict.NOT_PREFERRED, f"{chosen[0].descriptor.digest} ranks first")
                continue
            found = self._resolve_entry(slot, resolved)
            if isinstance(found, Image):
                chosen = (slot, found)
                slot.judge(Verdict.ACCEPTED, "the best present match")
            else:
                slot.judge(found, "not present in the store")
        self.candidates += [slot.candidate() for slot in slots]

        if chosen is None:
            self.step("index", index_digest, f"no present manifest among {len(slots)} entries")
            if wanted is None:
                self._not_found(ref)
            self._index_mismatch()
        slot, image = chosen
        self.step("index", index_digest, f"chose manifest {slot.descriptor.digest}")
        self.index_matched = wanted is not None
        return dataclasses.replace(
            image, manifest_digest=slot.descriptor.digest, index_digest=index_digest
        )

    def _collect(
        self, source: str, data: bytes, matcher: Any, out: list[_Slot], *, depth: int
    ) -> None:
        """The entries of an index, nested indexes expanded in place (document order)."""
        index = manifests.parse_index(data, limit=self.service._read_limit)
        for desc in index.manifests:
            slot = _Slot(desc, source)
            out.append(slot)
            media_type = desc.media_type
            if media_type in _MANIFEST_TYPES:
                if desc.is_attestation:
                    slot.judge(Verdict.ATTESTATION, "an attestation, not an image")
            elif media_type not in _INDEX_TYPES:
                slot.judge(Verdict.MEDIA_TYPE, f"media type {media_type!r}")
            elif (
                self.wanted is not None
                and desc.platform is not None
                and not matcher.match(desc.platform)
            ):
                slot.judge(Verdict.PLATFORM, "a nested index for another platform")
            elif depth + 1 >= MAX_INDEX_DEPTH:
                slot.judge(Verdict.UNREADABLE, f"nested too deep (over {MAX_INDEX_DEPTH} indexes)")
            else:
                try:
                    child = self._read(desc.digest, desc.size)
                except errors.NotFound:
                    slot.judge(Verdict.ABSENT, "nested index not present in the store")
                    continue
                out.pop()  # a followed index is not a candidate; its entries are
                self._collect(desc.digest, child, matcher, out, depth=depth + 1)

    def _resolve_entry(self, slot: _Slot, resolved: dict[str, Image | Verdict]) -> Image | Verdict:
        """The image an index entry names, or ``ABSENT`` when its manifest or config is not
        in the store."""
        digest = slot.descriptor.digest
        if digest in resolved:
            return resolved[digest]
        result: Image | Verdict
        try:
            data = self._read(digest, slot.descriptor.size)
        except errors.NotFound:
            result = Verdict.ABSENT
        else:
            try:
                result = self.service._images.get(_config_of(data, digest))
            except errors.NotFound:
                result = Verdict.ABSENT
        resolved[digest] = result
        return result

    def _index_mismatch(self) -> NoReturn:
        assert self.wanted is not None
        offered = ", ".join(platforms.format(p) for p in self.available) or "none"
        first = (
            f"image with reference {self.ref_or_id} was found but does not match the specified "
            f"platform: wanted {platforms.format(self.wanted)}, actual: {offered}"
        )
        raise self._mismatch_error(first, actual=None)

    # --- the platform check ---

    def _check_platform(self, image: Image) -> None:
        wanted = self.wanted
        assert wanted is not None
        actual = Platform(image.os, image.architecture, image.variant)
        self.actual = actual
        if _fallback_matcher(wanted).match(actual):
            self.matched_by = "config"
            self.step("platform", platforms.format(actual), "config accepted")
            return
        self.step(
            "platform",
            platforms.format(actual),
            f"config not accepted for {platforms.format(wanted)}",
        )
        if self.index_matched:
            self.matched_by = "index"
            self.step("platform", platforms.format(wanted), "the index lists it for the platform")
            return
        if self._manifest_lists_match(image, wanted):
            self.matched_by = "manifest-list"
            return
        first = (
            f"image with reference {self.ref_or_id} was found but does not match the specified "
            f"platform: wanted {platforms.format(wanted)}, actual: {platforms.format(actual)}"
        )
        raise self._mismatch_error(first, actual=actual)

    def _manifest_lists_match(self, image: Image, wanted: Platform) -> bool:
        """moby's ``manifestMatchesPlatform``."""
        service = self.service
        desired = platforms.format(wanted)
        lease = image_lease_id(image.id)
        try:
            resources = service._leases.resources(lease)
        except errors.NotFound:
            self.step("lease", lease, "no such lease: no manifest lists")
            return False
        except errors.ImageLookupError as exc:
            _log(
                logging.ERROR,
                "Error looking up image leases",
                image=image.id,
                desiredPlatform=desired,
                error=exc,
            )
            raise
        self.step("lease", lease, f"{len(resources)} resources")
        comparer = _only_matcher(wanted)
        content = service._content
        for resource in resources:
            fields = {
                "image": image.id,
                "desiredPlatform": desired,
                "resourceID": resource,
                "resourceType": "content",
            }
            _log(logging.DEBUG, "Checking lease resource for platform match", **fields)
            try:
                data = content.read(resource, FALLBACK_READ_LIMIT)
            except errors.NotFound:
                self.step("manifest-list", resource, "skipped: not in the content store")
                continue
            except errors.ImageLookupError as exc:
                event = {
                    errors.LimitExceeded: "Error unmarshalling content",
                    errors.DigestMismatch: "Error reading manifest list for image",
                }.get(type(exc), "Error looking up referenced manifest list for image")
                _log(logging.ERROR, event, **fields, error=exc)
                self.step("manifest-list", resource, f"skipped: {exc}")
                continue
            try:
                index = manifests.parse_index(data, limit=FALLBACK_READ_LIMIT)
            except (errors.InvalidManifest, errors.LimitExceeded) as exc:
                _log(logging.ERROR, "Error unmarshalling content", **fields, error=exc)
                self.step("manifest-list", resource, f"skipped: {exc}")
                continue
            self.step("manifest-list", resource, f"{len(index.manifests)} entries")
            if self._list_matches(image, resource, index.manifests, comparer, fields):
                return True
        return False

    def _list_matches(
        self,
        image: Image,
        source: str,
        descriptors: Sequence[Any],
        comparer: Any,
        fields: dict[str, Any],
    ) -> bool:
        content = self.service._content
        for desc in descriptors:
            if desc.media_type not in _MANIFEST_TYPES:
                self.candidate(desc, source, Verdict.MEDIA_TYPE, f"media type {desc.media_type!r}")
                continue
            if desc.platform is None:
                self.candidate(desc, source, Verdict.NO_PLATFORM, "the entry has no platform")
                continue
            plat = _short(desc.platform)
            if not desc.is_attestation:
                self.saw(plat)
            if not comparer.match(plat):
                _log(
                    logging.DEBUG,
                    "Manifest is not a match",
                    **fields,
                    otherPlatform=platforms.format(plat),
                )
                wanted = platforms.format(self.wanted) if self.wanted is not None else ""
                self.candidate(
                    desc,
                    source,
                    Verdict.PLATFORM,
                    f"{platforms.format(plat)} is not accepted for {wanted}",
                    plat,
                )
                continue
            try:
                data = content.read(desc.digest, FALLBACK_READ_LIMIT)
            except errors.ImageLookupError as exc:
                verdict = Verdict.ABSENT if isinstance(exc, errors.NotFound) else Verdict.UNREADABLE
                if isinstance(exc, errors.LimitExceeded):
                    event = "Error desserializing manifest"
                elif isinstance(exc, errors.DigestMismatch):
                    event = "Error reading manifest for image"
                else:
                    event = "Could not get reader for manifest"
                _log(logging.ERROR, event, **fields, otherDigest=desc.digest, error=exc)
                self.candidate(desc, source, verdict, str(exc), plat)
                continue
            try:
                config = manifests.config_digest(data, limit=FALLBACK_READ_LIMIT)
            except (errors.InvalidManifest, errors.LimitExceeded) as exc:
                _log(logging.ERROR, "Error desserializing manifest", **fields, error=exc)
                self.candidate(desc, source, Verdict.UNREADABLE, str(exc), plat)
                continue
            if config == image.id:
                _log(
                    logging.DEBUG,
                    "Found matching manifest for image",
                    **fields,
                    manifestDigest=desc.digest,
                )
                self.candidate(desc, source, Verdict.ACCEPTED, "its config is the image", plat)
                return True
            _log(logging.DEBUG, "Skipping non-matching manifest", **fields, otherDigest=desc.digest)
            self.candidate(
                desc, source, Verdict.OTHER_IMAGE, f"its config is {config}, not the image", plat
            )
        return False

    # --- errors ---

    def _details(self, actual: Platform | None) -> dict[str, Any]:
        return {
            "ref_or_id": self.ref_or_id,
            "reference": self.reference,
            "wanted": self.wanted,
            "actual": actual,
            "available": tuple(self.available),
            "candidates": tuple(self.candidates),
            "steps": tuple(self.steps),
        }

    def _not_found(self, ref: Reference) -> NoReturn:
        if ref.name is None:
            shown = str(ref.digest)
        else:
            shown = reference.familiar_string(reference.tag_name_only(ref))
        raise errors.ImageNotFound(f"No such image: {shown}", **self._details(None))

    def _mismatch_error(self, first: str, *, actual: Platform | None) -> errors.PlatformMismatch:
        offered = ", ".join(platforms.format(p) for p in self.available) or "none"
        lines = [first, f"platforms in the manifest lists consulted: {offered}"]
        lines += [f"  {c}" for c in self.candidates if not c.accepted]
        return errors.PlatformMismatch("\n".join(lines), **self._details(actual))


def _rank(slots: list[_Slot], matcher: Any) -> list[_Slot]:
    """``slots`` best first by ``matcher.less``, document order among equals."""
    if len(slots) < 2:
        return slots

    def compare(a: _Slot, b: _Slot) -> int:
        if matcher.less(a.platform, b.platform):
            return -1
        if matcher.less(b.platform, a.platform):
            return 1
        return 0

    return sorted(slots, key=functools.cmp_to_key(compare))
