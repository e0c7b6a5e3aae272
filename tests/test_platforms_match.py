"""containerd compare_test.go, defaults_test.go and the Windows tests, ported; moby's fallback."""

from __future__ import annotations

import pytest
from imagelookup import platforms
from imagelookup.platforms import Platform

HOST = Platform("linux", "amd64")


def parse(spec):
    return platforms.parse(spec, host=HOST)


# TestOnly: (wanted, should match, should not match)
ONLY_ROWS = [
    (
        "linux/amd64",
        ["linux/amd64", "linux/386"],
        ["linux/amd64/v2", "linux/arm/v7", "linux/arm64", "windows/amd64", "windows/arm"],
    ),
    (
        "linux/amd64/v2",
        ["linux/amd64", "linux/amd64/v1", "linux/amd64/v2", "linux/386"],
        [
            "linux/amd64/v3",
            "linux/amd64/v4",
            "linux/arm/v7",
            "linux/arm64",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/386",
        ["linux/386"],
        ["linux/amd64", "linux/arm/v7", "linux/arm64", "windows/amd64", "windows/arm"],
    ),
    (
        "windows/amd64",
        ["windows/amd64", "windows(10.0.17763)/amd64"],
        ["linux/amd64", "linux/arm/v7", "linux/arm64", "windows/arm"],
    ),
    (
        "linux/arm/v8",
        ["linux/arm", "linux/arm/v5", "linux/arm/v6", "linux/arm/v7", "linux/arm/v8"],
        ["linux/amd64", "linux/arm/v4", "linux/arm64", "windows/amd64", "windows/arm"],
    ),
    (
        "linux/arm/v7",
        ["linux/arm", "linux/arm/v5", "linux/arm/v6", "linux/arm/v7"],
        [
            "linux/amd64",
            "linux/arm/v4",
            "linux/arm/v8",
            "linux/arm64",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/arm/v6",
        ["linux/arm/v5", "linux/arm/v6"],
        [
            "linux/amd64",
            "linux/arm",
            "linux/arm/v4",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/arm64",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/arm/v5",
        ["linux/arm/v5"],
        [
            "linux/amd64",
            "linux/arm",
            "linux/arm/v4",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/arm64",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/arm/v4",
        ["linux/arm/v4"],
        [
            "linux/amd64",
            "linux/arm",
            "linux/arm/v5",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/arm64",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/arm64/v9",
        [
            "linux/arm",
            "linux/arm/v5",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/arm64",
            "linux/arm64/v8",
            "linux/arm64/v8.1",
            "linux/arm64/v8.2",
            "linux/arm64/v8.3",
            "linux/arm64/v8.4",
            "linux/arm64/v8.5",
            "linux/arm64/v9",
            "linux/arm64/v9.0",
        ],
        [
            "linux/amd64",
            "linux/arm/v4",
            "windows/amd64",
            "windows/arm",
            "linux/arm64/v8.6",
            "linux/arm64/v7",
            "linux/arm64/v10",
            "windows/arm64",
        ],
    ),
    (
        "linux/arm64/v8.1",
        [
            "linux/arm",
            "linux/arm/v5",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/arm64",
            "linux/arm64/v8",
            "linux/arm64/v8.1",
        ],
        [
            "linux/amd64",
            "linux/arm/v4",
            "linux/arm/v9",
            "linux/arm64/v9",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/arm64",
        [
            "linux/arm",
            "linux/arm/v5",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/arm64",
            "linux/arm64/v8",
        ],
        [
            "linux/amd64",
            "linux/arm/v4",
            "linux/arm/v9",
            "linux/arm64/v7",
            "linux/arm64/v9",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    # beyond upstream's table: the v1.0 arm64 table's edges
    (
        "linux/arm64/v9.6",
        ["linux/arm64/v8.9", "linux/arm64/v9.5", "linux/arm/v8"],
        ["linux/arm64/v8.10", "linux/arm64/v9.7", "linux/arm/v9"],
    ),
    ("linux/arm64/v10", [], ["linux/arm64/v10", "linux/arm64", "linux/arm/v7"]),
    ("linux/arm64/v8.10", [], ["linux/arm64/v8.10", "linux/arm64"]),
    (
        "linux/amd64/v4",
        ["linux/amd64/v3", "linux/amd64/v2", "linux/amd64", "linux/386"],
        ["linux/amd64/v5"],
    ),
    (
        "linux/arm/v07",
        ["linux/arm/v6", "linux/arm/v5", "linux/arm/v07"],
        ["linux/arm/v7", "linux/arm"],
    ),
    ("linux/ppc64le", ["linux/ppc64le"], ["linux/ppc64"]),
]

STRICT_ROWS = [
    (
        "linux/amd64",
        ["linux/amd64"],
        ["linux/386", "linux/arm/v7", "linux/arm64", "windows/amd64", "windows/arm"],
    ),
    (
        "linux/386",
        ["linux/386"],
        ["linux/amd64", "linux/arm/v7", "linux/arm64", "windows/amd64", "windows/arm"],
    ),
    (
        "windows/amd64",
        ["windows/amd64", "windows(10.0.17763)/amd64"],
        ["linux/amd64", "linux/arm/v7", "linux/arm64", "windows/arm"],
    ),
    (
        "windows(10.0.17763)/amd64",
        ["windows/amd64", "windows(10.0.17763)/amd64"],
        ["linux/amd64", "linux/arm/v7", "linux/arm64", "windows/arm"],
    ),
    (
        "linux/arm/v8",
        ["linux/arm/v8"],
        [
            "linux/arm",
            "linux/arm/v5",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/amd64",
            "linux/arm/v4",
            "linux/arm64",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/arm/v7",
        ["linux/arm", "linux/arm/v7"],
        [
            "linux/arm/v5",
            "linux/arm/v6",
            "linux/amd64",
            "linux/arm/v4",
            "linux/arm/v8",
            "linux/arm64",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/arm/v6",
        ["linux/arm/v6"],
        [
            "linux/arm/v5",
            "linux/amd64",
            "linux/arm",
            "linux/arm/v4",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/arm64",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/arm/v5",
        ["linux/arm/v5"],
        [
            "linux/amd64",
            "linux/arm",
            "linux/arm/v4",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/arm64",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/arm/v4",
        ["linux/arm/v4"],
        [
            "linux/amd64",
            "linux/arm",
            "linux/arm/v5",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/arm64",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/arm64/v9",
        ["linux/arm64/v9", "linux/arm64/v9.0"],
        [
            "linux/arm",
            "linux/arm/v5",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/amd64",
            "linux/arm/v4",
            "linux/arm/v9",
            "linux/arm64/v8",
            "linux/arm64/v8.1",
            "linux/arm64/v7",
            "linux/arm64",
            "linux/arm64/v10",
            "windows/amd64",
            "windows/arm",
            "windows/arm64",
        ],
    ),
    (
        "linux/arm64/v8.1",
        ["linux/arm64/v8.1"],
        [
            "linux/arm",
            "linux/arm/v5",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/amd64",
            "linux/arm/v4",
            "linux/arm/v9",
            "linux/arm64/v8",
            "linux/arm64/v9",
            "windows/amd64",
            "windows/arm",
        ],
    ),
    (
        "linux/arm64",
        ["linux/arm64", "linux/arm64/v8"],
        [
            "linux/arm",
            "linux/arm/v5",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/amd64",
            "linux/arm/v4",
            "linux/arm/v9",
            "linux/arm64/v9",
            "linux/arm64/v7",
            "windows/amd64",
            "windows/arm",
        ],
    ),
]


def _cases(rows):
    for wanted, yes, no in rows:
        for c in yes:
            yield pytest.param(wanted, c, True, id=f"{wanted}-accepts-{c}")
        for c in no:
            yield pytest.param(wanted, c, False, id=f"{wanted}-rejects-{c}")


@pytest.mark.parametrize(("wanted", "candidate", "expected"), list(_cases(ONLY_ROWS)))
def test_only(wanted, candidate, expected):
    assert platforms.only(parse(wanted)).match(parse(candidate)) is expected


@pytest.mark.parametrize(("wanted", "candidate", "expected"), list(_cases(STRICT_ROWS)))
def test_only_strict(wanted, candidate, expected):
    assert platforms.only_strict(parse(wanted)).match(parse(candidate)) is expected


def W(version="", features=()):
    return Platform("windows", "amd64", os_version=version, os_features=features)


# TestMatchComparerMatch_ABICheckWCOW: (wanted, candidate, match)
ABI_ROWS = [
    ("10.0.17763", "10.0.17763", True),
    ("10.0.17763", "10.0.20348", False),
    ("10.0.20348", "10.0.17763", False),
    ("10.0.20348", "10.0.20348", True),
    ("10.0.22621", "10.0.17763", False),
    ("10.0.22621", "10.0.20348", True),
    ("", "10.0.17763", True),
    ("", "", True),
    ("", "10.0.22621", True),
    # TestFallbackOnOSVersion
    ("99.99.99.99", "", True),
    # beyond upstream: the 2025 LTSC and unreadable versions
    ("10.0.26100", "10.0.20348", False),
    ("10.0.26200", "10.0.26100.1", True),
    ("10.0.20348", "10.1.20348", False),
    ("10.0.20348", "x.y.z", False),
    ("10.0", "10.0.17763", True),
]


@pytest.mark.parametrize(
    ("wanted", "candidate", "expected"),
    ABI_ROWS,
    ids=[f"{w or 'none'}-runs-{c or 'none'}" for w, c, _ in ABI_ROWS],
)
def test_windows_os_version_compatibility(wanted, candidate, expected):
    assert platforms.new_matcher(W(wanted)).match(W(candidate)) is expected
    assert platforms.only(W(wanted)).match(W(candidate)) is expected


# Test_PlatformCompat: (host build, container build, runs)
COMPAT_ROWS = [
    ("RS5Host_ltsc2019", 17763, 17763, True),
    ("RS5Host_ltsc2022", 17763, 20348, False),
    ("WS2022Host_ltsc2019", 20348, 17763, False),
    ("WS2022Host_ltsc2022", 20348, 20348, True),
    ("Wind11Host_ltsc2019", 22621, 17763, False),
    ("Wind11Host_ltsc2022", 22621, 20348, True),
]


@pytest.mark.parametrize(
    ("name", "host", "ctr", "runs"), COMPAT_ROWS, ids=[r[0] for r in COMPAT_ROWS]
)
def test_windows_host_and_container_compat(name, host, ctr, runs):
    assert platforms.new_matcher(W(f"10.0.{host}")).match(W(f"10.0.{ctr}")) is runs


def test_windows_comparer_less_sorts_by_revision():
    """TestWindowsMatchComparerLess."""
    m = platforms.new_matcher(W("10.0.17763.1"), host_os="windows")
    given = [W("10.0.17764.1"), W(), W("10.0.17763.1"), W("10.0.17763.2"), W("10.0.17762.1")]
    expected = [W("10.0.17763.2"), W("10.0.17763.1"), W(), W("10.0.17764.1"), W("10.0.17762.1")]
    assert m.sort(given) == expected


LINUX = Platform("linux", "amd64")
WS2022 = W("10.0.20348.3091")
WS2025 = W("10.0.26100.2894")
WS2025_3000 = W("10.0.26100.3000")
ORDER_ROWS = [
    ("Windows Server 2022 should select 2022", WS2022, [LINUX, WS2022, WS2025], WS2022),
    ("Windows Server 2025 should select 2025", WS2025, [LINUX, WS2022, WS2025], WS2025),
    (
        "Windows Server 2025 should select 2025 latest rev",
        WS2025,
        [LINUX, WS2022, WS2025_3000],
        WS2025_3000,
    ),
]


@pytest.mark.parametrize(
    ("name", "host", "given", "want"), ORDER_ROWS, ids=[r[0] for r in ORDER_ROWS]
)
def test_windows_platform_order(name, host, given, want):
    """Test_PlatformOrder."""
    m = platforms.new_matcher(host, host_os="windows")
    assert m.sort(given)[0] == want


def test_windows_comparer_only_on_windows_hosts():
    m = platforms.new_matcher(W("10.0.17763.1"), host_os="linux")
    assert not m.less(W("10.0.17763.2"), W("10.0.17763.1"))


def test_windows_ignores_win32k_feature():
    assert platforms.new_matcher(W("10.0.20348")).match(W("10.0.20348.1", ("win32k",)))
    assert not platforms.new_matcher(W("10.0.20348")).match(W("10.0.20348.1", ("gpu",)))
    assert not platforms.only_os(W("10.0.20348")).match(W("10.0.20348.1", ("win32k",)))


def test_default_matchers_for_hosts():
    darwin = platforms.default(host=Platform("darwin", "arm64", "v8"))
    assert darwin.match("darwin/arm64") and darwin.match("linux/arm64")
    assert not darwin.match("linux/arm/v7")
    assert darwin.less(parse("darwin/arm64"), parse("linux/arm64"))
    linux = platforms.default(host=Platform("linux", "arm64", "v8"))
    assert linux.match("linux/arm/v7") and not linux.match("darwin/arm64")
    windows = platforms.default(host=Platform("windows", "amd64"))
    assert windows.match("windows/amd64") and not windows.match("linux/amd64")


# moby OnlyPlatformWithFallback (UPSTREAM section 6): (wanted, candidate, match)
FALLBACK_ROWS = [
    ("linux/arm/v6", {"os": "linux", "architecture": "arm"}, True),
    ("linux/arm/v6", {"os": "linux", "architecture": "arm", "variant": "v7"}, False),
    ("linux/amd64/v2", {"os": "linux", "architecture": "amd64"}, True),
    ("linux/arm64/v8.2", {"os": "linux", "architecture": "arm64"}, True),
    ("linux/amd64", {"os": "linux", "architecture": "386"}, True),
    ("linux/amd64", {"os": "linux", "architecture": "amd64", "variant": "v1"}, True),
    ("linux/amd64", {"os": "linux", "architecture": "amd64", "variant": "v2"}, False),
    ("linux/amd64", {"os": "windows", "architecture": "amd64"}, False),
    ("linux/arm64", {"os": "linux", "architecture": "arm"}, True),
    ("linux/arm64/v10", {"os": "linux", "architecture": "arm64"}, True),
    ("linux/arm64/v10", {"os": "linux", "architecture": "arm64", "variant": "v10"}, False),
    ("linux/arm/v7", {"os": "LINUX", "architecture": "armhf"}, True),
]


@pytest.mark.parametrize(
    ("wanted", "candidate", "expected"),
    FALLBACK_ROWS,
    ids=[f"{w}-{'/'.join(c.values())}" for w, c, _ in FALLBACK_ROWS],
)
def test_only_with_fallback(wanted, candidate, expected):
    assert platforms.only_with_fallback(parse(wanted)).match(candidate) is expected


def test_ordered_prefers_earlier_then_more_features():
    m = platforms.ordered("linux(+gpu+simd)/amd64", "linux/386")
    a = Platform("linux", "amd64", os_features=("gpu",))
    b = Platform("linux", "amd64")
    c = Platform("linux", "386")
    assert m.sort([c, b, a]) == [a, b, c]
    assert m.best([c, Platform("linux", "arm64")]) == c
    assert m.best([Platform("linux", "arm64")]) is None
    # neither matches, but without features one would: retried without features
    assert m.less(Platform("linux", "amd64", os_features=("x",)), Platform("linux", "s390x"))


def test_any_of_has_no_order_among_matches():
    m = platforms.any_of("linux/amd64", "linux/arm64")
    assert not m.less("linux/arm64", "linux/amd64")
    assert not m.less("linux/amd64", "linux/arm64")
    assert m.less("linux/amd64", "linux/s390x")
    assert m.less(Platform("linux", "amd64", os_features=()), "linux/s390x")


def test_all_matches_everything():
    assert platforms.ALL.match("foo/bar") and not platforms.ALL.less("a/b", "c/d")
    assert platforms.ALL.sort(["b/b", "a/a"]) == ["b/b", "a/a"]


def test_only_os():
    m = platforms.only_os("linux/arm64")
    assert m.match("linux/amd64") and m.match("linux/s390x") and not m.match("windows/arm64")
    assert m.sort(["linux/amd64", "windows/arm64", "linux/arm64"])[0] == "linux/arm64"
    assert not platforms.only_os("linux/amd64").match("linux(+gpu)/amd64")


def test_features_must_be_a_subset():
    m = platforms.only("linux(+gpu+simd)/amd64")
    assert m.match("linux(+gpu)/amd64") and m.match("linux(+simd+gpu)/amd64")
    assert not m.match("linux(+gpu+tpu)/amd64")
    assert not platforms.only("linux/amd64").match("linux(+gpu)/amd64")


def test_only_prefers_higher_rungs():
    m = platforms.only("linux/arm64/v9.2")
    ladder = [
        "linux/arm/v5",
        "linux/arm64/v8.1",
        "linux/arm64/v9.2",
        "linux/arm64/v9",
        "linux/arm64/v8.7",
    ]
    assert m.sort(ladder) == [
        "linux/arm64/v9.2",
        "linux/arm64/v9",
        "linux/arm64/v8.7",
        "linux/arm64/v8.1",
        "linux/arm/v5",
    ]
    huge = platforms.only("linux/amd64/v9223372036854775807")
    assert huge.match("linux/amd64/v123456789012") and huge.match("linux/386")
    assert not huge.match("linux/amd64/v9223372036854775808")
