"""Benchmarks: reference parsing against docker-image-py and a plain-Python regex
implementation (``baseline_reference``), and ``IDIndex.search`` over a million IDs against
a sorted list with ``bisect``, all in the same run.

Each parsing benchmark parses the whole mix once per round; divide by ``len(MIX)`` (printed
in the benchmark's ``extra_info``) for the time per reference.
"""

from __future__ import annotations

import bisect
import random
import sys
from pathlib import Path

import pytest
from docker_image import reference as docker_image_reference
from imagelookup import reference
from imagelookup.idindex import IDIndex

# The baseline lives next to this file; pytest's importlib mode does not put it on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import baseline_reference


def _mix(count: int = 2000, seed: int = 7) -> list[str]:
    """References as people type them: official images, user repos, registries with ports,
    tags, digests, full IDs, short IDs and the occasional oddity."""
    rng = random.Random(seed)
    names = ["ubuntu", "nginx", "redis", "alpine", "postgres", "python", "node", "busybox"]
    users = ["bitnami", "grafana", "library", "prom", "team-a", "my_org"]
    hosts = [
        "quay.io",
        "ghcr.io",
        "gcr.io",
        "registry.example.com:5000",
        "localhost:5000",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "index.docker.io",
        "[::1]:5000",
    ]
    tags = ["latest", "22.04", "1.25-alpine", "v2.3.1", "3.12-slim-bookworm", "stable"]

    def hexstr(n: int) -> str:
        return "".join(rng.choice("0123456789abcdef") for _ in range(n))

    out = []
    for _ in range(count):
        kind = rng.random()
        name = rng.choice(names)
        if kind < 0.25:
            out.append(name)
        elif kind < 0.45:
            out.append(f"{name}:{rng.choice(tags)}")
        elif kind < 0.60:
            out.append(f"{rng.choice(users)}/{name}:{rng.choice(tags)}")
        elif kind < 0.78:
            out.append(f"{rng.choice(hosts)}/{rng.choice(users)}/{name}:{rng.choice(tags)}")
        elif kind < 0.86:
            out.append(f"{rng.choice(hosts)}/{name}@sha256:{hexstr(64)}")
        elif kind < 0.92:
            out.append(hexstr(64))
        elif kind < 0.96:
            out.append(f"sha256:{hexstr(64)}")
        else:
            out.append(rng.choice([hexstr(12), "Ubuntu", "foo//bar", "a:b:c", f"{name}@sha256:ab"]))
    return out


MIX = _mix()
NAMED_MIX = [s for s in MIX if not baseline_reference.IDENTIFIER.match(s) and ":" not in s[:7]]


def _docker_image_parse_any(s: str) -> object:
    """docker-image-py has no ParseAnyReference; the same wrapper upstream uses."""
    if baseline_reference.IDENTIFIER.match(s):
        return "sha256:" + s
    try:
        return baseline_reference.validate_digest(s)
    except ValueError:
        return docker_image_reference.Reference.parse_normalized_named(s)


def _run_all(fn, items: list[str]) -> int:
    failures = 0
    for s in items:
        try:
            fn(s)
        except Exception:
            failures += 1
    return failures


PARSE_ANY = {
    "imagelookup": reference.parse_any,
    "baseline-re": baseline_reference.parse_any,
    "docker-image-py": _docker_image_parse_any,
}
NORMALIZED = {
    "imagelookup": reference.parse_normalized_named,
    "baseline-re": baseline_reference.parse_normalized_named,
    "docker-image-py": docker_image_reference.Reference.parse_normalized_named,
}


@pytest.mark.parametrize("impl", list(PARSE_ANY))
def test_parse_any(benchmark, impl):
    benchmark.group = f"parse_any x{len(MIX)}"
    benchmark.extra_info["references"] = len(MIX)
    benchmark(_run_all, PARSE_ANY[impl], MIX)


@pytest.mark.parametrize("impl", list(NORMALIZED))
def test_parse_normalized_named(benchmark, impl):
    benchmark.group = f"parse_normalized_named x{len(NAMED_MIX)}"
    benchmark.extra_info["references"] = len(NAMED_MIX)
    benchmark(_run_all, NORMALIZED[impl], NAMED_MIX)


def test_results_agree_with_baseline():
    """The baseline is only a fair comparison if it computes the same answers."""
    for s in MIX:
        try:
            ours = reference.parse_any(s)
            got = (ours.domain, ours.path, ours.tag, ours.digest)
        except ValueError:
            got = None
        try:
            want = baseline_reference.parse_any(s)
        except ValueError:
            want = None
        assert got == want, s


IDS = 1_000_000


@pytest.fixture(scope="module")
def million_ids() -> list[str]:
    rng = random.Random(2024)
    return sorted({"sha256:" + rng.randbytes(32).hex() for _ in range(IDS)})


@pytest.fixture(scope="module")
def prefixes(million_ids: list[str]) -> list[str]:
    rng = random.Random(5)
    return [rng.choice(million_ids)[7:19] for _ in range(1000)]


def _search_sorted(ids: list[str], prefix: str) -> str:
    """Plain Python: bisect into the sorted full IDs, check the neighbour for ambiguity."""
    term = "sha256:" + prefix
    i = bisect.bisect_left(ids, term)
    if i == len(ids) or not ids[i].startswith(term):
        raise LookupError(prefix)
    if i + 1 < len(ids) and ids[i + 1].startswith(term):
        raise LookupError(prefix)
    return ids[i]


def test_idindex_search(benchmark, million_ids, prefixes):
    index = IDIndex(million_ids)
    assert len(index) == len(million_ids)
    benchmark.group = "IDIndex.search over 1,000,000 IDs x1000"

    def run() -> None:
        search = index.search
        for p in prefixes:
            search(p)

    benchmark(run)


def test_sorted_list_search(benchmark, million_ids, prefixes):
    benchmark.group = "IDIndex.search over 1,000,000 IDs x1000"

    def run() -> None:
        for p in prefixes:
            _search_sorted(million_ids, p)

    benchmark(run)
