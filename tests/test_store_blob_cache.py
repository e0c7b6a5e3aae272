"""The verified-blob cache of the on-disk stores' blob directories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from imagelookup import errors
from imagelookup.stores._files import Root
from imagelookup.stores._shared import BlobDirectory

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "oci-layout"


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / "layout"))


def _any_blob(layout: Path) -> tuple[str, Path]:
    path = sorted((layout / "blobs" / "sha256").iterdir())[0]
    return f"sha256:{path.name}", path


def test_a_verified_blob_is_answered_from_the_cache(layout: Path) -> None:
    blobs = BlobDirectory(Root(str(layout)), "blobs")
    digest, path = _any_blob(layout)
    first = blobs.read(digest, 1 << 20)
    path.unlink()
    assert blobs.read(digest, 1 << 20) is first


def test_without_a_cache_every_read_goes_to_disk(layout: Path) -> None:
    blobs = BlobDirectory(Root(str(layout)), "blobs", cache_bytes=0)
    digest, path = _any_blob(layout)
    blobs.read(digest, 1 << 20)
    path.unlink()
    with pytest.raises(errors.NotFound):
        blobs.read(digest, 1 << 20)


def test_a_cached_blob_still_honours_a_smaller_limit(layout: Path) -> None:
    blobs = BlobDirectory(Root(str(layout)), "blobs")
    digest, _ = _any_blob(layout)
    data = blobs.read(digest, 1 << 20)
    with pytest.raises(errors.LimitExceeded):
        blobs.read(digest, len(data) - 1)


def test_a_blob_that_fails_verification_is_not_cached(layout: Path) -> None:
    blobs = BlobDirectory(Root(str(layout)), "blobs")
    digest, path = _any_blob(layout)
    good = path.read_bytes()
    path.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    with pytest.raises(errors.DigestMismatch):
        blobs.read(digest, 1 << 20)
    path.write_bytes(good)
    assert blobs.read(digest, 1 << 20) == good
