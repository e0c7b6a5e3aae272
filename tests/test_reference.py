"""reference.parse: every row of distribution/reference's reference_test.go tables."""

from __future__ import annotations

import pytest
from imagelookup import errors, reference

F64 = "f" * 64
D256 = f"sha256:{F64}"
D512 = f"sha512:{'f' * 128}"

# (input, name, domain, tag, digest); name None for the rows that must fail.
PARSE_OK = [
    ("test_com", "test_com", "", None, None),
    ("test.com:tag", "test.com", "", "tag", None),
    ("test.com:5000", "test.com", "", "5000", None),
    ("test.com/repo:tag", "test.com/repo", "test.com", "tag", None),
    ("test:5000/repo", "test:5000/repo", "test:5000", None, None),
    ("test:5000/repo:tag", "test:5000/repo", "test:5000", "tag", None),
    (f"test:5000/repo@{D256}", "test:5000/repo", "test:5000", None, D256),
    (f"test:5000/repo:tag@{D256}", "test:5000/repo", "test:5000", "tag", D256),
    ("lowercase:Uppercase", "lowercase", "", "Uppercase", None),
    (
        "a/" * 127 + "a:tag-puts-this-over-max",
        "a/" * 127 + "a",
        "a",
        "tag-puts-this-over-max",
        None,
    ),
    (
        "sub-dom1.foo.com/bar/baz/quux",
        "sub-dom1.foo.com/bar/baz/quux",
        "sub-dom1.foo.com",
        None,
        None,
    ),
    (
        "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
        "sub-dom1.foo.com/bar/baz/quux",
        "sub-dom1.foo.com",
        "some-long-tag",
        None,
    ),
    (
        "b.gcr.io/test.example.com/my-app:test.example.com",
        "b.gcr.io/test.example.com/my-app",
        "b.gcr.io",
        "test.example.com",
        None,
    ),
    ("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage", "xn--n3h.com", "xn--n3h.com", None),
    (
        f"xn--7o8h.com/myimage:xn--7o8h.com@{D512}",
        "xn--7o8h.com/myimage",
        "xn--7o8h.com",
        "xn--7o8h.com",
        D512,
    ),
    ("foo_bar.com:8080", "foo_bar.com", "", "8080", None),
    ("foo/foo_bar.com:8080", "foo/foo_bar.com", "foo", "8080", None),
    ("192.168.1.1", "192.168.1.1", "", None, None),
    ("192.168.1.1:tag", "192.168.1.1", "", "tag", None),
    ("192.168.1.1:5000", "192.168.1.1", "", "5000", None),
    ("192.168.1.1/repo", "192.168.1.1/repo", "192.168.1.1", None, None),
    ("192.168.1.1:5000/repo", "192.168.1.1:5000/repo", "192.168.1.1:5000", None, None),
    ("192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo", "192.168.1.1:5000", "5050", None),
    ("[2001:db8::1]/repo", "[2001:db8::1]/repo", "[2001:db8::1]", None, None),
    (
        "[2001:db8:1:2:3:4:5:6]/repo:tag",
        "[2001:db8:1:2:3:4:5:6]/repo",
        "[2001:db8:1:2:3:4:5:6]",
        "tag",
        None,
    ),
    ("[2001:db8::1]:5000/repo", "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", None, None),
    ("[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "tag", None),
    (
        f"[2001:db8::1]:5000/repo@{D256}",
        "[2001:db8::1]:5000/repo",
        "[2001:db8::1]:5000",
        None,
        D256,
    ),
    (
        f"[2001:db8::1]:5000/repo:tag@{D256}",
        "[2001:db8::1]:5000/repo",
        "[2001:db8::1]:5000",
        "tag",
        D256,
    ),
    ("[2001:db8::]:5000/repo", "[2001:db8::]:5000/repo", "[2001:db8::]:5000", None, None),
    ("[::1]:5000/repo", "[::1]:5000/repo", "[::1]:5000", None, None),
    (
        "example.com/" + "a" * 255 + ":tag",
        "example.com/" + "a" * 255,
        "example.com",
        "tag",
        None,
    ),
]

# (input, kind, message)
PARSE_ERRORS = [
    ("", "name_empty", "repository name must have at least one component"),
    (":justtag", "invalid_format", "invalid reference format"),
    (f"@{D256}", "invalid_format", "invalid reference format"),
    ("repo@sha256:" + "f" * 34, "digest_invalid_length", "invalid checksum digest length"),
    (f"validname@invaliddigest:{F64}", "digest_unsupported", "unsupported digest algorithm"),
    ("Uppercase:tag", "name_contains_uppercase", "repository name must be lowercase"),
    (
        "test:5000/Uppercase/lowercase:tag",
        "name_contains_uppercase",
        "repository name must be lowercase",
    ),
    (
        "domain/" + "a" * 256 + ":tag",
        "name_too_long",
        "repository name must not be more than 255 characters",
    ),
    ("aa/asdf$$^/aa", "invalid_format", "invalid reference format"),
    ("[2001:db8::1]", "invalid_format", "invalid reference format"),
    ("[2001:db8::1]:5000", "invalid_format", "invalid reference format"),
    ("[2001:db8::1]:tag", "invalid_format", "invalid reference format"),
    ("[fe80::1%eth0]:5000/repo", "invalid_format", "invalid reference format"),
    ("[fe80::1%@invalidzone]:5000/repo", "invalid_format", "invalid reference format"),
]


def short_id(value: str) -> str:
    return value if len(value) <= 60 else f"{value[:40]}…({len(value)})"


@pytest.mark.parametrize(
    ("text", "name", "domain", "tag", "digest"), PARSE_OK, ids=[short_id(r[0]) for r in PARSE_OK]
)
def test_parse(text, name, domain, tag, digest):
    ref = reference.parse(text)
    assert str(ref) == text
    assert (ref.name, ref.domain, ref.tag, ref.digest) == (name, domain, tag, digest)
    assert ref.path == (name[len(domain) + 1 :] if domain else name)
    assert not ref.is_digest_only


@pytest.mark.parametrize(
    ("text", "kind", "message"), PARSE_ERRORS, ids=[short_id(r[0]) or "empty" for r in PARSE_ERRORS]
)
def test_parse_errors(text, kind, message):
    with pytest.raises(errors.InvalidParameter) as info:
        reference.parse(text)
    assert info.value.kind == kind
    assert str(info.value) == message
    is_digest_error = kind.startswith("digest_")
    assert isinstance(info.value, errors.InvalidDigest) == is_digest_error
    assert isinstance(info.value, ValueError)


# TestWithNameFailure (current upstream: the empty name is an invalid format).
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "invalid_format"),
        (":justtag", "invalid_format"),
        (f"@{D256}", "invalid_format"),
        (f"validname@invaliddigest:{F64}", "invalid_format"),
        ("example.com/repo:tag", "invalid_format"),
        ("example.com/" + "a" * 256, "name_too_long"),
        ("aa/asdf$$^/aa", "invalid_format"),
    ],
    ids=lambda v: short_id(v) or "empty",
)
def test_with_name_failure(text, kind):
    with pytest.raises(errors.InvalidParameter) as info:
        reference.with_name(text)
    assert info.value.kind == kind


