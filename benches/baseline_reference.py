"""A plain-Python implementation of the reference rules with the ``re`` module, the way one
would write it without the Rust core. Same behaviour as ``imagelookup.reference`` on the
benchmark mix; results are ``(domain, path, tag, digest)`` tuples (``None`` parts absent).
"""

from __future__ import annotations

import re

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_PATH = rf"{_COMPONENT}(?:/{_COMPONENT})*"
_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[a-fA-F0-9:]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}"

REFERENCE = re.compile(rf"^((?:{_DOMAIN}/)?{_PATH})(?::({_TAG}))?(?:@({_DIGEST}))?$", re.ASCII)
NAME = re.compile(rf"^(?:({_DOMAIN})/)?({_PATH})$", re.ASCII)
IDENTIFIER = re.compile(r"^[a-f0-9]{64}$")
DIGEST_SHAPE = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$")
HEX_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
LOWER_HEX = re.compile(r"^[a-f0-9]+$")


class InvalidReference(ValueError):
    pass


def validate_digest(s: str) -> str:
    algorithm, sep, encoded = s.partition(":")
    if not sep or not algorithm or not encoded:
        raise InvalidReference("invalid checksum digest format")
    length = HEX_LENGTHS.get(algorithm)
    if length is None:
        if DIGEST_SHAPE.match(s):
            raise InvalidReference("unsupported digest algorithm")
        raise InvalidReference("invalid checksum digest format")
    if len(encoded) != length:
        raise InvalidReference("invalid checksum digest length")
    if not LOWER_HEX.match(encoded):
        raise InvalidReference("invalid checksum digest format")
    return s


def parse(s: str) -> tuple[str | None, str | None, str | None, str | None]:
    if not s:
        raise InvalidReference("repository name must have at least one component")
    m = REFERENCE.match(s)
    if m is None:
        lower = s.lower()
        if lower != s and REFERENCE.match(lower):
            raise InvalidReference("repository name must be lowercase")
        raise InvalidReference("invalid reference format")
    name, tag, digest = m.groups()
    n = NAME.match(name)
    assert n is not None
    domain, path = n.group(1) or "", n.group(2)
    if len(path) > 255:
        raise InvalidReference("repository name must not be more than 255 characters")
    if digest is not None:
        validate_digest(digest)
    return domain, path, tag, digest


def parse_normalized_named(s: str) -> tuple[str | None, str | None, str | None, str | None]:
    if IDENTIFIER.match(s):
        raise InvalidReference(
            f"invalid repository name ({s}), cannot specify 64-byte hexadecimal strings"
        )
    first, slash, rest = s.partition("/")
    library = False
    if not slash:
        domain, rest, library = "docker.io", s, True
    elif first == "localhost":
        domain = first
    elif first == "index.docker.io":
        domain = "docker.io"
    elif "." in first or ":" in first or first.lower() != first:
        domain = first
    else:
        domain, rest = "docker.io", s
    if domain == "docker.io" and "/" not in rest:
        library = True
    remainder = ("library/" if library else "") + rest
    remote = remainder.partition(":")[0]
    if remote.lower() != remote:
        raise InvalidReference(
            f"invalid reference format: repository name ({remote}) must be lowercase"
        )
    return parse(f"{domain}/{remainder}")


def parse_any(s: str) -> tuple[str | None, str | None, str | None, str | None]:
    if IDENTIFIER.match(s):
        return None, None, None, "sha256:" + s
    try:
        return None, None, None, validate_digest(s)
    except InvalidReference:
        return parse_normalized_named(s)
