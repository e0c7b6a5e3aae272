"""Type stub of the Rust extension ``imagelookup._core``; checked by ``mypy.stubtest``."""

from collections.abc import Iterable, Iterator
from typing import final

from typing_extensions import Buffer

__version__: str

# --- platforms ---

@final
class Matcher:
    """A platform matcher (see :mod:`imagelookup.platforms`)."""

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
