"""A docker-archive tarball as a store: what ``docker save`` and
``skopeo copy … docker-archive:FILE.tar:name:tag`` write.

The tar is read in place, never extracted: opening lists its members (headers only) and
reads ``manifest.json``, ``repositories`` and each image's config; later reads take a
member's bytes at its offset (``os.pread``, so many threads can read at once).

Format
    ``manifest.json`` lists the images: ``Config`` (the config member: ``<hex>.json``, or
    ``blobs/sha256/<hex>`` in Docker 25+ archives), ``RepoTags`` (``name:tag`` strings,
    normalized as Docker does) and ``Layers``. An image's ID is the digest of its config
    bytes, as ``docker load`` computes it. The legacy ``repositories`` file
    (``{name: {tag: top-layer-v1-id}}``) adds the tags it names for an image whose last layer
    is ``<v1-id>/layer.tar``, where ``manifest.json`` does not already give them.

Stores
    ``references``: each tag → its image ID (``Target.media_type == IMAGE_ID``); an archive
    holds no digest references. ``images``: the configs listed, searchable by ID prefix.
    ``content``: blobs addressable by digest: the configs, members named
    ``blobs/<alg>/<hex>`` and top-level ``<hex>.json`` / ``<hex>.tar`` members (every read
    verified). ``leases``: when the archive also holds an OCI ``index.json`` (Docker 25+),
    the indexes and manifests reachable from it, as in an OCI layout; otherwise none.

Safety
    A member path that is absolute or climbs out with ``..`` raises ``UnsafePath``, and so
    does a symbolic or hard link whose target leaves the archive's root (links inside are
    followed, at most 8 deep: skopeo writes ``<v1-id>/layer.tar`` as a link). A config whose
    member name announces a digest its bytes do not have raises ``DigestMismatch`` at open.
    Compressed archives are refused with ``StoreError``: decompress them first (their members
    could not be read in place).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import posixpath
import re
import tarfile
import threading
from collections.abc import Mapping
from typing import Any

import orjson

from .. import errors
from .. import reference as _reference
from ..image import Image
from ..reference import Reference
from ._catalog import MANIFEST_LIMIT, Catalog, walk
from ._files import blob_parts, verify
from ._shared import CONFIG_LIMIT, CatalogLeases, Lazy
from .base import IMAGE_ID, Target

__all__ = ["DockerArchiveStore"]

log = logging.getLogger("imagelookup.stores")

_MAX_LINKS = 8
_METADATA_LIMIT = 16 * 1024 * 1024
_HEX_MEMBER = re.compile(r"^([a-f0-9]{64})\.(?:json|tar)$")
_BLOB_MEMBER = re.compile(r"^blobs/([a-z0-9]+)/([a-f0-9]+)$")
_COMPRESSED = {b"\x1f\x8b": "gzip", b"\x28\xb5": "zstd", b"BZ": "bzip2", b"\xfd7": "xz"}


def _clean(name: str) -> str:
    """A member path in normal form; ``UnsafePath`` if it is absolute or leaves the root."""
    if not name or name.startswith("/") or "\x00" in name:
        raise errors.UnsafePath(f"refusing archive path {name!r}")
    norm = posixpath.normpath(name)
    if norm == ".." or norm.startswith("../"):
        raise errors.UnsafePath(f"refusing archive path {name!r}: it leads outside the archive")
    return norm


class _Tar:
    """The members of an uncompressed tar, read in place.

    ``close`` may come while other threads read: it returns at once, the file stays open
    until the last read in flight ends (so a read never uses a descriptor number that was
    closed and reused), and reads that start after it fail with
    :class:`~imagelookup.errors.StoreError`. Without ``close``, the file is closed when the
    last object holding this one (the store, its ``content``) is gone.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            with open(path, "rb") as probe:
                magic = probe.read(2)
            kind = _COMPRESSED.get(magic)
            if kind is not None:
                raise errors.StoreError(
                    f"{path}: a {kind}-compressed archive; decompress it first "
                    "(members are read in place)"
                )
            with tarfile.open(path, mode="r:") as tar:
                members = tar.getmembers()
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise errors.NotFound(f"{path}: no such archive") from None
        except (tarfile.TarError, OSError) as exc:
            raise errors.StoreError(f"{path}: not a readable tar archive: {exc}") from None
        self._fd = fd
        self._guard = threading.Lock()
        self._reading = 0
        self._closed = False
        self._members: dict[str, tarfile.TarInfo] = {}
        for info in members:
            try:
                self._members[_clean(info.name)] = info  # a later member replaces an earlier
            except errors.UnsafePath:
                log.debug("%s: ignoring member %r", path, info.name)

    def close(self) -> None:
        with self._guard:
            self._closed = True
            fd = self._take_fd_if_idle()
        _close_quietly(fd)

    def __del__(self) -> None:
        # No read can be in flight (each holds a reference), so no lock is needed, and none
        # is taken: a finalizer may run on a thread that holds it.
        _close_quietly(getattr(self, "_fd", -1))

    def _take_fd_if_idle(self) -> int:
        """Under ``_guard``: the descriptor to close once closed and idle, else -1."""
        if not (self._closed and self._reading == 0):
            return -1
        fd, self._fd = self._fd, -1
        return fd

    def _pread(self, name: str, size: int, offset: int) -> bytes:
        # Nothing that allocates Python objects runs under the (non-reentrant) lock: an
        # allocation may run a garbage collection, and with it finalizers that close.
        entered = False
        try:
            with self._guard:
                if not self._closed:
                    self._reading += 1
                    entered = True
                    fd = self._fd
            if not entered:
                raise errors.StoreError(f"{self.path}: the archive is closed")
            return os.pread(fd, size, offset)
        except errors.StoreError:
            raise  # an OSError too: not to be wrapped below
        except OSError as exc:
            raise errors.StoreError(f"{self.path}: cannot read {name!r}: {exc}") from None
        finally:
            if entered:
                with self._guard:
                    self._reading -= 1
                    last = self._take_fd_if_idle()
                _close_quietly(last)

    def names(self) -> list[str]:
        return list(self._members)

    def member(self, name: str) -> tarfile.TarInfo:
        """The regular file ``name`` leads to, links followed inside the archive."""
        return self.resolve(name)[1]

    def resolve(self, name: str) -> tuple[str, tarfile.TarInfo]:
        """The normalized name and header of the regular file ``name`` leads to."""
        current = _clean(name)
        for _ in range(_MAX_LINKS + 1):
            info = self._members.get(current)
            if info is None:
                raise errors.NotFound(f"{self.path}: no member {current!r}")
            if info.isreg() and not info.issparse():
                return current, info
            if info.issym():
                target = info.linkname
                if target.startswith("/"):
                    raise errors.UnsafePath(
                        f"refusing link {current!r} -> {target!r}: absolute target"
                    )
                current = _clean(posixpath.join(posixpath.dirname(current), target))
            elif info.islnk():
                current = _clean(info.linkname)
            else:
                raise errors.StoreError(f"{self.path}: member {current!r} is not a regular file")
        raise errors.UnsafePath(f"refusing {name!r}: more than {_MAX_LINKS} links")

    def read(self, name: str, limit: int) -> bytes:
        info = self.member(name)
        if info.size > limit:
            raise errors.LimitExceeded(
                f"{self.path}: member {name!r} is {info.size} bytes, over the limit of {limit}",
                limit=limit,
                size=info.size,
            )
        data = self._pread(name, info.size, info.offset_data)
        if len(data) != info.size:
            raise errors.StoreError(f"{self.path}: member {name!r} is truncated")
        return data


