"""OCI image indexes, Docker manifest lists and image manifests: bounded reading and selection.

Pick the manifests of a multi-platform image for a platform, as Docker does::

    >>> from imagelookup import manifests
    >>> [d.digest for d in manifests.select(data, "linux/arm64")]     # doctest: +SKIP
    ['sha256:…']
    >>> manifests.best(data, "linux/arm/v7").digest                      # doctest: +SKIP
    'sha256:…'

Reading
    ``data`` may be ``bytes``, ``bytearray``, ``memoryview`` or any object exporting a
    C-contiguous buffer. A read-only buffer (``bytes``, a ``memoryview`` of one, an ``mmap``
    opened for reading) is read in place; a writable one (``bytearray``, …) is copied first
    into a new ``bytes`` object, unless it is over ``limit``, so that no other thread can
    change it while it is read. The descriptors :func:`select`, :func:`best` and
    :func:`select_many` return for a ``bytes`` input (or such a copy) borrow their strings
    from it instead of copying them: each holds a reference to that ``bytes`` object, which
    therefore lives as long as any of them (at most ``limit`` bytes a document). A
    non-contiguous ``memoryview`` is
    refused with ``BufferError`` and ``str`` with ``TypeError``. Input longer than ``limit``
    bytes (default 1,000,000, as moby's manifest-list check) raises
    :class:`~imagelookup.errors.LimitExceeded` before a byte is read; anything that is not a
    valid document raises :class:`~imagelookup.errors.InvalidManifest` with ``offset`` (the byte
    where reading stopped) and ``reason``.

    Documents are decoded the way moby's Go code decodes them (``encoding/json`` into the
    image-spec structs), including its leniencies, because they change which image Docker
    picks: keys match case-insensitively (also through ``\\u`` escapes and Unicode folding:
    ``"ſize"`` is ``size``); the last of repeated keys wins and repeated objects merge;
    ``null`` leaves strings unchanged and empties lists; fields Docker does not decode may hold
    any JSON; invalid UTF-8 and lone surrogates become U+FFFD. A decoded field of the wrong
    type fails the whole document (``size`` must be an integer literal: ``1.0`` and ``1E3``
    fail; ``data`` must be padded base64), and so do a byte-order mark, trailing bytes, a
    top-level value that is not an object (``null`` is an empty index) and nesting deeper than
    10,000. Digests are not validated here. The full list is in ``rust/manifest.rs`` and
    ``rust/json.rs``.

Selection
    :func:`select` keeps the entries whose media type is an image manifest (OCI or Docker
    schema 2) and whose platform the matcher accepts, in document order; by default the matcher
    is ``platforms.only(platform)``, as in moby's ``manifestMatchesPlatform``. Nested indexes,
    unknown media types and entries without a platform are never selected. The matcher sees the
    entry's whole platform, ``os.version`` and ``os.features`` included (as containerd's
    resolver does); ``moby_check=True`` shows it only os, architecture and variant, as moby's
    check does. :func:`best` returns the one entry a runtime pulls: the matcher's preferred
    platform, the first in document order among equally preferred ones.

    :func:`select_many` runs :func:`select` over many buffers with the GIL released, on up to
    ``threads`` threads (default: the machine's available parallelism). It returns one result
    per item, in order: the list of selected descriptors, or, for an item that could not be
    read, the :class:`~imagelookup.errors.InvalidManifest` or
    :class:`~imagelookup.errors.LimitExceeded` **instance** (not raised). An item that is not a
    buffer raises ``TypeError`` for the whole call. Buffers must not be mutated while the call
    runs.

Attestations
    BuildKit's attestation manifests (platform ``unknown/unknown``, annotation
    ``vnd.docker.reference.type: attestation-manifest``) have ``Descriptor.is_attestation``
    set, and ``Descriptor.subject_digest`` names the image manifest they describe.
"""

from __future__ import annotations

from ._core import (
    MEDIA_TYPE_DOCKER_CONFIG,
    MEDIA_TYPE_DOCKER_MANIFEST,
    MEDIA_TYPE_DOCKER_MANIFEST_LIST,
    MEDIA_TYPE_OCI_CONFIG,
    MEDIA_TYPE_OCI_INDEX,
    MEDIA_TYPE_OCI_MANIFEST,
    Descriptor,
    Index,
    Manifest,
    config_digest,
    parse_index,
    parse_manifest,
)
from ._core import best_manifest as best
from ._core import select_manifests as select
from ._core import select_many_manifests as select_many

#: Default bound on a document, in bytes (moby reads at most 1e6 bytes of a manifest list).
DEFAULT_LIMIT = 1_000_000

__all__ = [
    "DEFAULT_LIMIT",
    "MEDIA_TYPE_DOCKER_CONFIG",
    "MEDIA_TYPE_DOCKER_MANIFEST",
    "MEDIA_TYPE_DOCKER_MANIFEST_LIST",
    "MEDIA_TYPE_OCI_CONFIG",
    "MEDIA_TYPE_OCI_INDEX",
    "MEDIA_TYPE_OCI_MANIFEST",
    "Descriptor",
    "Index",
    "Manifest",
    "best",
    "config_digest",
    "parse_index",
    "parse_manifest",
    "select",
    "select_many",
]
