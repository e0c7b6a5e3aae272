"""Image references, parsed and normalized exactly as Docker does.

The grammar and behaviour are those of distribution/reference v0.6 (the module doc of
``rust/reference.rs`` is the full spec, including where docker/distribution v2.8, the
Docker 24 era, differs)::

    >>> from imagelookup import reference
    >>> r = reference.parse_normalized_named("ubuntu:22.04")
    >>> str(r), r.domain, r.path, r.tag, r.familiar_string
    ('docker.io/library/ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', 'ubuntu:22.04')

- :func:`parse`: the grammar only, no normalization (``foo/bar`` has domain ``foo``).
- :func:`parse_normalized_named`: a familiar name (``ubuntu``) to its canonical reference.
- :func:`parse_any`: 64 lowercase hex characters or a digest become a digest-only
  reference (``name is None``); anything else is normalized.
- :func:`parse_named`: normalized, and the input must already be canonical.
- :func:`parse_docker_ref`: normalized; the digest wins over a tag; a bare name gets
  ``latest``.
- :func:`familiar_string`, :func:`familiar_name`, :func:`tag_name_only`, :func:`with_tag`,
  :func:`with_digest`, :func:`with_name`, :func:`trim_named`: upstream's helpers.

Bad input raises :class:`imagelookup.errors.InvalidParameter` with upstream's message and
a ``kind`` naming upstream's error; digest errors raise its subclass
:class:`imagelookup.errors.InvalidDigest`. The helpers that need a name raise
``TypeError`` when given a digest-only reference.
"""

from __future__ import annotations

from ._core import Reference
from ._core import reference_familiar_name as familiar_name
from ._core import reference_familiar_string as familiar_string
from ._core import reference_parse as parse
from ._core import reference_parse_any as parse_any
from ._core import reference_parse_docker_ref as parse_docker_ref
from ._core import reference_parse_named as parse_named
from ._core import reference_parse_normalized_named as parse_normalized_named
from ._core import reference_tag_name_only as tag_name_only
from ._core import reference_trim_named as trim_named
from ._core import reference_with_digest as with_digest
from ._core import reference_with_name as with_name
from ._core import reference_with_tag as with_tag

__all__ = [
    "Reference",
    "familiar_name",
    "familiar_string",
    "parse",
    "parse_any",
    "parse_docker_ref",
    "parse_named",
    "parse_normalized_named",
    "tag_name_only",
    "trim_named",
    "with_digest",
    "with_name",
    "with_tag",
]
