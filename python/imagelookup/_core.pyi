"""Type stub of the Rust extension ``imagelookup._core``; checked by ``mypy.stubtest``."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar, final

from typing_extensions import Buffer

from imagelookup.errors import ImageLookupError

_T = TypeVar("_T")

__version__: str

# --- platforms ---

_PlatformLike: TypeAlias = Platform | str | Mapping[str, Any]

@final
class Platform:
    """An OCI platform value: frozen, hashable, equal by value, picklable.

    ``os_version`` and ``os_features`` are the OCI ``os.version`` and ``os.features``.
    ``str()`` is :func:`format_all`; ``repr()`` evaluates back to an equal value.
    """

    def __new__(
        cls,
        os: str,
        architecture: str,
        variant: str = "",
        os_version: str = "",
        os_features: Sequence[str] = (),
    ) -> Platform: ...
    @property
    def os(self) -> str: ...
    @property
    def architecture(self) -> str: ...
    @property
    def variant(self) -> str: ...
    @property
    def os_version(self) -> str: ...
    @property
    def os_features(self) -> tuple[str, ...]: ...
    @classmethod
    def from_oci(cls, mapping: Mapping[str, Any]) -> Platform:
        """The platform from its OCI JSON form (missing or ``None`` fields are empty)."""
    def to_oci(self) -> dict[str, Any]:
        """The OCI JSON form; empty ``variant``, ``os.version``, ``os.features`` left out."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[Platform], tuple[str, str, str, str, tuple[str, ...]]]: ...

@final
class Matcher:
    """A platform matcher: which candidates are acceptable and which is preferred.

    Candidates may be a :class:`Platform`, a specifier string or an OCI mapping.
    """

    def match(self, candidate: _PlatformLike) -> bool:
        """True when the candidate is acceptable."""
    def less(self, a: _PlatformLike, b: _PlatformLike) -> bool:
        """True when ``a`` is preferred to ``b``."""
    def sort(self, candidates: Iterable[_T]) -> list[_T]:
        """The candidates (the objects given), best first; a stable sort."""
    def best(self, candidates: Iterable[_T]) -> _T | None:
        """The most preferred candidate that matches, or ``None``."""

ALL: Matcher
"""Matches every platform and prefers none (containerd ``All``)."""

def parse(spec: str, *, host: Platform | None = None) -> Platform:
    """Parse a platform specifier (containerd ``Parse``).

    One-part specifiers are completed from ``host`` (``os``, ``architecture`` and the CPU
    ``variant``), by default this machine. Raises ``InvalidParameter`` on a bad specifier.
    """

def format(platform: _PlatformLike) -> str:
    """``os/arch[/variant]`` (containerd ``Format``); ``unknown`` without an OS."""

def format_all(platform: _PlatformLike) -> str:
    """Like :func:`format` with ``(os.version+feature...)`` (containerd ``FormatAll``)."""

def normalize(platform: _PlatformLike) -> Platform:
    """The canonical form (containerd ``Normalize``)."""

def only(platform: _PlatformLike) -> Matcher:
    """The platform and what it can also run, preferred in ladder order (``Only``)."""

def only_strict(platform: _PlatformLike) -> Matcher:
    """Only the platform itself, after normalisation (``OnlyStrict``)."""

def new_matcher(platform: _PlatformLike, *, host_os: str | None = None) -> Matcher:
    """Exact match after normalisation (``NewMatcher``); ``host_os`` defaults to this host."""

def ordered(*platforms: _PlatformLike) -> Matcher:
    """Any of the platforms, preferred in the order given (``Ordered``)."""

def any_of(*platforms: _PlatformLike) -> Matcher:
    """Any of the platforms, without preference among them (``Any``)."""

def only_os(platform: _PlatformLike) -> Matcher:
    """Same OS, OS version and features, any architecture (``OnlyOS``)."""

def only_with_fallback(platform: _PlatformLike) -> Matcher:
    """moby's ``OnlyPlatformWithFallback``: ``only``, or a variant-less same os/arch."""

def default_spec() -> Platform:
    """This host's platform (``DefaultSpec``)."""

def default(*, host: Platform | None = None) -> Matcher:
    """The matcher for what this host (or ``host``) runs (``Default``)."""

def default_spec_for(os: str, machine: str, cpuinfo: str | None = None) -> Platform:
    """``DefaultSpec`` for a Go OS name, a ``uname -m`` machine and ``/proc/cpuinfo`` text.

    ``cpuinfo=None`` means the file could not be read.
    """

# --- reference and digest ---

