"""The registry store against registries that lie, stall or fail: typed errors, bounded
memory and time. Each registry here is a scripted server on 127.0.0.1 (no real tools)."""

from __future__ import annotations

import gc
import json
import logging
import time
import tracemalloc

import pytest
from imagelookup import errors
from imagelookup.reference import parse_normalized_named
from imagelookup.stores.registry import RegistryStore
from registry_server import FakeRegistry, answer, canonical, sha256

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"

CONFIG = canonical({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers"}})
MANIFEST = canonical(
    {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": sha256(CONFIG),
            "size": len(CONFIG),
        },
        "layers": [],
    }
)
INDEX = canonical(
    {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {
                "mediaType": OCI_MANIFEST,
                "digest": sha256(MANIFEST),
                "size": len(MANIFEST),
                "platform": {"os": "linux", "architecture": "amd64"},
            }
        ],
    }
)
# Generous guards against hangs; not performance assertions.
HANG_GUARD = 30.0


def store_for(fake: FakeRegistry, **options):
    options.setdefault("max_retries", 2)
    options.setdefault("max_retry_wait", 5.0)
    return RegistryStore.from_url(fake.url, **options)


def ref(fake: FakeRegistry, rest: str = "app:1"):
    return parse_normalized_named(f"{fake.host}/{rest}")


def serve(documents, *, extra=None):
    """A script serving ``documents`` (path → (media type, body)) and 404 otherwise."""

    def script(handler, path, count):
        if extra is not None and extra(handler, path, count):
            return
        if path in documents:
            media_type, body = documents[path]
            answer(
                handler,
                200,
                body,
                headers={"Content-Type": media_type, "Docker-Content-Digest": sha256(body)},
            )
            return
        answer(handler, 404, canonical({"errors": [{"code": "MANIFEST_UNKNOWN", "message": "x"}]}))

    return script


GOOD = {
    "/v2/app/manifests/1": (OCI_INDEX, INDEX),
    f"/v2/app/manifests/{sha256(INDEX)}": (OCI_INDEX, INDEX),
    f"/v2/app/manifests/{sha256(MANIFEST)}": (OCI_MANIFEST, MANIFEST),
    f"/v2/app/blobs/{sha256(CONFIG)}": ("application/octet-stream", CONFIG),
}


def test_an_honest_fake_resolves_and_reads_everything():
    with FakeRegistry(serve(GOOD)) as fake:
        store = store_for(fake)
        target = store.references.get(ref(fake))
        assert (target.digest, target.media_type, target.size) == (
            sha256(INDEX),
            OCI_INDEX,
            len(INDEX),
        )
        assert store.content.read(sha256(MANIFEST), 1 << 20) == MANIFEST
        assert store.images.get(sha256(CONFIG)).architecture == "amd64"
        accept = fake.requests[0][2]["Accept"]
        assert OCI_INDEX in accept and "manifest.list.v2+json" in accept


def test_content_length_shorter_than_the_body_gives_a_digest_mismatch_and_no_poisoned_connection():
    def lie(handler, path, count):
        if path == "/v2/app/manifests/1" and count == 0:
            answer(
                handler,
                200,
                INDEX + b"trailing junk that should never be read",
                headers={"Content-Type": OCI_INDEX, "Docker-Content-Digest": sha256(INDEX)},
                content_length=len(INDEX) - 5,
            )
            return True
        return False

    with FakeRegistry(serve(GOOD, extra=lie)) as fake:
        store = store_for(fake)
        with pytest.raises(errors.DigestMismatch) as info:
            store.references.get(ref(fake))
        assert info.value.expected == sha256(INDEX)
        # the next lookup works: the lying connection was not reused
        assert store.references.get(ref(fake)).digest == sha256(INDEX)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_larger_than_the_descriptor_size_is_a_protocol_error(chunked):
    bigger = MANIFEST + b" " * 100

    def lie(handler, path, count):
        if path != f"/v2/app/manifests/{sha256(MANIFEST)}":
            return False
        if not chunked:
            answer(handler, 200, bigger, headers={"Content-Type": OCI_MANIFEST})
            return True
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(bigger), bigger))
        return True

    with FakeRegistry(serve(GOOD, extra=lie)) as fake:
        store = store_for(fake)
        store.references.get(ref(fake))
        with pytest.raises(errors.RegistryProtocolError, match="descriptor"):
            store.content.read(sha256(MANIFEST), 1 << 20)


