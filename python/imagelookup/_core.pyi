"""Type stub of the Rust extension ``imagelookup._core``; checked by ``mypy.stubtest``."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar, final

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

# --- manifests ---
