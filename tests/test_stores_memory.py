"""The in-memory stores: each protocol, and the builder."""

from __future__ import annotations

import hashlib
import threading

import orjson
import pytest
from imagelookup import Image, errors, manifests, platforms, reference
from imagelookup.stores import (
    IMAGE_ID,
    ContentStore,
    Entry,
    ImageStore,
    LeaseStore,
    MemoryContentStore,
    MemoryImageStore,
    MemoryLeaseStore,
    MemoryReferenceStore,
    MemoryStore,
    ReferenceStore,
    Store,
    Target,
    image_lease_id,
)
from imagelookup.stores.memory import (
    DOCKER_CONFIG,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_MANIFEST,
)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# --- content ---------------------------------------------------------------------------------


def test_content_add_read_size() -> None:
    content = MemoryContentStore()
    assert isinstance(content, ContentStore)
    digest = content.add(b"hello")
    assert digest == sha256(b"hello")
    assert content.read(digest, 5) == b"hello"
    assert content.size(digest) == 5
    assert digest in content and len(content) == 1
    assert list(content) == [digest]


@pytest.mark.parametrize(
    "data",
    [pytest.param(bytearray(b"abc"), id="bytearray"), pytest.param(memoryview(b"abc"), id="view")],
)
def test_content_accepts_buffers(data: bytearray | memoryview) -> None:
    content = MemoryContentStore()
    digest = content.add(data)
    assert content.read(digest, 3) == b"abc"


def test_content_add_verifies_given_digest() -> None:
    content = MemoryContentStore()
    assert content.add(b"x", digest=sha256(b"x")) == sha256(b"x")
    with pytest.raises(errors.DigestMismatch):
        content.add(b"x", digest=sha256(b"y"))
    assert len(content) == 1


def test_content_other_algorithm() -> None:
    content = MemoryContentStore()
    digest = content.add(b"x", algorithm="sha512")
    assert digest == "sha512:" + hashlib.sha512(b"x").hexdigest()
    assert content.read(digest, 1) == b"x"


def test_content_read_is_bounded() -> None:
    content = MemoryContentStore()
    digest = content.add(b"0123456789")
    assert content.read(digest, 10) == b"0123456789"
    with pytest.raises(errors.LimitExceeded) as exc:
        content.read(digest, 9)
    assert exc.value.limit == 9
    assert exc.value.size == 10


def test_content_absent_and_invalid() -> None:
    content = MemoryContentStore()
    missing = sha256(b"missing")
    with pytest.raises(errors.NotFound, match="not found"):
        content.read(missing, 100)
    with pytest.raises(errors.NotFound):
        content.size(missing)
    with pytest.raises(errors.InvalidDigest):
        content.read("sha256:xyz", 100)
    with pytest.raises(errors.NotFound):
        content.remove(missing)


def test_content_remove() -> None:
    content = MemoryContentStore()
    digest = content.add(b"x")
    content.remove(digest)
    assert digest not in content


# --- leases ----------------------------------------------------------------------------------


def test_leases() -> None:
    leases = MemoryLeaseStore()
    assert isinstance(leases, LeaseStore)
    leases.add("l1", "sha256:b", "sha256:a")
    leases.add("l1", "sha256:a", "sha256:c", "sha256:c")
    assert leases.resources("l1") == ("sha256:b", "sha256:a", "sha256:c")
    leases.add("empty")
    assert leases.resources("empty") == ()
    assert "l1" in leases and len(leases) == 2
    with pytest.raises(errors.NotFound):
        leases.resources("nope")
    leases.remove("l1")
    with pytest.raises(errors.NotFound):
        leases.resources("l1")
    with pytest.raises(errors.NotFound):
        leases.remove("l1")


def test_image_lease_id() -> None:
    assert image_lease_id("sha256:" + "a" * 64) == "moby-image-sha256:" + "a" * 64


# --- images ----------------------------------------------------------------------------------


def test_images_add_get() -> None:
    images = MemoryImageStore()
    assert isinstance(images, ImageStore)
    raw = b'{"architecture":"arm64","os":"linux","variant":"v8"}'
    image = images.add_config(raw)
    assert image.id == sha256(raw)
    assert image.raw == raw
    assert (image.os, image.architecture, image.variant) == ("linux", "arm64", "v8")
    assert images.get(image.id) is image
    assert image.id in images and len(images) == 1 and list(images) == [image.id]


def test_images_from_iterable_and_readd() -> None:
    raw = b'{"os":"linux"}'
    image = Image.from_config_bytes(sha256(raw), raw)
    images = MemoryImageStore([image, image])
    assert len(images) == 1
    assert images.search(image.id[7:12]) == image.id


def test_images_verify_the_id() -> None:
    raw = b'{"os":"linux"}'
    forged = Image.from_config_bytes(sha256(b"other"), raw)
    with pytest.raises(errors.DigestMismatch):
        MemoryImageStore().add(forged)


def test_images_get_absent() -> None:
    with pytest.raises(errors.NotFound):
        MemoryImageStore().get(sha256(b"x"))