@final
class Reference:
    """A parsed image reference: a name with optional tag and digest, or a digest alone.

    Frozen, hashable and picklable; ``str()`` is the full string. The constructor takes
    the parts (``name`` checked by the name rule, ``tag`` by the tag rule, ``digest`` by
    the grammar's digest rule); use the ``parse*`` functions to read a string.
    """

    def __new__(
        cls, name: str | None = None, tag: str | None = None, digest: str | None = None
    ) -> Reference: ...
    @property
    def name(self) -> str | None:
        """The full name (``docker.io/library/ubuntu``); None for a digest-only reference."""
    @property
    def domain(self) -> str | None:
        """The domain (empty when the name has none); None for a digest-only reference."""
    @property
    def path(self) -> str | None:
        """The path, or remote name (``library/ubuntu``); None for a digest-only reference."""
    @property
    def tag(self) -> str | None:
        """The tag, or None."""
    @property
    def digest(self) -> str | None:
        """The digest (``sha256:…``), or None."""
    @property
    def is_digest_only(self) -> bool:
        """True when the reference is a digest without a name."""
    @property
    def familiar_name(self) -> str | None:
        """The name as Docker shows it (``ubuntu``); None for a digest-only reference."""
    @property
    def familiar_string(self) -> str:
        """The reference as Docker shows it (``ubuntu:22.04``); the digest when digest-only."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[Reference], tuple[str | None, str | None, str | None]]: ...

def reference_parse(s: str) -> Reference:
    """Upstream ``Parse``: the grammar, no normalization."""

def reference_parse_normalized_named(s: str) -> Reference:
    """Upstream ``ParseNormalizedNamed``: a familiar or full name to its canonical form."""

def reference_parse_any(s: str) -> Reference:
    """Upstream ``ParseAnyReference``: an image ID, a digest, or a familiar name."""

def reference_parse_named(s: str) -> Reference:
    """Upstream ``ParseNamed``: normalized, and the input must already be canonical."""

def reference_parse_docker_ref(s: str) -> Reference:
    """Upstream ``ParseDockerRef``: normalized, digest over tag, ``latest`` for a bare name."""

def reference_with_name(name: str) -> Reference:
    """Upstream ``WithName``: a name checked against the name rule, no normalization."""

def reference_familiar_string(r: Reference) -> str:
    """Upstream ``FamiliarString``."""

def reference_familiar_name(r: Reference) -> str:
    """Upstream ``FamiliarName``; ``TypeError`` for a digest-only reference."""

def reference_tag_name_only(r: Reference) -> Reference:
    """Upstream ``TagNameOnly``: adds ``latest`` to a bare name, else returns ``r``."""

def reference_with_tag(r: Reference, tag: str) -> Reference:
    """Upstream ``WithTag``: the name with ``tag`` (a digest is kept)."""

def reference_with_digest(r: Reference, digest: str) -> Reference:
    """Upstream ``WithDigest``: the name with ``digest`` (a tag is kept)."""

def reference_trim_named(r: Reference) -> Reference:
    """Upstream ``TrimNamed``: the name alone."""

DIGEST_ALGORITHMS: tuple[str, ...]

def digest_compute(data: Buffer, algorithm: str = "sha256") -> str:
    """The digest (``algorithm:hex``) of ``data``."""

def digest_verify(data: Buffer, digest: str) -> None:
    """Raise ``DigestMismatch`` unless ``data`` hashes to ``digest`` (``InvalidDigest`` if
    the digest is malformed)."""

def digest_validate(digest: str) -> str:
    """Return ``digest`` if go-digest accepts it, else raise ``InvalidDigest``."""

def digest_is_valid(digest: object) -> bool:
    """True when ``digest`` is a string go-digest accepts."""

def digest_algorithm(digest: str) -> str:
    """The algorithm part of a valid digest."""

def digest_encoded(digest: str) -> str:
    """The hex part of a valid digest."""

@final
class Hasher:
    """A running digest over chunks (``hashlib``-like)."""

    def __new__(cls, algorithm: str = "sha256") -> Hasher: ...
    @property
    def algorithm(self) -> str:
        """The algorithm name (``sha256``, ``sha384`` or ``sha512``)."""
    def update(self, data: Buffer) -> None:
        """Add a chunk of content."""
    def hexdigest(self) -> str:
        """The hex of the hash so far."""
    def digest(self) -> str:
        """The digest string (``algorithm:hex``) so far."""
    def verify(self, digest: str) -> None:
        """Raise ``DigestMismatch`` unless the content so far hashes to ``digest``."""
    def copy(self) -> Hasher:
        """An independent copy of the running state."""

@final
class IDIndex:
    """Image IDs searchable by prefix with moby's rules; safe to share between threads."""

    def __new__(cls, ids: Iterable[str] | None = None) -> IDIndex: ...
    def add(self, id: str) -> bool:
        """Add a full ID; False when it was already present."""
    def add_many(self, ids: Iterable[str]) -> int:
        """Add many full IDs; returns how many were new."""
    def remove(self, id: str) -> bool:
        """Remove a full ID; False when it was not present (not an error, as upstream)."""
    def get(self, id: object) -> str | None:
        """``id`` when that exact full ID is present, else None."""
    def search(self, prefix: str) -> str:
        """The one ID that ``prefix`` names; ``NotFound`` or ``AmbiguousPrefix`` otherwise."""
    def __contains__(self, key: object, /) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def __reduce__(self) -> tuple[type[IDIndex], tuple[list[str]]]: ...

# --- manifests ---

MEDIA_TYPE_OCI_INDEX: str
MEDIA_TYPE_OCI_MANIFEST: str
MEDIA_TYPE_OCI_CONFIG: str
MEDIA_TYPE_DOCKER_MANIFEST_LIST: str
MEDIA_TYPE_DOCKER_MANIFEST: str
MEDIA_TYPE_DOCKER_CONFIG: str

