"""Test helpers for the registry store: a real registry, a token server, images to push.

- :class:`Registry` runs Debian's ``docker-registry`` (CNCF distribution) on a free
  127.0.0.1 port with its own config file and a storage directory under the test's tmp dir:
  no auth, htpasswd (bcrypt, made with ``htpasswd -B``) or token auth.
- :class:`TokenServer` is the token service for token auth: a stdlib HTTP server in a thread
  issuing RS256 JWTs signed by a key whose self-signed certificate is the registry's
  ``rootcertbundle``; it counts what it was asked for.
- :func:`build_layout` writes a small multi-platform OCI layout in pure Python (tiny gzip
  layers, configs, manifests, an index, an attestation entry), :func:`skopeo_push` copies it
  into the registry with ``skopeo copy --all``, and :class:`Pusher` pushes blobs and
  manifests over raw HTTP (for Docker media-type lists and nested indexes).
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import gzip
import hashlib
import http.server
import io
import json
import os
import socket
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"

REGISTRY_BINARY = "docker-registry"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- images ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blob:
    media_type: str
    data: bytes

    @property
    def digest(self) -> str:
        return sha256(self.data)

    def descriptor(self, **extra: Any) -> dict[str, Any]:
        return {
            "mediaType": self.media_type,
            "digest": self.digest,
            "size": len(self.data),
            **extra,
        }


@dataclass
class PlatformImage:
    """One platform's image: config, layer and manifest blobs, and the index entry's platform."""

    platform: dict[str, str]
    config: Blob
    layer: Blob
    manifest: Blob

    @property
    def image_id(self) -> str:
        return self.config.digest


@dataclass
class BuiltImage:
    """A multi-platform image: per-platform images, the index, the attestation manifest."""

    images: dict[str, PlatformImage]
    index: Blob
    blobs: list[Blob] = field(default_factory=list)

    def image(self, spec: str) -> PlatformImage:
        return self.images[spec]


def _layer(text: str) -> tuple[bytes, str]:
    """A gzip tar with one file; returns (gzip bytes, diff id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        payload = text.encode()
        info = tarfile.TarInfo("hello.txt")
        info.size = len(payload)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(payload))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, mtime=0), sha256(tar_bytes)


def platform_key(platform: Mapping[str, str]) -> str:
    parts = [platform["os"], platform["architecture"]]
    if platform.get("variant"):
        parts.append(platform["variant"])
    return "/".join(parts)


def build_image(
    name: str,
    platforms: Sequence[Mapping[str, str]],
    *,
    config_platforms: Mapping[str, Mapping[str, str]] | None = None,
    docker_types: bool = False,
    attestation: bool = True,
) -> BuiltImage:
    """A multi-platform image named ``name`` (the name only seeds the content).

    ``platforms`` are the index entries' platforms; ``config_platforms`` may give a config a
    different os/architecture/variant than its index entry (keyed by the entry's
    ``os/arch[/variant]``). ``docker_types`` uses the Docker list and schema2 media types.
    """
    config_platforms = config_platforms or {}
    manifest_type = DOCKER_MANIFEST if docker_types else OCI_MANIFEST
    config_type = DOCKER_CONFIG if docker_types else OCI_CONFIG
    layer_type = DOCKER_LAYER if docker_types else OCI_LAYER
    images: dict[str, PlatformImage] = {}
    entries: list[dict[str, Any]] = []
    blobs: list[Blob] = []
    for platform in platforms:
        key = platform_key(platform)
        layer_bytes, diff_id = _layer(f"{name} for {key}\n")
        layer = Blob(layer_type, layer_bytes)
        config_platform = dict(config_platforms.get(key, platform))
        config_doc = {
            "architecture": config_platform["architecture"],
            "os": config_platform["os"],
            **({"variant": config_platform["variant"]} if config_platform.get("variant") else {}),
            "config": {"Env": [f"IMAGE={name}", f"PLATFORM={key}"]},
            "created": "2024-01-01T00:00:00Z",
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        }
        config = Blob(config_type, canonical(config_doc))
        manifest = Blob(
            manifest_type,
            canonical(
                {
                    "schemaVersion": 2,
                    "mediaType": manifest_type,
                    "config": config.descriptor(),
                    "layers": [layer.descriptor()],
                }
            ),
        )
        images[key] = PlatformImage(dict(platform), config, layer, manifest)
        entries.append(manifest.descriptor(platform=dict(platform)))
        blobs += [layer, config, manifest]
    if attestation and not docker_types and images:
        first = next(iter(images.values()))
        statement = Blob("application/vnd.in-toto+json", canonical({"_type": "statement"}))
        att_config = Blob(OCI_CONFIG, canonical({"architecture": "unknown", "os": "unknown"}))
        att = Blob(
            OCI_MANIFEST,
            canonical(
                {
                    "schemaVersion": 2,
                    "mediaType": OCI_MANIFEST,
                    "config": att_config.descriptor(),
                    "layers": [statement.descriptor()],
                }
            ),
        )
        entries.append(
            att.descriptor(
                platform={"os": "unknown", "architecture": "unknown"},
                annotations={
                    "vnd.docker.reference.type": "attestation-manifest",
                    "vnd.docker.reference.digest": first.manifest.digest,
                },
            )
        )
        blobs += [statement, att_config, att]
    index_type = DOCKER_LIST if docker_types else OCI_INDEX
    index = Blob(
        index_type, canonical({"schemaVersion": 2, "mediaType": index_type, "manifests": entries})
    )
    blobs.append(index)
    return BuiltImage(images, index, blobs)