def test_images_search() -> None:
    images = MemoryImageStore()
    image = images.add_config(b'{"os":"linux"}')
    hex_id = image.id[7:]
    assert images.search(hex_id[:5]) == image.id
    assert images.search("sha256:" + hex_id[:5]) == image.id
    assert images.search(image.id) == image.id
    with pytest.raises(errors.NotFound):
        images.search("sha256:" + ("0" if hex_id[0] != "0" else "1"))


def test_images_search_ambiguous() -> None:
    images = MemoryImageStore()
    by_first: dict[str, str] = {}
    n = 0
    while True:
        image = images.add_config(orjson.dumps({"n": n}))
        n += 1
        first = image.id[7]
        if first in by_first:
            break
        by_first[first] = image.id
    with pytest.raises(errors.AmbiguousPrefix) as exc:
        images.search(first)
    assert exc.value.prefix == first


def test_images_remove() -> None:
    images = MemoryImageStore()
    image = images.add_config(b"{}")
    images.remove(image.id)
    assert image.id not in images
    with pytest.raises(errors.NotFound):
        images.search(image.id[7:15])
    with pytest.raises(errors.NotFound):
        images.remove(image.id)


# --- references ------------------------------------------------------------------------------


def _parse(text: str) -> reference.Reference:
    return reference.parse_any(text)


@pytest.mark.parametrize(
    ("stored", "lookup"),
    [
        pytest.param("ubuntu", "ubuntu:latest", id="bare-is-latest"),
        pytest.param("ubuntu:latest", "ubuntu", id="latest-is-bare"),
        pytest.param("ubuntu:22.04", "docker.io/library/ubuntu:22.04", id="normalized"),
        pytest.param(f"ubuntu@{'sha256:' + 'a' * 64}", f"ubuntu@{'sha256:' + 'a' * 64}", id="dig"),
        pytest.param(
            f"ubuntu:1@{'sha256:' + 'a' * 64}", f"ubuntu@{'sha256:' + 'a' * 64}", id="favor-digest"
        ),
        pytest.param(
            f"ubuntu@{'sha256:' + 'a' * 64}", f"ubuntu:2@{'sha256:' + 'a' * 64}", id="tag-ignored"
        ),
    ],
)
def test_references_keys(stored: str, lookup: str) -> None:
    refs = MemoryReferenceStore()
    assert isinstance(refs, ReferenceStore)
    target = Target("sha256:" + "b" * 64)
    refs.add(stored, target)
    assert refs.get(_parse(lookup)) == target


@pytest.mark.parametrize(
    ("stored", "lookup"),
    [
        pytest.param("ubuntu:22.04", "ubuntu", id="other-tag"),
        pytest.param("ubuntu", "ubuntu@sha256:" + "a" * 64, id="digest-vs-tag"),
        pytest.param("foo/ubuntu", "ubuntu", id="other-repo"),
        pytest.param("ghcr.io/library/ubuntu", "ubuntu", id="other-registry"),
    ],
)
def test_references_misses(stored: str, lookup: str) -> None:
    refs = MemoryReferenceStore()
    refs.add(stored, "sha256:" + "b" * 64)
    with pytest.raises(errors.NotFound, match="reference does not exist"):
        refs.get(_parse(lookup))


def test_references_refuse_sha256_name_and_digest_only() -> None:
    refs = MemoryReferenceStore()
    with pytest.raises(errors.InvalidParameter, match="digest algorithm as name"):
        refs.add("sha256:abcdef", "sha256:" + "b" * 64)
    with pytest.raises(errors.InvalidParameter):
        refs.add("sha256:" + "a" * 64, "sha256:" + "b" * 64)
    with pytest.raises(errors.InvalidParameter):
        refs.add("Bad Ref", "sha256:" + "b" * 64)
    assert len(refs) == 0


def test_references_overwrite_remove_items() -> None:
    refs = MemoryReferenceStore()
    refs.add("app", "sha256:" + "1" * 64)
    refs.add("app:latest", Target("sha256:" + "2" * 64, OCI_INDEX, 10))
    assert refs.get(_parse("app")) == Target("sha256:" + "2" * 64, OCI_INDEX, 10)
    assert refs.items() == [
        ("docker.io/library/app:latest", Target("sha256:" + "2" * 64, OCI_INDEX, 10))
    ]
    refs.remove("app")
    with pytest.raises(errors.NotFound):
        refs.get(_parse("app"))
    with pytest.raises(errors.NotFound):
        refs.remove("app")


def test_references_get_digest_only_is_absent() -> None:
    with pytest.raises(errors.NotFound):
        MemoryReferenceStore().get(_parse("sha256:" + "a" * 64))


# --- the bundle and its builder ----------------------------------------------------------------


def test_memory_store_satisfies_store() -> None:
    store = MemoryStore()
    assert isinstance(store, Store)
    assert isinstance(store.images, MemoryImageStore)
    assert isinstance(store.references, MemoryReferenceStore)
    assert isinstance(store.content, MemoryContentStore)
    assert isinstance(store.leases, MemoryLeaseStore)


