"""get_image through the registry store, against Debian's real ``docker-registry`` (CNCF
distribution) on 127.0.0.1, filled with ``skopeo copy --all`` and raw pushes; with no auth,
htpasswd basic auth and bearer tokens from the tests' own token server."""

from __future__ import annotations

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import IN_CI, require_tool
from imagelookup import errors
from imagelookup.stores.registry import RegistryStore, resolve_many

try:
    from imagelookup.service import ImageService
except ImportError:  # pragma: no cover - only while the service is on its own branch
    if IN_CI:
        raise
    pytest.skip("imagelookup.service is not merged in this checkout", allow_module_level=True)
from registry_server import (
    OCI_INDEX,
    Blob,
    BuiltImage,
    Pusher,
    Registry,
    TokenServer,
    build_image,
    canonical,
    htpasswd_file,
    skopeo_push,
    write_layout,
)

pytestmark = pytest.mark.tools

AMD64 = {"os": "linux", "architecture": "amd64"}
ARM64 = {"os": "linux", "architecture": "arm64", "variant": "v8"}
ARMV7 = {"os": "linux", "architecture": "arm", "variant": "v7"}
# The configs of arm64 and arm say no variant while the index says v8 and v7, as many real
# images do.
CONFIG_PLATFORMS = {
    "linux/arm64/v8": {"os": "linux", "architecture": "arm64"},
    "linux/arm/v7": {"os": "linux", "architecture": "arm"},
}
USERS = {"alice": "correct horse"}


class Content:
    """What the tests pushed, by name."""

    def __init__(self) -> None:
        self.app = build_image("app", [AMD64, ARM64, ARMV7], config_platforms=CONFIG_PLATFORMS)
        self.docker = build_image("docker", [AMD64, ARM64], docker_types=True)
        self.inner = build_image("inner", [AMD64, ARMV7], attestation=False)
        self.nested = Blob(
            OCI_INDEX,
            canonical(
                {
                    "schemaVersion": 2,
                    "mediaType": OCI_INDEX,
                    "manifests": [self.inner.index.descriptor()],
                }
            ),
        )
        # An index that says arm64 for a manifest whose config says amd64.
        self.wrong = build_image(
            "wrong",
            [{"os": "linux", "architecture": "arm64"}],
            config_platforms={"linux/arm64": AMD64},
            attestation=False,
        )

    def fill(self, tmp_path, registry: Registry, creds: str | None = None, authorization=None):
        skopeo = require_tool("skopeo")
        layout = write_layout(tmp_path / "layout-app", self.app, "1")
        skopeo_push(skopeo, tmp_path, layout, "1", f"{registry.host}/app:1", creds=creds)
        if authorization is None:
            return
        pusher = Pusher(registry.url, authorization if authorization is not True else None)
        pusher.image("dockerlist", "1", self.docker)
        pusher.image("nested", "inner", self.inner)
        pusher.manifest("nested", "1", self.nested)
        pusher.image("wrong", "1", self.wrong)
        pusher.manifest("app", "single", self.app.image("linux/amd64").manifest)


@pytest.fixture(scope="module")
def content() -> Content:
    return Content()


@pytest.fixture(scope="module")
def registry(tmp_path_factory, content):
    require_tool("docker-registry")
    tmp = tmp_path_factory.mktemp("registry-open")
    with Registry(tmp / "registry", binary=require_tool("docker-registry")) as reg:
        content.fill(tmp, reg, authorization=True)
        yield reg


@pytest.fixture
def store(registry):
    store = RegistryStore.from_url(registry.url)
    yield store
    store.close()


@pytest.fixture
def service(store):
    return ImageService.from_store(store)


def expect(image, built: BuiltImage, key: str, *, index: bool = True):
    want = built.image(key)
    assert image.id == want.image_id
    assert image.manifest_digest == want.manifest.digest
    if index:
        assert image.index_digest == built.index.digest


# -- no auth: the scenarios -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "key"),
    [
        ("linux/amd64", "linux/amd64"),
        ("linux/arm64", "linux/arm64/v8"),
        ("linux/arm64/v8", "linux/arm64/v8"),
        ("linux/arm/v7", "linux/arm/v7"),
        ("linux/arm", "linux/arm/v7"),
    ],
    ids=["amd64", "arm64", "arm64-v8", "arm-v7", "arm-defaults-to-v7"],
)
def test_tag_resolves_to_the_image_for_each_platform(service, registry, content, platform, key):
    image = service.get_image(f"{registry.host}/app:1", platform=platform)
    expect(image, content.app, key)


