"""imagelookup: which image does this reference, ID or ID prefix mean, for this platform?

Answered exactly as Docker answers it. The public API:

- :mod:`imagelookup.platforms`: parse, format, normalize and match platforms
  (containerd ``platforms`` rules); :class:`Platform` is re-exported here.
- :mod:`imagelookup.reference`: image references, parsed and normalized as Docker does.
- :mod:`imagelookup.digest`: digests (``sha256:…``): validate, compute, verify.
- :mod:`imagelookup.idindex`: :class:`IDIndex`, the image-ID prefix index, re-exported here.
- :mod:`imagelookup.manifests`: read OCI indexes, Docker manifest lists and manifests, and
  select the manifests for a platform.
- :mod:`imagelookup.errors`: the exception hierarchy.
- :mod:`imagelookup.service`: :class:`ImageService` (``get_image``, ``explain``) over the
  stores of :mod:`imagelookup.stores`; :class:`Image` is what it returns.
- :func:`open`: the store at a location (OCI layout, docker-archive, Docker data-root);
  the stores themselves are in :mod:`imagelookup.stores`.
"""

from __future__ import annotations

from . import digest, errors, idindex, manifests, platforms, reference
from ._core import __version__
from ._open import open
from .idindex import IDIndex
from .image import Image
from .platforms import Platform
from .service import ImageService

__all__ = [
    "IDIndex",
    "Image",
    "ImageService",
    "Platform",
    "__version__",
    "digest",
    "errors",
    "idindex",
    "manifests",
    "open",
    "platforms",
    "reference",
]
