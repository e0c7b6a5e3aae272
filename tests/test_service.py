"""get_image: one test per branch of moby's GetImage (Docker 24), through the in-memory stores."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from typing import Any

import orjson
import pytest
from imagelookup import Image, ImageService, Platform, errors, platforms, reference
from imagelookup.stores import IMAGE_ID, Entry, MemoryStore, Target, image_lease_id
from imagelookup.stores.memory import DOCKER_MANIFEST
from servicekit import new_image


def hex_of(image: Image) -> str:
    return image.id.removeprefix("sha256:")


def image_with_alpha_prefix(store: MemoryStore, length: int) -> Image:
    """An image whose ID starts with ``length`` hex digits that are not all decimal digits."""
    while True:
        image = new_image(store)
        if not hex_of(image)[:length].isdigit():
            return image


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("Ubuntu", id="uppercase"),
        pytest.param("ubuntu:", id="empty-tag"),
        pytest.param("a:b:c", id="two-colons"),
        pytest.param("ubuntu@sha256:abc", id="short-digest"),
        pytest.param("-ubuntu", id="leading-dash"),
        pytest.param("ubuntu:" + "a" * 129, id="tag-too-long"),
    ],
)
def test_parse_error_is_the_reference_modules_error_unchanged(svc: ImageService, text: str) -> None:
    with pytest.raises(errors.InvalidParameter) as expected:
        reference.parse_any(text)
    with pytest.raises(errors.InvalidParameter) as got:
        svc.get_image(text)
    assert type(got.value) is type(expected.value)
    assert str(got.value) == str(expected.value)
    assert isinstance(got.value, ValueError)


def test_parse_error_wins_over_a_platform(svc: ImageService) -> None:
    with pytest.raises(errors.InvalidParameter):
        svc.get_image("Ubuntu", platform="linux/amd64")


# --- digest-only references --------------------------------------------------------------------


def test_digest_reference_found_in_image_store(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store)
    assert svc.get_image(image.id) == image


def test_bare_64_hex_is_a_digest_reference(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store)
    assert svc.get_image(hex_of(image)) == image


def test_digest_reference_not_found_names_the_digest(svc: ImageService) -> None:
    missing = "sha256:" + "ab" * 32
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image(missing)
    assert str(exc.value) == f"No such image: {missing}"


def test_bare_64_hex_not_found_names_the_digest(svc: ImageService) -> None:
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image("cd" * 32)
    assert str(exc.value) == "No such image: sha256:" + "cd" * 32


def test_digest_reference_ignores_the_reference_store(
    store: MemoryStore, svc: ImageService
) -> None:
    image = new_image(store)
    missing = "sha256:" + "ef" * 32
    # A tag whose name spells the digest cannot exist; the digest goes to the image store only.
    store.references.add("example/app:1", Target(image.id))
    with pytest.raises(errors.ImageNotFound):
        svc.get_image(missing)


# --- named references -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tagged", "lookup"),
    [
        pytest.param("ubuntu", "ubuntu", id="bare-name-is-latest"),
        pytest.param("ubuntu:latest", "ubuntu", id="latest-by-bare-name"),
        pytest.param("ubuntu", "ubuntu:latest", id="bare-tag-by-latest"),
        pytest.param("ubuntu:22.04", "ubuntu:22.04", id="tag"),
        pytest.param("ubuntu:22.04", "docker.io/library/ubuntu:22.04", id="canonical-name"),
        pytest.param("ubuntu:22.04", "index.docker.io/library/ubuntu:22.04", id="index-alias"),
        pytest.param("library/ubuntu:1", "ubuntu:1", id="library-prefix"),
        pytest.param("foo/bar", "docker.io/foo/bar", id="user-repo"),
        pytest.param("localhost:5000/app:1", "localhost:5000/app:1", id="registry-port"),
        pytest.param("ghcr.io/o/app:v1.2", "ghcr.io/o/app:v1.2", id="other-registry"),
    ],
)
def test_named_reference_found_in_reference_store(
    store: MemoryStore, svc: ImageService, tagged: str, lookup: str
) -> None:
    image = new_image(store)
    store.tag(tagged, image)
    assert svc.get_image(lookup) == image


def test_other_tag_of_same_name_is_not_found(store: MemoryStore, svc: ImageService) -> None:
    store.tag("ubuntu:22.04", new_image(store))
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image("ubuntu")
    assert str(exc.value) == "No such image: ubuntu:latest"


def test_name_with_digest_found_in_reference_store(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store)
    manifest = "sha256:" + "12" * 32
    store.tag(f"ubuntu@{manifest}", image)
    assert svc.get_image(f"ubuntu@{manifest}") == image
    assert svc.get_image(f"docker.io/library/ubuntu@{manifest}") == image


def test_name_with_tag_and_digest_is_looked_up_by_digest(
    store: MemoryStore, svc: ImageService
) -> None:
    image = new_image(store)
    manifest = "sha256:" + "34" * 32
    store.tag(f"ubuntu@{manifest}", image)
    assert svc.get_image(f"ubuntu:whatever@{manifest}") == image


def test_name_with_digest_does_not_match_the_tag(store: MemoryStore, svc: ImageService) -> None:
    store.tag("ubuntu", new_image(store))
    digest = "sha256:" + "56" * 32
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image(f"ubuntu@{digest}")
    assert str(exc.value) == f"No such image: ubuntu@{digest}"


def test_reference_to_missing_image_falls_through_to_not_found(
    store: MemoryStore, svc: ImageService
) -> None:
    store.tag("ghost", "sha256:" + "78" * 32)
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image("ghost")
    assert str(exc.value) == "No such image: ghost:latest"


def test_reference_to_missing_image_falls_through_to_id_search(
    store: MemoryStore, svc: ImageService
) -> None:
    image = image_with_alpha_prefix(store, 12)
    prefix = hex_of(image)[:12]
    store.tag(prefix, "sha256:" + "9a" * 32)  # a name that is also the image's ID prefix
    assert svc.get_image(prefix) == image


def test_reference_wins_over_id_prefix(store: MemoryStore, svc: ImageService) -> None:
    by_prefix = image_with_alpha_prefix(store, 8)
    by_name = new_image(store)
    prefix = hex_of(by_prefix)[:8]
    store.tag(prefix, by_name)
    assert svc.get_image(prefix) == by_name
    assert svc.get_image("sha256:" + prefix) == by_prefix


# --- ID prefix search --------------------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 4, 12, 63], ids=lambda n: f"{n}-hex")
def test_bare_hex_prefix_found_by_search(
    store: MemoryStore, svc: ImageService, length: int
) -> None:
    image = image_with_alpha_prefix(store, length)
    assert svc.get_image(hex_of(image)[:length]) == image


@pytest.mark.parametrize("length", [1, 4, 12, 63], ids=lambda n: f"{n}-hex")
def test_algorithm_prefix_found_by_search(
    store: MemoryStore, svc: ImageService, length: int
) -> None:
    # "sha256:abcd" parses as name "sha256", tag "abcd"; the raw input is then an ID prefix.
    image = new_image(store)
    assert svc.get_image("sha256:" + hex_of(image)[:length]) == image


def test_search_uses_the_raw_input(store: MemoryStore, svc: ImageService) -> None:
    image = image_with_alpha_prefix(store, 6)
    prefix = hex_of(image)[:6]
    # "docker.io/library/<prefix>" is the same reference, but not an ID prefix.
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image(f"docker.io/library/{prefix}")
    assert str(exc.value) == f"No such image: {prefix}:latest"
    with pytest.raises(errors.ImageNotFound):
        svc.get_image(f"{prefix}:latest")


def test_ambiguous_prefix_is_not_found(store: MemoryStore, svc: ImageService) -> None:
    seen: dict[str, Image] = {}
    while True:
        image = new_image(store)
        first = hex_of(image)[0]
        if first in seen and not first.isdigit():
            break
        seen.setdefault(first, image)
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image(first)
    assert str(exc.value) == f"No such image: {first}:latest"
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image(f"sha256:{first}")
    assert str(exc.value) == f"No such image: sha256:{first}"
    assert any(step.outcome == "ambiguous ID prefix" for step in exc.value.steps)


def test_uppercase_prefix_is_not_an_id(store: MemoryStore, svc: ImageService) -> None:
    image = image_with_alpha_prefix(store, 8)
    with pytest.raises(errors.ImageNotFound):
        svc.get_image("sha256:" + hex_of(image)[:8].upper())


class _SearchOnlyImages:
    """An image store whose search finds an ID that get then cannot find."""

    def __init__(self, found: str) -> None:
        self.found = found

    def get(self, image_id: str) -> Image:
        raise errors.NotFound(f"No such image: {image_id}")

    def search(self, prefix: str) -> str:
        return self.found


def test_search_hit_but_get_fails_is_not_found(store: MemoryStore) -> None:
    images = _SearchOnlyImages("sha256:" + "ab" * 32)
    svc = ImageService(images, store.references, store.content, store.leases)
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image("abab")
    assert str(exc.value) == "No such image: abab:latest"


# --- not-found messages ------------------------------------------------------------------------

_DIGEST = "sha256:" + "0f" * 32


@pytest.mark.parametrize(
    ("lookup", "message"),
    [
        pytest.param("ubuntu", "No such image: ubuntu:latest", id="bare-name"),
        pytest.param("abc", "No such image: abc:latest", id="short-name"),
        pytest.param("foo/bar", "No such image: foo/bar:latest", id="user-repo"),
        pytest.param("docker.io/library/ubuntu:22.04", "No such image: ubuntu:22.04", id="full"),
        pytest.param("library/ubuntu", "No such image: ubuntu:latest", id="library"),
        pytest.param(
            "localhost:5000/app", "No such image: localhost:5000/app:latest", id="registry"
        ),
        pytest.param(f"ubuntu@{_DIGEST}", f"No such image: ubuntu@{_DIGEST}", id="name-digest"),
        pytest.param(
            f"ubuntu:1@{_DIGEST}", f"No such image: ubuntu:1@{_DIGEST}", id="name-tag-digest"
        ),
        pytest.param("sha256:abcdef", "No such image: sha256:abcdef", id="algorithm-as-name"),
        pytest.param(_DIGEST, f"No such image: {_DIGEST}", id="digest"),
        pytest.param("0f" * 32, f"No such image: {_DIGEST}", id="64-hex"),
    ],
)
def test_not_found_message(svc: ImageService, lookup: str, message: str) -> None:
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image(lookup)
    assert str(exc.value) == message
    assert isinstance(exc.value, errors.NotFound)
    assert isinstance(exc.value, LookupError)


def test_not_found_with_platform_is_not_a_mismatch(svc: ImageService) -> None:
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image("ubuntu", platform="linux/arm64")
    assert not isinstance(exc.value, errors.PlatformMismatch)
    assert exc.value.wanted == platforms.parse("linux/arm64")


def test_not_found_details(svc: ImageService) -> None:
    with pytest.raises(errors.ImageNotFound) as exc:
        svc.get_image("ubuntu:1")
    err = exc.value
    assert err.ref_or_id == "ubuntu:1"
    assert str(err.reference) == "docker.io/library/ubuntu:1"
    assert err.wanted is None
    assert err.actual is None
    assert err.available == ()
    assert err.candidates == ()
    assert [s.action for s in err.steps] == ["reference", "search"]


# --- the platform check ------------------------------------------------------------------------


def _mismatch_first_line(ref: str, wanted: str, actual: str) -> str:
    return (
        f"image with reference {ref} was found but does not match the specified platform: "
        f"wanted {wanted}, actual: {actual}"
    )


@pytest.mark.parametrize(
    ("config", "wanted"),
    [
        pytest.param(("amd64", ""), "linux/amd64", id="same"),
        pytest.param(("arm", ""), "linux/arm/v6", id="arm-no-variant-wanted-v6"),
        pytest.param(("arm", ""), "linux/arm/v7", id="arm-no-variant-wanted-v7"),
        pytest.param(("arm", ""), "linux/arm/v8", id="moby-fallback-no-variant"),
        pytest.param(("arm", "v8"), "linux/arm/v8", id="moby-fallback-with-variant"),
        pytest.param(("arm", "v6"), "linux/arm/v7", id="v7-runs-v6"),
        pytest.param(("arm64", ""), "linux/arm64/v8", id="arm64-no-variant-wanted-v8"),
        pytest.param(("arm64", "v8"), "linux/arm64", id="arm64-v8-wanted-arm64"),
        pytest.param(("aarch64", ""), "linux/arm64", id="aarch64-alias"),
        pytest.param(("x86_64", ""), "linux/amd64", id="x86_64-alias"),
        pytest.param(("386", ""), "linux/amd64", id="amd64-runs-386"),
        pytest.param(("amd64", ""), "linux/amd64/v2", id="amd64v2-runs-amd64"),
        pytest.param(("amd64", "v1"), "linux/amd64", id="amd64-v1"),
        pytest.param(("arm64", ""), "linux/arm64/v8.2", id="fallback-arm64-v8.2"),
        pytest.param(("arm", "v7"), "linux/arm64", id="arm64-runs-arm-v7"),
    ],
)
def test_config_platform_accepted(
    store: MemoryStore, svc: ImageService, config: tuple[str, str], wanted: str
) -> None:
    image = new_image(store, *config, tags=["app"])
    assert svc.get_image("app", platform=wanted) == image
    assert svc.explain("app", platform=wanted).matched_by == "config"


@pytest.mark.parametrize(
    ("config", "wanted", "actual"),
    [
        pytest.param(("amd64", ""), "linux/arm64", "linux/amd64", id="other-arch"),
        pytest.param(("arm", "v7"), "linux/arm/v6", "linux/arm/v7", id="v6-cannot-run-v7"),
        pytest.param(("arm", "v8"), "linux/arm/v7", "linux/arm/v8", id="variant-set-no-fallback"),
        pytest.param(("amd64", "v2"), "linux/amd64", "linux/amd64/v2", id="amd64-cannot-run-v2"),
        pytest.param(("arm64", "v9"), "linux/arm64", "linux/arm64/v9", id="arm64-cannot-run-v9"),
        pytest.param(("arm64", ""), "linux/arm/v7", "linux/arm64", id="fallback-needs-same-arch"),
        pytest.param(("amd64", ""), "windows/amd64", "linux/amd64", id="other-os"),
        pytest.param(("", ""), "linux/amd64", "linux", id="empty-arch"),
    ],
)
def test_config_platform_mismatch_message(
    store: MemoryStore, svc: ImageService, config: tuple[str, str], wanted: str, actual: str
) -> None:
    new_image(store, *config, tags=["app:1"])
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app:1", platform=wanted)
    wanted_text = platforms.format(platforms.parse(wanted))
    assert str(exc.value).split("\n")[0] == _mismatch_first_line("app:1", wanted_text, actual)
    assert isinstance(exc.value, errors.NotFound)
    assert not isinstance(exc.value, errors.ImageNotFound)


def test_mismatch_names_the_raw_input_and_unnormalized_actual(
    store: MemoryStore, svc: ImageService
) -> None:
    image = new_image(store, "x86_64", "", tags=["docker.io/library/app"])
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image(hex_of(image)[:10], platform="linux/arm64")
    assert str(exc.value).split("\n")[0] == _mismatch_first_line(
        hex_of(image)[:10], "linux/arm64", "linux/x86_64"
    )


def test_mismatch_on_empty_os_formats_unknown(store: MemoryStore, svc: ImageService) -> None:
    new_image(store, "amd64", os="", tags=["app"])
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app", platform="windows/amd64")
    assert str(exc.value).split("\n")[0] == _mismatch_first_line("app", "windows/amd64", "unknown")


def test_no_platform_means_no_check(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "s390x", tags=["app"])
    assert svc.get_image("app") == image
    assert svc.explain("app").matched_by is None


@pytest.mark.parametrize(
    "wanted",
    [
        pytest.param(Platform("linux", "arm64"), id="Platform"),
        pytest.param("linux/arm64", id="specifier"),
        pytest.param("linux/aarch64", id="specifier-alias"),
        pytest.param({"os": "linux", "architecture": "arm64"}, id="oci-mapping"),
        pytest.param({"os": "linux", "architecture": "arm64", "variant": "v8"}, id="oci-v8"),
    ],
)
def test_platform_argument_forms(store: MemoryStore, svc: ImageService, wanted: Any) -> None:
    image = new_image(store, "arm64", tags=["app"])
    other = new_image(store, "amd64", tags=["other"])
    assert svc.get_image("app", platform=wanted) == image
    with pytest.raises(errors.PlatformMismatch):
        svc.get_image("other", platform=wanted)
    assert other.architecture == "amd64"


def test_invalid_platform_specifier(store: MemoryStore, svc: ImageService) -> None:
    new_image(store, tags=["app"])
    with pytest.raises(errors.InvalidParameter) as expected:
        platforms.parse("linux/arm/v7/extra/x")
    with pytest.raises(errors.InvalidParameter) as got:
        svc.get_image("app", platform="linux/arm/v7/extra/x")
    assert str(got.value) == str(expected.value)


def test_platform_of_wrong_type(svc: ImageService) -> None:
    with pytest.raises(TypeError):
        svc.get_image("app", platform=42)  # type: ignore[arg-type]


# --- the manifest-list fallback (manifestMatchesPlatform) --------------------------------------


def test_list_right_while_config_wrong(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])  # a config that lies
    other = new_image(store, "amd64")
    store.add_index([(other, "linux/amd64"), (image, "linux/arm64/v8")], lease_for=[image])
    assert svc.get_image("app", platform="linux/arm64") == image
    explained = svc.explain("app", platform="linux/arm64")
    assert explained.matched_by == "manifest-list"
    assert [c.verdict.value for c in explained.candidates] == ["platform", "accepted"]


def test_arm64_config_without_variant_and_list_saying_v8(
    store: MemoryStore, svc: ImageService
) -> None:
    image = new_image(store, "arm64", tags=["app"])
    store.add_index(
        [(image, {"os": "linux", "architecture": "arm64", "variant": "v8"})], lease_for=[image]
    )
    for wanted in ["linux/arm64", "linux/arm64/v8"]:
        assert svc.get_image("app", platform=wanted) == image


def test_arm_config_without_variant_wanted_v6(store: MemoryStore, svc: ImageService) -> None:
    # only(arm/v6) rejects "arm" (normalized to v7); moby's fallback accepts it.
    image = new_image(store, "arm", tags=["app"])
    assert svc.get_image("app", platform="linux/arm/v6") == image
    assert svc.explain("app", platform="linux/arm/v6").matched_by == "config"


def test_list_check_is_strict_only_without_fallback(store: MemoryStore, svc: ImageService) -> None:
    # The config is wrong; the list says "linux/arm" without variant, which strict only(arm/v6)
    # reads as arm/v7 and rejects (the fallback matcher would have accepted it).
    image = new_image(store, "amd64", tags=["app"])
    store.add_index([(image, {"os": "linux", "architecture": "arm"})], lease_for=[image])
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app", platform="linux/arm/v6")
    assert [c.verdict.value for c in exc.value.candidates] == ["platform"]
    assert svc.get_image("app", platform="linux/arm/v7") == image


def test_list_entries_are_compared_on_os_arch_variant_only(
    store: MemoryStore, svc: ImageService
) -> None:
    image = new_image(store, "amd64", tags=["app"])
    entry = {"os": "linux", "architecture": "arm64", "os.features": ["nonexistent-feature"]}
    store.add_index([(image, entry)], lease_for=[image])
    assert svc.get_image("app", platform="linux/arm64") == image


def test_docker_manifest_list(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    store.add_index(
        [(image, "linux/arm/v7")],
        media_type="application/vnd.docker.distribution.manifest.list.v2+json",
        lease_for=[image],
    )
    assert svc.get_image("app", platform="linux/arm/v7") == image


def test_list_naming_the_image_for_another_platform(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    store.add_index([(image, "linux/amd64")], lease_for=[image])
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app", platform="linux/arm64")
    err = exc.value
    assert err.available == (platforms.parse("linux/amd64"),)
    assert [c.verdict.value for c in err.candidates] == ["platform"]


def test_list_entry_for_platform_but_another_config(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    arm = new_image(store, "arm64")
    store.add_index([(image, "linux/amd64"), (arm, "linux/arm64")], lease_for=[image])
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app", platform="linux/arm64")
    verdicts = {c.digest: c.verdict.value for c in exc.value.candidates}
    assert sorted(verdicts.values()) == ["other-image", "platform"]
    other = next(c for c in exc.value.candidates if c.verdict.value == "other-image")
    assert arm.id in other.reason


def test_no_lease_means_no_lists(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    store.add_index([(image, "linux/arm64")])  # written, but not leased for the image
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app", platform="linux/arm64")
    assert exc.value.available == ()
    assert any(s.action == "lease" and "no such lease" in s.outcome for s in exc.value.steps)


def test_empty_lease(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    store.leases.add(image_lease_id(image.id))
    with pytest.raises(errors.PlatformMismatch):
        svc.get_image("app", platform="linux/arm64")


def test_lease_resources_are_read_in_order_until_a_match(
    store: MemoryStore, svc: ImageService
) -> None:
    image = new_image(store, "amd64", tags=["app"])
    missing = "sha256:" + "11" * 32
    garbage = store.add_blob(b"\x00not json")
    manifest = store.add_manifest(image)
    good = store.add_index([(image, "linux/arm64")])
    store.lease(image, missing, garbage, manifest, good)
    explained = svc.explain("app", platform="linux/arm64")
    assert explained.image == image
    outcomes = [s for s in explained.steps if s.action == "manifest-list"]
    assert [s.subject for s in outcomes] == [missing, garbage, manifest.digest, good.digest]
    assert outcomes[0].outcome == "skipped: not in the content store"
    assert outcomes[1].outcome.startswith("skipped: ")


def test_oversize_list_is_skipped(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    big = store.add_index([(image, "linux/arm64")], annotations={"padding": "x" * 1_000_000})
    with pytest.raises(errors.PlatformMismatch):
        svc.get_image("app", platform="linux/arm64")
    small = store.add_index([(image, "linux/arm64")])
    store.lease(image, big, small)
    assert svc.get_image("app", platform="linux/arm64") == image


def test_list_of_exactly_the_limit_is_read(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    probe = store.add_index([(image, "linux/arm64")], annotations={"padding": ""})
    pad = 1_000_000 - store.content.size(probe.digest)
    exact = store.add_index([(image, "linux/arm64")], annotations={"padding": "x" * pad})
    assert store.content.size(exact.digest) == 1_000_000
    store.lease(image, exact)
    assert svc.get_image("app", platform="linux/arm64") == image


@pytest.mark.parametrize(
    "blob",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"{", id="truncated"),
        pytest.param(b"[1, 2]", id="array"),
        pytest.param(b'{"manifests": "nope"}', id="wrong-type"),
        pytest.param(b"\xef\xbb\xbf{}", id="bom"),
    ],
)
def test_malformed_list_is_skipped(store: MemoryStore, svc: ImageService, blob: bytes) -> None:
    image = new_image(store, "amd64", tags=["app"])
    store.lease(image, store.add_blob(blob))
    with pytest.raises(errors.PlatformMismatch):
        svc.get_image("app", platform="linux/arm64")
    store.lease(image, store.add_index([(image, "linux/arm64")]))
    assert svc.get_image("app", platform="linux/arm64") == image


def test_manifest_entries_only(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    manifest = store.add_manifest(image)
    nested = store.add_index([(image, "linux/arm64")])
    odd = Entry(manifest.digest, manifest.size, "application/vnd.example+json")
    outer = store.add_index([(nested, "linux/arm64"), (odd, "linux/arm64")])
    store.lease(image, outer)  # the nested index itself is not leased
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app", platform="linux/arm64")
    assert [c.verdict.value for c in exc.value.candidates] == ["media-type", "media-type"]


def test_absent_manifest_is_skipped(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    manifest = store.add_manifest(image)
    store.add_index([(manifest, "linux/arm64")], lease_for=[image])
    store.content.remove(manifest.digest)
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app", platform="linux/arm64")
    assert [c.verdict.value for c in exc.value.candidates] == ["absent"]


def test_oversize_manifest_is_skipped(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    body = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "x", "digest": image.id, "size": len(image.raw)},
        "layers": [],
        "annotations": {"padding": "x" * 1_000_000},
    }
    raw = orjson.dumps(body)
    digest = store.add_blob(raw)
    entry = manifest_entry(digest, len(raw))
    store.add_index([(entry, "linux/arm64")], lease_for=[image])
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app", platform="linux/arm64")
    assert [c.verdict.value for c in exc.value.candidates] == ["unreadable"]


def manifest_entry(digest: str, size: int) -> Entry:
    return Entry(digest, size, "application/vnd.oci.image.manifest.v1+json")


@pytest.mark.parametrize(
    "blob",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b'{"config": 7}', id="config-wrong-type"),
    ],
)
def test_malformed_manifest_is_skipped(store: MemoryStore, svc: ImageService, blob: bytes) -> None:
    image = new_image(store, "amd64", tags=["app"])
    entry = manifest_entry(store.add_blob(blob), len(blob))
    store.add_index([(entry, "linux/arm64")], lease_for=[image])
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app", platform="linux/arm64")
    assert [c.verdict.value for c in exc.value.candidates] == ["unreadable"]


class _FlakyContent:
    """A content store that fails reads of some digests with a given error."""

    def __init__(self, inner: Any, failing: dict[str, errors.ImageLookupError]) -> None:
        self.inner = inner
        self.failing = failing

    def read(self, digest: str, limit: int) -> bytes:
        if digest in self.failing:
            raise self.failing[digest]
        data: bytes = self.inner.read(digest, limit)
        return data

    def size(self, digest: str) -> int:
        size: int = self.inner.size(digest)
        return size


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(
            errors.DigestMismatch("bad", expected="sha256:a", actual="sha256:b"), id="mismatch"
        ),
        pytest.param(errors.StoreError("disk on fire"), id="store-error"),
        pytest.param(errors.InvalidDigest("invalid checksum digest format"), id="bad-digest"),
    ],
)
def test_unreadable_blobs_are_skipped(store: MemoryStore, failure: errors.ImageLookupError) -> None:
    image = new_image(store, "amd64", tags=["app"])
    bad_list = store.add_index([(image, "linux/arm64")])
    manifest = store.add_manifest(image, media_type=DOCKER_MANIFEST)
    good_list = store.add_index([(manifest, "linux/arm64"), (image, "linux/arm64")])
    store.lease(image, bad_list, good_list)
    content = _FlakyContent(store.content, {bad_list.digest: failure, manifest.digest: failure})
    svc = ImageService(store.images, store.references, content, store.leases)
    explained = svc.explain("app", platform="linux/arm64")
    assert explained.image == image
    assert [c.verdict.value for c in explained.candidates] == ["unreadable", "accepted"]


class _BrokenLeases:
    def resources(self, lease_id: str) -> Sequence[str]:
        raise errors.StoreError("lease database unavailable")


def test_lease_store_error_is_raised(store: MemoryStore) -> None:
    new_image(store, "amd64", tags=["app"])
    svc = ImageService(store.images, store.references, store.content, _BrokenLeases())
    with pytest.raises(errors.StoreError, match="lease database unavailable"):
        svc.get_image("app", platform="linux/arm64")
    assert svc.get_image("app", platform="linux/amd64").architecture == "amd64"


# --- details of a mismatch ---------------------------------------------------------------------


def test_mismatch_details(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app:2"])
    arm = new_image(store, "arm", "v7")
    store.add_index([(image, "linux/amd64"), (arm, "linux/arm/v7")], lease_for=[image])
    with pytest.raises(errors.PlatformMismatch) as exc:
        svc.get_image("app:2", platform="linux/arm64")
    err = exc.value
    assert err.ref_or_id == "app:2"
    assert str(err.reference) == "docker.io/library/app:2"
    assert err.wanted == platforms.parse("linux/arm64")
    assert err.actual == Platform("linux", "amd64")
    assert err.available == (Platform("linux", "amd64"), Platform("linux", "arm", "v7"))
    assert [(c.verdict.value, c.accepted) for c in err.candidates] == [
        ("platform", False),
        ("other-image", False),
    ]
    lines = str(err).split("\n")
    assert lines[0] == _mismatch_first_line("app:2", "linux/arm64", "linux/amd64")
    assert lines[1] == "platforms in the manifest lists consulted: linux/amd64, linux/arm/v7"
    assert len(lines) == 4


def test_errors_pickle_with_their_details(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    store.add_index([(image, "linux/amd64")], lease_for=[image])
    for lookup, platform in [("app", "linux/arm64"), ("nothing", None)]:
        with pytest.raises(errors.NotFound) as exc:
            svc.get_image(lookup, platform=platform)
        again = pickle.loads(pickle.dumps(exc.value))
        assert type(again) is type(exc.value)
        assert str(again) == str(exc.value)
        assert again.candidates == exc.value.candidates
        assert again.wanted == exc.value.wanted
        assert again.steps == exc.value.steps


# --- the service itself ------------------------------------------------------------------------


def test_from_store_and_explicit_stores_agree(store: MemoryStore) -> None:
    image = new_image(store, tags=["app"])
    a = ImageService.from_store(store)
    b = ImageService(store.images, store.references, store.content, store.leases)
    assert a.get_image("app") == b.get_image("app") == image
    assert a.images is store.images
    assert a.references is store.references
    assert a.content is store.content
    assert a.leases is store.leases


def test_read_limit_must_be_positive(store: MemoryStore) -> None:
    with pytest.raises(errors.InvalidParameter):
        ImageService.from_store(store, read_limit=0)


def test_returned_image_fields(store: MemoryStore, svc: ImageService) -> None:
    image = store.add_image(
        architecture="arm64",
        variant="v8",
        os="linux",
        config={"config": {"Env": ["A=1"]}},
        tags=["app"],
    )
    got = svc.get_image("app")
    assert got.id == image.id
    assert (got.os, got.architecture, got.variant) == ("linux", "arm64", "v8")
    assert got.platform == Platform("linux", "arm64", "v8")
    assert got.config["config"]["Env"] == ["A=1"]
    assert got.manifest_digest is None and got.index_digest is None
    assert got.raw == store.content.read(image.id, 10_000)


def test_target_with_image_id_media_type(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store)
    store.references.add("app", Target(image.id, IMAGE_ID))
    assert svc.get_image("app") == image
