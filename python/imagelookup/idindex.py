"""The image-ID prefix index that Docker's image store searches.

:class:`IDIndex` holds full image IDs (``sha256:<64 hex>``; sha384 and sha512 digests are
accepted too) and answers :meth:`IDIndex.search` with moby's rules (Docker 24, go-digest's
``digestset``): a bare hex prefix (``3f5a``) or an ``algorithm:prefix`` (``sha256:3f5a``);
an ID equal to the prefix wins; otherwise exactly one ID must start with it. No match
raises :class:`imagelookup.errors.NotFound` (``No such image: <prefix>``), more than one
raises :class:`imagelookup.errors.AmbiguousPrefix` (its ``prefix`` attribute names the
term). Adding a malformed ID raises :class:`imagelookup.errors.InvalidDigest`.

The index is ordered and holds a million IDs with searches in microseconds; one index may
be shared by many threads (reads run in parallel, writes take a lock).
"""

from __future__ import annotations

from ._core import IDIndex

__all__ = ["IDIndex"]