@final
class Descriptor:
    """An OCI content descriptor: an index entry, a manifest's config or a layer.

    Frozen, hashable, equal by value, picklable; ``repr()`` evaluates back to an equal value.
    One that selection read from a ``bytes`` object shares that object's memory (and keeps it
    alive) instead of copying its strings.
    """

    def __new__(
        cls,
        media_type: str,
        digest: str,
        size: int,
        platform: _PlatformLike | None = None,
        annotations: Mapping[str, str] | None = None,
        urls: Sequence[str] = (),
        data: bytes | None = None,
        artifact_type: str = "",
    ) -> Descriptor: ...
    @property
    def media_type(self) -> str:
        """The media type, verbatim."""
    @property
    def digest(self) -> str:
        """The digest, verbatim (not validated here, as in Go)."""
    @property
    def size(self) -> int: ...
    @property
    def platform(self) -> Platform | None:
        """The entry's platform as written (not normalized), or ``None``."""
    @property
    def annotations(self) -> dict[str, str]:
        """A new dict of the annotations on every access."""
    @property
    def urls(self) -> tuple[str, ...]: ...
    @property
    def data(self) -> bytes | None:
        """Embedded content (``data``, decoded from base64), or ``None``."""
    @property
    def artifact_type(self) -> str: ...
    @property
    def is_manifest(self) -> bool:
        """True for an OCI image manifest or a Docker schema 2 manifest."""
    @property
    def is_index(self) -> bool:
        """True for a nested OCI index or Docker manifest list."""
    @property
    def is_attestation(self) -> bool:
        """True for platform ``unknown/unknown`` or ``vnd.docker.reference.type`` =
        ``attestation-manifest``."""
    @property
    def subject_digest(self) -> str | None:
        """The manifest an attestation describes (``vnd.docker.reference.digest``)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[Descriptor], tuple[Any, ...]]: ...

@final
class Index:
    """An OCI image index or Docker manifest list (frozen, hashable, picklable)."""

    def __new__(
        cls,
        manifests: Iterable[Descriptor] | None = None,
        media_type: str = "",
        schema_version: int = 2,
        annotations: Mapping[str, str] | None = None,
        subject: Descriptor | None = None,
        artifact_type: str = "",
    ) -> Index: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def media_type(self) -> str: ...
    @property
    def artifact_type(self) -> str: ...
    @property
    def manifests(self) -> tuple[Descriptor, ...]:
        """Every entry in document order: image manifests, nested indexes and others."""
    @property
    def subject(self) -> Descriptor | None: ...
    @property
    def annotations(self) -> dict[str, str]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[Index], tuple[Any, ...]]: ...

@final
class Manifest:
    """An OCI image manifest or Docker schema 2 manifest (frozen, hashable, picklable)."""

    def __new__(
        cls,
        config: Descriptor,
        layers: Iterable[Descriptor] | None = None,
        media_type: str = "",
        schema_version: int = 2,
        annotations: Mapping[str, str] | None = None,
        subject: Descriptor | None = None,
        artifact_type: str = "",
    ) -> Manifest: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def media_type(self) -> str: ...
    @property
    def artifact_type(self) -> str: ...
    @property
    def config(self) -> Descriptor:
        """The image config descriptor; its digest is the image ID."""
    @property
    def layers(self) -> tuple[Descriptor, ...]: ...
    @property
    def subject(self) -> Descriptor | None: ...
    @property
    def annotations(self) -> dict[str, str]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[Manifest], tuple[Any, ...]]: ...

def parse_index(data: Buffer, *, limit: int = 1000000) -> Index:
    """Read an OCI image index or Docker manifest list of at most ``limit`` bytes."""

def parse_manifest(data: Buffer, *, limit: int = 1000000) -> Manifest:
    """Read an OCI image manifest or Docker schema 2 manifest of at most ``limit`` bytes."""

def config_digest(data: Buffer, *, limit: int = 1000000) -> str:
    """The config digest of an image manifest, without building Python objects."""

def select_manifests(
    data: Buffer,
    platform: _PlatformLike | None = None,
    *,
    matcher: Matcher | None = None,
    limit: int = 1000000,
    moby_check: bool = False,
) -> list[Descriptor]:
    """The image-manifest entries the matcher accepts, in document order."""

def best_manifest(
    data: Buffer,
    platform: _PlatformLike | None = None,
    *,
    matcher: Matcher | None = None,
    limit: int = 1000000,
    moby_check: bool = False,
) -> Descriptor | None:
    """The entry a runtime would pull: most preferred, first in document order among equals."""

def select_many_manifests(
    items: Iterable[Buffer],
    platform: _PlatformLike | None = None,
    *,
    matcher: Matcher | None = None,
    limit: int = 1000000,
    moby_check: bool = False,
    threads: int | None = None,
) -> list[list[Descriptor] | ImageLookupError]:
    """:func:`select_manifests` over many buffers, GIL released, on up to ``threads`` threads."""
