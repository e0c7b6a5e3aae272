"""containerd platforms_test.go, ported: parse, format, format_all, invalid specifiers.

The upstream parse table depends on the host; here the host is injected as linux/amd64
(``parse(spec, host=HOST)``), so every expectation below is that host's.
"""

from __future__ import annotations

import pytest
from imagelookup import errors, platforms
from imagelookup.platforms import Platform

HOST = Platform("linux", "amd64")
OS, ARCH = "linux", "amd64"


def P(os, arch, variant="", os_version="", os_features=()):
    return Platform(os, arch, variant, os_version, tuple(os_features))


# (input, expected, matches, formatted, use_format_all) — TestParseSelector
PARSE_ROWS = [
    (
        "linux/arm64",
        P("linux", "arm64"),
        [P("linux", "aarch64"), P("linux", "aarch64", "v8"), P("linux", "arm64", "v8")],
        "linux/arm64",
        False,
    ),
    (
        "linux/arm64/v8",
        P("linux", "arm64", "v8"),
        [P("linux", "aarch64"), P("linux", "aarch64", "v8"), P("linux", "arm64")],
        "linux/arm64/v8",
        False,
    ),
    (
        "linux/arm",
        P("linux", "arm"),
        [P("linux", "arm", "v7"), P("linux", "armhf"), P("linux", "arm", "7")],
        "linux/arm",
        False,
    ),
    ("linux/arm/v6", P("linux", "arm", "v6"), [P("linux", "armel")], "linux/arm/v6", False),
    (
        "linux/arm/v7",
        P("linux", "arm", "v7"),
        [P("linux", "arm"), P("linux", "armhf")],
        "linux/arm/v7",
        False,
    ),
    ("arm", P(OS, "arm"), [], f"{OS}/arm", False),
    ("armel", P(OS, "arm", "v6"), [], f"{OS}/arm/v6", False),
    ("armhf", P(OS, "arm"), [], f"{OS}/arm", False),
    ("Aarch64", P(OS, "arm64"), [], f"{OS}/arm64", False),
    ("x86_64", P(OS, "amd64"), [], f"{OS}/amd64", False),
    ("Linux/x86_64", P("linux", "amd64"), [], "linux/amd64", False),
    ("i386", P(OS, "386"), [], f"{OS}/386", False),
    ("linux", P("linux", ARCH), [], f"linux/{ARCH}", False),
    ("s390x", P(OS, "s390x"), [], f"{OS}/s390x", False),
    ("linux/s390x", P("linux", "s390x"), [], "linux/s390x", False),
    ("macOS", P("darwin", ARCH), [], f"darwin/{ARCH}", False),
    ("windows", P("windows", ARCH), [], f"windows/{ARCH}", False),
    ("windows()", P("windows", ARCH), [], f"windows/{ARCH}", True),
    (
        "windows(10.0.17763)",
        P("windows", ARCH, os_version="10.0.17763"),
        [],
        f"windows(10.0.17763)/{ARCH}",
        True,
    ),
    (
        "windows(10.0.17763+win32k)",
        P("windows", ARCH, os_version="10.0.17763", os_features=["win32k"]),
        [],
        f"windows(10.0.17763+win32k)/{ARCH}",
        True,
    ),
    ("linux(+gpu)", P("linux", ARCH, os_features=["gpu"]), [], f"linux(+gpu)/{ARCH}", True),
    (
        "linux(+gpu+simd)",
        P("linux", ARCH, os_features=["gpu", "simd"]),
        [],
        f"linux(+gpu+simd)/{ARCH}",
        True,
    ),
    (
        "linux(+unsorted+erofs)",
        P("linux", ARCH, os_features=["unsorted", "erofs"]),
        [],
        f"linux(+erofs+unsorted)/{ARCH}",
        True,
    ),
    (
        "windows(10.0.17763%2Bbuild.42)",
        P("windows", ARCH, os_version="10.0.17763+build.42"),
        [],
        f"windows(10.0.17763%2Bbuild.42)/{ARCH}",
        True,
    ),
    (
        "windows(10.0.17763%2Bbuild.42+win32k)",
        P("windows", ARCH, os_version="10.0.17763+build.42", os_features=["win32k"]),
        [],
        f"windows(10.0.17763%2Bbuild.42+win32k)/{ARCH}",
        True,
    ),
    (
        "windows(50%25done)",
        P("windows", ARCH, os_version="50%done"),
        [],
        f"windows(50%25done)/{ARCH}",
        True,
    ),
]


