"""Properties: select equals a plain-Python reference on random valid indexes; no input makes
the reader fail in any but the documented ways."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagelookup import errors, manifests, platforms

OCI_M = "application/vnd.oci.image.manifest.v1+json"
DOCKER_M = "application/vnd.docker.distribution.manifest.v2+json"
IMAGE_MANIFESTS = {OCI_M, DOCKER_M}
MEDIA_TYPES = [
    OCI_M,
    DOCKER_M,
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.example+json",
]
WANTED = [
    "linux/amd64",
    "linux/arm64",
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/386",
    "windows/amd64",
    "linux/ppc64le",
]

platform_dicts = st.fixed_dictionaries(
    {
        "os": st.sampled_from(["linux", "Linux", "windows", "unknown", "darwin"]),
        "architecture": st.sampled_from(
            ["amd64", "arm64", "arm", "386", "ppc64le", "unknown", "x86_64", "aarch64", "armhf"]
        ),
    },
    optional={
        "variant": st.sampled_from(["", "v5", "v6", "v7", "v8", "8"]),
        "os.version": st.sampled_from(["", "10.0.17763.1"]),
    },
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)

entries = st.fixed_dictionaries(
    {
        "mediaType": st.sampled_from(MEDIA_TYPES),
        "digest": st.text(min_size=1, max_size=20),
        "size": st.integers(-(2**63), 2**63 - 1),
    },
    optional={
        "platform": st.one_of(st.none(), platform_dicts),
        "annotations": st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
        "urls": st.lists(st.text(max_size=5), max_size=2),
        "x-unknown": json_values,
    },
)

indexes = st.fixed_dictionaries(
    {"manifests": st.lists(entries, max_size=8)},
    optional={
        "schemaVersion": st.just(2),
        "mediaType": st.sampled_from(MEDIA_TYPES),
        "annotations": st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
        "x-unknown": json_values,
    },
)

FIELDS = {
    "manifests",
    "mediaType",
    "digest",
    "size",
    "platform",
    "annotations",
    "urls",
    "schemaVersion",
    "os",
    "architecture",
    "variant",
    "os.version",
}


def recase(value, flips):
    """The same document with decoded field names in random letter case (Go matches them
    case-insensitively); map keys (annotations) are left alone."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            new_key = key
            if key in FIELDS and flips.draw(st.booleans()):
                new_key = "".join(c.upper() if flips.draw(st.booleans()) else c for c in key)
            out[new_key] = item if key in {"annotations", "x-unknown"} else recase(item, flips)
        return out
    if isinstance(value, list):
        return [recase(item, flips) for item in value]
    return value


def reference_select(doc: dict, wanted: str) -> list[str]:
    """moby's loop in plain Python: image-manifest media types, a platform, only(wanted)."""
    m = platforms.only(wanted)
    return [
        e["digest"]
        for e in doc["manifests"]
        if e["mediaType"] in IMAGE_MANIFESTS
        and e.get("platform") is not None
        and m.match(e["platform"])
    ]


def reference_best(doc: dict, wanted: str) -> str | None:
    m = platforms.only(wanted)
    chosen = None
    for e in doc["manifests"]:
        if e["mediaType"] in IMAGE_MANIFESTS and e.get("platform") is not None:
            if m.match(e["platform"]) and (
                chosen is None or m.less(e["platform"], chosen["platform"])
            ):
                chosen = e
    return chosen["digest"] if chosen else None


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(doc=indexes, wanted=st.sampled_from(WANTED), data=st.data())
def test_select_equals_the_reference(doc, wanted, data):
    raw = json.dumps(recase(doc, data), indent=data.draw(st.sampled_from([None, 0, 2])))
    encoded = raw.encode()
    assert [d.digest for d in manifests.select(encoded, wanted)] == reference_select(doc, wanted)
    best = manifests.best(encoded, wanted)
    assert (best.digest if best else None) == reference_best(doc, wanted)
    parsed = manifests.parse_index(encoded)
    assert [d.digest for d in parsed.manifests] == [e["digest"] for e in doc["manifests"]]
    assert [d.size for d in parsed.manifests] == [e["size"] for e in doc["manifests"]]
    assert [d.annotations for d in parsed.manifests] == [
        e.get("annotations", {}) for e in doc["manifests"]
    ]
    assert [d.urls for d in parsed.manifests] == [
        tuple(e.get("urls", ())) for e in doc["manifests"]
    ]


@settings(max_examples=100)
@given(doc=indexes, wanted=st.sampled_from(WANTED))
def test_select_many_equals_select(doc, wanted):
    encoded = json.dumps(doc).encode()
    many = manifests.select_many([encoded, b"x", encoded], wanted, threads=2)
    single = manifests.select(encoded, wanted)
    assert many[0] == single == many[2]
    assert isinstance(many[1], errors.InvalidManifest)


DOCUMENTED = (errors.InvalidManifest, errors.LimitExceeded)


@settings(max_examples=1000)
@given(st.binary(max_size=300), st.integers(0, 400))
def test_random_bytes_only_documented_errors(data, limit):
    for call in (manifests.parse_index, manifests.parse_manifest, manifests.config_digest):
        try:
            call(data, limit=limit)
        except DOCUMENTED:
            pass
    try:
        manifests.select(data, "linux/amd64", limit=limit)
    except DOCUMENTED:
        pass


@settings(max_examples=500)
@given(doc=indexes, data=st.data())
def test_mutated_documents_only_documented_errors(doc, data):
    encoded = bytearray(json.dumps(doc).encode())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(encoded) - 1))
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip":
            encoded[at] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del encoded[at:]
            if not encoded:
                break
        else:
            encoded[at:at] = data.draw(st.sampled_from([b"{", b"[", b'"', b"\\", b"\xff", b"null"]))
    try:
        manifests.select(bytes(encoded), "linux/amd64")
    except DOCUMENTED:
        pass


@settings(max_examples=200)
@given(doc=indexes, wanted=st.sampled_from(WANTED), junk=json_values)
def test_undecoded_fields_never_change_the_answer(doc, wanted, junk):
    plain = json.dumps(doc).encode()
    noisy = json.dumps({"zz-extra": junk, **doc, "zz-after": [junk, {"k": junk}]}).encode()
    assert manifests.select(plain, wanted) == manifests.select(noisy, wanted)
