"""The shared corpus: 2,000 realistic lists against the digests Docker's Go code selects."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from imagelookup import errors, manifests

# The shared corpus lives in ``shared/`` beside the repository clone (``../shared/corpus``);
# a worktree one level deeper (``wt/<branch>``) finds it one more level up.
_HERE = Path(__file__).resolve()
CORPUS = next(
    (p / "shared" / "corpus" for p in _HERE.parents[2:4] if (p / "shared" / "corpus").is_dir()),
    _HERE.parents[2] / "shared" / "corpus",
)
PLATFORMS = ["linux/amd64", "linux/arm/v7", "linux/arm64"]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def corpus() -> tuple[list[bytes], list[dict]]:
    lists_path = CORPUS / "manifest-lists.jsonl"
    expected_path = CORPUS / "manifest-lists.expected.jsonl"
    if not (lists_path.exists() and expected_path.exists()):
        message = f"shared corpus not found at {CORPUS} (CI places shared/ beside the repo)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    lists = lists_path.read_bytes().splitlines()
    expected = [orjson.loads(line) for line in expected_path.read_bytes().splitlines()]
    assert len(lists) == len(expected) == 2000
    return lists, expected


@pytest.mark.parametrize("platform", PLATFORMS)
def test_select_agrees_with_docker_on_every_list(corpus, platform):
    lists, expected = corpus
    for n, (data, want) in enumerate(zip(lists, expected, strict=True)):
        assert want["line"] == n
        assert [d.digest for d in manifests.select(data, platform)] == want[platform], n


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_select_many_agrees_with_select(corpus, platform, threads):
    lists, expected = corpus
    results = manifests.select_many(lists, platform, threads=threads)
    assert [[d.digest for d in found] for found in results] == [e[platform] for e in expected]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_best_is_one_of_the_selected(corpus, platform):
    lists, expected = corpus
    for data, want in zip(lists, expected, strict=True):
        found = manifests.best(data, platform)
        if not want[platform]:
            assert found is None
        else:
            assert found.digest in want[platform]


def test_every_list_parses_with_attestations_recognised(corpus):
    lists, _ = corpus
    attestations = 0
    for data in lists:
        idx = manifests.parse_index(data)
        raw = orjson.loads(data)
        assert [d.digest for d in idx.manifests] == [d["digest"] for d in raw["manifests"]]
        for d, r in zip(idx.manifests, raw["manifests"], strict=True):
            assert d.annotations == r.get("annotations", {})
            if d.is_attestation:
                attestations += 1
                assert d.subject_digest in {m["digest"] for m in raw["manifests"]}
    assert attestations > 0


def test_select_many_reports_errors_per_item(corpus):
    lists, expected = corpus
    items = [lists[0], b"{", lists[1], b"[]", b"{}" + b" " * 10]
    results = manifests.select_many(items, "linux/amd64", limit=10_000)
    assert [d.digest for d in results[0]] == expected[0]["linux/amd64"]
    assert isinstance(results[1], errors.InvalidManifest)
    assert [d.digest for d in results[2]] == expected[1]["linux/amd64"]
    assert isinstance(results[3], errors.InvalidManifest)
    assert results[3].offset == 0
    assert results[4] == []
    limited = manifests.select_many([lists[0]], "linux/amd64", limit=10)
    assert isinstance(limited[0], errors.LimitExceeded)
    assert limited[0].limit == 10