def test_add_image_writes_the_config() -> None:
    store = MemoryStore()
    image = store.add_image(
        os="windows",
        architecture="amd64",
        os_version="10.0.20348.1",
        os_features=["win32k"],
        config={"created": "2024-01-01T00:00:00Z"},
        tags=["win:ltsc"],
    )
    config = orjson.loads(store.content.read(image.id, 10_000))
    assert config["os"] == "windows"
    assert config["os.version"] == "10.0.20348.1"
    assert config["os.features"] == ["win32k"]
    assert config["created"] == "2024-01-01T00:00:00Z"
    assert "variant" not in config
    assert image.os_version == "10.0.20348.1"
    assert image.os_features == ("win32k",)
    assert store.references.get(_parse("win:ltsc")) == Target(image.id, IMAGE_ID)


def test_add_config_keeps_bytes_exactly() -> None:
    store = MemoryStore()
    raw = b'{ "os" : "linux" ,"architecture":"arm"}'
    image = store.add_config(raw, tags=["exact"])
    assert image.raw == raw and image.id == sha256(raw)
    assert image.variant == ""


@pytest.mark.parametrize(
    ("media_type", "config_type"),
    [
        pytest.param(OCI_MANIFEST, OCI_CONFIG, id="oci"),
        pytest.param(DOCKER_MANIFEST, DOCKER_CONFIG, id="docker"),
    ],
)
def test_add_manifest(media_type: str, config_type: str) -> None:
    store = MemoryStore()
    image = store.add_image()
    entry = store.add_manifest(image, media_type=media_type, tags=["m"], lease=True)
    raw = store.content.read(entry.digest, entry.size)
    parsed = manifests.parse_manifest(raw, limit=entry.size)
    assert parsed.media_type == media_type
    assert parsed.config.digest == image.id
    assert parsed.config.media_type == config_type
    assert parsed.config.size == len(image.raw)
    assert manifests.config_digest(raw) == image.id
    assert store.references.get(_parse("m")) == Target(entry.digest, media_type, entry.size)
    assert store.leases.resources(image_lease_id(image.id)) == (entry.digest,)


@pytest.mark.parametrize(
    ("index_type", "manifest_type"),
    [
        pytest.param(OCI_INDEX, OCI_MANIFEST, id="oci"),
        pytest.param(DOCKER_MANIFEST_LIST, DOCKER_MANIFEST, id="docker"),
    ],
)
def test_add_index(index_type: str, manifest_type: str) -> None:
    store = MemoryStore()
    amd = store.add_image(architecture="amd64")
    arm = store.add_image(architecture="arm", variant="v7")
    extra = Entry("sha256:" + "c" * 64, 7, "application/vnd.example+json", {"os": "linux"})
    index = store.add_index(
        [
            (amd, "linux/amd64"),
            (arm, {"os": "linux", "architecture": "arm", "variant": "v7"}),
            (amd, None),
            extra,
        ],
        media_type=index_type,
        tags=["multi"],
        lease_for=[amd],
        annotations={"org.example": "yes"},
    )
    raw = store.content.read(index.digest, index.size)
    parsed = manifests.parse_index(raw)
    assert parsed.media_type == index_type
    assert [d.media_type for d in parsed.manifests] == [manifest_type] * 3 + [extra.media_type]
    assert [d.platform for d in parsed.manifests[:3]] == [
        platforms.parse("linux/amd64"),
        platforms.Platform("linux", "arm", "v7"),
        None,
    ]
    assert parsed.manifests[3].digest == extra.digest
    assert store.references.get(_parse("multi")) == index.target
    leased = store.leases.resources(image_lease_id(amd.id))
    assert leased[0] == index.digest
    assert set(leased[1:]) == {d.digest for d in parsed.manifests}


def test_nested_index_entry_keeps_its_media_type() -> None:
    store = MemoryStore()
    inner = store.add_index([(store.add_image(), "linux/amd64")])
    outer = store.add_index([(inner, None)])
    parsed = manifests.parse_index(store.content.read(outer.digest, outer.size))
    assert parsed.manifests[0].media_type == OCI_INDEX
    assert parsed.manifests[0].digest == inner.digest


def test_tag_targets() -> None:
    store = MemoryStore()
    image = store.add_image()
    store.tag("a", image)
    store.tag("b", image.id)
    store.tag("c", Target(image.id))
    for ref in "abc":
        assert store.references.get(_parse(ref)) == Target(image.id, IMAGE_ID)


def test_stores_under_concurrent_writes() -> None:
    store = MemoryStore()
    barrier = threading.Barrier(8)

    def work(n: int) -> None:
        barrier.wait()
        for i in range(100):
            image = store.add_image(config={"n": f"{n}-{i}"})
            store.tag(f"t{n}:{i}", image)
            store.lease(image, image.id)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(store.images) == 800
    assert len(store.references) == 800
    assert len(store.leases) == 800
    for image_id in store.images:
        assert store.images.search(image_id) == image_id