def test_the_image_config_is_the_pushed_one(service, registry, content):
    image = service.get_image(f"{registry.host}/app:1", platform="linux/arm64")
    assert image.raw == content.app.image("linux/arm64/v8").config.data
    assert (image.os, image.architecture, image.variant) == ("linux", "arm64", "")


def test_digest_references(service, registry, content):
    index = content.app.index.digest
    image = service.get_image(f"{registry.host}/app@{index}", platform="linux/arm/v7")
    expect(image, content.app, "linux/arm/v7")
    manifest = content.app.image("linux/amd64").manifest.digest
    image = service.get_image(f"{registry.host}/app@{manifest}", platform="linux/amd64")
    assert image.id == content.app.image("linux/amd64").image_id
    assert image.manifest_digest == manifest


def test_a_platform_absent_from_the_index(service, registry):
    ref = f"{registry.host}/app:1"
    with pytest.raises(errors.PlatformMismatch) as info:
        service.get_image(ref, platform="linux/s390x")
    message = str(info.value)
    assert message.startswith(
        f"image with reference {ref} was found but does not match the specified platform: "
        "wanted linux/s390x"
    )
    for offered in ("linux/amd64", "linux/arm64/v8", "linux/arm/v7"):
        assert offered in message


@pytest.mark.parametrize(
    "name", ["nope:1", "app:missing", "app@sha256:" + "0" * 64], ids=["repo", "tag", "digest"]
)
def test_missing_things_are_image_not_found(service, registry, name):
    ref = f"{registry.host}/{name}"
    with pytest.raises(errors.ImageNotFound) as info:
        service.get_image(ref, platform="linux/amd64")
    assert str(info.value).splitlines()[0] == f"No such image: {ref}"


def test_a_docker_media_type_list(service, registry, content):
    for platform, key in [("linux/amd64", "linux/amd64"), ("linux/arm64", "linux/arm64/v8")]:
        image = service.get_image(f"{registry.host}/dockerlist:1", platform=platform)
        expect(image, content.docker, key)


def test_a_nested_index(service, registry, content):
    image = service.get_image(f"{registry.host}/nested:1", platform="linux/arm/v7")
    assert image.id == content.inner.image("linux/arm/v7").image_id
    assert image.manifest_digest == content.inner.image("linux/arm/v7").manifest.digest


def test_a_tag_naming_one_manifest(service, registry, content):
    image = service.get_image(f"{registry.host}/app:single", platform="linux/amd64")
    assert image.id == content.app.image("linux/amd64").image_id
    with pytest.raises(errors.PlatformMismatch):
        service.get_image(f"{registry.host}/app:single", platform="linux/arm64")


def test_ids_and_prefixes_seen_through_a_reference(service, registry, content):
    with pytest.raises(errors.ImageNotFound):
        service.get_image(content.app.image("linux/amd64").image_id)
    service.get_image(f"{registry.host}/app:1", platform="linux/amd64")
    image_id = content.app.image("linux/amd64").image_id
    assert service.get_image(image_id).id == image_id
    assert service.get_image(image_id.split(":")[1][:12]).id == image_id
    assert service.get_image(image_id[:19]).id == image_id


def test_the_manifest_list_fallback_through_leases(service, store, registry, content):
    """A config that says amd64 while its index says arm64: found by ID for arm64 through the
    index the registry store remembers, as moby's lease fallback does."""
    service.get_image(f"{registry.host}/wrong:1", platform="linux/arm64")
    image_id = content.wrong.image("linux/arm64").image_id
    assert content.wrong.index.digest in store.leases.resources(f"moby-image-{image_id}")
    assert service.get_image(image_id, platform="linux/arm64").id == image_id
    with pytest.raises(errors.PlatformMismatch) as info:
        service.get_image(image_id, platform="linux/arm/v7")
    assert str(info.value).splitlines()[0] == (
        f"image with reference {image_id} was found but does not match the specified "
        "platform: wanted linux/arm/v7, actual: linux/amd64"
    )


def test_a_warm_cache_needs_one_request_per_lookup(service, store, registry):
    ref = f"{registry.host}/app:1"
    service.get_image(ref, platform="linux/arm64")
    before = store.client.requests
    for _ in range(5):
        service.get_image(ref, platform="linux/arm64")
    assert store.client.requests - before == 5