@pytest.mark.parametrize(
    ("spec", "expected", "matches", "formatted", "use_all"),
    PARSE_ROWS,
    ids=[row[0] for row in PARSE_ROWS],
)
def test_parse_selector(spec, expected, matches, formatted, use_all):
    p = platforms.parse(spec, host=HOST)
    assert p == expected
    m = platforms.new_matcher(p)
    assert m.match(expected)
    for candidate in matches:
        assert m.match(candidate), candidate
    fmt = platforms.format_all if use_all else platforms.format
    assert fmt(p) == formatted
    assert fmt(platforms.parse(formatted, host=HOST)) == formatted


@pytest.mark.parametrize("spec", ["*", "linux/*", "*/arm64"], ids=str)
def test_wildcards_are_not_supported(spec):
    with pytest.raises(errors.InvalidParameter, match="wildcards not yet supported"):
        platforms.parse(spec, host=HOST)


# TestFormatAllEncoding: (platform, expected)
ENCODING_ROWS = [
    (
        P("windows", "amd64", os_version="10.0.17763+build.42"),
        "windows(10.0.17763%2Bbuild.42)/amd64",
    ),
    (
        P("windows", "amd64", os_version="10.0.17763+build.42", os_features=["win32k"]),
        "windows(10.0.17763%2Bbuild.42+win32k)/amd64",
    ),
    (P("windows", "amd64", os_version="50%done"), "windows(50%25done)/amd64"),
    (P("windows", "amd64", os_version="1.0(beta)"), "windows(1.0%28beta%29)/amd64"),
    (P("windows", "amd64", os_version="a/b"), "windows(a%2Fb)/amd64"),
    (P("windows", "amd64", os_version="10.0.17763"), "windows(10.0.17763)/amd64"),
    (P("linux", "amd64", os_features=["feat+v2"]), "linux(+feat%2Bv2)/amd64"),
    (P("linux", "amd64", os_features=["100%gpu"]), "linux(+100%25gpu)/amd64"),
    (
        P("windows", "amd64", os_version="10.0+build", os_features=["feat+1"]),
        "windows(10.0%2Bbuild+feat%2B1)/amd64",
    ),
]


@pytest.mark.parametrize(
    ("platform", "expected"), ENCODING_ROWS, ids=[row[1] for row in ENCODING_ROWS]
)
def test_format_all_encoding_round_trips(platform, expected):
    assert platforms.format_all(platform) == expected
    back = platforms.parse(expected, host=HOST)
    assert back.os_version == platform.os_version
    assert back.os_features == platform.os_features


def test_format_all_skips_empty_os_features():
    p = P("linux", "amd64", os_features=["", "gpu", "", "simd"])
    assert platforms.format_all(p) == "linux(+gpu+simd)/amd64"


# TestParseSelectorInvalid, with the message upstream gives.
OS_RE = r'"^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$"'
PART_RE = '"^[A-Za-z0-9_.-]+$"'


def _os_err(part: str, spec: str) -> str:
    return (
        f"{part} is an invalid OS component of {spec}: "
        f"OSAndVersion specifier component must match {OS_RE}: invalid argument"
    )


def _part_err(part: str, spec: str) -> str:
    return (
        f"{part} is an invalid component of {spec}: "
        f"platform specifier component must match {PART_RE}: invalid argument"
    )


