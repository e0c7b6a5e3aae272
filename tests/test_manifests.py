"""imagelookup.manifests: reading, media-type families, selection as moby's image.go does it."""

from __future__ import annotations

import gc
import json
import pickle
import sys

import pytest
from imagelookup import errors, manifests, platforms
from imagelookup.manifests import (
    MEDIA_TYPE_DOCKER_CONFIG,
    MEDIA_TYPE_DOCKER_MANIFEST,
    MEDIA_TYPE_DOCKER_MANIFEST_LIST,
    MEDIA_TYPE_OCI_CONFIG,
    MEDIA_TYPE_OCI_INDEX,
    MEDIA_TYPE_OCI_MANIFEST,
    Descriptor,
    Index,
    Manifest,
)

OCI_M = MEDIA_TYPE_OCI_MANIFEST
DOCKER_M = MEDIA_TYPE_DOCKER_MANIFEST
D = "sha256:" + "d" * 64


def entry(digest: str, platform: dict | None, media_type: str = OCI_M, **extra) -> dict:
    d = {"mediaType": media_type, "digest": digest, "size": 100}
    if platform is not None:
        d["platform"] = platform
    d.update(extra)
    return d


def index(*entries: dict, media_type: str = MEDIA_TYPE_OCI_INDEX, **extra) -> bytes:
    doc = {"schemaVersion": 2, "mediaType": media_type, "manifests": list(entries), **extra}
    return json.dumps(doc).encode()


def plat(spec: str) -> dict:
    os_name, arch, *variant = spec.split("/")
    p = {"os": os_name, "architecture": arch}
    if variant:
        p["variant"] = variant[0]
    return p


def digests(found) -> list[str]:
    return [d.digest for d in found]


def test_media_type_constants():
    assert MEDIA_TYPE_OCI_INDEX == "application/vnd.oci.image.index.v1+json"
    assert MEDIA_TYPE_OCI_MANIFEST == "application/vnd.oci.image.manifest.v1+json"
    assert MEDIA_TYPE_OCI_CONFIG == "application/vnd.oci.image.config.v1+json"
    assert (
        MEDIA_TYPE_DOCKER_MANIFEST_LIST
        == "application/vnd.docker.distribution.manifest.list.v2+json"
    )
    assert MEDIA_TYPE_DOCKER_MANIFEST == "application/vnd.docker.distribution.manifest.v2+json"
    assert MEDIA_TYPE_DOCKER_CONFIG == "application/vnd.docker.container.image.v1+json"


# --- image.go's manifestMatchesPlatform: media-type filter ------------------------------------

MEDIA_TYPE_ROWS = [
    ("oci-manifest", OCI_M, True),
    ("docker-schema2-manifest", DOCKER_M, True),
    ("oci-index-nested", MEDIA_TYPE_OCI_INDEX, False),
    ("docker-list-nested", MEDIA_TYPE_DOCKER_MANIFEST_LIST, False),
    ("oci-config", MEDIA_TYPE_OCI_CONFIG, False),
    ("docker-schema1", "application/vnd.docker.distribution.manifest.v1+prettyjws", False),
    ("artifact", "application/vnd.example.sbom+json", False),
    ("empty", "", False),
    ("case-differs", OCI_M.upper(), False),
    ("trailing-space", OCI_M + " ", False),
]


@pytest.mark.parametrize(
    ("media_type", "selected"),
    [r[1:] for r in MEDIA_TYPE_ROWS],
    ids=[r[0] for r in MEDIA_TYPE_ROWS],
)
def test_only_image_manifest_media_types_are_selected(media_type, selected):
    data = index(entry(D, plat("linux/amd64"), media_type))
    assert digests(manifests.select(data, "linux/amd64")) == ([D] if selected else [])
    parsed = manifests.parse_index(data)
    assert parsed.manifests[0].media_type == media_type
    assert parsed.manifests[0].is_manifest is selected


@pytest.mark.parametrize(
    ("media_type", "is_index"),
    [
        (MEDIA_TYPE_OCI_INDEX, True),
        (MEDIA_TYPE_DOCKER_MANIFEST_LIST, True),
        (OCI_M, False),
        ("application/vnd.unknown+json", False),
    ],
    ids=["oci-index", "docker-list", "manifest", "unknown"],
)
def test_nested_index_entries_are_reported(media_type, is_index):
    d = manifests.parse_index(index(entry(D, None, media_type))).manifests[0]
    assert d.is_index is is_index


# --- image.go's platform match: platforms.Only(wanted), document order ---

