"""Registry store set-up without a registry: URLs, credentials, challenges, caches."""

from __future__ import annotations

import base64
import json
import pickle
import threading

import pytest
from imagelookup import errors
from imagelookup.reference import parse_normalized_named
from imagelookup.stores import ContentStore, ImageStore, LeaseStore, ReferenceStore, Store
from imagelookup.stores._cache import BlobCache, BoundedMap
from imagelookup.stores.registry import Credentials, RegistryStore, load_docker_credentials
from imagelookup.stores.registry.auth import TokenCache, docker_config_path, parse_challenges


@pytest.mark.parametrize(
    ("url", "insecure", "base_url"),
    [
        ("http://127.0.0.1:5000", False, "http://127.0.0.1:5000"),
        ("127.0.0.1:5000", False, "http://127.0.0.1:5000"),
        ("localhost:5000/", False, "http://localhost:5000"),
        ("[::1]:5000", False, "http://[::1]:5000"),
        ("registry.example:5000", False, "https://registry.example:5000"),
        ("registry.example:5000", True, "http://registry.example:5000"),
        ("http://registry.example", True, "http://registry.example"),
        ("https://registry.example/v2/", False, "https://registry.example"),
        ("https://registry.example", True, "https://registry.example"),
    ],
    ids=[
        "http-loopback",
        "bare-loopback",
        "bare-localhost",
        "bare-ipv6-loopback",
        "bare-remote-is-https",
        "bare-remote-insecure-is-http",
        "http-remote-insecure",
        "v2-path-allowed",
        "https-insecure",
    ],
)
def test_from_url_picks_the_scheme_as_docker_does(url, insecure, base_url, tmp_path):
    store = RegistryStore.from_url(url, insecure=insecure, docker_config=tmp_path)
    assert store.client.base_url == base_url
    assert isinstance(store, Store)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://registry.example:5000", "insecure_registry"),
        ("ftp://registry.example", "registry_url"),
        ("https://registry.example/some/path", "registry_url"),
        ("https://registry.example/?q=1", "registry_url"),
        ("https://", "registry_url"),
    ],
    ids=["plain-http-remote", "ftp", "path", "query", "no-host"],
)
def test_from_url_refuses(url, kind, tmp_path):
    with pytest.raises(errors.InvalidParameter) as info:
        RegistryStore.from_url(url, docker_config=tmp_path)
    assert info.value.kind == kind


def test_username_without_password_is_refused():
    with pytest.raises(errors.InvalidParameter):
        RegistryStore.from_url("http://127.0.0.1:5000", username="alice")


def test_credentials_in_the_url_are_taken_out_of_it():
    store = RegistryStore.from_url("http://alice:p%40ss@127.0.0.1:5000")
    assert store.client.base_url == "http://127.0.0.1:5000"
    assert store.client.credentials == Credentials("alice", "p@ss")
    assert "p@ss" not in repr(store) + repr(store.client.credentials)


def test_the_views_satisfy_the_protocols():
    store = RegistryStore.from_url("http://127.0.0.1:5000")
    assert isinstance(store.images, ImageStore)
    assert isinstance(store.references, ReferenceStore)
    assert isinstance(store.content, ContentStore)
    assert isinstance(store.leases, LeaseStore)


@pytest.mark.parametrize(
    "text",
    ["other.example/app:1", "app:1", "docker.io/library/ubuntu"],
    ids=["other-host", "docker-hub-implicit", "docker-hub-explicit"],
)
def test_a_reference_to_another_registry_is_not_in_the_store(text):
    store = RegistryStore.from_url("http://127.0.0.1:5000")
    with pytest.raises(errors.NotFound) as info:
        store.references.get(parse_normalized_named(text))
    assert info.value.reason == "registry_mismatch"
    assert store.client.requests == 0
    assert "127.0.0.1:5000" in str(info.value)


def test_aliases_let_a_mirror_answer_for_docker_hub():
    store = RegistryStore.from_url("http://127.0.0.1:5000", aliases=["docker.io"])
    assert store._repository(parse_normalized_named("ubuntu")) == "library/ubuntu"
    hub = RegistryStore.from_url("https://registry-1.docker.io")
    assert "docker.io" in hub.domains


def _write_config(path, auths):
    path.write_text(json.dumps({"auths": auths}))
    return path


@pytest.mark.parametrize(
    ("key", "entry"),
    [
        ("127.0.0.1:5000", {"auth": base64.b64encode(b"alice:s:ecret").decode()}),
        ("http://127.0.0.1:5000", {"auth": base64.b64encode(b"alice:s:ecret").decode()}),
        ("https://127.0.0.1:5000/v1/", {"username": "alice", "password": "s:ecret"}),
    ],
    ids=["bare-host-auth", "url-key", "username-password"],
)
def test_docker_config_credentials(tmp_path, key, entry):
    config = _write_config(tmp_path / "config.json", {key: entry, "other:1": {"auth": "eDp5"}})
    assert load_docker_credentials("127.0.0.1:5000", config) == Credentials("alice", "s:ecret")
    assert load_docker_credentials("127.0.0.1:5001", config) is None