INVALID_ROWS = [
    ("", _os_err('""', '""')),
    ("/linux/arm", _os_err('""', '"/linux/arm"')),
    ("linux/arm/", _part_err('""', '"linux/arm/"')),
    ("linux /arm", _os_err('"linux "', '"linux /arm"')),
    ("linux/&arm", _part_err('"&arm"', '"linux/&arm"')),
    ("linux/arm/foo/bar", '"linux/arm/foo/bar": cannot parse platform specifier: invalid argument'),
    # beyond upstream's table: the rest of the error paths
    ("a/b/c/d/e", _part_err('"d/e"', '"a/b/c/d/e"')),
    ("x86", '"x86": unknown operating system or architecture: invalid argument'),
    ("armv7", '"armv7": unknown operating system or architecture: invalid argument'),
    ("windows(%zz)", '"windows(%zz)" has an invalid OS version "%zz": invalid URL escape "%zz"'),
    (
        "linux(+ok+bad%4)/amd64",
        '"linux(+ok+bad%4)/amd64" has invalid OS features: '
        'invalid os feature "bad%4": invalid URL escape "%4"',
    ),
    ("linux\n", _os_err('"linux\\n"', '"linux\\n"')),
    ("linüx/arm", _os_err('"linüx"', '"linüx/arm"')),
]


@pytest.mark.parametrize(("spec", "message"), INVALID_ROWS, ids=[repr(r[0]) for r in INVALID_ROWS])
def test_invalid_specifiers_raise_upstream_messages(spec, message):
    with pytest.raises(errors.InvalidParameter) as info:
        platforms.parse(spec, host=HOST)
    assert str(info.value) == message
    assert info.value.kind == "invalid_platform"
    assert isinstance(info.value, ValueError)


ACCEPTED_ROWS = [
    ("linux/arm64/v8.2", P("linux", "arm64", "v8.2")),
    ("linux/arm64/8", P("linux", "arm64", "v8")),
    ("linux/armhf", P("linux", "arm")),
    ("linux/armel", P("linux", "arm", "v6")),
    ("linux/armhf/v5", P("linux", "arm", "v7")),
    ("linux/arm/v7", P("linux", "arm", "v7")),
    ("linux/arm64/v9.0", P("linux", "arm64", "v9")),
    ("linux/arm64/V8.0", P("linux", "arm64", "v8")),
    ("linux/amd64/v1", P("linux", "amd64")),
    ("linux/i386/v2", P("linux", "386")),
    ("foo/bar", P("foo", "bar")),
    ("windows(10%3A0)/amd64", P("windows", "amd64", os_version="10:0")),
]


@pytest.mark.parametrize(("spec", "expected"), ACCEPTED_ROWS, ids=[r[0] for r in ACCEPTED_ROWS])
def test_more_accepted_forms(spec, expected):
    assert platforms.parse(spec, host=HOST) == expected


def test_one_word_os_on_arm_hosts_takes_the_variant_unless_v7():
    assert platforms.parse("linux", host=Platform("linux", "arm", "v6")) == P("linux", "arm", "v6")
    assert platforms.parse("linux", host=Platform("linux", "arm", "v7")) == P("linux", "arm")
    assert platforms.parse("arm64", host=Platform("darwin", "arm64", "v8")) == P("darwin", "arm64")


FORMAT_ROWS = [
    (P("", "amd64", "v2"), "unknown", "unknown"),
    (P("linux", "amd64"), "linux/amd64", "linux/amd64"),
    (P("linux", "../x"), "x", "x"),
    (P("linux", "a//b", "./c"), "linux/a/b/c", "linux/a/b/c"),
    (P("Linux", "AMD64", "V2"), "Linux/AMD64/V2", "Linux/AMD64/V2"),
    (P("windows", "amd64", os_version="10.0.1"), "windows/amd64", "windows(10.0.1)/amd64"),
    (P("linux", "amd64", os_features=["b", "a", "a"]), "linux/amd64", "linux(+a+b)/amd64"),
    (P("linux", "amd64", os_features=[""]), "linux/amd64", "linux/amd64"),
]


@pytest.mark.parametrize(("p", "short", "full"), FORMAT_ROWS, ids=[r[2] for r in FORMAT_ROWS])
def test_format_and_format_all(p, short, full):
    assert platforms.format(p) == short
    assert platforms.format_all(p) == full
