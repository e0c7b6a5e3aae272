"""The host default (containerd cpuinfo_linux_test.go, defaults tests), host injected."""

from __future__ import annotations

import pytest
from imagelookup import platforms
from imagelookup.platforms import Platform

# TestGetCPUVariantFromArch: uname machine -> variant, when cpuinfo has no "Cpu architecture".
MACHINE_ROWS = [
    ("Test aarch64", "aarch64", "arm64", "v8"),
    ("Test Armv8 with capital", "Armv8", "arm", "v8"),
    ("Test armv7", "armv7", "arm", "v7"),
    ("Test armv6", "armv6", "arm", "v6"),
    ("Test armv5", "armv5", "arm", "v5"),
    ("Test armv4", "armv4", "arm", "v4"),
    ("Test armv3", "armv3", "arm", "v3"),
    ("Test unknown input", "armv9", "arm", "unknown"),
    ("Test invalid input which doesn't start with armv", "armxxxx", "arm", ""),
    ("Test invalid input whose length is less than 5", "armv", "arm", ""),
]


@pytest.mark.parametrize(
    ("name", "machine", "arch", "variant"), MACHINE_ROWS, ids=[r[0] for r in MACHINE_ROWS]
)
def test_cpu_variant_from_machine(name, machine, arch, variant):
    assert platforms.default_spec_for("linux", machine, "") == Platform("linux", arch, variant)


PI = "processor\t: 0\nmodel name\t: ARMv6-compatible processor rev 7 (v6l)\nCPU architecture: 7\n"
CPUINFO_ROWS = [
    ("raspberry pi armv6 quirk", "linux", "armv6l", PI, Platform("linux", "arm", "v6")),
    (
        "cpuinfo wins over machine",
        "linux",
        "aarch64",
        "CPU architecture: 8\n",
        Platform("linux", "arm64", "v8"),
    ),
    ("cpuinfo 7 on arm64", "linux", "aarch64", PI, Platform("linux", "arm64", "v7")),
    ("cpuinfo 7M", "linux", "armv7l", "Cpu Architecture : 7M\n", Platform("linux", "arm", "v7")),
    (
        "cpuinfo ?(12)",
        "linux",
        "armv7l",
        "CPU architecture: ?(12)\n",
        Platform("linux", "arm", "v7"),
    ),
    (
        "cpuinfo 5TEJ",
        "linux",
        "armv5tejl",
        "CPU architecture: 5TEJ\n",
        Platform("linux", "arm", "v5"),
    ),
    ("cpuinfo 4t", "linux", "armv4tl", "CPU architecture: 4T\r\n", Platform("linux", "arm", "v4")),
    (
        "cpuinfo garbage",
        "linux",
        "armv7l",
        "CPU architecture: 99\n",
        Platform("linux", "arm", "unknown"),
    ),
    ("unreadable cpuinfo", "linux", "aarch64", None, Platform("linux", "arm64", "")),
    ("amd64 has no variant", "linux", "x86_64", "flags: avx2\n", Platform("linux", "amd64")),
    ("darwin arm64", "darwin", "arm64", None, Platform("darwin", "arm64", "v8")),
    ("windows arm", "windows", "armv7l", None, Platform("windows", "arm", "v7")),
    ("freebsd arm", "freebsd", "armv6", None, Platform("freebsd", "arm", "unknown")),
    ("freebsd arm64", "freebsd", "aarch64", None, Platform("freebsd", "arm64", "v8")),
    ("other OS", "plan9", "armv7l", None, Platform("plan9", "arm", "")),
    ("386", "linux", "i686", None, Platform("linux", "386")),
]


@pytest.mark.parametrize(
    ("name", "os", "machine", "cpuinfo", "expected"), CPUINFO_ROWS, ids=[r[0] for r in CPUINFO_ROWS]
)
def test_default_spec_for(name, os, machine, cpuinfo, expected):
    assert platforms.default_spec_for(os, machine, cpuinfo) == expected


def test_default_spec_is_normalized_and_matches_itself():
    """TestDefault / TestNormalize: the host default is already normal and Default accepts it."""
    spec = platforms.default_spec()
    assert platforms.normalize(spec) == spec or spec.architecture == "arm"
    assert platforms.default().match(spec)
    assert platforms.format(spec) == platforms.format_all(spec)
    assert platforms.parse(spec.os).os == spec.os