def _close_quietly(fd: int) -> None:
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)


class ArchiveContent:
    """Blobs of an archive by digest (see the module doc)."""

    __slots__ = ("_by_digest", "_tar")

    def __init__(self, tar: _Tar, by_digest: Mapping[str, str]) -> None:
        self._tar = tar
        self._by_digest = dict(by_digest)

    def _name(self, digest: str) -> str:
        blob_parts(digest)
        name = self._by_digest.get(digest)
        if name is None:
            raise errors.NotFound(f"content {digest}: not found")
        return name

    def read(self, digest: str, limit: int) -> bytes:
        data = self._tar.read(self._name(digest), limit)
        verify(digest, data)
        return data

    def size(self, digest: str) -> int:
        return int(self._tar.member(self._name(digest)).size)


class ArchiveImages:
    """The images an archive's ``manifest.json`` lists."""

    __slots__ = ("_config_limit", "_content", "_ids", "_images")

    def __init__(self, content: ArchiveContent, ids: list[str], config_limit: int) -> None:
        from .. import IDIndex  # imported here: the package imports the stores

        self._content = content
        self._config_limit = config_limit
        self._images = set(ids)
        self._ids = IDIndex()
        for image_id in ids:
            self._ids.add(image_id)

    def get(self, image_id: str) -> Image:
        if image_id not in self._images:
            raise errors.NotFound(f"No such image: {image_id}")
        return Image.from_config_bytes(image_id, self._content.read(image_id, self._config_limit))

    def search(self, prefix: str) -> str:
        return str(self._ids.search(prefix))

    def ids(self) -> list[str]:
        return sorted(self._images)


class ArchiveReferences:
    """Tags of an archive, normalized (``app:1.0`` is ``docker.io/library/app:1.0``)."""

    __slots__ = ("_tags",)

    def __init__(self, tags: Mapping[str, str]) -> None:
        self._tags = dict(tags)

    def get(self, ref: Reference) -> Target:
        if ref.digest is None:
            image_id = self._tags.get(f"{ref.name}:{ref.tag or 'latest'}")
            if image_id is not None:
                return Target(image_id, IMAGE_ID)
        raise errors.NotFound(f"reference {ref}: not found in the archive")

    def tags(self) -> list[str]:
        return list(self._tags)