def test_a_body_shorter_than_its_content_length_is_a_protocol_error():
    def lie(handler, path, count):
        if path == f"/v2/app/blobs/{sha256(CONFIG)}":
            answer(handler, 200, CONFIG[:10], content_length=len(CONFIG))
            return True
        return False

    with FakeRegistry(serve(GOOD, extra=lie)) as fake:
        store = store_for(fake, max_retries=0)
        store.references.get(ref(fake))
        store.content.read(sha256(MANIFEST), 1 << 20)
        with pytest.raises(errors.RegistryProtocolError):
            store.images.get(sha256(CONFIG))


def test_wrong_content_under_a_digest_is_a_digest_mismatch():
    other = MANIFEST.replace(b"amd64", b"arm64") if b"amd64" in MANIFEST else MANIFEST[::-1]
    other = other[: len(MANIFEST)].ljust(len(MANIFEST), b" ")

    def lie(handler, path, count):
        if path == f"/v2/app/manifests/{sha256(MANIFEST)}":
            answer(handler, 200, other, headers={"Content-Type": OCI_MANIFEST})
            return True
        return False

    with FakeRegistry(serve(GOOD, extra=lie)) as fake:
        store = store_for(fake)
        store.references.get(ref(fake))
        with pytest.raises(errors.DigestMismatch) as info:
            store.content.read(sha256(MANIFEST), 1 << 20)
        assert info.value.expected == sha256(MANIFEST)
        assert info.value.actual == sha256(other)


def test_a_wrong_docker_content_digest_is_caught():
    def lie(handler, path, count):
        if path == "/v2/app/manifests/1":
            answer(
                handler,
                200,
                INDEX,
                headers={"Content-Type": OCI_INDEX, "Docker-Content-Digest": sha256(b"other")},
            )
            return True
        return False

    with FakeRegistry(serve(GOOD, extra=lie)) as fake:
        with pytest.raises(errors.DigestMismatch):
            store_for(fake).references.get(ref(fake))


def test_a_digest_reference_answered_with_other_content_is_caught():
    wanted = sha256(b"something else")

    with FakeRegistry(serve({f"/v2/app/manifests/{wanted}": (OCI_INDEX, INDEX)})) as fake:
        with pytest.raises(errors.DigestMismatch):
            store_for(fake).references.get(ref(fake, f"app@{wanted}"))


