"""The Docker data-root store, on data-roots built here in moby's exact on-disk format from
images skopeo copied (``imagebuild.write_data_root`` lays out what ``docker pull`` leaves)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import imagelookup
import pytest
from conftest import require_tool
from imagebuild import LayoutBuilder, sha256, skopeo_copy, write_data_root
from imagelookup import errors, platforms
from imagelookup.service import ImageService
from imagelookup.stores import DataRootStore, Store

AMD64 = ("linux", "amd64", "")
ARM64 = ("linux", "arm64", "v8")
ARMV7 = ("linux", "arm", "v7")


class Pulled:
    def __init__(self, base: Path) -> None:
        b = LayoutBuilder(base / "src")
        self.app = b.multi_platform(
            "app",
            [AMD64, ARM64, ARMV7],
            attestations=True,
            config_platforms={ARM64: ("linux", "arm64", ""), ARMV7: ("linux", "arm", "")},
        )
        b.tag(self.app, "1.0")
        # A config that says amd64 in a list that says arm64: only the list makes it arm64.
        self.liar = b.multi_platform(
            "liar", [("linux", "arm64", "")], config_platforms={("linux", "arm64", ""): AMD64}
        )
        b.tag(self.liar, "liar")
        self.dock = b.multi_platform("dock", [AMD64, ARMV7], docker=True)
        src = b.write()
        skopeo = require_tool("skopeo")
        self.layout = base / "copied"
        for tag in ("1.0", "liar"):
            skopeo_copy(skopeo, f"oci:{src}:{tag}", f"oci:{self.layout}:{tag}", "--all")
        # The Docker list goes in as written (a registry serves Docker lists as they are).
        for blob in (src / "blobs" / "sha256").iterdir():
            target = self.layout / "blobs" / "sha256" / blob.name
            if not target.exists():
                target.write_bytes(blob.read_bytes())
        self.root = write_data_root(
            base / "docker",
            self.layout,
            [
                ("app:1.0", self.app["digest"], self.id("app", ARM64)),
                ("liar:latest", self.liar["digest"], self.id("liar", ("linux", "arm64", ""))),
                ("dock:1", self.dock["digest"], self.id("dock", ARMV7)),
            ],
        )

    def id(self, name: str, platform: tuple[str, str, str]) -> str:
        return str(getattr(self, name)["images"][platform].config_digest)


@pytest.fixture(scope="module")
def pulled(tmp_path_factory: pytest.TempPathFactory) -> Pulled:
    return Pulled(tmp_path_factory.mktemp("dataroot"))


@pytest.fixture(scope="module")
def service(pulled: Pulled) -> ImageService:
    return ImageService.from_store(imagelookup.open(pulled.root))


def test_on_disk_format(pulled: Pulled) -> None:
    repos = json.loads((pulled.root / "image/overlay2/repositories.json").read_bytes())
    assert repos["Repositories"]["app"]["app:1.0"] == pulled.id("app", ARM64)
    assert isinstance(imagelookup.open(pulled.root), DataRootStore)


@pytest.mark.parametrize(
    ("ref", "platform", "name", "expected"),
    [
        pytest.param("app:1.0", "linux/arm64", "app", ARM64, id="tag"),
        pytest.param("app:1.0", "linux/arm64/v8", "app", ARM64, id="config-without-variant-v8"),
        pytest.param("docker.io/library/app:1.0", None, "app", ARM64, id="full-name"),
        pytest.param("liar", "linux/arm64", "liar", ("linux", "arm64", ""), id="list-fallback"),
        pytest.param("dock:1", "linux/arm/v7", "dock", ARMV7, id="docker-list-fallback"),
        pytest.param("dock:1", "linux/arm", "dock", ARMV7, id="arm-config-fallback"),
    ],
)
def test_resolves(
    service: ImageService,
    pulled: Pulled,
    ref: str,
    platform: str | None,
    name: str,
    expected: tuple[str, str, str],
) -> None:
    wanted = platforms.parse(platform) if platform else None
    assert service.get_image(ref, platform=wanted).id == pulled.id(name, expected)


def test_digest_reference(service: ImageService, pulled: Pulled) -> None:
    image = service.get_image(f"app@{pulled.app['digest']}")
    assert image.id == pulled.id("app", ARM64)


def test_id_prefixes(service: ImageService, pulled: Pulled) -> None:
    image_id = pulled.id("dock", ARMV7)
    for form in (image_id, image_id[7:], image_id[:14], image_id[7:14]):
        assert service.get_image(form).id == image_id


def test_platform_mismatch(service: ImageService) -> None:
    with pytest.raises(errors.PlatformMismatch) as info:
        service.get_image("app:1.0", platform=platforms.parse("linux/s390x"))
    assert str(info.value).splitlines()[0] == (
        "image with reference app:1.0 was found but does not match the specified platform: "
        "wanted linux/s390x, actual: linux/arm64"
    )


def test_derived_leases(pulled: Pulled) -> None:
    store = DataRootStore(pulled.root)
    assert isinstance(store, Store)
    image_id = pulled.id("liar", ("linux", "arm64", ""))
    held = store.leases.resources(f"moby-image-{image_id}")
    assert list(held) == [
        pulled.liar["digest"],
        pulled.liar["images"][("linux", "arm64", "")].digest,
    ]
    with pytest.raises(errors.NotFound):
        store.leases.resources("moby-image-sha256:" + "1" * 64)


def test_image_dir_linked_outside_is_not_read(tmp_path: Path, pulled: Pulled) -> None:
    root = tmp_path / "docker"
    (root / "image").mkdir(parents=True)
    os.symlink(pulled.root / "image" / "overlay2", root / "image" / "overlay2")
    with pytest.raises(errors.StoreError, match="not a Docker data-root"):
        DataRootStore(root)


def test_without_containerd_content_no_fallback(tmp_path: Path, pulled: Pulled) -> None:
    import shutil

    root = tmp_path / "docker"
    shutil.copytree(pulled.root / "image", root / "image")
    service = ImageService.from_store(DataRootStore(root))
    with pytest.raises(errors.PlatformMismatch):
        service.get_image("liar", platform=platforms.parse("linux/arm64"))
    assert service.get_image("liar").architecture == "amd64"


def _tamper(root: Path, image_id: str, data: bytes) -> None:
    (root / "image/overlay2/imagedb/content/sha256" / image_id[7:]).write_bytes(data)


def test_tampered_config_is_digest_mismatch(tmp_path: Path, pulled: Pulled) -> None:
    import shutil

    root = tmp_path / "docker"
    shutil.copytree(pulled.root, root)
    image_id = pulled.id("app", ARM64)
    _tamper(root, image_id, b'{"architecture":"amd64","os":"linux"}')
    with pytest.raises(errors.DigestMismatch):
        DataRootStore(root).images.get(image_id)


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        pytest.param(lambda r: None, errors.StoreError, id="no-image-dir"),
        pytest.param(
            lambda r: [(r / "image" / d / "imagedb").mkdir(parents=True) for d in ("vfs", "btrfs")],
            errors.InvalidParameter,
            id="several-drivers",
        ),
        pytest.param(
            lambda r: [
                (r / "image/overlay2/imagedb").mkdir(parents=True),
                (r / "image/overlay2/repositories.json").write_bytes(b"{nope"),
            ],
            errors.StoreError,
            id="repositories-not-json",
        ),
    ],
)
def test_broken_data_roots(tmp_path: Path, setup: Any, error: type[Exception]) -> None:
    setup(tmp_path)
    with pytest.raises(error):
        DataRootStore(tmp_path)


def test_hostile_ids(pulled: Pulled) -> None:
    store = DataRootStore(pulled.root)
    for bad in ("sha256:../../../etc/passwd", "sha256:" + "Z" * 64):
        with pytest.raises(errors.InvalidDigest):
            store.images.get(bad)
    with pytest.raises(errors.NotFound):
        store.images.get(sha256(b"absent"))


def test_repositories_json_normalized(pulled: Pulled) -> None:
    store = DataRootStore(pulled.root)
    assert "docker.io/library/app:1.0" in store.references.tags()
    assert f"docker.io/library/app@{pulled.app['digest']}" in store.references.tags()
