"""Images from a live registry over the distribution HTTP API v2.

:class:`RegistryStore` implements the four store protocols of :mod:`imagelookup.stores.base`
over a registry, so :class:`imagelookup.service.ImageService` answers from it unchanged;
:func:`resolve_many` resolves many references concurrently over a bounded number of
connections. :mod:`.store` says how digests are found per repository, :mod:`.http` how
requests are bounded, retried and authenticated, :mod:`.auth` where credentials come from.
"""

from __future__ import annotations

from .auth import Credentials, docker_config_path, load_docker_credentials
from .batch import resolve_many
from .store import MANIFEST_MEDIA_TYPES, RegistryStore

__all__ = [
    "MANIFEST_MEDIA_TYPES",
    "Credentials",
    "RegistryStore",
    "docker_config_path",
    "load_docker_credentials",
    "resolve_many",
]
