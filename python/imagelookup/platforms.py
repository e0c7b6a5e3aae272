"""Platforms, exactly as containerd ``platforms`` v1.0.x (Docker 28+, containerd 2.x) treats them.

Parse a specifier, normalise and format a platform, and choose among platforms::

    >>> from imagelookup import platforms
    >>> p = platforms.parse("linux/aarch64")
    >>> p
    Platform('linux', 'arm64')
    >>> platforms.only(p).match("linux/arm/v7")
    True

Wanted platforms and candidates may be given as a :class:`Platform`, a specifier string or an
OCI mapping (``{"os": ..., "architecture": ..., "variant": ..., "os.version": ...,
"os.features": [...]}``). The rules (syntax, alias table, compatibility ladders, Windows
``os.version``) and where containerd 1.6/1.7 differed are written down in ``rust/platform.rs``
and ``rust/matcher.rs``. Bad specifiers raise :class:`imagelookup.errors.InvalidParameter`
(``kind == "invalid_platform"``) with upstream's message.
"""

from __future__ import annotations

from ._core import (
    ALL,
    Matcher,
    Platform,
    any_of,
    default,
    default_spec,
    default_spec_for,
    format,
    format_all,
    new_matcher,
    normalize,
    only,
    only_os,
    only_strict,
    only_with_fallback,
    ordered,
    parse,
)

__all__ = [
    "ALL",
    "Matcher",
    "Platform",
    "any_of",
    "default",
    "default_spec",
    "default_spec_for",
    "format",
    "format_all",
    "new_matcher",
    "normalize",
    "only",
    "only_os",
    "only_strict",
    "only_with_fallback",
    "ordered",
    "parse",
]
