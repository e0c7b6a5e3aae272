"""Many lookups at once: :func:`resolve_many`.

A registry lookup spends its time waiting on the network, so many run concurrently in a
thread pool; the registry store's connection pool bounds the connections actually open, and
``max_connections`` bounds the lookups in flight. Results come back in input order; a lookup
that fails yields its exception in its slot instead of stopping the batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeAlias

from ... import errors
from ...image import Image
from ..base import Store

if TYPE_CHECKING:
    from ...platforms import Platform
    from ...service import ImageService

__all__ = ["resolve_many"]

#: One lookup's outcome: the image, or the lookup error it raised.
Result: TypeAlias = Image | errors.ImageLookupError


def resolve_many(
    target: ImageService | Store,
    refs: Iterable[str],
    platform: Platform | str | None = None,
    *,
    max_connections: int = 8,
) -> list[Result]:
    """``get_image(ref, platform=platform)`` for every reference in ``refs``, concurrently.

    ``target`` is an :class:`~imagelookup.service.ImageService` or a store bundle (such as
    :class:`~imagelookup.stores.registry.RegistryStore`) to make one from. At most
    ``max_connections`` lookups run at once (and for a registry store no more than its own
    connection pool allows). The result list has one entry per reference, in input order:
    the :class:`~imagelookup.Image`, or the :class:`~imagelookup.errors.ImageLookupError`
    that lookup raised. Exceptions that are not lookup errors (bugs) propagate.
    """
    from ...service import ImageService

    if max_connections < 1:
        raise errors.InvalidParameter("max_connections must be >= 1")
    service = target if isinstance(target, ImageService) else ImageService.from_store(target)
    items = list(refs)
    if not items:
        return []
    workers = max_connections
    client = getattr(target, "client", None)
    pool_size = getattr(client, "max_connections", None)
    if isinstance(pool_size, int):
        workers = min(workers, pool_size)
    workers = min(workers, len(items))

    def one(ref: str) -> Result:
        try:
            return service.get_image(ref, platform=platform)
        except errors.ImageLookupError as exc:
            return exc

    if workers == 1:
        return [one(ref) for ref in items]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="imagelookup") as pool:
        return list(pool.map(one, items))
