"""Normalization: every row of distribution/reference's normalize_test.go tables."""

from __future__ import annotations

import pytest
from imagelookup import errors, reference

HEX = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"
REDIS = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"
BUSYBOX = "sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582"

VALID_REPO_NAMES = [
    "docker/docker",
    "library/debian",
    "debian",
    "docker.io/docker/docker",
    "docker.io/library/debian",
    "docker.io/debian",
    "index.docker.io/docker/docker",
    "index.docker.io/library/debian",
    "index.docker.io/debian",
    "127.0.0.1:5000/docker/docker",
    "127.0.0.1:5000/library/debian",
    "127.0.0.1:5000/debian",
    "192.168.0.1",
    "192.168.0.1:80",
    "192.168.0.1:8/debian",
    "192.168.0.2:25000/debian",
    "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
    "[fc00::1]:5000/docker",
    "[fc00::1]:5000/docker/docker",
    "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
    f"docker.io/{HEX}",
    "Docker/docker",
    "DOCKER/docker",
    # TestValidateRemoteName
    "docker-rules/docker",
    "docker---rules/docker",
    "doc/docker",
    "d/docker",
    "jess/t",
    "dock__er/docker",
]

INVALID_REPO_NAMES = [
    "https://github.com/docker/docker",
    "docker/Docker",
    "-docker",
    "-docker/docker",
    "-docker.io/docker/docker",
    "docker///docker",
    "docker.io/docker/Docker",
    "docker.io/docker///docker",
    "[fc00::1]",
    "[fc00::1]:5000",
    "fc00::1:5000/debian",
    "[fe80::1%eth0]:5000/debian",
    "[2001:db8:3:4::192.0.2.33]:5000/debian",
    HEX,
    # TestValidateRemoteName
    "docker-/docker",
    "-docker-/docker",
    "____/____",
    "_docker/_docker",
    "dock..er/docker",
    "dock_.er/docker",
    "dock-.er/docker",
    "docker/",
    "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_" * 4 + "/docker",
]


@pytest.mark.parametrize("name", VALID_REPO_NAMES)
def test_valid_repo_names(name):
    reference.parse_normalized_named(name)


@pytest.mark.parametrize("name", INVALID_REPO_NAMES, ids=lambda v: v[:50])
def test_invalid_repo_names(name):
    with pytest.raises(errors.InvalidParameter):
        reference.parse_normalized_named(name)


# TestParseRepositoryInfo: (remote, familiar, full, ambiguous, domain)
REPOSITORY_INFO = [
    ("fooo/bar", "fooo/bar", "docker.io/fooo/bar", "index.docker.io/fooo/bar", "docker.io"),
    ("library/ubuntu", "ubuntu", "docker.io/library/ubuntu", "library/ubuntu", "docker.io"),
    ("nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", "", "docker.io"),
    ("other/library", "other/library", "docker.io/other/library", "", "docker.io"),
    (
        "private/moonbase",
        "127.0.0.1:8000/private/moonbase",
        "127.0.0.1:8000/private/moonbase",
        "",
        "127.0.0.1:8000",
    ),
    (
        "privatebase",
        "127.0.0.1:8000/privatebase",
        "127.0.0.1:8000/privatebase",
        "",
        "127.0.0.1:8000",
    ),
    (
        "private/moonbase",
        "example.com/private/moonbase",
        "example.com/private/moonbase",
        "",
        "example.com",
    ),
    ("privatebase", "example.com/privatebase", "example.com/privatebase", "", "example.com"),
    (
        "private/moonbase",
        "example.com:8000/private/moonbase",
        "example.com:8000/private/moonbase",
        "",
        "example.com:8000",
    ),
    (
        "privatebasee",
        "example.com:8000/privatebasee",
        "example.com:8000/privatebasee",
        "",
        "example.com:8000",
    ),
    (
        "library/ubuntu-12.04-base",
        "ubuntu-12.04-base",
        "docker.io/library/ubuntu-12.04-base",
        "index.docker.io/library/ubuntu-12.04-base",
        "docker.io",
    ),
    ("library/foo", "foo", "docker.io/library/foo", "docker.io/foo", "docker.io"),
    ("library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar", "", "docker.io"),
    ("store/foo/bar", "store/foo/bar", "docker.io/store/foo/bar", "", "docker.io"),
    ("bar", "Foo/bar", "Foo/bar", "", "Foo"),
    ("bar", "FOO/bar", "FOO/bar", "", "FOO"),
]
REPOSITORY_INFO_ROWS = [
    pytest.param(text, remote, familiar, full, domain, id=f"{i}/{text}")
    for i, (remote, familiar, full, ambiguous, domain) in enumerate(REPOSITORY_INFO)
    for text in [familiar, full, *([ambiguous] if ambiguous else [])]
]