# (id, entries as (digest, platform spec or None), wanted, selected digests in order)
PLATFORM_ROWS = [
    ("amd64-exact", [("a", "linux/amd64"), ("b", "linux/arm64")], "linux/amd64", ["a"]),
    ("amd64-accepts-386", [("a", "linux/386"), ("b", "linux/amd64")], "linux/amd64", ["a", "b"]),
    ("386-rejects-amd64", [("a", "linux/amd64")], "linux/386", []),
    (
        "arm64-accepts-arm-ladder",
        [("a", "linux/arm/v7"), ("b", "linux/arm64/v8")],
        "linux/arm64",
        ["a", "b"],
    ),
    ("arm64-v8-normalized", [("a", "linux/arm64/v8")], "linux/arm64", ["a"]),
    (
        "armv7-accepts-v6-v5",
        [("a", "linux/arm/v5"), ("b", "linux/arm/v6"), ("c", "linux/arm/v7")],
        "linux/arm/v7",
        ["a", "b", "c"],
    ),
    ("armv6-rejects-v7", [("a", "linux/arm/v7"), ("b", "linux/arm/v6")], "linux/arm/v6", ["b"]),
    ("arm-no-variant-is-v7", [("a", "linux/arm")], "linux/arm/v7", ["a"]),
    ("armv7-rejects-arm64", [("a", "linux/arm64")], "linux/arm/v7", []),
    ("os-must-match", [("a", "windows/amd64"), ("b", "linux/amd64")], "linux/amd64", ["b"]),
    ("case-insensitive-values", [("a", "Linux/AMD64")], "linux/amd64", ["a"]),
    ("x86_64-alias", [("a", "linux/x86_64")], "linux/amd64", ["a"]),
    ("aarch64-alias", [("a", "linux/aarch64")], "linux/arm64", ["a"]),
    ("unknown-unknown-never", [("a", "unknown/unknown")], "linux/amd64", []),
    ("no-platform-never", [("a", None), ("b", "linux/amd64")], "linux/amd64", ["b"]),
    (
        "document-order-kept",
        [("z", "linux/amd64"), ("a", "linux/amd64")],
        "linux/amd64",
        ["z", "a"],
    ),
    ("empty-list", [], "linux/amd64", []),
    ("ppc64le", [("a", "linux/ppc64le"), ("b", "linux/s390x")], "linux/ppc64le", ["a"]),
]


@pytest.mark.parametrize(
    ("entries", "wanted", "expected"),
    [r[1:] for r in PLATFORM_ROWS],
    ids=[r[0] for r in PLATFORM_ROWS],
)
def test_select_matches_platforms_only(entries, wanted, expected):
    data = index(*(entry(d, plat(p) if p else None) for d, p in entries))
    assert digests(manifests.select(data, wanted)) == expected
    assert digests(manifests.select(data, matcher=platforms.only(wanted))) == expected


def test_entry_platform_without_os_is_the_host_os():
    # Go's Normalize fills an empty OS from the host (linux where the tests run).
    data = index(entry(D, {"architecture": "amd64"}))
    host_os = platforms.default_spec().os
    assert digests(manifests.select(data, f"{host_os}/amd64")) == [D]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("linux/arm/v7", "v7"),
        ("linux/arm/v6", "v6"),
        ("linux/arm64", "arm64"),
        ("linux/amd64", None),
    ],
    ids=["armv7-prefers-v7", "armv6-takes-v6", "arm64-prefers-arm64", "none"],
)
def test_best_is_the_matchers_preference(wanted, expected):
    data = index(
        entry("v5", plat("linux/arm/v5")),
        entry("v6", plat("linux/arm/v6")),
        entry("v7", plat("linux/arm/v7")),
        entry("arm64", plat("linux/arm64")),
    )
    found = manifests.best(data, wanted)
    assert (found.digest if found else None) == expected


def test_best_takes_the_first_among_equals():
    data = index(entry("first", plat("linux/amd64")), entry("second", plat("linux/amd64")))
    assert manifests.best(data, "linux/amd64").digest == "first"


def test_best_with_an_ordered_matcher():
    data = index(entry("a", plat("linux/arm64")), entry("b", plat("linux/amd64")))
    m = platforms.ordered("linux/amd64", "linux/arm64")
    assert manifests.best(data, matcher=m).digest == "b"
    assert digests(manifests.select(data, matcher=m)) == ["a", "b"]


def test_a_platform_or_a_matcher_is_required():
    with pytest.raises(TypeError):
        manifests.select(index(), None)


