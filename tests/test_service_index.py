"""get_image over multi-platform targets: a tag that names a manifest or an index (containerd's
way), through the in-memory stores."""

from __future__ import annotations

from typing import Any

import pytest
from imagelookup import Image, ImageService, Platform, errors, platforms
from imagelookup.stores import Entry, MemoryStore, Target
from imagelookup.stores.memory import DOCKER_MANIFEST_LIST, OCI_MANIFEST
from servicekit import new_image

ATTESTATION = {
    "vnd.docker.reference.type": "attestation-manifest",
}


def three_platforms(store: MemoryStore, **index: Any) -> tuple[Image, Image, Image, Entry]:
    amd = new_image(store, "amd64")
    arm64 = new_image(store, "arm64")
    arm = new_image(store, "arm", "v7")
    entry = store.add_index(
        [(amd, "linux/amd64"), (arm64, "linux/arm64/v8"), (arm, "linux/arm/v7")],
        tags=["app:multi"],
        **index,
    )
    return amd, arm64, arm, entry


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        pytest.param("linux/amd64", 0, id="amd64"),
        pytest.param("linux/x86_64", 0, id="x86_64"),
        pytest.param("linux/arm64", 1, id="arm64"),
        pytest.param("linux/arm64/v8", 1, id="arm64-v8"),
        pytest.param("linux/arm/v7", 2, id="arm-v7"),
        pytest.param("linux/arm", 2, id="arm-is-v7"),
        pytest.param("linux/amd64/v3", 0, id="amd64-v3-runs-amd64"),
    ],
)
def test_index_resolved_for_platform(
    store: MemoryStore, svc: ImageService, wanted: str, expected: int
) -> None:
    *images, index = three_platforms(store)
    got = svc.get_image("app:multi", platform=wanted)
    assert got.id == images[expected].id
    assert got.index_digest == index.digest
    assert got.manifest_digest is not None
    manifest = store.content.read(got.manifest_digest, 10_000)
    assert images[expected].id.encode() in manifest


def test_docker_manifest_list_target(store: MemoryStore, svc: ImageService) -> None:
    _, arm64, _, _ = three_platforms(store, media_type=DOCKER_MANIFEST_LIST)
    assert svc.get_image("app:multi", platform="linux/arm64").id == arm64.id


def test_preference_beats_document_order(store: MemoryStore, svc: ImageService) -> None:
    v5 = new_image(store, "arm", "v5")
    v6 = new_image(store, "arm", "v6")
    v7 = new_image(store, "arm", "v7")
    store.add_index([(v5, "linux/arm/v5"), (v6, "linux/arm/v6"), (v7, "linux/arm/v7")], tags=["a"])
    assert svc.get_image("a", platform="linux/arm/v7").id == v7.id
    assert svc.get_image("a", platform="linux/arm/v6").id == v6.id
    assert svc.get_image("a", platform="linux/arm/v5").id == v5.id
    explained = svc.explain("a", platform="linux/arm/v7")
    assert [c.verdict.value for c in explained.candidates] == [  # document order
        "not-preferred",
        "not-preferred",
        "accepted",
    ]


def test_document_order_among_equals(store: MemoryStore, svc: ImageService) -> None:
    first = new_image(store, "arm64")
    second = new_image(store, "arm64")
    store.add_index([(first, "linux/arm64"), (second, "linux/arm64")], tags=["a"])
    assert svc.get_image("a", platform="linux/arm64").id == first.id


def test_index_without_the_platform(store: MemoryStore, svc: ImageService) -> None:
    three_platforms(store)
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app:multi", platform="linux/s390x")
    err = exc.value
    assert str(err).split("\n")[0] == (
        "image with reference app:multi was found but does not match the specified platform: "
        "wanted linux/s390x, actual: linux/amd64, linux/arm64/v8, linux/arm/v7"
    )
    assert err.actual is None
    assert err.available == (
        platforms.parse("linux/amd64"),
        platforms.parse("linux/arm64/v8"),
        platforms.parse("linux/arm/v7"),
    )
    assert [c.verdict.value for c in err.candidates] == ["platform"] * 3
    assert isinstance(err, errors.NotFound)