@pytest.mark.parametrize(("text", "remote", "familiar", "full", "domain"), REPOSITORY_INFO_ROWS)
def test_parse_repository_info(text, remote, familiar, full, domain):
    named = reference.parse_normalized_named(text)
    assert reference.familiar_name(named) == familiar
    assert named.familiar_name == familiar
    assert str(named) == full
    assert named.domain == domain
    assert named.path == remote


def test_parse_reference_with_tag_and_digest():
    short = "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"
    ref = reference.parse_normalized_named(short)
    assert str(ref) == f"docker.io/library/{short}"
    assert ref.tag == "latest" and ref.digest is not None
    assert reference.familiar_string(ref) == short


def test_invalid_reference_components():
    with pytest.raises(errors.InvalidParameter):
        reference.parse_normalized_named("-foo")
    ref = reference.parse_normalized_named("busybox")
    with pytest.raises(errors.InvalidParameter) as tag_error:
        reference.with_tag(ref, "-foo")
    assert (tag_error.value.kind, str(tag_error.value)) == ("invalid_tag", "invalid tag format")
    with pytest.raises(errors.InvalidParameter) as digest_error:
        reference.with_digest(ref, "foo")
    assert digest_error.value.kind == "invalid_digest_format"
    assert str(digest_error.value) == "invalid digest format"


# TestParseAnyReference: (input, equivalent, digest_only)
PARSE_ANY = [
    ("redis", "docker.io/library/redis", False),
    ("redis:latest", "docker.io/library/redis:latest", False),
    ("docker.io/library/redis:latest", "docker.io/library/redis:latest", False),
    (f"redis@{REDIS}", f"docker.io/library/redis@{REDIS}", False),
    (f"docker.io/library/redis@{REDIS}", f"docker.io/library/redis@{REDIS}", False),
    ("dmcgowan/myapp", "docker.io/dmcgowan/myapp", False),
    ("dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest", False),
    ("docker.io/mcgowan/myapp:latest", "docker.io/mcgowan/myapp:latest", False),
    (f"dmcgowan/myapp@{REDIS}", f"docker.io/dmcgowan/myapp@{REDIS}", False),
    (f"docker.io/dmcgowan/myapp@{REDIS}", f"docker.io/dmcgowan/myapp@{REDIS}", False),
    (REDIS[7:], REDIS, True),
    (REDIS, REDIS, True),
    (REDIS[7:-1], f"docker.io/library/{REDIS[7:-1]}", False),
    ("dbcc1", "docker.io/library/dbcc1", False),
]


@pytest.mark.parametrize(
    ("text", "equivalent", "digest_only"), PARSE_ANY, ids=lambda v: str(v)[:50]
)
def test_parse_any(text, equivalent, digest_only):
    ref = reference.parse_any(text)
    assert str(ref) == equivalent
    assert ref.is_digest_only is digest_only
    if digest_only:
        assert ref.name is None and ref.domain is None and ref.path is None
        assert ref.digest == equivalent
        assert ref == reference.Reference(digest=equivalent)
    else:
        assert ref == reference.parse(equivalent)


