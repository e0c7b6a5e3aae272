"""Plain-Python containerd ``platforms`` v1.0.x rules: the baseline the Rust core is measured
against, and the reference matcher other benchmarks import.

Works on OCI-form dicts (``{"os", "architecture", "variant", "os.version", "os.features"}``).
Written for speed the way a careful Python programmer would: lookup tables, precomputed
matchers, no regular expressions in the hot path. Import it as a plain module (no package).
"""

from __future__ import annotations

import re
import sys
from urllib.parse import unquote

_KNOWN_OS = frozenset(
    "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 "
    "solaris windows zos".split()
)
_KNOWN_ARCH = frozenset(
    "386 amd64 amd64p32 arm armbe arm64 arm64be ppc64 ppc64le loong64 mips mipsle mips64 "
    "mips64le mips64p32 mips64p32le ppc riscv riscv64 s390 s390x sparc sparc64 wasm".split()
)
_OS_RE = re.compile(r"([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?\Z")
_PART_RE = re.compile(r"[A-Za-z0-9_.-]+\Z")

HOST_OS = (
    "darwin" if sys.platform == "darwin" else "windows" if sys.platform == "win32" else "linux"
)
HOST = (HOST_OS, "amd64", "")


class InvalidPlatform(ValueError):
    pass


def normalize_os(os_name: str) -> str:
    if not os_name:
        return HOST_OS
    os_name = os_name.lower()
    return "darwin" if os_name == "macos" else os_name


_ARM64_VARIANT = {"8": "", "v8": "", "v8.0": "", "9": "v9", "9.0": "v9", "v9.0": "v9"}
_ARM_VARIANT = {"": "v7", "7": "v7", "5": "v5", "6": "v6", "8": "v8"}


def normalize_arch(arch: str, variant: str) -> tuple[str, str]:
    arch = arch.lower()
    variant = variant.lower()
    if arch == "i386":
        return "386", ""
    if arch in ("x86_64", "x86-64", "amd64"):
        return "amd64", "" if variant == "v1" else variant
    if arch in ("aarch64", "arm64"):
        return "arm64", _ARM64_VARIANT.get(variant, variant)
    if arch == "armhf":
        return "arm", "v7"
    if arch == "armel":
        return "arm", "v6"
    if arch == "arm":
        return "arm", _ARM_VARIANT.get(variant, variant)
    return arch, variant


def normalize(p: dict) -> dict:
    arch, variant = normalize_arch(p.get("architecture") or "", p.get("variant") or "")
    out = {"os": normalize_os(p.get("os") or ""), "architecture": arch, "variant": variant}
    if p.get("os.version"):
        out["os.version"] = p["os.version"]
    features = p.get("os.features")
    if features:
        out["os.features"] = sorted(set(features))
    return out


def _decode(value: str) -> str:
    if "%" not in value:
        return value
    if re.search(r"%(?![0-9A-Fa-f]{2})", value):
        raise InvalidPlatform(f"invalid URL escape in {value!r}")
    return unquote(value, errors="replace")


def parse(spec: str, host: tuple[str, str, str] = HOST) -> dict:
    if "*" in spec:
        raise InvalidPlatform(f"{spec!r}: wildcards not yet supported")
    parts = spec.split("/", 3)
    m = _OS_RE.match(parts[0])
    if m is None:
        raise InvalidPlatform(f"{parts[0]!r} is an invalid OS component of {spec!r}")
    for part in parts[1:]:
        if not _PART_RE.match(part):
            raise InvalidPlatform(f"{part!r} is an invalid component of {spec!r}")
    p: dict = {"os": normalize_os(m.group(1)), "architecture": "", "variant": ""}
    if m.group(2):
        p["os.version"] = _decode(m.group(2))
    if m.group(3):
        p["os.features"] = [_decode(f) for f in m.group(3)[1:].split("+")]
    n = len(parts)
    if n == 1:
        if p["os"] in _KNOWN_OS:
            p["architecture"] = host[1]
            if host[1] == "arm" and host[2] != "v7":
                p["variant"] = host[2]
            return p
        arch, variant = normalize_arch(parts[0], "")
        if arch in _KNOWN_ARCH:
            return {
                "os": host[0],
                "architecture": arch,
                "variant": "" if variant == "v7" else variant,
            }
        raise InvalidPlatform(f"{spec!r}: unknown operating system or architecture")
    if n == 2:
        arch, variant = normalize_arch(parts[1], "")
        p["architecture"], p["variant"] = arch, "" if arch == "arm" and variant == "v7" else variant
        return p
    if n == 3:
        arch, variant = normalize_arch(parts[1], parts[2])
        p["architecture"], p["variant"] = arch, "v8" if arch == "arm64" and not variant else variant
        return p
    raise InvalidPlatform(f"{spec!r}: cannot parse platform specifier")


