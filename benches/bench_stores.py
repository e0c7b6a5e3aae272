"""Opening an OCI layout of 10,000 images and resolving tags and ID prefixes from it, against
the plain-Python reader in ``baseline_stores.py``, in the same run.

The layout (written once per session): 5,000 indexes of two platforms each (linux/amd64,
linux/arm64), each tagged ``app<N>:1.0`` in ``index.json``: 10,000 images.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import imagelookup
from baseline_stores import BaselineLayout
from imagelookup import platforms
from imagelookup.service import ImageService

INDEXES = 5_000
ARCHES = ("amd64", "arm64")


def _blob(root: Path, value: Any) -> dict[str, Any]:
    data = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    digest = hashlib.sha256(data).hexdigest()
    (root / "blobs" / "sha256" / digest).write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


@pytest.fixture(scope="session")
def layout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("bench") / "layout"
    (root / "blobs" / "sha256").mkdir(parents=True)
    layer = _blob(root, {"layer": "shared"})
    entries, ids = [], []
    for n in range(INDEXES):
        manifests = []
        for arch in ARCHES:
            config = _blob(root, {"architecture": arch, "os": "linux", "n": n})
            ids.append(config["digest"])
            manifest = _blob(
                root,
                {
                    "schemaVersion": 2,
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **layer}],
                },
            )
            manifests.append(
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    **manifest,
                    "platform": {"os": "linux", "architecture": arch},
                }
            )
        index = _blob(
            root,
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": manifests,
            },
        )
        entries.append(
            {
                "mediaType": "application/vnd.oci.image.index.v1+json",
                **index,
                "annotations": {
                    "org.opencontainers.image.ref.name": f"docker.io/library/app{n}:1.0"
                },
            }
        )
    (root / "oci-layout").write_bytes(b'{"imageLayoutVersion":"1.0.0"}')
    (root / "index.json").write_bytes(
        json.dumps({"schemaVersion": 2, "manifests": entries}).encode()
    )
    return root, ids


TAGS = [f"app{n}:1.0" for n in range(0, INDEXES, 97)]
ARM64 = platforms.parse("linux/arm64")


def test_open_and_catalog(benchmark: Any, layout: tuple[Path, list[str]]) -> None:
    root, ids = layout

    def run() -> Any:
        store = imagelookup.open(root)
        store.images.search(ids[0][7:19])  # forces the walk over every index and manifest
        return store

    benchmark.pedantic(run, rounds=3, iterations=1)


def test_open_and_catalog_baseline(benchmark: Any, layout: tuple[Path, list[str]]) -> None:
    root, ids = layout

    def run() -> Any:
        store = BaselineLayout(root)
        store.resolve_prefix(ids[0][7:19])
        return store

    benchmark.pedantic(run, rounds=3, iterations=1)


def test_resolve_tag(benchmark: Any, layout: tuple[Path, list[str]]) -> None:
    service = ImageService.from_store(imagelookup.open(layout[0]))
    service.get_image(TAGS[0], platform=ARM64)  # catalog built before timing, as for prefixes
    tags = iter(TAGS * 100_000)
    benchmark(lambda: service.get_image(next(tags), platform=ARM64))


def test_resolve_tag_baseline(benchmark: Any, layout: tuple[Path, list[str]]) -> None:
    store = BaselineLayout(layout[0])
    tags = iter(TAGS * 100_000)
    benchmark(lambda: store.resolve_tag(f"docker.io/library/{next(tags)}", "linux", "arm64"))


def test_resolve_prefix(benchmark: Any, layout: tuple[Path, list[str]]) -> None:
    root, ids = layout
    service = ImageService.from_store(imagelookup.open(root))
    prefixes = iter([i[7:19] for i in ids[::37]] * 100_000)
    service.get_image(ids[0][7:19])  # catalog built before timing
    benchmark(lambda: service.get_image(next(prefixes)))


def test_resolve_prefix_baseline(benchmark: Any, layout: tuple[Path, list[str]]) -> None:
    root, ids = layout
    store = BaselineLayout(root)
    store.ids()
    prefixes = iter([i[7:19] for i in ids[::37]] * 100_000)
    benchmark(lambda: store.resolve_prefix(next(prefixes)))