def test_index_with_only_attestations(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64")
    manifest = store.add_manifest(image)
    attestation = Entry(manifest.digest, manifest.size, OCI_MANIFEST, annotations=ATTESTATION)
    store.add_index([(attestation, {"os": "unknown", "architecture": "unknown"})], tags=["a"])
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("a", platform="linux/amd64")
    assert "actual: none" in str(exc.value).split("\n")[0]
    assert [c.verdict.value for c in exc.value.candidates] == ["attestation"]
    with pytest.raises(errors.ImageNotFound) as nf:
        svc.get_image("a")
    assert str(nf.value) == "No such image: a:latest"


def test_attestations_are_passed_over(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64")
    proof = new_image(store, "unknown", os="unknown")
    proof_manifest = store.add_manifest(proof)
    attestation = Entry(
        proof_manifest.digest, proof_manifest.size, OCI_MANIFEST, annotations=ATTESTATION
    )
    store.add_index(
        [(attestation, {"os": "unknown", "architecture": "unknown"}), (image, "linux/amd64")],
        tags=["a"],
    )
    assert svc.get_image("a").id == image.id
    assert svc.get_image("a", platform="linux/amd64").id == image.id
    explained = svc.explain("a", platform="linux/amd64")
    assert [c.verdict.value for c in explained.candidates] == ["attestation", "accepted"]


def test_absent_platform_is_passed_over(store: MemoryStore, svc: ImageService) -> None:
    arm64 = new_image(store, "arm64")
    arm = new_image(store, "arm", "v7")
    arm64_manifest = store.add_manifest(arm64)
    store.add_index([(arm64_manifest, "linux/arm64"), (arm, "linux/arm/v7")], tags=["a"])
    store.content.remove(arm64_manifest.digest)  # never pulled
    explained = svc.explain("a", platform="linux/arm64")
    assert explained.image is not None and explained.image.id == arm.id  # arm64 runs arm/v7
    assert [c.verdict.value for c in explained.candidates] == ["absent", "accepted"]
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("a", platform="linux/amd64")
    assert exc.value.actual is None


def test_absent_config_is_passed_over(store: MemoryStore, svc: ImageService) -> None:
    first = new_image(store, "arm64")
    second = new_image(store, "arm64")
    store.add_index([(first, "linux/arm64"), (second, "linux/arm64")], tags=["a"])
    store.images.remove(first.id)
    assert svc.get_image("a", platform="linux/arm64").id == second.id


def test_nothing_present_for_the_platform(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "arm64")
    manifest = store.add_manifest(image)
    store.add_index([(manifest, "linux/arm64")], tags=["a"])
    store.content.remove(manifest.digest)
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("a", platform="linux/arm64")
    assert [c.verdict.value for c in exc.value.candidates] == ["absent"]
    with pytest.raises(errors.ImageNotFound):
        svc.get_image("a")


def test_entry_without_platform_is_judged_by_its_config(
    store: MemoryStore, svc: ImageService
) -> None:
    arm = new_image(store, "arm64")
    amd = new_image(store, "amd64")
    store.add_index([(arm, None), (amd, None)], tags=["a"])
    assert svc.get_image("a", platform="linux/amd64").id == amd.id
    assert svc.get_image("a", platform="linux/arm64").id == arm.id
    explained = svc.explain("a", platform="linux/arm64")
    assert [(c.verdict.value, c.platform) for c in explained.candidates] == [
        ("accepted", Platform("linux", "arm64")),
        ("platform", Platform("linux", "amd64")),
    ]


def test_nested_index_is_followed(store: MemoryStore, svc: ImageService) -> None:
    amd = new_image(store, "amd64")
    arm = new_image(store, "arm64")
    inner = store.add_index([(arm, "linux/arm64")])
    store.add_index([(amd, "linux/amd64"), (inner, None)], tags=["a"])
    got = svc.get_image("a", platform="linux/arm64")
    assert got.id == arm.id
    explained = svc.explain("a", platform="linux/arm64")
    assert explained.candidates[-1].source == inner.digest


def test_nested_index_for_another_platform_is_skipped(
    store: MemoryStore, svc: ImageService
) -> None:
    arm = new_image(store, "arm64")
    inner = store.add_index([(arm, "linux/arm64")])
    store.add_index([(inner, "windows/amd64")], tags=["a"])
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("a", platform="linux/arm64")
    assert [c.verdict.value for c in exc.value.candidates] == ["platform"]


def test_unknown_media_type_entries_are_passed_over(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64")
    blob = store.add_blob(b"{}")
    artifact = Entry(blob, 2, "application/vnd.example.sbom+json")
    store.add_index([(artifact, "linux/amd64"), (image, "linux/amd64")], tags=["a"])
    explained = svc.explain("a", platform="linux/amd64")
    assert explained.image is not None and explained.image.id == image.id
    assert [c.verdict.value for c in explained.candidates] == ["media-type", "accepted"]


def test_no_platform_prefers_the_host(store: MemoryStore, svc: ImageService) -> None:
    host = platforms.default_spec()
    foreign = new_image(store, "s390x")
    native = new_image(store, host.architecture, host.variant, os=host.os)
    store.add_index([(foreign, "plan9/s390x"), (native, host.to_oci())], tags=["a"])
    assert svc.get_image("a").id == native.id


def test_no_platform_takes_any_runnable_entry(store: MemoryStore, svc: ImageService) -> None:
    foreign = new_image(store, "s390x")
    other = new_image(store, "mips64")
    store.add_index([(foreign, "plan9/s390x"), (other, "plan9/mips64")], tags=["a"])
    assert svc.get_image("a").id == foreign.id


def test_config_wrong_but_index_right(store: MemoryStore, svc: ImageService) -> None:
    liar = new_image(store, "amd64")
    store.add_index([(liar, "linux/arm64")], tags=["a"])
    assert svc.get_image("a", platform="linux/arm64").id == liar.id
    assert svc.explain("a", platform="linux/arm64").matched_by == "index"


def test_tag_naming_a_manifest(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "arm64")
    manifest = store.add_manifest(image, tags=["single"])
    got = svc.get_image("single", platform="linux/arm64")
    assert got.id == image.id
    assert got.manifest_digest == manifest.digest
    assert got.index_digest is None
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("single", platform="linux/amd64")
    assert str(exc.value).split("\n")[0] == (
        "image with reference single was found but does not match the specified platform: "
        "wanted linux/amd64, actual: linux/arm64"
    )


def test_manifest_tag_with_lease_fallback(store: MemoryStore, svc: ImageService) -> None:
    liar = new_image(store, "amd64")
    store.add_manifest(liar, tags=["single"])
    store.add_index([(liar, "linux/arm64")], lease_for=[liar])
    assert svc.explain("single", platform="linux/arm64").matched_by == "manifest-list"


def test_digest_reference_by_name_to_index(store: MemoryStore, svc: ImageService) -> None:
    _, arm64, _, index = three_platforms(store)
    store.tag(f"app@{index.digest}", index)
    assert svc.get_image(f"app@{index.digest}", platform="linux/arm64").id == arm64.id


def test_absent_target_falls_through_to_not_found(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64")
    index = store.add_index([(image, "linux/amd64")], tags=["xa"])
    manifest = store.add_manifest(image, tags=["xb"])
    store.content.remove(index.digest)
    store.content.remove(manifest.digest)
    for ref in ["xa", "xb"]:  # not hex: no ID prefix search can find them
        with pytest.raises(errors.ImageNotFound) as exc:
            svc.get_image(ref)
        assert str(exc.value) == f"No such image: {ref}:latest"


def test_unsupported_target_media_type(store: MemoryStore, svc: ImageService) -> None:
    blob = store.add_blob(b"{}")
    store.references.add("odd", Target(blob, "application/vnd.example+json", 2))
    with pytest.raises(errors.InvalidManifest):
        svc.get_image("odd")


def test_target_size_must_match(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store)
    manifest = store.add_manifest(image)
    store.references.add("short", Target(manifest.digest, manifest.media_type, manifest.size + 1))
    store.references.add("long", Target(manifest.digest, manifest.media_type, manifest.size - 1))
    with pytest.raises(errors.StoreError):
        svc.get_image("short")
    with pytest.raises(errors.LimitExceeded):
        svc.get_image("long")


def test_read_limit_bounds_targets(store: MemoryStore) -> None:
    _, _, _, index = three_platforms(store)
    svc = ImageService.from_store(store, read_limit=index.size - 1)
    with pytest.raises(errors.LimitExceeded):
        svc.get_image("app:multi")


def test_index_cycle_is_not_followed_forever(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64")
    inner = store.add_index([(image, "linux/amd64")])
    nested = inner
    for _ in range(20):
        nested = store.add_index([(nested, None)])
    store.tag("deep", nested)
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("deep", platform="linux/amd64")
    assert "too deep" in exc.value.candidates[-1].reason
