"""The OCI layout store, end to end: layouts written by skopeo from images the tests build,
looked up through ``ImageService.get_image``; the store protocols directly; hostile layouts."""

from __future__ import annotations

import filecmp
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import imagelookup
import pytest
from conftest import require_tool
from imagebuild import (
    DOCKER_LIST,
    OCI_INDEX,
    LayoutBuilder,
    canonical_json,
    sha256,
    skopeo_copy,
    write_dir_transport,
)
from imagelookup import errors, platforms
from imagelookup.service import ImageService
from imagelookup.stores import OCILayoutStore, Store

REPO = Path(__file__).resolve().parent.parent
AMD64 = ("linux", "amd64", "")
ARM64 = ("linux", "arm64", "v8")
ARMV7 = ("linux", "arm", "v7")


class Built:
    """What the source layout holds, by name."""

    def __init__(self, root: Path) -> None:
        b = LayoutBuilder(root)
        self.app = b.multi_platform(
            "app",
            [AMD64, ARM64, ARMV7],
            attestations=True,
            config_platforms={ARM64: ("linux", "arm64", ""), ARMV7: ("linux", "arm", "")},
        )
        b.tag(self.app, "1.0", "docker.io/library/app:1.0")
        self.liar = b.multi_platform(
            "liar", [("linux", "arm64", "")], config_platforms={("linux", "arm64", ""): AMD64}
        )
        b.tag(self.liar, "liar")
        self.dock = b.multi_platform("dock", [AMD64, ARMV7], docker=True)
        b.tag(self.dock, "dock")
        inner = b.multi_platform("inner", [AMD64, ("linux", "s390x", "")])
        self.inner = inner
        self.nested = b.index([{k: inner[k] for k in ("mediaType", "digest", "size")}])
        b.tag(self.nested, "nested")
        self.single = b.image("single", "linux", "riscv64")
        b.tag(self.single.descriptor, "single")
        self.root = b.write()

    def image_id(self, name: str, platform: tuple[str, str, str]) -> str:
        return str(getattr(self, name)["images"][platform].config_digest)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return Built(tmp_path_factory.mktemp("src") / "layout")