# TestDomainAndPath
@pytest.mark.parametrize(
    ("text", "domain", "path"),
    [
        ("test.com/foo", "test.com", "foo"),
        ("test_com/foo", "", "test_com/foo"),
        ("test:8080/foo", "test:8080", "foo"),
        ("test.com:8080/foo", "test.com:8080", "foo"),
        ("test-com:8080/foo", "test-com:8080", "foo"),
        ("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
    ],
    ids=lambda v: v or "none",
)
def test_domain_and_path(text, domain, path):
    named = reference.with_name(text)
    assert (named.domain, named.path, str(named)) == (domain, path, text)


# TestSerialization: the string form round-trips through parse.
@pytest.mark.parametrize(
    ("text", "name", "tag", "digest"),
    [
        ("example.com:8000/named", "example.com:8000/named", None, None),
        ("example.com:8000/named:tagged", "example.com:8000/named", "tagged", None),
        (
            "other.com/named@sha256:1234567890098765432112345667890098765432112345667890098765432112",
            "other.com/named",
            None,
            "sha256:1234567890098765432112345667890098765432112345667890098765432112",
        ),
    ],
    ids=["just a name", "name with a tag", "name with digest"],
)
def test_serialization(text, name, tag, digest):
    ref = reference.parse(text)
    assert (ref.name, ref.tag, ref.digest) == (name, tag, digest)
    assert str(reference.parse(str(ref))) == text


SHORT_DIGEST = "sha256:1234567890098765432112345667890098765"


# TestWithTag: (name, digest, tag, combined)
@pytest.mark.parametrize(
    ("name", "digest", "tag", "combined"),
    [
        ("test.com/foo", None, "tag", "test.com/foo:tag"),
        ("foo", None, "tag2", "foo:tag2"),
        ("test.com:8000/foo", None, "tag4", "test.com:8000/foo:tag4"),
        ("test.com:8000/foo", None, "TAG5", "test.com:8000/foo:TAG5"),
        ("test.com:8000/foo", SHORT_DIGEST, "TAG5", f"test.com:8000/foo:TAG5@{SHORT_DIGEST}"),
    ],
    ids=lambda v: v if isinstance(v, str) else "-",
)
def test_with_tag(name, digest, tag, combined):
    named = reference.with_name(name)
    if digest:
        named = reference.with_digest(named, digest)
    tagged = reference.with_tag(named, tag)
    assert str(tagged) == combined
    assert tagged.tag == tag and tagged.digest == digest


# TestWithDigest: (name, digest, tag, combined)
@pytest.mark.parametrize(
    ("name", "digest", "tag", "combined"),
    [
        ("test.com/foo", SHORT_DIGEST, None, f"test.com/foo@{SHORT_DIGEST}"),
        ("foo", SHORT_DIGEST, None, f"foo@{SHORT_DIGEST}"),
        ("test.com:8000/foo", SHORT_DIGEST, None, f"test.com:8000/foo@{SHORT_DIGEST}"),
        ("test.com:8000/foo", SHORT_DIGEST, "latest", f"test.com:8000/foo:latest@{SHORT_DIGEST}"),
    ],
    ids=lambda v: v if isinstance(v, str) else "-",
)
def test_with_digest(name, digest, tag, combined):
    named = reference.with_name(name)
    if tag:
        named = reference.with_tag(named, tag)
    digested = reference.with_digest(named, digest)
    assert str(digested) == combined


# TestParseNamed: (input, domain, path) or an error.
@pytest.mark.parametrize(
    ("text", "domain", "path"),
    [
        ("test.com/foo", "test.com", "foo"),
        ("test:8080/foo", "test:8080", "foo"),
        ("test_com/foo", None, None),
        ("test.com", None, None),
        ("foo", None, None),
        ("library/foo", None, None),
        ("docker.io/library/foo", "docker.io", "library/foo"),
        ("docker.io/foo", None, None),
    ],
    ids=lambda v: v or "-",
)
def test_parse_named(text, domain, path):
    if domain is None:
        with pytest.raises(errors.InvalidParameter) as info:
            reference.parse_named(text)
        assert info.value.kind == "name_not_canonical"
        assert str(info.value) == "repository name must be canonical"
    else:
        named = reference.parse_named(text)
        assert (named.domain, named.path) == (domain, path)