# TestNormalizedSplitHostname
@pytest.mark.parametrize(
    ("text", "domain", "path"),
    [
        ("test.com/foo", "test.com", "foo"),
        ("test_com/foo", "docker.io", "test_com/foo"),
        ("docker/migrator", "docker.io", "docker/migrator"),
        ("test.com:8080/foo", "test.com:8080", "foo"),
        ("test-com:8080/foo", "test-com:8080", "foo"),
        ("foo", "docker.io", "library/foo"),
        ("xn--n3h.com/foo", "xn--n3h.com", "foo"),
        ("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
        ("docker.io/foo", "docker.io", "library/foo"),
        ("docker.io/library/foo", "docker.io", "library/foo"),
        ("docker.io/library/foo/bar", "docker.io", "library/foo/bar"),
    ],
    ids=lambda v: v,
)
def test_normalized_split_hostname(text, domain, path):
    named = reference.parse_normalized_named(text)
    assert (named.domain, named.path) == (domain, path)


# TestParseDockerRef: (name, input, expected)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("busybox", "docker.io/library/busybox:latest", id="nothing"),
        pytest.param("busybox:latest", "docker.io/library/busybox:latest", id="tag only"),
        pytest.param(
            f"busybox@{BUSYBOX}", f"docker.io/library/busybox@{BUSYBOX}", id="digest only"
        ),
        pytest.param("library/busybox", "docker.io/library/busybox:latest", id="path only"),
        pytest.param("docker.io/busybox", "docker.io/library/busybox:latest", id="hostname only"),
        pytest.param("docker.io/library/busybox", "docker.io/library/busybox:latest", id="no tag"),
        pytest.param("docker.io/busybox:latest", "docker.io/library/busybox:latest", id="no path"),
        pytest.param(
            "library/busybox:latest", "docker.io/library/busybox:latest", id="no hostname"
        ),
        pytest.param(
            "docker.io/library/busybox:latest",
            "docker.io/library/busybox:latest",
            id="full reference with tag",
        ),
        pytest.param("gcr.io/library/busybox", "gcr.io/library/busybox:latest", id="gcr no tag"),
        pytest.param(
            f"gcr.io/library/busybox:latest@{BUSYBOX}",
            f"gcr.io/library/busybox@{BUSYBOX}",
            id="both tag and digest",
        ),
    ],
)
def test_parse_docker_ref(text, expected):
    normalized = reference.parse_docker_ref(text)
    assert str(normalized) == expected
    assert str(reference.parse(expected)) == expected


# Behaviour section 12 of UPSTREAM-BEHAVIOUR (current upstream against v2.8).
@pytest.mark.parametrize(
    ("text", "full", "domain"),
    [
        ("[::1]/foo", "[::1]/foo", "[::1]"),
        ("[::1]:5000/foo", "[::1]:5000/foo", "[::1]:5000"),
        ("LocalHost/foo", "LocalHost/foo", "LocalHost"),
        ("localhost/foo", "localhost/foo", "localhost"),
        ("FOO.com/bar", "FOO.com/bar", "FOO.com"),
        ("Docker.io/foo", "Docker.io/foo", "Docker.io"),
        ("registry-1.docker.io/foo", "registry-1.docker.io/foo", "registry-1.docker.io"),
        ("index.docker.io/foo", "docker.io/library/foo", "docker.io"),
        ("localhost:5000", "docker.io/library/localhost:5000", "docker.io"),
    ],
    ids=lambda v: v,
)
def test_current_upstream_domains(text, full, domain):
    named = reference.parse_normalized_named(text)
    assert (str(named), named.domain) == (full, domain)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Foo", "invalid reference format: repository name (library/Foo) must be lowercase"),
        ("foo/Bar", "invalid reference format: repository name (foo/Bar) must be lowercase"),
        (
            "docker.io/Foo:tag",
            "invalid reference format: repository name (library/Foo) must be lowercase",
        ),
        ("quay.io/a/B@x", "invalid reference format: repository name (a/B@x) must be lowercase"),
        (HEX, f"invalid repository name ({HEX}), cannot specify 64-byte hexadecimal strings"),
        ("", "invalid reference format"),
        ("docker.io/" + "a" * 248, "repository name must not be more than 255 characters"),
    ],
    ids=lambda v: v[:40] or "empty",
)
def test_normalize_error_messages(text, message):
    with pytest.raises(errors.InvalidParameter) as info:
        reference.parse_normalized_named(text)
    assert str(info.value) == message


def test_path_limit_counts_the_path_only():
    # 255 characters of path behind a long domain is fine now (v2.8 counted the domain).
    named = reference.parse_normalized_named("registry.example.com/" + "a" * 255)
    assert len(named.path) == 255
    assert reference.parse_normalized_named("docker.io/" + "a" * 247).path == "library/" + "a" * 247
