"""Registry lookups against a local ``docker-registry`` on 127.0.0.1 (started here).

Rows (group ``registry``), each a bounded number of rounds:

- ``store-warm``: ``get_image(tag, platform)`` through one registry store whose cache is warm
  (one HEAD per lookup);
- ``store-cold``: a new store per lookup (new connection, empty cache: tag, manifest and
  config fetched and verified);
- ``store-batch``: :func:`resolve_many` over 64 references with 8 connections, cold store
  (per lookup = median / 64);
- ``baseline``: the plain-Python stdlib resolver of ``baseline_registry.py`` (three requests,
  a new connection each, no verification).

``extra_info`` records the HTTP requests per lookup. Run with ``make bench``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
import baseline_registry as baseline
from imagelookup.service import ImageService
from imagelookup.stores.registry import RegistryStore, resolve_many
from registry_server import Pusher, Registry, build_image

PLATFORM = "linux/arm64"
PLATFORMS = [
    {"os": "linux", "architecture": "amd64"},
    {"os": "linux", "architecture": "arm64", "variant": "v8"},
    {"os": "linux", "architecture": "arm", "variant": "v7"},
]
BATCH = 64
ROUNDS = 30


@pytest.fixture(scope="module")
def registry():
    binary = shutil.which("docker-registry") or "/usr/bin/docker-registry"
    if not Path(binary).exists():
        pytest.skip("docker-registry is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        with Registry(Path(tmp) / "registry", binary=binary) as reg:
            pusher = Pusher(reg.url)
            for n in range(8):
                pusher.image(f"app{n}", "1", build_image(f"app{n}", PLATFORMS))
            yield reg


def _refs(registry: Registry, count: int) -> list[str]:
    return [f"{registry.host}/app{n % 8}:1" for n in range(count)]


@pytest.mark.benchmark(group="registry")
def test_store_warm(benchmark, registry):
    store = RegistryStore.from_url(registry.url)
    service = ImageService.from_store(store)
    ref = f"{registry.host}/app0:1"
    service.get_image(ref, platform=PLATFORM)
    before = store.client.requests
    benchmark.pedantic(
        service.get_image, args=(ref,), kwargs={"platform": PLATFORM}, rounds=ROUNDS * 10
    )
    lookups = ROUNDS * 10
    benchmark.extra_info["requests_per_lookup"] = (store.client.requests - before) / lookups


@pytest.mark.benchmark(group="registry")
def test_store_cold(benchmark, registry):
    stats = {"requests": 0, "lookups": 0}

    def lookup():
        store = RegistryStore.from_url(registry.url)
        ImageService.from_store(store).get_image(f"{registry.host}/app1:1", platform=PLATFORM)
        stats["requests"] += store.client.requests
        stats["lookups"] += 1
        store.close()

    benchmark.pedantic(lookup, rounds=ROUNDS)
    benchmark.extra_info["requests_per_lookup"] = stats["requests"] / stats["lookups"]


@pytest.mark.benchmark(group="registry")
def test_store_batch(benchmark, registry):
    refs = _refs(registry, BATCH)

    def batch():
        store = RegistryStore.from_url(registry.url, max_connections=8)
        results = resolve_many(store, refs, PLATFORM, max_connections=8)
        assert not any(isinstance(r, Exception) for r in results)
        store.close()

    benchmark.pedantic(batch, rounds=max(3, ROUNDS // 5))
    benchmark.extra_info["lookups_per_round"] = BATCH


@pytest.mark.benchmark(group="registry")
def test_store_batch_warm(benchmark, registry):
    refs = _refs(registry, BATCH)
    store = RegistryStore.from_url(registry.url, max_connections=8)
    resolve_many(store, refs, PLATFORM)
    before = store.client.requests
    rounds = max(3, ROUNDS // 5)
    benchmark.pedantic(resolve_many, args=(store, refs, PLATFORM), rounds=rounds)
    benchmark.extra_info["lookups_per_round"] = BATCH
    benchmark.extra_info["requests_per_lookup"] = (store.client.requests - before) / (
        rounds * BATCH
    )


@pytest.mark.benchmark(group="registry")
def test_baseline(benchmark, registry):
    benchmark.pedantic(
        baseline.resolve, args=(registry.url, "app1", "1", "linux/arm64"), rounds=ROUNDS
    )