def _windows_version(v: str) -> tuple[int, int, int]:
    parts = v.split(".", 3)
    if len(parts) < 3:
        return (0, 0, 0)
    try:
        major, minor, build = (int(x) if x.isdigit() and x.isascii() else -1 for x in parts[:3])
    except ValueError:
        return (0, 0, 0)
    if not (0 <= major <= 255 and 0 <= minor <= 255 and 0 <= build <= 65535):
        return (0, 0, 0)
    return (major, minor, build)


def _windows_ok(wanted: tuple[int, int, int], candidate: str) -> bool:
    if wanted == (0, 0, 0) or not candidate:
        return True
    c = _windows_version(candidate)
    if wanted[:2] != c[:2]:
        return False
    if wanted[2] < 20348:
        return wanted[2] == c[2]
    ltsc = 26100 if wanted[2] >= 26100 else 20348
    return ltsc <= c[2] <= wanted[2]


def _atoi(s: str) -> int | None:
    body = s[1:] if s[:1] in "+-" else s
    if not body or not body.isascii() or not body.isdigit():
        return None
    value = int(s)
    return value if -(2**63) <= value < 2**63 else None


def _ladder(arch: str, variant: str) -> list[tuple[str, str]]:
    """(arch, normalized variant) keys in preference order; numeric stretches are bounded by
    the caller (``_LADDER_CAP``), never by the input's magnitude alone."""
    if arch == "amd64":
        keys = [("amd64", variant)]
        level = _atoi(variant[1:] if variant.startswith("v") else variant)
        if level is not None and level > 1:
            keys += [("amd64", f"v{k}") for k in range(min(level - 1, _LADDER_CAP), 1, -1)]
            keys.append(("amd64", ""))
        keys.append(("386", ""))
        return keys
    if arch == "arm":
        keys = [("arm", variant)]
        level = _atoi(variant[1:] if variant.startswith("v") else variant)
        if level is not None and level > 5:
            keys += [("arm", f"v{k}") for k in range(min(level - 1, _LADDER_CAP), 4, -1)]
        return keys
    if arch == "arm64":
        v = variant or "v8"
        runs = _ARM64_TABLE.get(v)
        if runs is None:
            return []
        keys = []
        for major, top in runs:
            for minor in range(top, -1, -1):
                raw = f"v{major}" if minor == 0 else f"v{major}.{minor}"
                keys.append(("arm64", normalize_arch("arm64", raw)[1]))
        return [*keys, ("arm", "v8"), ("arm", "v7"), ("arm", "v6"), ("arm", "v5")]
    return [(arch, variant)]


_LADDER_CAP = 64
_ARM64_TABLE = {f"v8.{n}": [(8, n)] for n in range(10)}
_ARM64_TABLE.update({f"v9.{n}": [(9, n), (8, min(n + 5, 9))] for n in range(10)})
_ARM64_TABLE["v8"] = [(8, 0)]
_ARM64_TABLE["v9"] = [(9, 0), (8, 5)]


class OrderedMatcher:
    """``Ordered``/``Only`` over a precomputed {(arch, variant): rank} table."""

    __slots__ = ("features", "os", "rank", "win")

    def __init__(self, os_name: str, os_version: str, features, keys) -> None:
        self.os = os_name
        self.win = _windows_version(os_version) if os_name == "windows" else None
        self.features = frozenset(features or ())
        self.rank: dict[tuple[str, str], int] = {}
        for i, key in enumerate(keys):
            self.rank.setdefault(key, i)

    def _rank(self, d: dict, ignore_features: bool = False) -> int | None:
        os_name = d.get("os") or HOST_OS
        if os_name != self.os:
            os_name = normalize_os(os_name)
            if os_name != self.os:
                return None
        if self.win is not None and not _windows_ok(self.win, d.get("os.version") or ""):
            return None
        if not ignore_features:
            features = d.get("os.features")
            if features:
                for f in features:
                    if f not in self.features and not (self.win is not None and f == "win32k"):
                        return None
        key = normalize_arch(d.get("architecture") or "", d.get("variant") or "")
        return self.rank.get(key)

    def match(self, d: dict) -> bool:
        return self._rank(d) is not None

    def less(self, a: dict, b: dict) -> bool:
        ra, rb = self._rank(a), self._rank(b)
        if ra is not None and rb is not None:
            if ra != rb:
                return ra < rb
            return len(a.get("os.features") or ()) > len(b.get("os.features") or ())
        if ra is not None or rb is not None:
            return ra is not None
        if a.get("os.features") or b.get("os.features"):
            ra, rb = self._rank(a, True), self._rank(b, True)
            return ra is not None and (rb is None or ra < rb)
        return False


def only(p: dict) -> OrderedMatcher:
    n = normalize(p)
    keys = _ladder(n["architecture"], n["variant"])
    return OrderedMatcher(n["os"], n.get("os.version", ""), n.get("os.features"), keys)


def only_strict(p: dict) -> OrderedMatcher:
    n = normalize(p)
    keys = [(n["architecture"], n["variant"])]
    return OrderedMatcher(n["os"], n.get("os.version", ""), n.get("os.features"), keys)