def _endless(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", OCI_INDEX)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"x" * 65536
    frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = 0
    while sent < (1 << 30):  # 1 GiB, unless the client hangs up first
        handler.wfile.write(frame)
        sent += len(chunk)
    handler.wfile.write(b"0\r\n\r\n")


def test_an_endless_stream_stops_at_the_bound_with_small_memory():
    def script(handler, path, count):
        _endless(handler)

    with FakeRegistry(script) as fake:
        store = RegistryStore.from_url(fake.url, max_retries=0)
        store.manifest_limit = 256 * 1024
        gc.collect()
        tracemalloc.start()
        started = time.monotonic()
        try:
            with pytest.raises(errors.LimitExceeded) as info:
                store.references.get(ref(fake))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert time.monotonic() - started < HANG_GUARD
        assert info.value.limit == 256 * 1024
        assert peak < 4 * 1024 * 1024


def test_a_content_length_over_the_limit_is_refused_before_reading():
    def script(handler, path, count):
        handler.send_response(200)
        handler.send_header("Content-Length", str(1 << 40))
        handler.end_headers()
        handler.wfile.write(b"{")
        handler.close_connection = True

    with FakeRegistry(script) as fake:
        store = store_for(fake)
        with pytest.raises(errors.LimitExceeded) as info:
            store.references.get(ref(fake))
        assert info.value.size == 1 << 40


def test_a_slow_drip_is_cut_by_the_total_timeout():
    def script(handler, path, count):
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for _ in range(600):
            handler.wfile.write(b"1\r\n \r\n")
            handler.wfile.flush()
            time.sleep(0.05)

    with FakeRegistry(script) as fake:
        store = store_for(fake, total_timeout=1.0, max_retries=0)
        started = time.monotonic()
        with pytest.raises(errors.RegistryUnavailable, match="timed out"):
            store.references.get(ref(fake))
        assert time.monotonic() - started < HANG_GUARD


def test_429_with_retry_after_then_success():
    def limited(handler, path, count):
        if path == "/v2/app/manifests/1" and count == 0:
            answer(handler, 429, b"", headers={"Retry-After": "1"})
            return True
        return False

    with FakeRegistry(serve(GOOD, extra=limited)) as fake:
        store = store_for(fake)
        started = time.monotonic()
        assert store.references.get(ref(fake)).digest == sha256(INDEX)
        assert time.monotonic() - started >= 0.9  # the registry's wait was honoured
        assert [p for _, p, _ in fake.requests] == ["/v2/app/manifests/1"] * 2


def test_a_retry_after_beyond_the_cap_is_not_waited_for():
    def script(handler, path, count):
        answer(
            handler,
            429,
            canonical({"errors": [{"code": "TOOMANYREQUESTS"}]}),
            headers={"Retry-After": "3600"},
        )

    with FakeRegistry(script) as fake:
        store = store_for(fake)
        started = time.monotonic()
        with pytest.raises(errors.RateLimited) as info:
            store.references.get(ref(fake))
        assert time.monotonic() - started < HANG_GUARD
        assert info.value.retry_after == 3600
        assert info.value.status == 429
        assert info.value.code == "TOOMANYREQUESTS"
        assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, errors.RegistryUnavailable),
        (502, errors.RegistryUnavailable),
        (503, errors.RegistryUnavailable),
        (429, errors.RateLimited),
    ],
    ids=["500", "502", "503", "429-no-retry-after"],
)
def test_retryable_statuses_are_retried_then_typed(status, error):
    def script(handler, path, count):
        answer(handler, status, b"")

    with FakeRegistry(script) as fake:
        store = store_for(fake, max_retries=2)
        store.client.backoff = 0.01
        with pytest.raises(error) as info:
            store.references.get(ref(fake))
        assert info.value.status == status
        assert len(fake.requests) == 3


def test_a_5xx_then_success_is_invisible():
    def flaky(handler, path, count):
        if count == 0:
            answer(handler, 503, b"")
            return True
        return False

    with FakeRegistry(serve(GOOD, extra=flaky)) as fake:
        store = store_for(fake)
        store.client.backoff = 0.01
        assert store.references.get(ref(fake)).digest == sha256(INDEX)


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (404, "NAME_UNKNOWN", errors.NotFound),
        (403, "DENIED", errors.Forbidden),
        (401, "UNAUTHORIZED", errors.Unauthorized),
        (400, "NAME_INVALID", errors.RegistryError),
        (501, "UNSUPPORTED", errors.RegistryUnavailable),
    ],
    ids=["404", "403", "401-without-challenge", "400", "501"],
)
def test_error_statuses_are_typed(status, code, error):
    def script(handler, path, count):
        answer(handler, status, canonical({"errors": [{"code": code, "message": "nope"}]}))

    with FakeRegistry(script) as fake:
        store = store_for(fake)
        with pytest.raises(error) as info:
            store.references.get(ref(fake))
        assert info.value.code == code
        assert isinstance(info.value, errors.ImageLookupError)
        if status == 404:
            assert isinstance(info.value, LookupError)
        else:
            assert isinstance(info.value, errors.RegistryError)
            assert info.value.status == status


def test_a_refused_connection_is_registry_unavailable():
    with FakeRegistry(serve(GOOD)) as fake:
        url, host = fake.url, fake.host
    store = RegistryStore.from_url(url, max_retries=1, connect_timeout=1.0)
    store.client.backoff = 0.01
    with pytest.raises(errors.RegistryUnavailable) as info:
        store.references.get(parse_normalized_named(f"{host}/app:1"))
    assert info.value.status is None