def test_docker_hub_keys_are_aliases(tmp_path):
    auth = base64.b64encode(b"bob:pw").decode()
    config = _write_config(
        tmp_path / "config.json", {"https://index.docker.io/v1/": {"auth": auth}}
    )
    assert load_docker_credentials("registry-1.docker.io", config) == Credentials("bob", "pw")


def test_docker_config_env_var_and_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    assert docker_config_path() == tmp_path / "config.json"
    assert load_docker_credentials("127.0.0.1:5000") is None
    _write_config(tmp_path / "config.json", {"127.0.0.1:5000": {"username": "a", "password": "b"}})
    assert load_docker_credentials("127.0.0.1:5000") == Credentials("a", "b")
    store = RegistryStore.from_url("http://127.0.0.1:5000")
    assert store.client.credentials == Credentials("a", "b")


@pytest.mark.parametrize(
    "content",
    [b"{not json", json.dumps({"auths": {"h:1": {"auth": "!!!"}}}).encode()],
    ids=["not-json", "bad-base64"],
)
def test_a_broken_docker_config_is_a_clear_error_without_its_content(tmp_path, content):
    config = tmp_path / "config.json"
    config.write_bytes(content)
    with pytest.raises(errors.InvalidParameter) as info:
        load_docker_credentials("h:1", config)
    assert info.value.kind == "docker_config"
    assert "!!!" not in str(info.value)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            'Bearer realm="https://auth.example/token",service="registry.example",'
            'scope="repository:app:pull"',
            [
                (
                    "bearer",
                    {
                        "realm": "https://auth.example/token",
                        "service": "registry.example",
                        "scope": "repository:app:pull",
                    },
                )
            ],
        ),
        ('Basic realm="Registry Realm"', [("basic", {"realm": "Registry Realm"})]),
        ("basic realm=x", [("basic", {"realm": "x"})]),
        (
            'Bearer realm="a",scope="repository:a:pull repository:b:pull"',
            [("bearer", {"realm": "a", "scope": "repository:a:pull repository:b:pull"})],
        ),
        (
            'Basic realm="r", Bearer realm="t",service="s"',
            [("basic", {"realm": "r"}), ("bearer", {"realm": "t", "service": "s"})],
        ),
        ('Bearer realm="with \\"quotes\\""', [("bearer", {"realm": 'with "quotes"'})]),
        (
            'Bearer Realm = "spaced" , Service="s"',
            [("bearer", {"realm": "spaced", "service": "s"})],
        ),
        ("", []),
        ("Bearer", [("bearer", {})]),
        ('Bearer realm="unterminated', [("bearer", {"realm": "unterminated"})]),
    ],
    ids=[
        "docker-hub-style",
        "basic",
        "lowercase-unquoted",
        "several-scopes",
        "two-challenges",
        "escaped-quotes",
        "spaces-and-case",
        "empty",
        "scheme-only",
        "unterminated-quote",
    ],
)
def test_parse_challenges(header, expected):
    got = [(c.scheme, dict(c.params)) for c in parse_challenges(header)]
    assert got == expected


def test_token_cache_expires_and_drops():
    cache = TokenCache(max_entries=2, margin=10)
    cache.put(("r", "s", "a"), "t1", 300)
    cache.put(("r", "s", "b"), "t2", 0.0)
    assert cache.get(("r", "s", "a")) == "t1"
    assert cache.get(("r", "s", "b")) is None
    cache.put(("r", "s", "c"), "t3", 300)
    cache.put(("r", "s", "d"), "t4", 300)
    assert len(cache) == 2
    cache.drop(("r", "s", "d"), "not-it")
    assert cache.get(("r", "s", "d")) == "t4"
    cache.drop(("r", "s", "d"), "t4")
    assert cache.get(("r", "s", "d")) is None


def test_blob_cache_is_bounded_in_bytes():
    cache = BlobCache(1000)
    for i in range(20):
        cache.put(f"d{i}", bytes(100))
    assert cache.size <= 1000
    assert cache.get("d19") is not None and cache.get("d0") is None
    cache.put("big", bytes(300))  # over a quarter of the cache: not kept
    assert cache.get("big") is None


def test_bounded_map_evicts_least_recently_used_and_reports_it():
    evicted = []
    bounded: BoundedMap[str, int] = BoundedMap(2, on_evict=lambda k, v: evicted.append(k))
    bounded.put("a", 1)
    bounded.put("b", 2)
    assert bounded.get("a") == 1
    bounded.put("c", 3)
    assert evicted == ["b"]
    assert bounded.update("a", lambda v: (v or 0) + 1) == 2


def test_caches_under_threads():
    cache = BlobCache(10_000)

    def work(n):
        for i in range(500):
            cache.put(f"{n}-{i % 50}", bytes(i % 97))
            cache.get(f"{n}-{(i * 7) % 50}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.size <= 10_000
    assert cache.size == sum(len(cache.get(k) or b"") for k in list(cache._entries))


def test_registry_errors_pickle_with_their_details():
    exc = errors.RateLimited(
        "rate limited", status=429, url="http://h/v2/", code="X", retry_after=3.0
    )
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is errors.RateLimited
    assert (back.status, back.url, back.code, back.retry_after) == (429, "http://h/v2/", "X", 3.0)
    assert isinstance(back, errors.RegistryError) and isinstance(back, OSError)
