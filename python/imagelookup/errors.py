"""The exceptions imagelookup raises.

One base class, :class:`ImageLookupError`, and a few subclasses that also derive from the
built-in that fits, so ``except ValueError`` or ``except LookupError`` keeps working for
callers who do not know this package::

    ImageLookupError
    ├── InvalidParameter (ValueError)      bad reference, platform specifier, argument
    │   └── InvalidDigest                  a digest go-digest would reject
    ├── InvalidManifest (ValueError)       bytes that are not a valid index or manifest
    ├── LimitExceeded (ValueError)         input longer than the caller's bound
    ├── DigestMismatch (ValueError)        content that does not hash to its digest
    ├── UnsafePath (ValueError)            a layout or archive naming a path outside its root
    ├── NotFound (LookupError)             no such image, blob or reference
    │   ├── ImageNotFound                  moby's "No such image: …"
    │   └── PlatformMismatch               moby's "… does not match the specified platform …"
    ├── AmbiguousPrefix (LookupError)      an ID prefix that names more than one image
    └── StoreError (OSError)               a store could not be read
        └── RegistryError                  a registry answered with an error or not at all
            ├── Unauthorized               401: no or wrong credentials, token refused
            ├── Forbidden                  403: the credentials may not read this
            ├── RateLimited                429 after every retry (``retry_after``)
            ├── RegistryUnavailable        5xx after every retry, refused connection, timeout
            └── RegistryProtocolError      an answer the API forbids (lengths that lie …)

A registry's 404 is :class:`NotFound`; its content that does not hash to its digest is
:class:`DigestMismatch`; a body longer than the caller's bound is :class:`LimitExceeded`.

Messages are upstream's text where upstream has one. Extra attributes (``kind``,
``offset``, ``wanted`` …) let callers branch without parsing messages.

This module must not import ``imagelookup._core``: the core imports it to raise.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AmbiguousPrefix",
    "DigestMismatch",
    "Forbidden",
    "ImageLookupError",
    "ImageNotFound",
    "InvalidDigest",
    "InvalidManifest",
    "InvalidParameter",
    "LimitExceeded",
    "NotFound",
    "PlatformMismatch",
    "RateLimited",
    "RegistryError",
    "RegistryProtocolError",
    "RegistryUnavailable",
    "StoreError",
    "Unauthorized",
    "UnsafePath",
]


class ImageLookupError(Exception):
    """Base class of every exception this package raises on purpose."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        for name, value in details.items():
            setattr(self, name, value)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        details = {k: v for k, v in self.__dict__.items() if k != "message"}
        return (_rebuild, (type(self), self.message, details))


def _rebuild(cls: type[ImageLookupError], message: str, details: dict[str, Any]) -> Any:
    return cls(message, **details)


class InvalidParameter(ImageLookupError, ValueError):
    """Input that upstream rejects: a reference, platform specifier or argument.

    ``kind`` names upstream's error, e.g. ``"invalid_format"``,
    ``"name_contains_uppercase"``, ``"name_too_long"``, ``"hex_name"``,
    ``"invalid_platform"``; ``"invalid_argument"`` is an argument out of its range (a
    negative limit, an integer field past 64 bits).
    """

    kind: str

    def __init__(self, message: str, *, kind: str = "invalid_parameter", **details: Any) -> None:
        super().__init__(message, kind=kind, **details)


class InvalidDigest(InvalidParameter):
    """A digest go-digest rejects: ``kind`` is ``"digest_invalid_format"``,
    ``"digest_invalid_length"`` or ``"digest_unsupported"``."""


class InvalidManifest(ImageLookupError, ValueError):
    """Bytes that are not a valid index or manifest.

    ``offset`` is the byte position where reading stopped (or ``None``), ``reason`` why.
    """

    offset: int | None
    reason: str

    def __init__(
        self, message: str, *, offset: int | None = None, reason: str = "", **details: Any
    ) -> None:
        super().__init__(message, offset=offset, reason=reason or message, **details)


class LimitExceeded(ImageLookupError, ValueError):
    """Input longer than the caller's bound; nothing past ``limit`` bytes was read.

    ``size`` is the announced or observed size, or ``None`` where unknown.
    """

    limit: int
    size: int | None

    def __init__(
        self, message: str, *, limit: int, size: int | None = None, **details: Any
    ) -> None:
        super().__init__(message, limit=limit, size=size, **details)


class DigestMismatch(ImageLookupError, ValueError):
    """Content that does not hash to the digest it was fetched or stored under."""

    expected: str
    actual: str

    def __init__(self, message: str, *, expected: str, actual: str, **details: Any) -> None:
        super().__init__(message, expected=expected, actual=actual, **details)


class UnsafePath(ImageLookupError, ValueError):
    """A store entry that names a path outside the store's root (``..``, absolute, link)."""


class NotFound(ImageLookupError, LookupError):
    """Nothing by that name, digest or ID."""


class ImageNotFound(NotFound):
    """moby's ``No such image: <name:tag or digest>``."""


class PlatformMismatch(NotFound):
    """The image exists but is not for the wanted platform (moby's message, first line).

    ``wanted`` and ``actual`` are :class:`imagelookup.Platform` values; ``available`` lists
    the platforms seen in the manifest lists consulted.
    """


class AmbiguousPrefix(ImageLookupError, LookupError):
    """An ID prefix that matches more than one image. ``prefix`` is the prefix."""

    prefix: str

    def __init__(self, message: str, *, prefix: str, **details: Any) -> None:
        super().__init__(message, prefix=prefix, **details)


class StoreError(ImageLookupError, OSError):
    """A store could not be read (I/O, protocol or format trouble below the lookup)."""


class RegistryError(StoreError):
    """A registry answered with an error, or not at all.

    ``status`` is the HTTP status (``None`` when there was no answer), ``url`` the request URL
    without credentials, ``code`` the first error code of the registry's JSON error body
    (``"UNAUTHORIZED"``, ``"DENIED"`` …) or ``""``. Messages never hold secrets.
    """

    status: int | None
    url: str
    code: str

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        url: str = "",
        code: str = "",
        **details: Any,
    ) -> None:
        super().__init__(message, status=status, url=url, code=code, **details)


class Unauthorized(RegistryError):
    """401: the registry wants credentials, or refused the ones given (or their token)."""


class Forbidden(RegistryError):
    """403: the credentials are valid but may not read this repository."""


class RateLimited(RegistryError):
    """429, still after the retries. ``retry_after`` is the registry's last wait in seconds,
    or ``None``."""


class RegistryUnavailable(RegistryError):
    """5xx after the retries, a refused or broken connection, or a timeout."""


class RegistryProtocolError(RegistryError):
    """An answer the distribution API forbids: a body longer or shorter than its
    ``Content-Length`` or the descriptor's size, an unreadable token response …"""