def write_layout(path: Path, image: BuiltImage, tag: str) -> Path:
    """An OCI image layout at ``path`` holding ``image`` under ``tag``."""
    (path / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (path / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    for blob in image.blobs:
        (path / "blobs" / "sha256" / blob.digest.split(":", 1)[1]).write_bytes(blob.data)
    index = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            image.index.descriptor(annotations={"org.opencontainers.image.ref.name": tag})
        ],
    }
    (path / "index.json").write_bytes(canonical(index))
    return path


# -- the registry -----------------------------------------------------------------------------


@dataclass
class Registry:
    """A ``docker-registry serve`` process on 127.0.0.1 (use as a context manager)."""

    workdir: Path
    auth: dict[str, Any] | None = None
    binary: str = REGISTRY_BINARY
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def config_text(self) -> str:
        storage = self.workdir / "storage"
        storage.mkdir(parents=True, exist_ok=True)
        lines = [
            "version: 0.1",
            "log:",
            "  level: warn",
            "  accesslog:",
            "    disabled: true",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {storage}",
            "  delete:",
            "    enabled: true",
            "http:",
            f"  addr: {self.host}",
            "  secret: imagelookup-tests",
            "health:",
            "  storagedriver:",
            "    enabled: false",
        ]
        if self.auth:
            lines.append("auth:")
            for kind, options in self.auth.items():
                lines.append(f"  {kind}:")
                for key, value in options.items():
                    lines.append(f"    {key}: {json.dumps(value)}")
        return "\n".join(lines) + "\n"

    def start(self) -> Registry:
        self.port = free_port()
        config = self.workdir / "config.yml"
        config.write_text(self.config_text())
        self._log = open(self.workdir / "registry.log", "wb")
        self.process = subprocess.Popen(
            [self.binary, "serve", str(config)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"docker-registry exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/v2/", timeout=1):
                    return self
            except urllib.error.HTTPError:
                return self  # 401: up, wants auth
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"docker-registry did not start: {self.log_tail()}")

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.workdir / "registry.log").read_text(errors="replace")[-2000:]
        return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        if getattr(self, "_log", None) is not None:
            self._log.close()

    def __enter__(self) -> Registry:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def htpasswd_file(path: Path, users: Mapping[str, str], htpasswd: str) -> Path:
    """An htpasswd file with bcrypt entries, made by apache2-utils' ``htpasswd -B``."""
    lines = []
    for user, password in users.items():
        out = subprocess.run(
            [htpasswd, "-nbB", user, password], check=True, capture_output=True, text=True
        ).stdout
        lines.append(out.strip())
    path.write_text("\n".join(lines) + "\n")
    return path


# -- the token server -------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class LoopbackServer:
    """A small threaded HTTP server of the tests' own on 127.0.0.1 (a free port); GET and
    HEAD requests go to :meth:`handle`. Use as a context manager."""

    _server: http.server.ThreadingHTTPServer | None = None

    def handle(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                outer.handle(self)

            def do_HEAD(self) -> None:
                outer.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class TokenServer(LoopbackServer):
    """A bearer-token service for the registry's ``auth.token`` (use as a context manager).

    Users in ``users`` get every action they ask for; anonymous requests get ``pull`` only
    when ``anonymous_pull``; a wrong password is a 401. ``issued`` records
    ``(user or None, scope)`` for every token issued.
    """

    issuer = "imagelookup-test-issuer"
    service = "imagelookup-test-registry"

    def __init__(
        self, workdir: Path, users: Mapping[str, str], *, anonymous_pull: bool = False
    ) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self.users = dict(users)
        self.anonymous_pull = anonymous_pull
        self.issued: list[tuple[str | None, str]] = []
        self._lock = threading.Lock()
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "imagelookup test tokens")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        self._cert_der = cert.public_bytes(serialization.Encoding.DER)
        self.cert_path = workdir / "token-cert.pem"
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self._server: http.server.ThreadingHTTPServer | None = None

    @property
    def realm(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}/token"

    def registry_auth(self) -> dict[str, Any]:
        """The ``auth`` section for :class:`Registry`."""
        return {
            "token": {
                "realm": self.realm,
                "service": self.service,
                "issuer": self.issuer,
                "rootcertbundle": str(self.cert_path),
            }
        }

    def sign(self, subject: str, access: list[dict[str, Any]], lifetime: int = 300) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(self._cert_der).decode()]}
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.service,
            "exp": now + lifetime,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = f"{_b64url(canonical(header))}.{_b64url(canonical(claims))}"
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"

    def handle(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        url = urllib.parse.urlsplit(handler.path)
        query = urllib.parse.parse_qs(url.query)
        user: str | None = None
        header = handler.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                name, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                name, password = "", ""
            if self.users.get(name) != password or not name:
                self._reply(handler, 401, {"errors": [{"code": "UNAUTHORIZED"}]})
                return
            user = name
        elif not self.anonymous_pull:
            self._reply(handler, 401, {"errors": [{"code": "UNAUTHORIZED"}]})
            return
        access = []
        scopes = query.get("scope", [])
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            wanted = [a for a in actions.split(",") if a]
            granted = wanted if user is not None else [a for a in wanted if a == "pull"]
            access.append({"type": kind, "name": name, "actions": granted})
        with self._lock:
            self.issued.extend((user, scope) for scope in scopes or [""])
        token = self.sign(user or "", access)
        self._reply(handler, 200, {"token": token, "access_token": token, "expires_in": 300})

    @staticmethod
    def _reply(handler: http.server.BaseHTTPRequestHandler, status: int, body: Any) -> None:
        data = canonical(body)
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


# -- filling the registry ---------------------------------------------------------------------


def _policy(workdir: Path) -> Path:
    path = workdir / "policy.json"
    path.write_text('{"default":[{"type":"insecureAcceptAnything"}]}')
    return path


def skopeo_push(
    skopeo: str,
    workdir: Path,
    layout: Path,
    tag: str,
    destination: str,
    *,
    creds: str | None = None,
) -> None:
    """``skopeo copy --all oci:LAYOUT:TAG docker://DESTINATION`` over plain HTTP."""
    command = [
        skopeo,
        "--policy",
        str(_policy(workdir)),
        "copy",
        "--all",
        "--quiet",
        "--preserve-digests",
        "--dest-tls-verify=false",
    ]
    if creds is not None:
        command += ["--dest-creds", creds]
    command += [f"oci:{layout}:{tag}", f"docker://{destination}"]
    env = {**os.environ, "REGISTRY_AUTH_FILE": str(workdir / "skopeo-auth.json")}
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"skopeo copy failed: {result.stderr.strip()}")


