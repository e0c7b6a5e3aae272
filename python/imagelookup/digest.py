"""Content digests with go-digest v1.0.0's rules: ``algorithm:hex``.

``sha256`` (64 hex characters), ``sha384`` (96) and ``sha512`` (128), lowercase hex only.
A malformed digest raises :class:`imagelookup.errors.InvalidDigest` whose ``kind`` is
``"digest_invalid_format"``, ``"digest_invalid_length"`` or ``"digest_unsupported"``;
content that does not match raises :class:`imagelookup.errors.DigestMismatch`.

``data`` may be ``bytes``, ``bytearray``, ``memoryview`` or any other C-contiguous buffer;
a read-only one is read in place, a writable one (``bytearray``, …) is copied first; the GIL
is released while large inputs are hashed.
A buffer that is not C-contiguous raises ``BufferError``, as :mod:`hashlib` does.
For streams, :class:`Hasher` takes chunks::

    >>> from imagelookup import digest
    >>> h = digest.Hasher()
    >>> for chunk in (b"hello ", b"world"):
    ...     h.update(chunk)
    >>> h.digest() == digest.compute(b"hello world")
    True
"""

from __future__ import annotations

from ._core import DIGEST_ALGORITHMS as ALGORITHMS
from ._core import Hasher
from ._core import digest_algorithm as algorithm
from ._core import digest_compute as compute
from ._core import digest_encoded as encoded
from ._core import digest_is_valid as is_valid
from ._core import digest_validate as validate
from ._core import digest_verify as verify

__all__ = [
    "ALGORITHMS",
    "Hasher",
    "algorithm",
    "compute",
    "encoded",
    "is_valid",
    "validate",
    "verify",
]