def test_digest_references_with_a_warm_cache_need_no_request(service, store, registry, content):
    ref = f"{registry.host}/app@{content.app.index.digest}"
    service.get_image(ref, platform="linux/amd64")
    before = store.client.requests
    service.get_image(ref, platform="linux/amd64")
    assert store.client.requests == before


def test_resolve_many_keeps_order_and_errors_per_item(store, registry, content):
    refs = [
        f"{registry.host}/app:1",
        f"{registry.host}/nope:1",
        f"{registry.host}/dockerlist:1",
        "not a reference!",
        f"{registry.host}/app@{content.app.index.digest}",
    ] * 4
    results = resolve_many(store, refs, "linux/arm64", max_connections=3)
    assert len(results) == len(refs)
    for ref, result in zip(refs, results, strict=True):
        if "nope" in ref:
            assert isinstance(result, errors.ImageNotFound)
        elif "!" in ref:
            assert isinstance(result, errors.InvalidParameter)
        elif "dockerlist" in ref:
            assert result.id == content.docker.image("linux/arm64/v8").image_id
        else:
            assert result.id == content.app.image("linux/arm64/v8").image_id
    again = resolve_many(ImageService.from_store(store), refs[:3], "linux/amd64")
    assert again[0].id == content.app.image("linux/amd64").image_id


def test_resolve_many_respects_the_connection_bound(registry):
    store = RegistryStore.from_url(registry.url, max_connections=2)
    peak = 0
    active = 0
    lock = threading.Lock()
    original = store.client._send

    def counting(*args, **kwargs):
        nonlocal peak, active
        with lock:
            active += 1
            peak = max(peak, active)
        try:
            return original(*args, **kwargs)
        finally:
            with lock:
                active -= 1

    store.client._send = counting
    refs = [f"{registry.host}/app:1", f"{registry.host}/dockerlist:1"] * 10
    results = resolve_many(store, refs, "linux/amd64", max_connections=8)
    assert not any(isinstance(r, Exception) for r in results)
    assert peak <= 2


def test_many_threads_get_the_same_answers(registry, content):
    store = RegistryStore.from_url(registry.url, max_connections=4)
    service = ImageService.from_store(store)
    cases = [
        (f"{registry.host}/app:1", "linux/amd64"),
        (f"{registry.host}/app:1", "linux/arm/v7"),
        (f"{registry.host}/dockerlist:1", "linux/arm64"),
        (f"{registry.host}/nested:1", "linux/amd64"),
    ] * 25
    expected = [service.get_image(r, platform=p).id for r, p in cases[:4]] * 25
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda c: service.get_image(c[0], platform=c[1]).id, cases))
    assert got == expected


def test_the_cache_is_bounded(registry):
    store = RegistryStore.from_url(registry.url, cache_bytes=4096)
    service = ImageService.from_store(store)
    for platform in ("linux/amd64", "linux/arm64", "linux/arm/v7"):
        service.get_image(f"{registry.host}/app:1", platform=platform)
        service.get_image(f"{registry.host}/dockerlist:1", platform="linux/amd64")
    assert store.cache.size <= 4096


# -- basic auth -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def basic_registry(tmp_path_factory, content):
    tmp = tmp_path_factory.mktemp("registry-basic")
    password_file = htpasswd_file(tmp / "htpasswd", USERS, require_tool("htpasswd"))
    auth = {"htpasswd": {"realm": "imagelookup-tests", "path": str(password_file)}}
    with Registry(tmp / "registry", auth=auth, binary=require_tool("docker-registry")) as reg:
        content.fill(tmp, reg, creds="alice:correct horse")
        yield reg


def test_basic_auth_with_credentials(basic_registry, content):
    store = RegistryStore.from_url(basic_registry.url, username="alice", password="correct horse")
    image = ImageService.from_store(store).get_image(
        f"{basic_registry.host}/app:1", platform="linux/arm/v7"
    )
    expect(image, content.app, "linux/arm/v7")


def test_basic_auth_credentials_from_the_docker_config(basic_registry, content, tmp_path):
    auth = base64.b64encode(b"alice:correct horse").decode()
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {basic_registry.host: {"auth": auth}}})
    )
    store = RegistryStore.from_url(basic_registry.url, docker_config=tmp_path)
    image = ImageService.from_store(store).get_image(
        f"{basic_registry.host}/app:1", platform="linux/amd64"
    )
    expect(image, content.app, "linux/amd64")