@pytest.mark.parametrize(
    "wanted",
    ["linux/amd64", platforms.Platform("linux", "amd64"), {"os": "linux", "architecture": "amd64"}],
    ids=["specifier", "Platform", "oci-mapping"],
)
def test_wanted_platform_forms(wanted):
    data = index(entry(D, plat("linux/amd64")))
    assert digests(manifests.select(data, wanted)) == [D]


def test_invalid_wanted_platform_raises_invalid_parameter():
    with pytest.raises(errors.InvalidParameter):
        manifests.select(index(), "linux/*")


def test_windows_os_version_is_seen_unless_moby_check():
    data = index(
        entry("ltsc2019", {"os": "windows", "architecture": "amd64", "os.version": "10.0.17763.1"}),
        entry("ltsc2022", {"os": "windows", "architecture": "amd64", "os.version": "10.0.20348.1"}),
    )
    wanted = "windows(10.0.20348)/amd64"
    assert digests(manifests.select(data, wanted)) == ["ltsc2022"]
    # moby's check builds the candidate from os/architecture/variant only.
    assert digests(manifests.select(data, wanted, moby_check=True)) == ["ltsc2019", "ltsc2022"]


# --- image.go's config digest comparison ---

IMAGE_ID = "sha256:" + "c" * 64


def image_manifest(config_digest: object, media_type: str = OCI_M) -> bytes:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": media_type,
            "config": {"mediaType": MEDIA_TYPE_OCI_CONFIG, "digest": config_digest, "size": 7},
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": "sha256:" + "1" * 64,
                    "size": 10,
                }
            ],
        }
    ).encode()


@pytest.mark.parametrize(
    ("data", "matches"),
    [
        (image_manifest(IMAGE_ID), True),
        (image_manifest(IMAGE_ID, DOCKER_M), True),
        (image_manifest("sha256:" + "e" * 64), False),
        (image_manifest(IMAGE_ID.upper()), False),
        (b'{"config":{"digest":"' + IMAGE_ID.encode() + b'"}}', True),
        (b'{"CONFIG":{"Digest":"' + IMAGE_ID.encode() + b'"}}', True),
        (b"{}", False),
    ],
    ids=["oci", "docker", "other-image", "uppercase-not-equal", "minimal", "folded-keys", "empty"],
)
def test_config_digest_comparison(data, matches):
    assert (manifests.config_digest(data) == IMAGE_ID) is matches
    assert manifests.parse_manifest(data).config.digest == manifests.config_digest(data)


@pytest.mark.parametrize(
    "data",
    [b'{"config":{"digest":5}}', b'{"config":[]}', b"[]", b"", b'{"layers":{}}'],
    ids=["digest-number", "config-array", "top-array", "empty", "layers-object"],
)
def test_config_digest_of_invalid_manifest_raises(data):
    with pytest.raises(errors.InvalidManifest):
        manifests.config_digest(data)


def test_parse_manifest_fields():
    m = manifests.parse_manifest(image_manifest(IMAGE_ID))
    assert m.schema_version == 2
    assert m.media_type == OCI_M
    assert m.config.media_type == MEDIA_TYPE_OCI_CONFIG
    assert m.config.size == 7
    assert [layer.size for layer in m.layers] == [10]
    assert m.subject is None
    assert m.annotations == {}


# --- parse_index ---

