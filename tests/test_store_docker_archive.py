"""The docker-archive store, end to end on tarballs skopeo wrote (one platform each, chosen
with ``--override-arch/--override-variant``), and on hostile tarballs."""

from __future__ import annotations

import gc
import io
import json
import os
import tarfile
import threading
from pathlib import Path
from typing import Any

import imagelookup
import pytest
from conftest import require_tool
from imagebuild import LayoutBuilder, canonical_json, sha256, skopeo_copy
from imagelookup import errors, platforms
from imagelookup.service import ImageService
from imagelookup.stores import DockerArchiveStore, Store

AMD64 = ("linux", "amd64", "")
ARM64 = ("linux", "arm64", "v8")
ARMV7 = ("linux", "arm", "v7")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    b = LayoutBuilder(tmp_path_factory.mktemp("src") / "layout")
    app = b.multi_platform(
        "app",
        [AMD64, ARM64, ARMV7],
        attestations=True,
        config_platforms={ARM64: ("linux", "arm64", ""), ARMV7: ("linux", "arm", "")},
    )
    b.tag(app, "1.0")
    return b.write(), app


def _archive(source: tuple[Path, dict[str, Any]], out: Path, arch: str, variant: str) -> Path:
    skopeo = require_tool("skopeo")
    extra = ["--override-os", "linux", "--override-arch", arch]
    if variant:
        extra += ["--override-variant", variant]
    skopeo_copy(skopeo, f"oci:{source[0]}:1.0", f"docker-archive:{out}:team/app:1.0", *extra)
    return out


