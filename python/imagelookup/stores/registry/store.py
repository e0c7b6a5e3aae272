"""The registry store: the four store protocols over a live registry's HTTP API v2.

Content in a registry lives per repository (``/v2/<name>/manifests/<ref>``,
``/v2/<name>/blobs/<digest>``), while the store protocols address content by digest alone.
The store therefore remembers, bounded and thread-safe, in which repository each digest was
seen and with which media type and size: the target of every tag or digest it resolved, the
manifests an index lists, the config a manifest names. So:

- ``references.get(ref)`` fetches the manifest or index the reference names (``GET`` with the
  OCI index and manifest and the Docker list and schema2 media types in ``Accept``, so the
  registry neither hides an OCI index nor down-converts a Docker list), verifies the body
  against the reference's digest or, for a tag, computes it (``Docker-Content-Digest`` is
  only checked, never trusted), and returns ``Target(digest, media_type, size)``.
  When the tag was resolved before and its content is still cached, a ``HEAD`` is enough:
  the bytes used are the verified ones under the digest the registry names now.
- ``content.read(d, limit)`` and ``content.size(d)`` serve digests seen that way (manifests
  from the manifests endpoint, other blobs from the blobs endpoint), bounded by ``limit`` and
  by the descriptor's size, verified; a digest never seen is ``NotFound``.
- ``images.get(id)`` reads the config blob of an image ID seen as some manifest's config;
  ``images.search(prefix)`` searches **only the IDs seen so far** (a registry has no API to
  list every image), with moby's prefix rules.
- ``leases.resources("moby-image-<id>")`` lists the manifests and indexes through which the
  image ID was reached, so ``get_image``'s manifest-list fallback works as on a daemon.

A reference naming another registry host than the store's is not in this store:
``references.get`` raises ``NotFound`` (``reason="registry_mismatch"``) without a request, so
``get_image`` goes on to the ID-prefix search exactly as for any unknown name (a bare
``3f5a`` parses as ``docker.io/library/3f5a`` first), and the store never reaches out to
hosts it was not opened for. ``aliases`` adds host names the registry also answers for (a
pull-through mirror of Docker Hub opened with ``aliases=("docker.io",)`` resolves ``ubuntu`` as
``library/ubuntu``); a Docker Hub URL has ``docker.io`` as alias already.

Verified manifests, indexes and configs are kept in an in-process cache bounded in bytes
(:class:`~imagelookup.stores._cache.BlobCache`); what the store remembers about digests is
bounded in entries.
Tags are mutable and are asked for again on every lookup; a digest reference whose manifest
is cached is answered without a request (content by digest never changes, so the only thing
missed is a deletion on the registry while the entry stays cached).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import orjson

from ... import IDIndex, errors, manifests
from ... import digest as digests
from ...image import Image
from .._cache import BlobCache, BoundedMap
from .._files import verify
from ..base import Target, image_lease_id
from .auth import Credentials, load_docker_credentials
from .http import RegistryClient

if TYPE_CHECKING:
    from ...platforms import Platform
    from ...reference import Reference

__all__ = ["MANIFEST_MEDIA_TYPES", "RegistryStore"]

OCI_INDEX = manifests.MEDIA_TYPE_OCI_INDEX
OCI_MANIFEST = manifests.MEDIA_TYPE_OCI_MANIFEST
DOCKER_LIST = manifests.MEDIA_TYPE_DOCKER_MANIFEST_LIST
DOCKER_MANIFEST = manifests.MEDIA_TYPE_DOCKER_MANIFEST

#: What the store sends in ``Accept`` for manifests: every index and manifest type it reads.
MANIFEST_MEDIA_TYPES = (OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST)
_MANIFEST_TYPES = frozenset(MANIFEST_MEDIA_TYPES)

_DOCKER_HUB = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_MAX_PARENTS = 16
_MAX_DEPTH = 8


def _check_digest(digest: str) -> str:
    """``digest`` when go-digest accepts it (``InvalidDigest`` otherwise)."""
    return digests.validate(digest)


def _is_loopback(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class _Seen:
    """Where a digest was seen: its repository, media type ("" when unknown) and size."""

    repository: str
    media_type: str
    size: int | None


class _References:
    def __init__(self, store: RegistryStore) -> None:
        self._store = store

    def get(self, ref: Reference) -> Target:
        return self._store._resolve(ref)


class _Content:
    def __init__(self, store: RegistryStore) -> None:
        self._store = store

    def read(self, digest: str, limit: int) -> bytes:
        return self._store._read(digest, limit)

    def size(self, digest: str) -> int:
        return self._store._size(digest)


class _Images:
    def __init__(self, store: RegistryStore) -> None:
        self._store = store

    def get(self, image_id: str) -> Image:
        return self._store._image(image_id)

    def search(self, prefix: str) -> str:
        return self._store._search(prefix)


class _Leases:
    def __init__(self, store: RegistryStore) -> None:
        self._store = store

    def resources(self, lease_id: str) -> Sequence[str]:
        return self._store._lease(lease_id)


class RegistryStore:
    """Images from a registry over the distribution HTTP API v2 (see the module doc).

    Usually made with :meth:`from_url`. Safe to use from many threads at once.
    """

    def __init__(
        self,
        client: RegistryClient,
        *,
        aliases: Iterable[str] = (),
        cache_bytes: int = 64 << 20,
        max_digests: int = 100_000,
        manifest_limit: int = 4 << 20,
        config_limit: int = 8 << 20,
    ) -> None:
        self.client = client
        self.host = client.host
        domains = {client.host.lower(), *(a.lower() for a in aliases)}
        if domains & _DOCKER_HUB:
            domains |= {"docker.io"}
        self.domains = frozenset(domains)
        self.manifest_limit = manifest_limit
        self.config_limit = config_limit
        self.cache = BlobCache(cache_bytes)
        self._ids = IDIndex()  # thread-safe on its own
        self._seen: BoundedMap[str, _Seen] = BoundedMap(max_digests, on_evict=self._forget)
        self._parents: BoundedMap[str, tuple[str, ...]] = BoundedMap(max_digests)
        self._tags: BoundedMap[tuple[str, str], Target] = BoundedMap(max_digests)
        self._references = _References(self)
        self._content = _Content(self)
        self._images = _Images(self)
        self._leases = _Leases(self)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        insecure: bool = False,
        username: str | None = None,
        password: str | None = None,
        docker_config: str | os.PathLike[str] | None = None,
        ca_certs: str | None = None,
        aliases: Iterable[str] = (),
        max_connections: int = 10,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        total_timeout: float = 60.0,
        max_retries: int = 3,
        max_retry_wait: float = 10.0,
        cache_bytes: int = 64 << 20,
    ) -> RegistryStore:
        """A store for the registry at ``url``: ``https://host[:port]``, ``http://…`` or a
        bare ``host[:port]``.

        As Docker does, a registry on a loopback address (``localhost``, ``127.0.0.0/8``,
        ``::1``) may be plain HTTP without more ado; any other plain-HTTP registry needs
        ``insecure=True``, which also accepts any TLS certificate. A bare host means HTTPS,
        or HTTP for a loopback host or with ``insecure=True``. ``ca_certs`` names a PEM
        bundle to trust for TLS.

        Credentials: ``username`` and ``password`` (or ``user:password@`` in the URL), else
        the ``auths`` entry for the host in the Docker config file (``docker_config``: that
        file or the directory holding ``config.json``; default ``$DOCKER_CONFIG`` or
        ``~/.docker``), else anonymous.
        """
        text = url.strip()
        if "://" not in text:
            host = text.rstrip("/")
            scheme = "http" if insecure or _is_loopback(host) else "https"
            text = f"{scheme}://{host}"
        parts = urlsplit(text)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise errors.InvalidParameter(
                "registry URL must be http(s)://host[:port] or host[:port]",
                kind="registry_url",
            )
        if parts.path not in {"", "/", "/v2", "/v2/"} or parts.query or parts.fragment:
            raise errors.InvalidParameter(
                "registry URL must name the registry only (no path, query or fragment)",
                kind="registry_url",
            )
        host = parts.netloc.rpartition("@")[2]
        if parts.scheme == "http" and not insecure and not _is_loopback(host):
            raise errors.InvalidParameter(
                f"{host} is a plain-HTTP registry: allow it with insecure=True (--insecure)",
                kind="insecure_registry",
            )
        if (username is None) != (password is None):
            raise errors.InvalidParameter(
                "give both username and password, or neither", kind="invalid_parameter"
            )
        credentials: Credentials | None = None
        if username is not None and password is not None:
            credentials = Credentials(username, password)
        elif parts.username is not None:
            credentials = Credentials(unquote(parts.username), unquote(parts.password or ""))
        else:
            config_path: Path | None = None
            if docker_config is not None:
                config_path = Path(docker_config)
                if config_path.is_dir():
                    config_path = config_path / "config.json"
            credentials = load_docker_credentials(host, config_path)
        client = RegistryClient(
            f"{parts.scheme}://{host}",
            credentials=credentials,
            verify_tls=not insecure,
            ca_certs=ca_certs,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            total_timeout=total_timeout,
            max_connections=max_connections,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
        )
        return cls(client, aliases=aliases, cache_bytes=cache_bytes)

    def __repr__(self) -> str:
        return f"RegistryStore({self.client.base_url!r})"

    # -- the four protocol views ----------------------------------------------------------

    @property
    def references(self) -> _References:
        return self._references

    @property
    def content(self) -> _Content:
        return self._content

    @property
    def images(self) -> _Images:
        return self._images

    @property
    def leases(self) -> _Leases:
        return self._leases

    def close(self) -> None:
        """Close the pooled connections."""
        self.client.close()

    def resolve_many(
        self,
        refs: Iterable[str],
        platform: Platform | str | None = None,
        *,
        max_connections: int | None = None,
    ) -> list[Image | errors.ImageLookupError]:
        """:func:`~imagelookup.stores.registry.resolve_many` over this store, with at most
        ``max_connections`` (default: the store's pool size) lookups at once."""
        from .batch import resolve_many

        return resolve_many(
            self,
            refs,
            platform,
            max_connections=max_connections or self.client.max_connections,
        )

    # -- bookkeeping ----------------------------------------------------------------------

    def _forget(self, digest: str, seen: _Seen) -> None:
        self._ids.remove(digest)

    def _note(self, digest: str, repository: str, media_type: str, size: int | None) -> None:
        previous = self._seen.get(digest)
        if (
            previous is not None
            and previous.repository == repository
            and (previous.media_type or not media_type)
            and previous.size is not None
        ):
            return
        self._seen.put(digest, _Seen(repository, media_type, size))

    def _note_parent(self, child: str, parent: str) -> None:
        def add(current: tuple[str, ...] | None) -> tuple[str, ...]:
            current = current or ()
            if parent in current:
                return current
            return (*current, parent)[-_MAX_PARENTS:]

        self._parents.update(child, add)

    def _learn(self, digest: str, body: bytes, repository: str) -> None:
        """Remember what a manifest or index names: an index's manifests, a manifest's
        config (which is then an image ID). Malformed documents teach nothing."""
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            return
        if not isinstance(document, dict):
            return
        entries = document.get("manifests")
        if isinstance(entries, list):
            for entry in entries:
                child = self._descriptor(entry)
                if child is not None:
                    self._note(child[0], repository, child[1], child[2])
                    self._note_parent(child[0], digest)
        config = self._descriptor(document.get("config"))
        if config is not None:
            self._note(config[0], repository, config[1], config[2])
            self._note_parent(config[0], digest)
            if config[0].startswith("sha256:"):
                self._ids.add(config[0])

    @staticmethod
    def _descriptor(value: Any) -> tuple[str, str, int] | None:
        if not isinstance(value, dict):
            return None
        digest, media_type, size = value.get("digest"), value.get("mediaType"), value.get("size")
        if not isinstance(digest, str) or not isinstance(size, int) or size < 0:
            return None
        try:
            _check_digest(digest)
        except errors.InvalidDigest:
            return None
        return digest, media_type if isinstance(media_type, str) else "", size

    def _repository(self, ref: Reference) -> str:
        domain = (ref.domain or "").lower()
        if domain not in self.domains or ref.path is None:
            raise errors.NotFound(
                f"reference {ref} names registry {ref.domain}, but this store reads {self.host}",
                reason="registry_mismatch",
            )
        return ref.path

    # -- references -----------------------------------------------------------------------

    def _resolve(self, ref: Reference) -> Target:
        repository = self._repository(ref)
        scope = f"repository:{repository}:pull"
        if ref.digest is not None:
            digest = _check_digest(ref.digest)
            seen = self._seen.get(digest)
            if (
                seen is not None
                and seen.repository == repository
                and seen.media_type in _MANIFEST_TYPES
                and self.cache.get(digest) is not None
            ):
                return Target(digest, seen.media_type, seen.size)
            return self._get_manifest(repository, digest, scope, expected=digest)
        tag = ref.tag or "latest"
        known = self._tags.get((repository, tag))
        if known is not None and self.cache.get(known.digest) is not None:
            try:
                head = self.client.fetch(
                    f"/v2/{repository}/manifests/{tag}",
                    scope=scope,
                    accept=MANIFEST_MEDIA_TYPES,
                    limit=0,
                    method="HEAD",
                )
            except errors.RegistryError as exc:
                if type(exc) is not errors.RegistryError:
                    raise
                head = None  # an unexpected status (405 …): ask with GET instead
            hint = head.headers.get("Docker-Content-Digest") if head is not None else None
            if hint == known.digest:
                return known
            if hint is not None:
                seen = self._seen.get(hint)
                if (
                    seen is not None
                    and seen.repository == repository
                    and seen.media_type in _MANIFEST_TYPES
                    and self.cache.get(hint) is not None
                ):
                    target = Target(hint, seen.media_type, seen.size)
                    self._tags.put((repository, tag), target)
                    return target
        target = self._get_manifest(repository, tag, scope, expected=None)
        self._tags.put((repository, tag), target)
        return target

    def _get_manifest(
        self, repository: str, reference: str, scope: str, *, expected: str | None
    ) -> Target:
        path = f"/v2/{repository}/manifests/{reference}"
        where = f"{self.client.base_url}{path}"
        try:
            reply = self.client.fetch(
                path, scope=scope, accept=MANIFEST_MEDIA_TYPES, limit=self.manifest_limit
            )
        except errors.NotFound as exc:
            code = str(getattr(exc, "code", ""))
            raise errors.NotFound(
                f"{repository}:{reference} not found in {self.host}"
                + (f" ({code})" if code else ""),
                status=404,
                url=where,
                code=code,
            ) from None
        body = reply.body
        hint = reply.headers.get("Docker-Content-Digest")
        if expected is not None:
            verify(expected, body, source=where)
            digest = expected
        else:
            digest = digests.compute(body)
            if hint is not None:
                try:
                    _check_digest(hint)
                except errors.InvalidDigest:
                    raise errors.RegistryProtocolError(
                        f"{where}: malformed Docker-Content-Digest", url=where
                    ) from None
                verify(hint, body, source=where)
        media_type = ""
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            document = None
        if isinstance(document, dict) and isinstance(document.get("mediaType"), str):
            media_type = document["mediaType"]
        if not media_type:
            media_type = (reply.headers.get("Content-Type") or "").split(";", 1)[0].strip()
        self.cache.put(digest, body)
        self._note(digest, repository, media_type, len(body))
        self._learn(digest, body, repository)
        return Target(digest, media_type, len(body))

    # -- content --------------------------------------------------------------------------

    def _where(self, digest: str) -> _Seen:
        seen = self._seen.get(digest)
        if seen is None:
            raise errors.NotFound(
                f"{digest} was not seen in any repository of {self.host} (the registry store "
                "reads only digests reached through a reference it resolved)"
            )
        return seen

    def _read(self, digest: str, limit: int) -> bytes:
        _check_digest(digest)
        cached = self.cache.get(digest)
        if cached is not None:
            if len(cached) > limit:
                raise errors.LimitExceeded(
                    f"{digest} is {len(cached)} bytes, more than the limit of {limit}",
                    limit=limit,
                    size=len(cached),
                )
            return cached
        seen = self._where(digest)
        if seen.size is not None and seen.size > limit:
            raise errors.LimitExceeded(
                f"{digest} is {seen.size} bytes, more than the limit of {limit}",
                limit=limit,
                size=seen.size,
            )
        manifest = seen.media_type in _MANIFEST_TYPES
        kind = "manifests" if manifest else "blobs"
        path = f"/v2/{seen.repository}/{kind}/{digest}"
        where = f"{self.client.base_url}{path}"
        try:
            reply = self.client.fetch(
                path,
                scope=f"repository:{seen.repository}:pull",
                accept=MANIFEST_MEDIA_TYPES if manifest else (),
                limit=limit,
                expected_size=seen.size,
            )
        except errors.NotFound as exc:
            raise errors.NotFound(
                f"{digest} not found in {self.host}/{seen.repository}",
                status=404,
                url=where,
                code=getattr(exc, "code", ""),
            ) from None
        verify(digest, reply.body, source=where)
        self.cache.put(digest, reply.body)
        if manifest:
            self._learn(digest, reply.body, seen.repository)
        return reply.body

    def _size(self, digest: str) -> int:
        _check_digest(digest)
        cached = self.cache.get(digest)
        if cached is not None:
            return len(cached)
        seen = self._where(digest)
        if seen.size is not None:
            return seen.size
        return len(self._read(digest, self.config_limit))

    # -- images and leases ----------------------------------------------------------------

    def _image(self, image_id: str) -> Image:
        _check_digest(image_id)
        raw = self._read(image_id, self.config_limit)
        return Image.from_config_bytes(image_id, raw)

    def _search(self, prefix: str) -> str:
        return str(self._ids.search(prefix))

    def _lease(self, lease_id: str) -> Sequence[str]:
        prefix = image_lease_id("")
        if not lease_id.startswith(prefix):
            raise errors.NotFound(f"no lease {lease_id!r} in the registry store")
        image_id = lease_id[len(prefix) :]
        found: list[str] = []
        frontier = [image_id]
        for _ in range(_MAX_DEPTH):
            following: list[str] = []
            for digest in frontier:
                for parent in self._parents.get(digest) or ():
                    if parent not in found:
                        found.append(parent)
                        following.append(parent)
            if not following:
                break
            frontier = following
        if not found:
            raise errors.NotFound(f"no lease {lease_id!r} in the registry store")
        return found