@pytest.mark.parametrize(
    "credentials",
    [("alice", "wrong"), ("mallory", "correct horse"), None],
    ids=["wrong-password", "unknown-user", "anonymous"],
)
def test_basic_auth_refused_is_unauthorized(basic_registry, credentials, tmp_path):
    username, password = credentials or (None, None)
    store = RegistryStore.from_url(
        basic_registry.url, username=username, password=password, docker_config=tmp_path
    )
    with pytest.raises(errors.Unauthorized) as info:
        ImageService.from_store(store).get_image(f"{basic_registry.host}/app:1")
    assert info.value.status == 401
    if password:
        assert password not in str(info.value)


# -- bearer tokens ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def token_registry(tmp_path_factory, content):
    tmp = tmp_path_factory.mktemp("registry-token")
    with TokenServer(tmp, USERS, anonymous_pull=False) as tokens:
        binary = require_tool("docker-registry")
        with Registry(tmp / "registry", auth=tokens.registry_auth(), binary=binary) as reg:
            content.fill(tmp, reg, creds="alice:correct horse")
            yield reg, tokens


def test_bearer_flow_with_credentials_and_a_cached_token(token_registry, content):
    registry, tokens = token_registry
    store = RegistryStore.from_url(registry.url, username="alice", password="correct horse")
    service = ImageService.from_store(store)
    issued_before = len(tokens.issued)
    for platform, key in [("linux/amd64", "linux/amd64"), ("linux/arm64", "linux/arm64/v8")]:
        for _ in range(3):
            image = service.get_image(f"{registry.host}/app:1", platform=platform)
            expect(image, content.app, key)
    assert tokens.issued[issued_before:] == [("alice", "repository:app:pull")]


@pytest.mark.parametrize(
    "credentials", [("alice", "wrong"), None], ids=["wrong-password", "anonymous-not-allowed"]
)
def test_bearer_flow_refused_is_unauthorized(token_registry, credentials, tmp_path):
    registry, _ = token_registry
    username, password = credentials or (None, None)
    store = RegistryStore.from_url(
        registry.url, username=username, password=password, docker_config=tmp_path
    )
    with pytest.raises(errors.Unauthorized) as info:
        ImageService.from_store(store).get_image(f"{registry.host}/app:1")
    if password:
        assert password not in str(info.value)


def test_bearer_flow_anonymous_pull(tmp_path, content):
    with TokenServer(tmp_path, USERS, anonymous_pull=True) as tokens:
        binary = require_tool("docker-registry")
        with Registry(tmp_path / "registry", auth=tokens.registry_auth(), binary=binary) as reg:
            content.fill(tmp_path, reg, creds="alice:correct horse")
            store = RegistryStore.from_url(reg.url, docker_config=tmp_path)
            image = ImageService.from_store(store).get_image(
                f"{reg.host}/app:1", platform="linux/arm/v7"
            )
            expect(image, content.app, "linux/arm/v7")
            assert (None, "repository:app:pull") in tokens.issued


def test_a_moved_tag_is_seen_at_once(service, registry, content):
    """Tags are asked for on every lookup (a HEAD when the cache is warm), so a push that
    moves the tag shows in the next lookup."""
    pusher = Pusher(registry.url)
    pusher.image("moving", "1", content.docker)
    ref = f"{registry.host}/moving:1"
    assert service.get_image(ref, platform="linux/amd64").id == (
        content.docker.image("linux/amd64").image_id
    )
    pusher.image("moving", "1", content.inner)
    image = service.get_image(ref, platform="linux/amd64")
    assert image.id == content.inner.image("linux/amd64").image_id
    assert image.index_digest == content.inner.index.digest


def test_threads_meeting_the_challenge_together_share_one_token(token_registry, content):
    registry, tokens = token_registry
    store = RegistryStore.from_url(
        registry.url, username="alice", password="correct horse", max_connections=8
    )
    issued_before = len(tokens.issued)
    results = resolve_many(store, [f"{registry.host}/app:1"] * 16, "linux/amd64")
    assert all(r.id == content.app.image("linux/amd64").image_id for r in results)
    assert tokens.issued[issued_before:] == [("alice", "repository:app:pull")]