@pytest.fixture(scope="module")
def arm_archive(
    source: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return _archive(source, tmp_path_factory.mktemp("a") / "app-armv7.tar", "arm", "v7")


@pytest.fixture(scope="module")
def arm64_archive(
    source: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return _archive(source, tmp_path_factory.mktemp("a") / "app-arm64.tar", "arm64", "v8")


def test_skopeo_wrote_a_docker_archive(arm_archive: Path) -> None:
    with tarfile.open(arm_archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert "repositories" in names
    assert manifest[0]["RepoTags"] == ["docker.io/team/app:1.0"]
    assert any(t.endswith("/layer.tar") for t in names)  # a link skopeo writes


@pytest.mark.parametrize(
    ("ref", "platform"),
    [
        pytest.param("team/app:1.0", "linux/arm/v7", id="tag-armv7"),
        pytest.param("docker.io/team/app:1.0", "linux/arm", id="full-name-arm"),
        pytest.param("team/app:1.0", None, id="no-platform"),
    ],
)
def test_tag_resolves(
    arm_archive: Path, source: tuple[Path, dict[str, Any]], ref: str, platform: str | None
) -> None:
    service = ImageService.from_store(imagelookup.open(arm_archive))
    wanted = platforms.parse(platform) if platform else None
    image = service.get_image(ref, platform=wanted)
    assert image.id == source[1]["images"][ARMV7].config_digest
    assert (image.architecture, image.variant) == ("arm", "")


def test_arm64_config_without_variant(
    arm64_archive: Path, source: tuple[Path, dict[str, Any]]
) -> None:
    service = ImageService.from_store(imagelookup.open(arm64_archive))
    image = service.get_image("team/app:1.0", platform=platforms.parse("linux/arm64/v8"))
    assert image.id == source[1]["images"][ARM64].config_digest


def test_platform_mismatch_message(arm_archive: Path) -> None:
    service = ImageService.from_store(imagelookup.open(arm_archive))
    with pytest.raises(errors.PlatformMismatch) as info:
        service.get_image("team/app:1.0", platform=platforms.parse("linux/amd64"))
    assert str(info.value).splitlines()[0] == (
        "image with reference team/app:1.0 was found but does not match the specified "
        "platform: wanted linux/amd64, actual: linux/arm"
    )


def test_id_prefixes(arm_archive: Path, source: tuple[Path, dict[str, Any]]) -> None:
    image_id = source[1]["images"][ARMV7].config_digest
    service = ImageService.from_store(imagelookup.open(arm_archive))
    for form in (image_id, image_id[7:], image_id[:15], image_id[7:15]):
        assert service.get_image(form).id == image_id


def test_protocols_and_content(arm_archive: Path, source: tuple[Path, dict[str, Any]]) -> None:
    with DockerArchiveStore(arm_archive) as store:
        assert isinstance(store, Store)
        image_id = source[1]["images"][ARMV7].config_digest
        assert sha256(store.content.read(image_id, 1 << 20)) == image_id
        assert store.images.ids() == [image_id]
        with pytest.raises(errors.NotFound):
            store.leases.resources(f"moby-image-{image_id}")
        with pytest.raises(errors.LimitExceeded):
            store.content.read(image_id, 5)
        parse = imagelookup.reference.parse_normalized_named
        with pytest.raises(errors.NotFound):
            store.references.get(parse(f"team/app@{image_id}"))


def test_unknown_tag(arm_archive: Path) -> None:
    service = ImageService.from_store(imagelookup.open(arm_archive))
    with pytest.raises(errors.ImageNotFound, match=r"^No such image: team/app:2.0"):
        service.get_image("team/app:2.0")


# --- tarballs written here: legacy repositories, Docker 25+ form, hostile members -------------


def _tar(path: Path, members: list[tuple[str, bytes | tuple[str, str]]]) -> Path:
    """Write a tar: ``(name, bytes)`` files, ``(name, ("sym"|"hard", target))`` links."""
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for name, body in members:
            info = tarfile.TarInfo(name)
            if isinstance(body, tuple):
                info.type = tarfile.SYMTYPE if body[0] == "sym" else tarfile.LNKTYPE
                info.linkname = body[1]
                tar.addfile(info)
            else:
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
    return path


CONFIG = canonical_json({"architecture": "amd64", "os": "linux", "rootfs": {"diff_ids": []}})
CONFIG_ID = sha256(CONFIG)


def _manifest(config: str, tags: list[str], layers: list[str] | None = None) -> bytes:
    return canonical_json([{"Config": config, "RepoTags": tags, "Layers": layers or []}])


def test_legacy_repositories_file(tmp_path: Path) -> None:
    path = _tar(
        tmp_path / "a.tar",
        [
            (f"{CONFIG_ID[7:]}.json", CONFIG),
            ("layer0.tar", b"x" * 10),
            ("v1id/layer.tar", ("sym", "../layer0.tar")),
            ("manifest.json", _manifest(f"{CONFIG_ID[7:]}.json", [], ["layer0.tar"])),
            ("repositories", canonical_json({"old": {"v1": "v1id"}})),
        ],
    )
    store = DockerArchiveStore(path)
    assert store.references.tags() == ["docker.io/library/old:v1"]
    assert ImageService.from_store(store).get_image("old:v1").id == CONFIG_ID


def test_docker25_archive_with_oci_index(tmp_path: Path) -> None:
    b = LayoutBuilder(tmp_path / "layout")
    app = b.multi_platform("app", [AMD64, ARM64])
    b.tag(app, "1.0")
    root = b.write()
    image = app["images"][AMD64]
    members: list[tuple[str, bytes | tuple[str, str]]] = [
        (f"blobs/sha256/{p.name}", p.read_bytes()) for p in (root / "blobs" / "sha256").iterdir()
    ]
    members += [
        ("index.json", (root / "index.json").read_bytes()),
        ("oci-layout", (root / "oci-layout").read_bytes()),
        ("manifest.json", _manifest(f"blobs/sha256/{image.config_digest[7:]}", ["app:1.0"])),
    ]
    store = DockerArchiveStore(_tar(tmp_path / "d25.tar", members))
    held = store.leases.resources(f"moby-image-{image.config_digest}")
    assert list(held) == [app["digest"], image.digest]
    got = ImageService.from_store(store).get_image(
        "app:1.0", platform=platforms.parse("linux/amd64")
    )
    assert got.id == image.config_digest


@pytest.mark.parametrize(
    ("members", "error"),
    [
        pytest.param(
            [("manifest.json", _manifest("../etc/passwd", ["x:1"]))],
            errors.UnsafePath,
            id="config-dot-dot",
        ),
        pytest.param(
            [("manifest.json", _manifest("/etc/passwd", ["x:1"]))],
            errors.UnsafePath,
            id="config-absolute",
        ),
        pytest.param(
            [("c.json", ("sym", "../../etc/passwd")), ("manifest.json", _manifest("c.json", []))],
            errors.UnsafePath,
            id="symlink-escapes",
        ),
        pytest.param(
            [("c.json", ("sym", "/etc/passwd")), ("manifest.json", _manifest("c.json", []))],
            errors.UnsafePath,
            id="symlink-absolute",
        ),
        pytest.param(
            [("c.json", ("hard", "../x")), ("manifest.json", _manifest("c.json", []))],
            errors.UnsafePath,
            id="hardlink-escapes",
        ),
        pytest.param(
            [
                ("a.json", ("sym", "b.json")),
                ("b.json", ("sym", "a.json")),
                ("manifest.json", _manifest("a.json", [])),
            ],
            errors.UnsafePath,
            id="link-loop",
        ),
        pytest.param(
            [("0" * 64 + ".json", CONFIG), ("manifest.json", _manifest("0" * 64 + ".json", []))],
            errors.DigestMismatch,
            id="config-name-lies",
        ),
        pytest.param(
            [("manifest.json", _manifest("absent.json", []))], errors.NotFound, id="config-absent"
        ),
        pytest.param([("other", b"x")], errors.StoreError, id="no-manifest-json"),
        pytest.param([("manifest.json", b"{nope")], errors.StoreError, id="manifest-not-json"),
        pytest.param([("manifest.json", b"{}")], errors.StoreError, id="manifest-not-list"),
    ],
)
def test_hostile_archives(
    tmp_path: Path, members: list[tuple[str, bytes | tuple[str, str]]], error: type[Exception]
) -> None:
    with pytest.raises(error):
        DockerArchiveStore(_tar(tmp_path / "h.tar", members))


def test_compressed_archive_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(tarfile.TarInfo("manifest.json"), io.BytesIO(b""))
    with pytest.raises(errors.StoreError, match="gzip-compressed"):
        DockerArchiveStore(path)


def test_not_a_tar(tmp_path: Path) -> None:
    path = tmp_path / "x.tar"
    path.write_bytes(b"hello, not a tar" * 100)
    with pytest.raises(errors.StoreError):
        imagelookup.open(path)


def test_truncated_archive(tmp_path: Path) -> None:
    path = _tar(
        tmp_path / "t.tar",
        [("manifest.json", _manifest("c.json", [])), ("c.json", CONFIG + b" " * 4096)],
    )
    data = path.read_bytes()
    path.write_bytes(data[: 512 * 3 + 100])  # cut inside c.json
    with pytest.raises(errors.StoreError):
        DockerArchiveStore(path)


def _small_archive(tmp_path: Path) -> DockerArchiveStore:
    path = _tar(
        tmp_path / "small.tar",
        [
            (f"{CONFIG_ID[7:]}.json", CONFIG),
            ("manifest.json", _manifest(f"{CONFIG_ID[7:]}.json", ["small:1"])),
        ],
    )
    return DockerArchiveStore(path)


def test_lookups_after_close_fail_clearly(tmp_path: Path) -> None:
    store = _small_archive(tmp_path)
    assert store.content.read(CONFIG_ID, 1 << 20) == CONFIG
    store.close()
    store.close()  # closing twice is harmless
    with pytest.raises(errors.StoreError) as closed:
        store.content.read(CONFIG_ID, 1 << 20)
    assert str(closed.value) == f"{store.path}: the archive is closed"


def test_close_leaves_the_file_to_reads_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A read already past the closed check keeps the file open until it ends: the descriptor
    # number is never closed under it (and so never reused for another file while it reads).
    from imagelookup.stores import docker_archive

    store = _small_archive(tmp_path)
    entered, release = threading.Event(), threading.Event()
    seen: list[int] = []
    real_pread = os.pread

    def slow_pread(fd: int, size: int, offset: int) -> bytes:
        seen.append(fd)
        entered.set()
        assert release.wait(10)
        return real_pread(fd, size, offset)

    monkeypatch.setattr(docker_archive.os, "pread", slow_pread)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(store.content.read(CONFIG_ID, 1 << 20)))
    reader.start()
    assert entered.wait(10)
    store.close()
    os.fstat(seen[0])  # still open while the read is in flight
    with pytest.raises(errors.StoreError) as closed:
        store.content.read(CONFIG_ID, 1 << 20)
    assert str(closed.value) == f"{store.path}: the archive is closed"
    release.set()
    reader.join(10)
    assert got == [CONFIG]
    with pytest.raises(OSError):
        os.fstat(seen[0])  # closed by the last read out


def test_content_outlives_the_store(tmp_path: Path) -> None:
    # What was taken from a store keeps the archive open; the file closes with the last holder.
    store = _small_archive(tmp_path)
    content = store.content
    fd = store._tar._fd
    del store
    gc.collect()
    assert content.read(CONFIG_ID, 1 << 20) == CONFIG
    del content
    gc.collect()
    with pytest.raises(OSError):
        os.fstat(fd)