@pytest.fixture(scope="module")
def copied(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A layout written by skopeo: every tag copied with ``--all``."""
    skopeo = require_tool("skopeo")
    dst = tmp_path_factory.mktemp("dst") / "layout"
    for tag in ("1.0", "docker.io/library/app:1.0", "liar"):
        skopeo_copy(skopeo, f"oci:{built.root}:{tag}", f"oci:{dst}:{tag}", "--all")
    # skopeo reads a Docker manifest list from its dir: format (its OCI-layout reader accepts
    # only OCI media types) and converts it to an OCI index on the way into the layout.
    source = write_dir_transport(built.root, built.dock["digest"], dst.parent / "dock-dir")
    skopeo_copy(skopeo, f"dir:{source}", f"oci:{dst}:dock", "--all")
    return dst


@pytest.fixture(scope="module")
def service(copied: Path) -> ImageService:
    return ImageService.from_store(imagelookup.open(copied))


@pytest.fixture(scope="module")
def raw_service(built: Built) -> ImageService:
    """Over the layout this suite wrote itself (Docker media types and nesting kept)."""
    return ImageService.from_store(OCILayoutStore(built.root))


# --- through get_image, on what skopeo wrote -------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "platform", "name", "expected"),
    [
        pytest.param("app:1.0", "linux/amd64", "app", AMD64, id="short-tag-amd64"),
        pytest.param("app:1.0", "linux/arm64", "app", ARM64, id="arm64-config-without-variant"),
        pytest.param("app:1.0", "linux/arm64/v8", "app", ARM64, id="arm64-v8-wanted"),
        pytest.param("app:1.0", "linux/arm/v7", "app", ARMV7, id="armv7-config-without-variant"),
        pytest.param("app:1.0", "linux/arm", "app", ARMV7, id="arm-defaults-to-v7"),
        pytest.param(
            "docker.io/library/app:1.0", "linux/arm64", "app", ARM64, id="full-name-entry"
        ),
        pytest.param("other/thing:1.0", "linux/amd64", "app", AMD64, id="short-tag-any-repo"),
        pytest.param("app:liar", "linux/arm64", "liar", ("linux", "arm64", ""), id="one-platform"),
    ],
)
def test_tag_resolves_for_platform(
    service: ImageService,
    built: Built,
    ref: str,
    platform: str,
    name: str,
    expected: tuple[str, str, str],
) -> None:
    image = service.get_image(ref, platform=platforms.parse(platform))
    assert image.id == built.image_id(name, expected)


@pytest.mark.parametrize("wanted", ["linux/amd64", "linux/arm/v7"])
def test_docker_list_converted_by_skopeo(service: ImageService, copied: Path, wanted: str) -> None:
    # skopeo turned the Docker list into an OCI index and re-encoded the configs (new IDs).
    image = service.get_image("app:dock", platform=platforms.parse(wanted))
    assert platforms.format(image.platform) == wanted
    assert image.id in OCILayoutStore(copied).images.ids()
    assert image.manifest_digest == _copied(copied, "dock")[1][wanted]


def test_manifest_and_index_reported(service: ImageService, copied: Path) -> None:
    # skopeo compressed the layers on the way, so manifests and index have new digests.
    index, entries = _copied(copied, "1.0")
    image = service.get_image("app:1.0", platform=platforms.parse("linux/arm/v7"))
    assert image.index_digest == index
    assert image.manifest_digest == entries["linux/arm/v7"]


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda i: i, id="full-id"),
        pytest.param(lambda i: i[7:], id="bare-hex"),
        pytest.param(lambda i: i[:19], id="algorithm-prefix"),
        pytest.param(lambda i: i[7:19], id="short-prefix"),
    ],
)
def test_image_id_forms(service: ImageService, built: Built, form: Any) -> None:
    image_id = built.image_id("app", ARMV7)
    assert service.get_image(form(image_id)).id == image_id


def test_digest_reference_to_index(service: ImageService, built: Built, copied: Path) -> None:
    ref = f"app@{_copied(copied, '1.0')[0]}"
    image = service.get_image(ref, platform=platforms.parse("linux/arm/v7"))
    assert image.id == built.image_id("app", ARMV7)


def test_digest_reference_to_manifest(service: ImageService, built: Built, copied: Path) -> None:
    manifest = _copied(copied, "1.0")[1]["linux/arm64/v8"]
    image = service.get_image(f"app@{manifest}", platform=platforms.parse("linux/arm64"))
    assert image.id == built.image_id("app", ARM64)


def test_config_wrong_list_right_uses_lease_fallback(service: ImageService, built: Built) -> None:
    # The config says amd64, the list says arm64: by ID, moby accepts arm64 through the list.
    image_id = built.image_id("liar", ("linux", "arm64", ""))
    image = service.get_image(image_id, platform=platforms.parse("linux/arm64"))
    assert image.id == image_id
    assert image.architecture == "amd64"


def test_missing_platform_lists_available(service: ImageService) -> None:
    with pytest.raises(errors.NotFound) as info:
        service.get_image("app:1.0", platform=platforms.parse("linux/s390x"))
    text = str(info.value) + repr(getattr(info.value, "available", ""))
    for available in ("linux/amd64", "linux/arm64", "linux/arm/v7"):
        assert available in text


def test_attestations_are_not_images(copied: Path, built: Built) -> None:
    store = OCILayoutStore(copied)
    images = store.images
    ids = set(images.ids())
    for entry in _index_entries(copied, _copied(copied, "1.0")[0]):
        if entry.get("annotations", {}).get("vnd.docker.reference.type"):
            config = json.loads(store.content.read(entry["digest"], 1 << 20))["config"]["digest"]
            assert config not in ids
            with pytest.raises(errors.NotFound):
                images.get(config)
    assert built.image_id("app", AMD64) in ids


def test_unknown_tag_is_image_not_found(service: ImageService) -> None:
    with pytest.raises(errors.ImageNotFound, match=r"^No such image: nope:latest"):
        service.get_image("nope")


# --- layouts skopeo cannot write: Docker media types kept, nested index ----------------------


def test_docker_media_type_list(raw_service: ImageService, built: Built) -> None:
    assert json.loads((built.root / "index.json").read_bytes())["manifests"][3]["mediaType"] == (
        DOCKER_LIST
    )
    image = raw_service.get_image("app:dock", platform=platforms.parse("linux/arm/v7"))
    assert image.id == built.image_id("dock", ARMV7)


def test_nested_index(raw_service: ImageService, built: Built) -> None:
    image = raw_service.get_image("app:nested", platform=platforms.parse("linux/s390x"))
    assert image.id == built.image_id("inner", ("linux", "s390x", ""))
    assert built.image_id("inner", AMD64) in OCILayoutStore(built.root).images.ids()


def test_manifest_tag_single_image(raw_service: ImageService, built: Built) -> None:
    image = raw_service.get_image("app:single", platform=platforms.parse("linux/riscv64"))
    assert image.id == built.single.config_digest


# --- the store protocols directly ------------------------------------------------------------


def test_store_protocols(copied: Path) -> None:
    store = OCILayoutStore(copied)
    assert isinstance(store, Store)


def test_lease_holds_index_then_manifest(copied: Path, built: Built) -> None:
    store = OCILayoutStore(copied)
    image_id = built.image_id("app", ARM64)
    held = store.leases.resources(f"moby-image-{image_id}")
    index, entries = _copied(copied, "1.0")
    assert list(held) == [index, entries["linux/arm64/v8"]]
    with pytest.raises(errors.NotFound):
        store.leases.resources("moby-image-sha256:" + "0" * 64)


def test_reference_targets(copied: Path, built: Built) -> None:
    store = OCILayoutStore(copied)
    parse = imagelookup.reference.parse_normalized_named
    target = store.references.get(parse("app:1.0"))
    assert (target.digest, target.media_type) == (_copied(copied, "1.0")[0], OCI_INDEX)
    with pytest.raises(errors.NotFound):
        store.references.get(parse("app:2.0"))


def test_repository_option_limits_short_tags(copied: Path) -> None:
    store = OCILayoutStore(copied, repository="app")
    parse = imagelookup.reference.parse_normalized_named
    assert store.references.get(parse("docker.io/library/app:1.0"))
    assert store.references.get(parse("app:liar"))
    with pytest.raises(errors.NotFound):
        store.references.get(parse("other:liar"))


def test_content_read_is_bounded_and_verified(copied: Path) -> None:
    store = OCILayoutStore(copied)
    digest = _copied(copied, "1.0")[0]
    size = len(store.content.read(digest, 1 << 20))
    assert sha256(store.content.read(digest, 1 << 20)) == digest
    assert store.content.size(digest) == size
    with pytest.raises(errors.LimitExceeded) as info:
        store.content.read(digest, 10)
    assert (info.value.limit, info.value.size) == (10, size)


def test_ambiguous_prefix(tmp_path: Path) -> None:
    b = LayoutBuilder(tmp_path)
    ids = []
    for n in range(40):
        built = b.image(f"img{n}", "linux", "amd64")
        b.tag(built.descriptor, f"t{n}")
        ids.append(built.config_digest)
    store = OCILayoutStore(b.write())
    first = sorted(i[7:] for i in ids)
    common = next(
        a[:1] for a, c in itertools.pairwise(first) if a[:1] == c[:1]
    )  # two IDs share their first hex digit among 40
    with pytest.raises(errors.AmbiguousPrefix):
        store.images.search(common)


# --- the example layout ----------------------------------------------------------------------


def test_example_layout_is_reproducible(tmp_path: Path) -> None:
    out = tmp_path / "oci-layout"
    subprocess.run(
        [sys.executable, str(REPO / "examples" / "make_example_layout.py"), str(out)],
        check=True,
        capture_output=True,
    )
    committed = REPO / "examples" / "oci-layout"
    compare = filecmp.dircmp(committed, out)
    assert _same_tree(compare), "examples/oci-layout differs from what the script writes"


def test_example_layout_resolves() -> None:
    service = ImageService.from_store(imagelookup.open(REPO / "examples" / "oci-layout"))
    image = service.get_image("demo:1.0", platform=platforms.parse("linux/arm64"))
    assert (image.os, image.architecture) == ("linux", "arm64")


# --- hostile layouts -------------------------------------------------------------------------


def _layout_with_entry(root: Path, entry: dict[str, Any]) -> Path:
    (root / "blobs" / "sha256").mkdir(parents=True)
    (root / "oci-layout").write_bytes(b'{"imageLayoutVersion":"1.0.0"}')
    (root / "index.json").write_bytes(canonical_json({"schemaVersion": 2, "manifests": [entry]}))
    return root


@pytest.mark.parametrize(
    "digest",
    [
        pytest.param("sha256:../../../../etc/passwd", id="dot-dot"),
        pytest.param("sha256:/etc/passwd", id="absolute"),
        pytest.param("../sha256:" + "a" * 64, id="algorithm-climbs"),
        pytest.param("sha256:" + "A" * 64, id="uppercase-hex"),
        pytest.param("md5:" + "a" * 32, id="unsupported-algorithm"),
    ],
)
def test_malformed_digest_never_reaches_the_file_system(tmp_path: Path, digest: str) -> None:
    root = _layout_with_entry(
        tmp_path / "l",
        {"mediaType": OCI_INDEX, "digest": digest, "size": 2, "annotations": {_REF: "x"}},
    )
    store = OCILayoutStore(root)
    with pytest.raises(errors.InvalidDigest):
        store.content.read(digest, 100)
    assert store.images.ids() == []  # the walk skipped it


def test_symlinked_blob_outside_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_bytes(b'{"manifests":[]}')
    digest = sha256(secret.read_bytes())
    root = _layout_with_entry(
        tmp_path / "l",
        {"mediaType": OCI_INDEX, "digest": digest, "size": 16, "annotations": {_REF: "x"}},
    )
    os.symlink(secret, root / "blobs" / "sha256" / digest[7:])
    with pytest.raises(errors.UnsafePath):
        OCILayoutStore(root).content.read(digest, 100)


def test_symlinked_blobs_directory_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "sha256").mkdir(parents=True)
    data = b'{"manifests":[]}'
    (elsewhere / "sha256" / sha256(data)[7:]).write_bytes(data)
    root = tmp_path / "l"
    root.mkdir()
    (root / "oci-layout").write_bytes(b'{"imageLayoutVersion":"1.0.0"}')
    (root / "index.json").write_bytes(b'{"manifests":[]}')
    os.symlink(elsewhere, root / "blobs")
    with pytest.raises(errors.UnsafePath):
        OCILayoutStore(root).content.read(sha256(data), 100)


def test_tampered_blob_is_digest_mismatch(tmp_path: Path) -> None:
    b = LayoutBuilder(tmp_path / "l")
    built = b.multi_platform("t", [AMD64])
    b.tag(built, "t")
    root = b.write()
    blob = root / "blobs" / "sha256" / built["digest"][7:]
    blob.write_bytes(blob.read_bytes().replace(b"amd64", b"arm64"))
    store = OCILayoutStore(root)
    with pytest.raises(errors.DigestMismatch) as info:
        store.content.read(built["digest"], 1 << 20)
    assert info.value.expected == built["digest"]
    assert store.images.ids() == []  # the walk skipped the tampered index
    with pytest.raises(errors.DigestMismatch):
        ImageService.from_store(store).get_image("app:t", platform=platforms.parse("linux/amd64"))


def test_truncated_blob_is_digest_mismatch(tmp_path: Path) -> None:
    b = LayoutBuilder(tmp_path / "l")
    built = b.image("t", "linux", "amd64")
    b.tag(built.descriptor, "t")
    root = b.write()
    config = root / "blobs" / "sha256" / built.config_digest[7:]
    config.write_bytes(config.read_bytes()[:10])
    with pytest.raises(errors.DigestMismatch):
        OCILayoutStore(root).content.read(built.config_digest, 1 << 20)


def test_missing_blob_is_not_found(tmp_path: Path) -> None:
    digest = sha256(b"absent")
    root = _layout_with_entry(tmp_path / "l", {"mediaType": OCI_INDEX, "digest": digest, "size": 6})
    with pytest.raises(errors.NotFound):
        OCILayoutStore(root).content.read(digest, 100)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param({"index.json": b"{}"}, "oci-layout is missing", id="no-oci-layout"),
        pytest.param(
            {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}'},
            "index.json is missing",
            id="no-index",
        ),
        pytest.param(
            {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}', "index.json": b"{nope"},
            "index.json is not valid JSON",
            id="index-not-json",
        ),
        pytest.param(
            {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}', "index.json": b"[]"},
            "index.json is not a JSON object",
            id="index-not-object",
        ),
        pytest.param(
            {"oci-layout": b"{}", "index.json": b"{}"}, "no imageLayoutVersion", id="no-version"
        ),
    ],
)
def test_broken_layout_files(tmp_path: Path, files: dict[str, bytes], message: str) -> None:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with pytest.raises(errors.StoreError, match=message):
        OCILayoutStore(tmp_path)


def test_index_json_symlink_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_bytes(b'{"manifests":[]}')
    root = tmp_path / "l"
    root.mkdir()
    (root / "oci-layout").write_bytes(b'{"imageLayoutVersion":"1.0.0"}')
    os.symlink(outside, root / "index.json")
    with pytest.raises(errors.UnsafePath):
        OCILayoutStore(root)


def test_deeply_nested_indexes_stop(tmp_path: Path) -> None:
    b = LayoutBuilder(tmp_path / "l")
    image = b.image("deep", "linux", "amd64")
    desc: dict[str, Any] = {k: image.descriptor[k] for k in ("mediaType", "digest", "size")}
    for _ in range(40):
        desc = b.index([desc])
    b.tag(desc, "deep")
    assert OCILayoutStore(b.write()).images.ids() == []


_REF = "org.opencontainers.image.ref.name"


def _copied(layout: Path, tag: str) -> tuple[str, dict[str, str]]:
    """The digest of the index tagged ``tag`` in ``layout``, and its manifests by platform."""
    entries = json.loads((layout / "index.json").read_bytes())["manifests"]
    index = next(e["digest"] for e in entries if e["annotations"][_REF] == tag)
    by_platform = {}
    for entry in _index_entries(layout, index):
        p = entry["platform"]
        spec = "/".join(x for x in (p["os"], p["architecture"], p.get("variant", "")) if x)
        by_platform.setdefault(spec, entry["digest"])
    return index, by_platform


def _index_entries(layout: Path, digest: str) -> list[dict[str, Any]]:
    raw = (layout / "blobs" / "sha256" / digest[7:]).read_bytes()
    return list(json.loads(raw)["manifests"])


def _same_tree(compare: filecmp.dircmp[str]) -> bool:
    if compare.left_only or compare.right_only or compare.funny_files:
        return False
    _, mismatch, errors_ = filecmp.cmpfiles(
        compare.left, compare.right, compare.common_files, shallow=False
    )
    if mismatch or errors_:
        return False
    return all(_same_tree(sub) for sub in compare.subdirs.values())
