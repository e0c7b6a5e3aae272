"""``imagelookup.open(location)``: the store a location names (exported as ``imagelookup.open``).

========================================  =====================================================
location                                  store
========================================  =====================================================
a directory holding an ``oci-layout``     :class:`~imagelookup.stores.oci_layout.OCILayoutStore`
a file (a ``.tar`` from ``docker save``    :class:`~imagelookup.stores.docker_archive.
or ``skopeo copy … docker-archive:``)     DockerArchiveStore`
a directory holding ``image/*/imagedb``   :class:`~imagelookup.stores.data_root.DataRootStore`
(a Docker data-root)
``http://…`` or ``https://…``             a registry: not available yet (``InvalidParameter``)
========================================  =====================================================

Keyword arguments go to the store's constructor (``repository=`` for a layout, ``driver=``
and ``containerd_root=`` for a data-root, limits). A location that names none of these
raises ``InvalidParameter`` (``kind="invalid_store"``); one that does not exist raises
``NotFound``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import errors

if TYPE_CHECKING:
    from .stores.base import Store

__all__ = ["open"]


def open(location: str | os.PathLike[str], **options: Any) -> Store:
    """The store at ``location`` (see the module doc for how it is recognised)."""
    # The stores are imported on first use: ``import imagelookup`` stays light.
    from .stores.data_root import DataRootStore
    from .stores.docker_archive import DockerArchiveStore
    from .stores.oci_layout import OCILayoutStore

    text = os.fspath(location)
    if isinstance(text, str) and text.lower().startswith(("http://", "https://")):
        raise errors.InvalidParameter(
            f"cannot open {text}: the registry store is not available yet; "
            "use an OCI layout directory, a docker-archive .tar or a Docker data-root",
            kind="invalid_store",
        )
    if not os.path.exists(text):
        raise errors.NotFound(f"cannot open {text}: no such file or directory")
    if os.path.isdir(text):
        if os.path.isfile(os.path.join(text, "oci-layout")):
            return OCILayoutStore(text, **options)
        image_dir = os.path.join(text, "image")
        if os.path.isdir(image_dir) and any(
            os.path.isdir(os.path.join(image_dir, d, "imagedb")) for d in os.listdir(image_dir)
        ):
            return DataRootStore(text, **options)
        raise errors.InvalidParameter(
            f"cannot open {text}: a directory that is neither an OCI layout (no oci-layout "
            "file) nor a Docker data-root (no image/<driver>/imagedb)",
            kind="invalid_store",
        )
    if os.path.isfile(text):
        return DockerArchiveStore(text, **options)
    raise errors.InvalidParameter(
        f"cannot open {text}: not a directory or a regular file", kind="invalid_store"
    )
