"""The HTTP side of the registry store: one pooled, bounded, retrying, authenticating client.

Every request:

- goes through one ``urllib3.PoolManager`` (thread-safe; at most ``max_connections`` open
  connections per host, callers wait for a free one up to the request's deadline);
- has a connect timeout, a read timeout per receive, and a total deadline that also bounds
  slow-drip bodies and retry waits;
- reads its body with a bound: a ``Content-Length`` above the bound fails before reading, and
  reading stops one chunk past the bound, so memory stays proportional to the bound whatever
  the server sends. A body whose length differs from its ``Content-Length`` or from the
  descriptor's size is a :class:`~imagelookup.errors.RegistryProtocolError`;
- is retried, when idempotent, on 429, 500, 502, 503, 504 and on connection failures, at most
  ``max_retries`` times, waiting as ``Retry-After`` says (seconds or an HTTP date) or with
  exponential backoff and jitter; a ``Retry-After`` longer than ``max_retry_wait`` or past the
  deadline is not waited for: the error is raised at once;
- answers the registry's 401 challenge (see :mod:`.auth`) and then authenticates later
  requests for the same scope up front, so a warm client makes one request per call;
- follows redirects (blob storage often redirects to a CDN), at most 5, dropping the
  ``Authorization`` header when the host changes;
- maps failures to typed errors: 404 → ``NotFound``, 401 → ``Unauthorized``, 403 →
  ``Forbidden``, 429 → ``RateLimited``, 5xx and network trouble → ``RegistryUnavailable``,
  other statuses → ``RegistryError``.

Log records and messages name the method, URL (never with credentials) and status; no
header or token is ever logged.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

import orjson
import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

from ... import errors
from .auth import Challenge, Credentials, TokenCache, parse_challenges

__all__ = ["RegistryClient", "Reply"]

log = logging.getLogger("imagelookup.stores.registry")

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
_ERROR_BODY_LIMIT = 64 * 1024
_TOKEN_LIMIT = 1 << 20
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Reply:
    """A successful answer: status, headers (case-insensitive) and the whole, bounded body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class _Retryable(Exception):
    """Internal: a failure worth another try; carries the error to raise when out of tries."""

    def __init__(self, error: errors.RegistryError, wait: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` value asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_code(body: bytes) -> tuple[str, str]:
    """The first ``(code, message)`` of a distribution JSON error body, or ``("", "")``."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "", ""
    if isinstance(document, dict):
        items = document.get("errors")
        if isinstance(items, list) and items and isinstance(items[0], dict):
            code = items[0].get("code")
            message = items[0].get("message")
            return (
                code if isinstance(code, str) else "",
                message[:200] if isinstance(message, str) else "",
            )
    return "", ""


class RegistryClient:
    """A thread-safe HTTP client for one registry (plus its token server).

    ``base_url`` is ``scheme://host[:port]`` without credentials. ``verify_tls=False``
    accepts any certificate (for ``--insecure`` registries); ``ca_certs`` names a PEM bundle
    to trust instead of the system's.
    """

    def __init__(
        self,
        base_url: str,
        *,
        credentials: Credentials | None = None,
        verify_tls: bool = True,
        ca_certs: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        total_timeout: float = 60.0,
        max_connections: int = 10,
        max_retries: int = 3,
        backoff: float = 0.25,
        max_retry_wait: float = 10.0,
        user_agent: str = "imagelookup",
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise errors.InvalidParameter(
                f"registry URL must be http(s)://host[:port], got {parts.scheme}://…",
                kind="registry_url",
            )
        if parts.username is not None or parts.password is not None:
            raise errors.InvalidParameter(
                "registry URL must not hold credentials; pass them separately",
                kind="registry_url",
            )
        if max_connections < 1 or max_retries < 0:
            raise errors.InvalidParameter(
                "max_connections must be >= 1 and max_retries >= 0", kind="invalid_parameter"
            )
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        self.host = parts.netloc
        self.secure = parts.scheme == "https"
        self.credentials = credentials
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout
        self.max_connections = max_connections
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self._user_agent = user_agent
        # TLS settings apply to https pools only (the registry's, a token server's, a CDN's).
        tls: dict[str, object] = {"cert_reqs": "CERT_REQUIRED" if verify_tls else "CERT_NONE"}
        if not verify_tls:
            tls["assert_hostname"] = False
        elif ca_certs is not None:
            tls["ca_certs"] = ca_certs
        self._pool = urllib3.PoolManager(
            num_pools=8,
            maxsize=max_connections,
            block=True,
            retries=False,
            **tls,  # type: ignore[arg-type]
        )
        self._tokens = TokenCache()
        self._token_locks = tuple(threading.Lock() for _ in range(16))
        self._challenge: Challenge | None = None
        self._lock = threading.Lock()
        self._requests = 0

    # -- bookkeeping -------------------------------------------------------------------

    @property
    def requests(self) -> int:
        """HTTP requests sent so far (every try, redirect and token request counts)."""
        with self._lock:
            return self._requests

    def _count(self) -> None:
        with self._lock:
            self._requests += 1

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.clear()

    # -- the public call -----------------------------------------------------------------

    def fetch(
        self,
        path: str,
        *,
        scope: str,
        accept: Sequence[str] = (),
        limit: int,
        expected_size: int | None = None,
        method: str = "GET",
    ) -> Reply:
        """``method`` ``base_url + path``, authenticated for ``scope``
        (``repository:<name>:pull``); the body read with bound ``limit`` and checked against
        ``expected_size`` when given. Raises the typed errors of the module doc."""
        url = self.base_url + path
        deadline = time.monotonic() + self.total_timeout
        headers = {"User-Agent": self._user_agent, "Accept-Encoding": "identity"}
        if accept:
            headers["Accept"] = ", ".join(accept)
        fetched = False  # whether this call fetched a token itself
        for _ in range(3):
            sent = self._authorization(scope)
            request_headers = dict(headers)
            if sent is not None:
                request_headers["Authorization"] = sent
            reply = self._with_retries(method, url, request_headers, deadline, limit, expected_size)
            if reply.status != 401:
                return reply
            fetched = self._answer(reply, url, scope, sent, deadline, fetched)
        raise errors.Unauthorized(
            f"unauthorized: {method} {url}: the registry refused every credential offered",
            status=401,
            url=url,
        )

    # -- authentication ------------------------------------------------------------------

    def _authorization(self, scope: str) -> str | None:
        challenge = self._challenge
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            return self.credentials.basic_header() if self.credentials else None
        if challenge.scheme == "bearer":
            token = self._tokens.get(self._token_key(challenge, scope))
            return f"Bearer {token}" if token else None
        return None

    @staticmethod
    def _token_key(challenge: Challenge, scope: str) -> tuple[str, str, str]:
        return (challenge.params.get("realm", ""), challenge.params.get("service", ""), scope)

    def _answer(
        self,
        reply: Reply,
        url: str,
        scope: str,
        sent: str | None,
        deadline: float,
        fetched: bool,
    ) -> bool:
        """Learn from a 401: set up Basic credentials or get a bearer token, or raise.

        Returns whether this call has now fetched a token itself (``fetched`` says whether
        it had already): a token fetched in this very call and still refused means the
        credentials do not reach the scope, while a cached token that is refused (expired,
        revoked) is dropped and fetched again. One fetch per key runs at a time, so threads
        that meet the same challenge together share one token.
        """
        header_values: list[str] = []
        getlist = getattr(reply.headers, "getlist", None)
        if getlist is not None:
            header_values = list(getlist("WWW-Authenticate"))
        elif "WWW-Authenticate" in reply.headers:
            header_values = [reply.headers["WWW-Authenticate"]]
        challenges = [c for value in header_values for c in parse_challenges(value)]
        code, message = _error_code(reply.body)
        detail = f" ({code}: {message})" if code else ""
        bearer = next((c for c in challenges if c.scheme == "bearer"), None)
        basic = next((c for c in challenges if c.scheme == "basic"), None)
        if bearer is not None and bearer.params.get("realm"):
            self._challenge = bearer
            key = self._token_key(bearer, scope)
            if sent is not None and sent.startswith("Bearer "):
                if fetched:
                    raise errors.Unauthorized(
                        f"unauthorized: {url}: the registry refused the token it asked for{detail}",
                        status=401,
                        url=url,
                        code=code,
                    )
                self._tokens.drop(key, sent[len("Bearer ") :])
            with self._token_locks[hash(key) % len(self._token_locks)]:
                cached = self._tokens.get(key)
                if cached is not None and f"Bearer {cached}" != sent:
                    return fetched  # another thread fetched one meanwhile
                token_scope = bearer.params.get("scope") or scope
                token, expires_in = self._fetch_token(bearer, token_scope, deadline)
                self._tokens.put(key, token, expires_in)
            return True
        if basic is not None:
            self._challenge = basic
            if self.credentials is None:
                raise errors.Unauthorized(
                    f"unauthorized: {url} needs credentials (Basic auth){detail}",
                    status=401,
                    url=url,
                    code=code,
                )
            if sent is not None:
                raise errors.Unauthorized(
                    f"unauthorized: {url}: the registry refused the credentials{detail}",
                    status=401,
                    url=url,
                    code=code,
                )
            return fetched
        raise errors.Unauthorized(
            f"unauthorized: {url}{detail}; no Basic or Bearer challenge to answer",
            status=401,
            url=url,
            code=code,
        )

    def _fetch_token(self, challenge: Challenge, scope: str, deadline: float) -> tuple[str, float]:
        realm = challenge.params["realm"]
        parts = urlsplit(realm)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise errors.RegistryProtocolError(
                f"the registry at {self.base_url} names a token realm that is not an http(s) URL",
                url=self.base_url,
            )
        if self.credentials is not None and parts.scheme != "https" and self.secure:
            raise errors.RegistryProtocolError(
                f"the registry at {self.base_url} sends credentials to a plain-HTTP token "
                f"realm ({parts.netloc}); refused",
                url=realm,
            )
        query: list[tuple[str, str]] = []
        if challenge.params.get("service"):
            query.append(("service", challenge.params["service"]))
        query.extend(("scope", s) for s in scope.split(" ") if s)
        if self.credentials is not None:
            query.append(("account", self.credentials.username))
        separator = "&" if parts.query else "?"
        url = realm + (separator + urlencode(query) if query else "")
        headers = {"User-Agent": self._user_agent, "Accept-Encoding": "identity"}
        if self.credentials is not None:
            headers["Authorization"] = self.credentials.basic_header()
        safe_url = realm  # the query holds no secret, but keep messages short
        try:
            reply = self._with_retries("GET", url, headers, deadline, _TOKEN_LIMIT, None)
        except errors.Forbidden as exc:
            raise errors.Forbidden(
                f"forbidden: the token server {parts.netloc} refused scope {scope!r}",
                status=exc.status,
                url=safe_url,
                code=exc.code,
            ) from None
        except errors.NotFound:
            raise errors.RegistryProtocolError(
                f"the token server {safe_url} answered 404", status=404, url=safe_url
            ) from None
        if reply.status == 401:
            code, message = _error_code(reply.body)
            raise errors.Unauthorized(
                f"unauthorized: the token server {parts.netloc} refused the "
                + ("credentials" if self.credentials else "anonymous request")
                + (f" ({code}: {message})" if code else ""),
                status=401,
                url=safe_url,
                code=code,
            )
        try:
            document = orjson.loads(reply.body)
        except orjson.JSONDecodeError:
            document = None
        token = None
        if isinstance(document, dict):
            token = document.get("token") or document.get("access_token")
        if not isinstance(token, str) or not token:
            raise errors.RegistryProtocolError(
                f"the token server {safe_url} answered without a token", url=safe_url
            )
        expires_in = document.get("expires_in") if isinstance(document, dict) else None
        if not isinstance(expires_in, (int, float)) or expires_in <= 0:
            expires_in = 60
        return token, float(expires_in)

    # -- one exchange, with retries and redirects ------------------------------------------

    def _with_retries(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        deadline: float,
        limit: int,
        expected_size: int | None,
    ) -> Reply:
        attempt = 0
        while True:
            try:
                return self._exchange(method, url, headers, deadline, limit, expected_size)
            except _Retryable as failure:
                remaining = deadline - time.monotonic()
                if attempt >= self.max_retries or remaining <= 0:
                    raise failure.error from None
                if failure.wait is not None:
                    if failure.wait > self.max_retry_wait or failure.wait > remaining:
                        raise failure.error from None
                    wait = failure.wait
                else:
                    wait = min(
                        self.backoff * (2**attempt) * random.uniform(0.5, 1.0),
                        self.max_retry_wait,
                        remaining,
                    )
                attempt += 1
                log.debug(
                    "registry: %s %s failed (%s); try %d of %d in %.2fs",
                    method,
                    url,
                    failure.error.status or "no answer",
                    attempt + 1,
                    self.max_retries + 1,
                    wait,
                )
                time.sleep(wait)

    def _exchange(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        deadline: float,
        limit: int,
        expected_size: int | None,
    ) -> Reply:
        current = url
        request_headers = headers
        for _ in range(_MAX_REDIRECTS + 1):
            response = self._send(method, current, request_headers, deadline)
            status = response.status
            log.debug("registry: %s %s -> %d", method, current, status)
            try:
                if status in _REDIRECTS:
                    location = response.headers.get("Location")
                    self._discard(response, deadline)
                    if not location:
                        raise errors.RegistryProtocolError(
                            f"{method} {current}: redirect without Location",
                            status=status,
                            url=current,
                        )
                    target = urljoin(current, location)
                    if urlsplit(target).scheme not in {"http", "https"}:
                        raise errors.RegistryProtocolError(
                            f"{method} {current}: redirect to a non-HTTP URL",
                            status=status,
                            url=current,
                        )
                    if urlsplit(target).netloc != urlsplit(current).netloc:
                        request_headers = {
                            k: v for k, v in request_headers.items() if k != "Authorization"
                        }
                    current = target
                    continue
                if 200 <= status < 300:
                    body = b""
                    if method != "HEAD":
                        body = self._read_body(response, current, limit, expected_size, deadline)
                    else:
                        self._discard(response, deadline)
                    return Reply(status, response.headers, body)
                error_body = self._discard(response, deadline)
                if status == 401:
                    return Reply(status, response.headers, error_body)
                raise self._status_error(method, current, status, response.headers, error_body)
            except BaseException:
                self._abandon(response)
                raise
        raise errors.RegistryProtocolError(
            f"{method} {url}: more than {_MAX_REDIRECTS} redirects", url=url
        )

    def _send(
        self, method: str, url: str, headers: dict[str, str], deadline: float
    ) -> urllib3.BaseHTTPResponse:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise errors.RegistryUnavailable(f"{method} {url}: timed out", url=url)
        timeout = urllib3.Timeout(
            connect=min(self.connect_timeout, remaining), read=min(self.read_timeout, remaining)
        )
        self._count()
        try:
            return self._pool.request(
                method,
                url,
                headers=headers,
                preload_content=False,
                decode_content=False,
                redirect=False,
                retries=False,
                timeout=timeout,
                pool_timeout=remaining,
            )
        except urllib3.exceptions.EmptyPoolError:
            raise errors.RegistryUnavailable(
                f"{method} {url}: no free connection before the deadline", url=url
            ) from None
        except Urllib3Error as exc:
            raise _Retryable(
                errors.RegistryUnavailable(
                    f"{method} {url}: {type(exc).__name__}: {self._reason(exc)}", url=url
                ),
                None,
            ) from None

    @staticmethod
    def _reason(exc: BaseException) -> str:
        reason = getattr(exc, "reason", None)
        text = str(reason if reason is not None else exc)
        return text[:200]

    def _status_error(
        self,
        method: str,
        url: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
    ) -> BaseException:
        code, message = _error_code(body)
        detail = f" ({code}: {message})" if code else ""
        if status == 404:
            return errors.NotFound(
                f"not found: {method} {url}{detail}", status=404, url=url, code=code
            )
        if status == 403:
            return errors.Forbidden(
                f"forbidden: {method} {url}{detail}", status=403, url=url, code=code
            )
        if status in _RETRY_STATUSES:
            wait = _retry_after(headers.get("Retry-After"))
            if status == 429:
                error: errors.RegistryError = errors.RateLimited(
                    f"rate limited: {method} {url} answered 429{detail}",
                    status=429,
                    url=url,
                    code=code,
                    retry_after=wait,
                )
            else:
                error = errors.RegistryUnavailable(
                    f"registry unavailable: {method} {url} answered {status}{detail}",
                    status=status,
                    url=url,
                    code=code,
                )
            if method in {"GET", "HEAD"}:
                return _Retryable(error, wait)
            return error
        if status >= 500:
            return errors.RegistryUnavailable(
                f"registry unavailable: {method} {url} answered {status}{detail}",
                status=status,
                url=url,
                code=code,
            )
        return errors.RegistryError(
            f"registry error: {method} {url} answered {status}{detail}",
            status=status,
            url=url,
            code=code,
        )

    # -- bodies ----------------------------------------------------------------------------

    @staticmethod
    def _announced(response: urllib3.BaseHTTPResponse, url: str) -> int | None:
        value = response.headers.get("Content-Length")
        if value is None:
            return None
        value = value.strip()
        if not value.isdigit():
            raise errors.RegistryProtocolError(
                f"GET {url}: malformed Content-Length", url=url, status=response.status
            )
        return int(value)

    def _read_body(
        self,
        response: urllib3.BaseHTTPResponse,
        url: str,
        limit: int,
        expected_size: int | None,
        deadline: float,
    ) -> bytes:
        announced = self._announced(response, url)
        if expected_size is not None and announced is not None and announced != expected_size:
            raise errors.RegistryProtocolError(
                f"GET {url}: Content-Length is {announced} but the descriptor says "
                f"{expected_size} bytes",
                url=url,
                status=response.status,
            )
        if announced is not None and announced > limit:
            raise errors.LimitExceeded(
                f"GET {url}: {announced} bytes, more than the limit of {limit}",
                limit=limit,
                size=announced,
            )
        bound = limit if expected_size is None else min(limit, expected_size)
        chunks: list[bytes] = []
        total = 0
        while True:
            if time.monotonic() > deadline:
                raise errors.RegistryUnavailable(
                    f"GET {url}: timed out after {total} bytes of the body", url=url
                )
            try:
                chunk = response.read1(_CHUNK)
            except Urllib3Error as exc:
                raise errors.RegistryProtocolError(
                    f"GET {url}: broken body after {total} bytes: {self._reason(exc)}",
                    url=url,
                    status=response.status,
                ) from None
            if not chunk:
                break
            total += len(chunk)
            if total > bound:
                if expected_size is not None and expected_size <= limit:
                    raise errors.RegistryProtocolError(
                        f"GET {url}: the body is longer than the descriptor's {expected_size} "
                        "bytes",
                        url=url,
                        status=response.status,
                    )
                raise errors.LimitExceeded(
                    f"GET {url}: the body is longer than the limit of {limit} bytes",
                    limit=limit,
                    size=announced,
                )
            chunks.append(chunk)
        if announced is not None and total != announced:
            raise errors.RegistryProtocolError(
                f"GET {url}: {total} bytes of a body announced as {announced}",
                url=url,
                status=response.status,
            )
        if expected_size is not None and total != expected_size:
            raise errors.RegistryProtocolError(
                f"GET {url}: {total} bytes, but the descriptor says {expected_size}",
                url=url,
                status=response.status,
            )
        response.release_conn()
        return b"".join(chunks)

    @staticmethod
    def _abandon(response: urllib3.BaseHTTPResponse) -> None:
        """Close a response whose connection is still held (its state is unknown) and give
        the slot back to the pool."""
        if response.connection is not None:
            response.close()
            response.release_conn()

    def _discard(self, response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
        """Read a small body (errors, redirects) and free the connection: returned to the
        pool when the body ended within the bound, closed otherwise."""
        kept: list[bytes] = []
        total = 0
        clean = False
        try:
            while total <= _ERROR_BODY_LIMIT and time.monotonic() < deadline:
                chunk = response.read1(_CHUNK)
                if not chunk:
                    clean = True
                    break
                total += len(chunk)
                kept.append(chunk)
        except Urllib3Error:
            clean = False
        if not clean:
            response.close()
        response.release_conn()
        return b"".join(kept)[:_ERROR_BODY_LIMIT]
