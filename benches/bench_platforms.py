"""Platforms: the Rust core against the plain-Python baseline, same inputs, same run.

Run with ``make bench``. Each benchmark times a batch of calls; compare the medians of the
``rust`` and ``python`` rows of a group (per call = median / batch size).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from imagelookup import platforms

sys.path.insert(0, str(Path(__file__).parent))
import baseline_platforms as baseline

SPECS = [
    "linux/amd64",
    "linux/arm64",
    "linux/arm/v7",
    "Linux/x86_64",
    "linux/arm64/v8",
    "windows(10.0.20348)/amd64",
    "linux(+gpu+simd)/amd64",
    "armhf",
    "linux/aarch64",
    "linux/ppc64le",
    "darwin/arm64",
    "linux/arm/v6",
]

CANDIDATES = [
    {"os": "linux", "architecture": "amd64"},
    {"os": "linux", "architecture": "arm64", "variant": "v8"},
    {"os": "linux", "architecture": "arm", "variant": "v7"},
    {"os": "linux", "architecture": "arm", "variant": "v6"},
    {"os": "linux", "architecture": "386"},
    {"os": "linux", "architecture": "ppc64le"},
    {"os": "linux", "architecture": "s390x"},
    {"os": "windows", "architecture": "amd64", "os.version": "10.0.20348.1"},
    {"os": "linux", "architecture": "riscv64"},
    {"os": "unknown", "architecture": "unknown"},
]


def _rust_parse_normalize() -> None:
    parse, normalize = platforms.parse, platforms.normalize
    for spec in SPECS:
        normalize(parse(spec))


def _python_parse_normalize() -> None:
    parse, normalize = baseline.parse, baseline.normalize
    for spec in SPECS:
        normalize(parse(spec))


@pytest.mark.benchmark(group="parse+normalize")
def test_parse_normalize_rust(benchmark):
    benchmark(_rust_parse_normalize)


@pytest.mark.benchmark(group="parse+normalize")
def test_parse_normalize_python(benchmark):
    benchmark(_python_parse_normalize)


WANTED = {"os": "linux", "architecture": "arm64"}
RUST_ONLY = platforms.only(WANTED)
PY_ONLY = baseline.only(WANTED)
CANDIDATE_PLATFORMS = [platforms.Platform.from_oci(c) for c in CANDIDATES]


@pytest.mark.benchmark(group="match")
def test_match_rust_dict(benchmark):
    match = RUST_ONLY.match
    benchmark(lambda: [match(c) for c in CANDIDATES])


@pytest.mark.benchmark(group="match")
def test_match_rust_platform(benchmark):
    match = RUST_ONLY.match
    benchmark(lambda: [match(c) for c in CANDIDATE_PLATFORMS])


@pytest.mark.benchmark(group="match")
def test_match_python_dict(benchmark):
    match = PY_ONLY.match
    benchmark(lambda: [match(c) for c in CANDIDATES])


def test_baseline_agrees_with_core():
    for spec in SPECS:
        assert platforms.parse(spec).to_oci() == {
            k: v for k, v in baseline.parse(spec).items() if v
        } or spec.startswith("windows(")
    for c in CANDIDATES:
        assert RUST_ONLY.match(c) == PY_ONLY.match(c), c