def test_a_redirect_to_another_host_drops_the_credentials():
    with FakeRegistry(
        serve({f"/blob/{sha256(CONFIG)}": ("application/octet-stream", CONFIG)})
    ) as cdn:

        def auth_then_redirect(handler, path, count):
            if "Authorization" not in handler.headers:
                answer(handler, 401, b"", headers={"WWW-Authenticate": 'Basic realm="fake"'})
                return True
            if path == f"/v2/app/blobs/{sha256(CONFIG)}":
                answer(handler, 307, b"", headers={"Location": f"{cdn.url}/blob/{sha256(CONFIG)}"})
                return True
            return False

        with FakeRegistry(serve(GOOD, extra=auth_then_redirect)) as fake:
            store = store_for(fake, username="alice", password="hunter2-secret")
            store.references.get(ref(fake))
            store.content.read(sha256(MANIFEST), 1 << 20)
            assert store.images.get(sha256(CONFIG)).os == "linux"
            assert all("Authorization" not in headers for _, _, headers in cdn.requests)
            assert any("Authorization" in headers for _, _, headers in fake.requests)


def test_secrets_never_reach_logs_or_messages(caplog):
    password = "hunter2-very-secret"

    def refuse(handler, path, count):
        answer(
            handler,
            401,
            canonical({"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]}),
            headers={"WWW-Authenticate": 'Basic realm="fake"'},
        )

    caplog.set_level(logging.DEBUG, logger="imagelookup")
    with FakeRegistry(refuse) as fake:
        store = store_for(fake, username="alice", password=password)
        with pytest.raises(errors.Unauthorized) as info:
            store.references.get(ref(fake))
        assert password not in str(info.value)
        assert password not in repr(info.value)
        assert password not in repr(store.client.credentials)
        assert password not in json.dumps(vars(info.value), default=str)
        assert password not in caplog.text
        assert "hunter2" not in caplog.text
        # one unauthenticated try, one with the credentials, then the typed error
        assert len(fake.requests) == 2


def test_a_digest_never_seen_is_not_found_without_a_request():
    with FakeRegistry(serve(GOOD)) as fake:
        store = store_for(fake)
        with pytest.raises(errors.NotFound):
            store.content.read(sha256(CONFIG), 1 << 20)
        with pytest.raises(errors.NotFound):
            store.images.get(sha256(CONFIG))
        with pytest.raises(errors.NotFound):
            store.content.size(sha256(CONFIG))
        assert fake.requests == []


def _token_registry(accept_token):
    """A fake registry with its own token endpoint at /token issuing t1, t2, …;
    ``accept_token(token, uses)`` says whether a request bearing ``token`` (used ``uses``
    times before) is let through."""
    uses: dict[str, int] = {}
    holder: dict[str, FakeRegistry] = {}

    def script(handler, path, count):
        if path.startswith("/token"):
            token = f"t{count + 1}"
            answer(handler, 200, canonical({"token": token, "expires_in": 300}))
            return
        auth = handler.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        if token is not None and accept_token(token, uses.get(token, 0)):
            uses[token] = uses.get(token, 0) + 1
            serve(GOOD)(handler, path, count)
            return
        realm = f"{holder['fake'].url}/token"
        answer(
            handler,
            401,
            canonical({"errors": [{"code": "UNAUTHORIZED", "message": "token"}]}),
            headers={
                "WWW-Authenticate": f'Bearer realm="{realm}",service="fake",'
                'scope="repository:app:pull"'
            },
        )

    fake = FakeRegistry(script)
    holder["fake"] = fake
    return fake


def test_a_cached_token_that_is_refused_is_fetched_again():
    with _token_registry(lambda token, uses: token != "t1" or uses == 0) as fake:
        store = store_for(fake)
        store.references.get(ref(fake))
        assert store.content.read(sha256(MANIFEST), 1 << 20) == MANIFEST
        token_requests = [p for _, p, _ in fake.requests if p.startswith("/token")]
        assert len(token_requests) == 2
        assert "scope=repository%3Aapp%3Apull" in token_requests[0]
        assert "service=fake" in token_requests[0]


def test_a_fresh_token_that_is_refused_is_unauthorized():
    with _token_registry(lambda token, uses: False) as fake:
        store = store_for(fake)
        with pytest.raises(errors.Unauthorized, match="refused the token"):
            store.references.get(ref(fake))
        assert len([p for _, p, _ in fake.requests if p.startswith("/token")]) == 1


def test_a_token_realm_that_is_not_http_is_refused():
    def script(handler, path, count):
        answer(handler, 401, b"", headers={"WWW-Authenticate": 'Bearer realm="file:///etc/passwd"'})

    with FakeRegistry(script) as fake:
        with pytest.raises(errors.RegistryProtocolError, match="realm"):
            store_for(fake).references.get(ref(fake))
