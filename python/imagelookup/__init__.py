"""imagelookup: which image does this reference, ID or ID prefix mean, for this platform?

Answered exactly as Docker answers it. The public API:

- :mod:`imagelookup.platforms`: parse, format, normalize and match platforms
  (containerd ``platforms`` rules); :class:`Platform` is re-exported here.
- :mod:`imagelookup.errors`: the exception hierarchy.
- :mod:`imagelookup.service`: :class:`ImageService` (``get_image``, ``explain``) over the
  stores of :mod:`imagelookup.stores`; :class:`Image` is what it returns.
"""

from __future__ import annotations

from . import errors, platforms
from ._core import __version__
from .image import Image
from .platforms import Platform
from .service import ImageService

__all__ = ["Image", "ImageService", "Platform", "__version__", "errors", "platforms"]
