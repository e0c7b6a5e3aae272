"""Credentials and the authentication challenges of the distribution API.

A registry says how it wants to be authenticated in the ``WWW-Authenticate`` header of a 401:

- ``Basic realm="…"``: send ``Authorization: Basic base64(user:password)``.
- ``Bearer realm="https://auth.example/token",service="registry.example",
  scope="repository:team/app:pull"``: ask the token server at ``realm`` for a token with
  ``GET realm?service=…&scope=…`` (with the credentials as Basic auth when there are any,
  anonymously otherwise), then send ``Authorization: Bearer <token>``. Tokens are kept per
  (realm, service, scope) until shortly before they expire.

Credentials come from the caller, or from the Docker client's config file
(``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``): its ``auths`` entry for the
registry host, either a base64 ``auth`` of ``user:password`` or ``username`` and ``password``.
Credential helpers (``credsStore``, ``credHelpers``) and identity tokens are not read.

Secrets never appear in a ``repr``, a log record or an exception message.
"""

from __future__ import annotations

import base64
import binascii
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from ... import errors

__all__ = [
    "Challenge",
    "Credentials",
    "TokenCache",
    "docker_config_path",
    "load_docker_credentials",
    "parse_challenges",
]


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user name and password (or token). The password never shows in ``repr``."""

    username: str
    password: str = field(repr=False)

    def basic_header(self) -> str:
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True, slots=True)
class Challenge:
    """One ``WWW-Authenticate`` challenge: its scheme (lower case) and parameters."""

    scheme: str
    params: Mapping[str, str]


def docker_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the Docker client keeps its config: ``$DOCKER_CONFIG/config.json``, else
    ``~/.docker/config.json``."""
    env = os.environ if environ is None else environ
    directory = env.get("DOCKER_CONFIG")
    if directory:
        return Path(directory) / "config.json"
    return Path.home() / ".docker" / "config.json"


def _auth_key_host(key: str) -> str:
    """The host[:port] an ``auths`` key names: keys may be bare hosts or URLs
    (``https://index.docker.io/v1/``)."""
    key = key.strip()
    if "://" in key:
        return urlsplit(key).netloc.lower()
    return key.split("/", 1)[0].lower()


def load_docker_credentials(
    host: str, path: str | os.PathLike[str] | None = None
) -> Credentials | None:
    """The credentials the Docker config file holds for registry ``host`` (``host[:port]``),
    or ``None``. A missing file means no credentials; an unreadable or malformed one raises
    ``InvalidParameter`` (naming the file, never its content)."""
    config = Path(path) if path is not None else docker_config_path()
    try:
        raw = config.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise errors.InvalidParameter(
            f"cannot read Docker config {config}: {exc.strerror}", kind="docker_config"
        ) from None
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise errors.InvalidParameter(
            f"Docker config {config} is not valid JSON", kind="docker_config"
        ) from None
    auths = document.get("auths") if isinstance(document, dict) else None
    if not isinstance(auths, dict):
        return None
    wanted = host.lower()
    aliases = {wanted}
    if wanted in {"docker.io", "index.docker.io", "registry-1.docker.io"}:
        aliases |= {"docker.io", "index.docker.io", "registry-1.docker.io"}
    for key, entry in auths.items():
        if not isinstance(entry, dict) or _auth_key_host(key) not in aliases:
            continue
        encoded = entry.get("auth")
        if isinstance(encoded, str) and encoded:
            try:
                decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise errors.InvalidParameter(
                    f"Docker config {config}: the auth entry for {key} is not base64 of "
                    "user:password",
                    kind="docker_config",
                ) from None
            username, sep, password = decoded.partition(":")
            if not sep:
                raise errors.InvalidParameter(
                    f"Docker config {config}: the auth entry for {key} has no ':'",
                    kind="docker_config",
                )
            return Credentials(username, password)
        user, secret = entry.get("username"), entry.get("password")
        if isinstance(user, str) and isinstance(secret, str) and user:
            return Credentials(user, secret)
    return None


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t":
        i += 1
    return i


_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/"
)


def _token(text: str, i: int) -> tuple[str, int]:
    start = i
    while i < len(text) and text[i] in _TOKEN_CHARS:
        i += 1
    return text[start:i], i


def _quoted(text: str, i: int) -> tuple[str, int]:
    # text[i] is the opening quote
    out: list[str] = []
    i += 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    return "".join(out), i


def parse_challenges(header: str) -> list[Challenge]:
    """The challenges of one ``WWW-Authenticate`` value (RFC 7235 syntax: a scheme, then
    ``name=value`` or ``name="quoted value"`` parameters separated by commas; a new scheme
    starts a new challenge). Parameter names are lower-cased; malformed parts are skipped."""
    challenges: list[Challenge] = []
    i = 0
    n = len(header)
    while i < n:
        i = _skip_spaces(header, i)
        while i < n and header[i] == ",":
            i = _skip_spaces(header, i + 1)
        scheme, i = _token(header, i)
        if not scheme:
            if i < n:
                i += 1
            continue
        params: dict[str, str] = {}
        while True:
            j = _skip_spaces(header, i)
            name, k = _token(header, j)
            k2 = _skip_spaces(header, k)
            if not name or k2 >= n or header[k2] != "=":
                break
            k2 = _skip_spaces(header, k2 + 1)
            if k2 < n and header[k2] == '"':
                value, k2 = _quoted(header, k2)
            else:
                value, k2 = _token(header, k2)
            params[name.lower()] = value
            k2 = _skip_spaces(header, k2)
            if k2 < n and header[k2] == ",":
                k2 += 1
            i = k2
        challenges.append(Challenge(scheme.lower(), params))
    return challenges


class TokenCache:
    """Bearer tokens by (realm, service, scope), dropped ``margin`` seconds before expiry.

    Bounded to ``max_entries``; the oldest token goes first.
    """

    def __init__(self, max_entries: int = 1024, margin: float = 10.0) -> None:
        self._tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._max = max_entries
        self._margin = margin

    def get(self, key: tuple[str, str, str]) -> str | None:
        with self._lock:
            entry = self._tokens.get(key)
            if entry is None:
                return None
            token, expires = entry
            if time.monotonic() >= expires:
                del self._tokens[key]
                return None
            return token

    def put(self, key: tuple[str, str, str], token: str, expires_in: float) -> None:
        lifetime = max(expires_in - self._margin, min(expires_in, 1.0))
        with self._lock:
            self._tokens.pop(key, None)
            self._tokens[key] = (token, time.monotonic() + lifetime)
            while len(self._tokens) > self._max:
                del self._tokens[next(iter(self._tokens))]

    def drop(self, key: tuple[str, str, str], token: str) -> None:
        """Forget ``token`` (the registry refused it), unless a newer one replaced it."""
        with self._lock:
            entry = self._tokens.get(key)
            if entry is not None and entry[0] == token:
                del self._tokens[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._tokens)