def _normalized_tag(name: str) -> str | None:
    try:
        ref = _reference.parse_normalized_named(name)
    except errors.InvalidParameter as exc:
        log.warning("ignoring archive tag %r: %s", name, exc)
        return None
    if ref.digest is not None:
        return None
    return f"{ref.name}:{ref.tag or 'latest'}"


class DockerArchiveStore:
    """A docker-archive tarball, read-only and in place. See the module doc.

    Holds an open file: use it as a context manager or call :meth:`close` when done.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        manifest_limit: int = MANIFEST_LIMIT,
        config_limit: int = CONFIG_LIMIT,
    ) -> None:
        self.path = os.path.realpath(os.fspath(path))
        self._tar = _Tar(self.path)
        try:
            self._load(manifest_limit, config_limit)
        except BaseException:
            self._tar.close()
            raise

    def _load(self, manifest_limit: int, config_limit: int) -> None:
        tar = self._tar
        by_digest: dict[str, str] = {}
        for name in tar.names():
            match = _HEX_MEMBER.match(name)
            if match:
                by_digest[f"sha256:{match.group(1)}"] = name
            match = _BLOB_MEMBER.match(name)
            if match:
                by_digest[f"{match.group(1)}:{match.group(2)}"] = name

        manifest = self._metadata("manifest.json")
        if not isinstance(manifest, list):
            raise errors.StoreError(f"{self.path}: manifest.json is not a list")
        ids: list[str] = []
        tags: dict[str, str] = {}
        last_layers: dict[str, str] = {}
        for item in manifest:
            if not isinstance(item, dict) or not isinstance(item.get("Config"), str):
                raise errors.StoreError(f"{self.path}: manifest.json entry without Config")
            config_name = _clean(item["Config"])
            raw = tar.read(config_name, config_limit)
            image_id = "sha256:" + hashlib.sha256(raw).hexdigest()
            announced = _announced_digest(config_name)
            if announced is not None:
                verify(announced, raw)
            by_digest[image_id] = config_name
            if image_id not in ids:
                ids.append(image_id)
            for tag in item.get("RepoTags") or []:
                key = _normalized_tag(tag) if isinstance(tag, str) else None
                if key is not None:
                    tags.setdefault(key, image_id)
            layers = item.get("Layers")
            if isinstance(layers, list) and layers and isinstance(layers[-1], str):
                last_layers[tar.resolve(layers[-1])[0]] = image_id
        self._legacy_tags(tags, last_layers)

        self.content = ArchiveContent(tar, by_digest)
        self.images = ArchiveImages(self.content, ids, config_limit)
        self.references = ArchiveReferences(tags)
        roots = self._oci_roots()
        self._catalog: Lazy[Catalog] = Lazy(lambda: walk(self.content, roots, limit=manifest_limit))
        self.leases = CatalogLeases(self._catalog)

    def _metadata(self, name: str) -> Any:
        try:
            raw = self._tar.read(name, _METADATA_LIMIT)
        except errors.NotFound:
            if name == "manifest.json":
                raise errors.StoreError(
                    f"{self.path}: not a docker-archive (manifest.json is missing)"
                ) from None
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise errors.StoreError(f"{self.path}: {name} is not valid JSON: {exc}") from None

    def _legacy_tags(self, tags: dict[str, str], last_layers: Mapping[str, str]) -> None:
        repositories = self._metadata("repositories")
        if not isinstance(repositories, dict):
            return
        for name, repo_tags in repositories.items():
            if not isinstance(repo_tags, dict):
                continue
            for tag, layer_id in repo_tags.items():
                if not isinstance(layer_id, str) or not isinstance(tag, str):
                    continue
                try:
                    member = self._tar.resolve(f"{layer_id}/layer.tar")[0]
                except errors.NotFound:
                    continue
                image_id = last_layers.get(member)
                key = _normalized_tag(f"{name}:{tag}")
                if image_id is not None and key is not None:
                    tags.setdefault(key, image_id)

    def _oci_roots(self) -> list[dict[str, Any]]:
        index = self._metadata("index.json")
        if not isinstance(index, dict) or not isinstance(index.get("manifests"), list):
            return []
        return [
            d
            for d in index["manifests"]
            if isinstance(d, dict) and isinstance(d.get("digest"), str)
        ]

    def close(self) -> None:
        """Close the archive: lookups that start afterwards fail with ``StoreError``.

        Returns at once; reads already in flight on other threads finish, and the file is
        closed when the last of them ends. Without ``close``, the file is closed once the store
        and everything taken from it (``content``, ``images``) are gone.
        """
        self._tar.close()

    def __enter__(self) -> DockerArchiveStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DockerArchiveStore({self.path!r})"


def _announced_digest(member: str) -> str | None:
    """The digest a config member's name announces (``<hex>.json``, ``blobs/<alg>/<hex>``)."""
    match = _HEX_MEMBER.match(member)
    if match:
        return f"sha256:{match.group(1)}"
    match = _BLOB_MEMBER.match(member)
    if match:
        digest = f"{match.group(1)}:{match.group(2)}"
        blob_parts(digest)
        return digest
    return None