BUILDKIT = {
    "schemaVersion": 2,
    "mediaType": MEDIA_TYPE_OCI_INDEX,
    "manifests": [
        {
            "mediaType": OCI_M,
            "digest": "sha256:img",
            "size": 1,
            "platform": {"architecture": "amd64", "os": "linux"},
        },
        {
            "mediaType": OCI_M,
            "digest": "sha256:att",
            "size": 2,
            "annotations": {
                "vnd.docker.reference.digest": "sha256:img",
                "vnd.docker.reference.type": "attestation-manifest",
            },
            "platform": {"architecture": "unknown", "os": "unknown"},
        },
        {
            "mediaType": MEDIA_TYPE_OCI_INDEX,
            "digest": "sha256:nested",
            "size": 3,
            "urls": ["https://example.com/x"],
            "artifactType": "application/x",
            "data": "e30=",
            "platform": {
                "os": "windows",
                "architecture": "amd64",
                "os.version": "10.0.20348.1",
                "os.features": ["win32k"],
            },
        },
    ],
    "annotations": {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"},
    "subject": {"mediaType": OCI_M, "digest": "sha256:subj", "size": 4},
}


def test_parse_index_fields():
    idx = manifests.parse_index(json.dumps(BUILDKIT).encode())
    assert idx.schema_version == 2
    assert idx.media_type == MEDIA_TYPE_OCI_INDEX
    assert idx.annotations == {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}
    assert idx.subject.digest == "sha256:subj"
    img, att, nested = idx.manifests
    assert img.platform == platforms.Platform("linux", "amd64")
    assert not img.is_attestation and img.subject_digest is None
    assert att.is_attestation
    assert att.subject_digest == "sha256:img"
    assert att.platform == platforms.Platform("unknown", "unknown")
    assert nested.is_index and not nested.is_manifest
    assert nested.urls == ("https://example.com/x",)
    assert nested.artifact_type == "application/x"
    assert nested.data == b"{}"
    assert nested.platform == platforms.Platform(
        "windows", "amd64", os_version="10.0.20348.1", os_features=("win32k",)
    )


@pytest.mark.parametrize(
    ("annotations", "platform", "is_attestation"),
    [
        ({"vnd.docker.reference.type": "attestation-manifest"}, plat("linux/amd64"), True),
        ({}, {"os": "unknown", "architecture": "unknown"}, True),
        ({}, {"os": "unknown", "architecture": "amd64"}, False),
        ({"vnd.docker.reference.type": "other"}, plat("linux/amd64"), False),
        ({"VND.docker.reference.type": "attestation-manifest"}, plat("linux/amd64"), False),
    ],
    ids=["annotation", "unknown-unknown", "unknown-os-only", "other-type", "map-keys-exact"],
)
def test_attestation_recognition(annotations, platform, is_attestation):
    data = index(entry(D, platform, annotations=annotations))
    assert manifests.parse_index(data).manifests[0].is_attestation is is_attestation


def test_docker_manifest_list():
    data = index(
        entry("a", plat("linux/amd64"), DOCKER_M),
        entry("b", plat("linux/arm64/v8"), DOCKER_M),
        media_type=MEDIA_TYPE_DOCKER_MANIFEST_LIST,
    )
    idx = manifests.parse_index(data)
    assert idx.media_type == MEDIA_TYPE_DOCKER_MANIFEST_LIST
    assert digests(manifests.select(data, "linux/arm64")) == ["b"]


# --- inputs: bytes, bytearray, memoryview ---


@pytest.mark.parametrize(
    "wrap",
    [
        bytes,
        bytearray,
        memoryview,
        lambda b: memoryview(bytearray(b)),
        lambda b: memoryview(b"xx" + b + b"yy")[2:-2],
    ],
    ids=["bytes", "bytearray", "memoryview", "memoryview-bytearray", "memoryview-slice"],
)
def test_buffer_inputs(wrap):
    data = index(entry(D, plat("linux/amd64")))
    assert digests(manifests.select(wrap(data), "linux/amd64")) == [D]
    assert manifests.parse_index(wrap(data)).manifests[0].digest == D


@pytest.mark.parametrize(
    "wrap",
    [bytes, bytearray, memoryview, lambda b: memoryview(bytearray(b))],
    ids=["bytes", "bytearray", "memoryview", "memoryview-bytearray"],
)
@pytest.mark.parametrize("pick", ["select", "best", "select_many"])
@pytest.mark.parametrize("compact", [True, False], ids=["compact", "spaced"])
def test_descriptors_outlive_their_input_and_ignore_later_writes(wrap, pick, compact):
    # Descriptors read from `bytes` share its memory instead of copying; they must keep it
    # alive, and those read from writable buffers must not see later writes.
    annotations = {"vnd.docker.reference.type": "attestation-manifest", "k": "v"}
    raw = index(entry(D, plat("linux/amd64"), annotations=annotations))
    if compact:
        raw = json.dumps(json.loads(raw), separators=(",", ":")).encode()
    data = wrap(raw)
    if pick == "select":
        (got,) = manifests.select(data, "linux/amd64")
    elif pick == "best":
        got = manifests.best(data, "linux/amd64")
    else:
        ((got,),) = manifests.select_many([data], "linux/amd64")
    if not memoryview(data).readonly:
        data[:] = raw.replace(D.encode(), b"x" * len(D)).replace(b'"k"', b'"j"')
    del data
    gc.collect()
    expected = manifests.Descriptor(
        MEDIA_TYPE_OCI_MANIFEST, D, 100, platform="linux/amd64", annotations=annotations
    )
    assert (got.digest, got.annotations, got.is_attestation) == (D, annotations, True)
    assert got == expected
    assert hash(got) == hash(expected)
    assert pickle.loads(pickle.dumps(got)) == got


def test_descriptors_keep_their_bytes_alive_and_release_them():
    # One reference per descriptor read from it, none left once they are gone.
    data = index(entry(D, plat("linux/amd64")), entry(D, plat("linux/amd64")))
    before = sys.getrefcount(data)
    found = manifests.select(data, "linux/amd64")
    assert sys.getrefcount(data) == before + len(found) == before + 2
    del found
    assert sys.getrefcount(data) == before


def test_non_contiguous_memoryview_is_refused():
    data = index(entry(D, plat("linux/amd64")))
    with pytest.raises(BufferError):
        manifests.select(memoryview(data + data)[::2], "linux/amd64")


@pytest.mark.parametrize("value", ["{}", 5, None, [b"{}"]], ids=["str", "int", "None", "list"])
def test_non_buffers_are_refused(value):
    with pytest.raises(TypeError):
        manifests.parse_index(value)


def test_bytearray_is_locked_while_borrowed_and_free_after():
    data = bytearray(index(entry(D, plat("linux/amd64"))))
    manifests.select(data, "linux/amd64")
    data.extend(b" ")  # released: resizing works again
    assert digests(manifests.select(data, "linux/amd64")) == [D]


# --- limits and errors ---


def test_limit_exceeded_before_reading():
    data = b"{}" + b" " * 100
    with pytest.raises(errors.LimitExceeded) as info:
        manifests.parse_index(data, limit=50)
    assert (info.value.limit, info.value.size) == (50, 102)
    assert manifests.parse_index(data, limit=102).manifests == ()
    with pytest.raises(errors.LimitExceeded):
        manifests.select(data, "linux/amd64", limit=101)
    with pytest.raises(errors.LimitExceeded):
        manifests.parse_manifest(data, limit=1)
    with pytest.raises(errors.LimitExceeded):
        manifests.config_digest(data, limit=1)


def test_default_limit_is_mobys_million_bytes():
    assert manifests.DEFAULT_LIMIT == 1_000_000
    padded = b"{" + b" " * (1_000_000 - 2) + b"}"
    assert manifests.parse_index(padded).manifests == ()
    with pytest.raises(errors.LimitExceeded):
        manifests.parse_index(padded + b" ")


def test_invalid_manifest_carries_offset_and_reason():
    with pytest.raises(errors.InvalidManifest) as info:
        manifests.parse_index(b'{"manifests": [{"size": "12"}]}')
    assert info.value.offset == 24
    assert "size" in info.value.reason
    assert isinstance(info.value, ValueError)


# --- values ---


def _namespace() -> dict:
    ns = {name: getattr(manifests, name) for name in manifests.__all__}
    ns["Platform"] = platforms.Platform
    return ns


def test_values_round_trip_repr_pickle_eq_hash():
    idx = manifests.parse_index(json.dumps(BUILDKIT).encode())
    for value in [idx, *idx.manifests, idx.subject]:
        back = eval(repr(value), _namespace())
        assert back == value and hash(back) == hash(value)
        again = pickle.loads(pickle.dumps(value))
        assert again == value and hash(again) == hash(value)
    m = manifests.parse_manifest(image_manifest(IMAGE_ID))
    assert eval(repr(m), _namespace()) == m
    assert pickle.loads(pickle.dumps(m)) == m
    assert hash(pickle.loads(pickle.dumps(m))) == hash(m)


def test_values_are_frozen_and_annotations_are_copies():
    d = manifests.parse_index(json.dumps(BUILDKIT).encode()).manifests[1]
    with pytest.raises(AttributeError):
        d.digest = "x"  # type: ignore[misc]
    d.annotations["new"] = "x"
    assert "new" not in d.annotations


def test_constructors():
    d = Descriptor(
        OCI_M,
        D,
        5,
        platform="linux/arm64",
        annotations={"a": "b"},
        urls=["u"],
        data=b"\x00",
        artifact_type="t",
    )
    assert d.platform == platforms.Platform("linux", "arm64")
    assert (d.annotations, d.urls, d.data, d.artifact_type) == ({"a": "b"}, ("u",), b"\x00", "t")
    assert d == Descriptor(
        OCI_M, D, 5, platforms.Platform("linux", "arm64"), {"a": "b"}, ["u"], b"\x00", "t"
    )
    assert d != Descriptor(OCI_M, D, 6)
    idx = Index([d], media_type=MEDIA_TYPE_OCI_INDEX)
    assert idx.manifests == (d,) and idx.schema_version == 2
    assert Manifest(d, [d]).layers == (d,)
    with pytest.raises(TypeError):
        Index(["not a descriptor"])


def test_exported_names():
    assert set(manifests.__all__) >= {
        "parse_index",
        "parse_manifest",
        "config_digest",
        "select",
        "best",
        "select_many",
        "Index",
        "Descriptor",
        "Manifest",
    }
    assert manifests.Descriptor.__module__ == "imagelookup.manifests"
