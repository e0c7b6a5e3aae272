"""Manifest-list selection: the Rust core against the plain-Python baseline, same run.

Over the shared corpus (``../shared/corpus/manifest-lists.jsonl``, 2,000 lists, average
3.2 KB) for ``linux/amd64``, ``linux/arm/v7`` and ``linux/arm64``:

- ``select`` and ``best``: one call per list; per-list time = median / 2,000.
- ``select_many``: all 2,000 lists in one call, 1 and 2 threads; ``extra_info["MB/s"]``.
- ``orjson_only``: orjson's decode alone, the floor of any orjson-based approach.

Run with ``make bench``; compare the ``rust`` and ``python`` rows of a group.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest
from imagelookup import manifests

sys.path.insert(0, str(Path(__file__).parent))
import baseline_manifests as baseline

# The shared corpus lives in ``shared/`` beside the repository clone (``../shared/corpus``);
# a worktree one level deeper (``wt/<branch>``) finds it one more level up.
_HERE = Path(__file__).resolve()
CORPUS = next(
    (p / "shared" / "corpus" for p in _HERE.parents[2:4] if (p / "shared" / "corpus").is_dir()),
    _HERE.parents[2] / "shared" / "corpus",
)
LISTS = CORPUS / "manifest-lists.jsonl"
PLATFORMS = ["linux/amd64", "linux/arm/v7", "linux/arm64"]


@pytest.fixture(scope="module")
def lists() -> list[bytes]:
    if not LISTS.exists():
        pytest.fail(f"benchmark corpus missing: {LISTS}")
    return LISTS.read_bytes().splitlines()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_select_rust(benchmark, lists, platform):
    benchmark.group = f"select {platform}"
    select = manifests.select

    def run():
        for data in lists:
            select(data, platform)

    benchmark(run)
    benchmark.extra_info["us_per_list"] = benchmark.stats.stats.median / len(lists) * 1e6


@pytest.mark.parametrize("platform", PLATFORMS)
def test_select_python(benchmark, lists, platform):
    benchmark.group = f"select {platform}"
    m = baseline.matcher(platform)
    select = baseline.select

    def run():
        for data in lists:
            select(data, m)

    benchmark(run)
    benchmark.extra_info["us_per_list"] = benchmark.stats.stats.median / len(lists) * 1e6


@pytest.mark.parametrize("platform", PLATFORMS)
def test_best_rust(benchmark, lists, platform):
    benchmark.group = f"best {platform}"
    best = manifests.best

    def run():
        for data in lists:
            best(data, platform)

    benchmark(run)
    benchmark.extra_info["us_per_list"] = benchmark.stats.stats.median / len(lists) * 1e6


@pytest.mark.parametrize("platform", PLATFORMS)
def test_best_python(benchmark, lists, platform):
    benchmark.group = f"best {platform}"
    m = baseline.matcher(platform)
    best = baseline.best

    def run():
        for data in lists:
            best(data, m)

    benchmark(run)
    benchmark.extra_info["us_per_list"] = benchmark.stats.stats.median / len(lists) * 1e6


def test_orjson_only(benchmark, lists):
    benchmark.group = "decode floor"
    loads = orjson.loads

    def run():
        for data in lists:
            loads(data)

    benchmark(run)
    benchmark.extra_info["us_per_list"] = benchmark.stats.stats.median / len(lists) * 1e6


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_select_many_rust(benchmark, lists, platform, threads):
    benchmark.group = f"select_many {platform}"
    size = sum(map(len, lists))
    benchmark(manifests.select_many, lists, platform, threads=threads)
    benchmark.extra_info["MB/s"] = size / benchmark.stats.stats.median / 1e6


@pytest.mark.parametrize("platform", PLATFORMS)
def test_select_many_python(benchmark, lists, platform):
    """The baseline's loop over every list (one thread: the GIL allows no more)."""
    benchmark.group = f"select_many {platform}"
    size = sum(map(len, lists))
    m = baseline.matcher(platform)
    benchmark(lambda: [baseline.select(data, m) for data in lists])
    benchmark.extra_info["MB/s"] = size / benchmark.stats.stats.median / 1e6