class Pusher:
    """Raw pushes over the registry API (stdlib only, independent of the code under test)."""

    def __init__(self, base_url: str, authorization: str | None = None) -> None:
        self.base_url = base_url
        self.authorization = authorization

    def _request(
        self, method: str, url: str, data: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, Mapping[str, str]]:
        request = urllib.request.Request(url, data=data, method=method)
        if self.authorization:
            request.add_header("Authorization", self.authorization)
        if content_type:
            request.add_header("Content-Type", content_type)
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status, response.headers

    def blob(self, repository: str, blob: Blob) -> None:
        _, headers = self._request("POST", f"{self.base_url}/v2/{repository}/blobs/uploads/")
        location = urllib.parse.urljoin(self.base_url, headers["Location"])
        separator = "&" if "?" in location else "?"
        self._request(
            "PUT",
            f"{location}{separator}digest={urllib.parse.quote(blob.digest)}",
            blob.data,
            "application/octet-stream",
        )

    def manifest(self, repository: str, reference: str, blob: Blob) -> None:
        self._request(
            "PUT",
            f"{self.base_url}/v2/{repository}/manifests/{reference}",
            blob.data,
            blob.media_type,
        )

    def image(self, repository: str, tag: str, image: BuiltImage) -> None:
        """Every blob, then every manifest by digest, then the index under ``tag``."""
        manifest_types = {OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_LIST}
        for blob in image.blobs:
            if blob.media_type not in manifest_types:
                self.blob(repository, blob)
        for blob in image.blobs:
            if blob.media_type in manifest_types and blob is not image.index:
                self.manifest(repository, blob.digest, blob)
        self.manifest(repository, tag, image.index)


@contextlib.contextmanager
def running(*servers: Any) -> Iterator[None]:
    """Start servers in order, stop them in reverse order."""
    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.enter_context(server)
        yield


# -- a registry that lies ---------------------------------------------------------------------


class FakeRegistry(LoopbackServer):
    """A scripted HTTP server on 127.0.0.1 standing in for a registry that misbehaves.

    ``script(handler, path, count)`` answers each request: ``handler`` is the stdlib request
    handler (write status, headers, body with it), ``path`` the request path, ``count`` how
    many requests for that path came before. ``requests`` records ``(method, path, headers)``.
    """

    def __init__(self, script: Any) -> None:
        self.script = script
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: http.server.ThreadingHTTPServer | None = None

    @property
    def host(self) -> str:
        assert self._server is not None
        return f"127.0.0.1:{self._server.server_port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def handle(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        path = handler.path
        with self._lock:
            count = self._counts.get(path, 0)
            self._counts[path] = count + 1
            self.requests.append((handler.command, path, dict(handler.headers.items())))
        try:
            self.script(handler, path, count)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True


def answer(
    handler: http.server.BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    *,
    headers: Mapping[str, str] | None = None,
    content_length: int | None = None,
) -> None:
    """Write one response; ``content_length`` may lie about ``body``'s length."""
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header(
        "Content-Length", str(len(body) if content_length is None else content_length)
    )
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)
    if content_length is not None and content_length != len(body):
        handler.close_connection = True
