"""``imagelookup.open``: which store a location names."""

from __future__ import annotations

from pathlib import Path

import imagelookup
import pytest
from imagebuild import LayoutBuilder, canonical_json, sha256
from imagelookup import errors
from imagelookup.stores import DataRootStore, DockerArchiveStore, OCILayoutStore, Store

REPO = Path(__file__).resolve().parent.parent


def test_layout_directory() -> None:
    store = imagelookup.open(REPO / "examples" / "oci-layout")
    assert isinstance(store, OCILayoutStore)
    assert isinstance(store, Store)


def test_layout_options_pass_through(tmp_path: Path) -> None:
    b = LayoutBuilder(tmp_path)
    b.tag(b.image("x", "linux", "amd64").descriptor, "1")
    store = imagelookup.open(b.write(), repository="x")
    assert isinstance(store, OCILayoutStore)


def test_archive_file(tmp_path: Path) -> None:
    import io
    import tarfile

    config = canonical_json({"architecture": "amd64", "os": "linux"})
    path = tmp_path / "any-name.tar"
    with tarfile.open(path, "w") as tar:
        for name, data in [
            ("c.json", config),
            ("manifest.json", canonical_json([{"Config": "c.json", "RepoTags": ["a:1"]}])),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    store = imagelookup.open(str(path))
    assert isinstance(store, DockerArchiveStore)
    assert store.images.ids() == [sha256(config)]


def test_data_root(tmp_path: Path) -> None:
    (tmp_path / "image" / "overlay2" / "imagedb" / "content" / "sha256").mkdir(parents=True)
    assert isinstance(imagelookup.open(tmp_path), DataRootStore)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://registry.example:5000", id="https"),
        pytest.param("http://127.0.0.1:5000", id="http"),
        pytest.param("HTTPS://Registry.Example", id="uppercase-scheme"),
    ],
)
def test_registry_url_not_available_yet(url: str) -> None:
    with pytest.raises(errors.InvalidParameter, match="registry store is not available yet"):
        imagelookup.open(url)


def test_missing_location(tmp_path: Path) -> None:
    with pytest.raises(errors.NotFound, match="no such file or directory"):
        imagelookup.open(tmp_path / "absent")


def test_plain_directory(tmp_path: Path) -> None:
    with pytest.raises(errors.InvalidParameter) as info:
        imagelookup.open(tmp_path)
    assert info.value.kind == "invalid_store"
