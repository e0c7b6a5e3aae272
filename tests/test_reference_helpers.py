"""Grammar rows (regexp_test.go, through the API), helpers, the Reference value, properties,
and the ``ref`` command."""

from __future__ import annotations

import copy
import json
import pickle
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imagelookup import cli, errors, reference

D = "sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912"

# TestDomainRegexp, observed as the domain of "<domain>/foo" through with_name: a domain
# that does not match leaves the whole text as a path (or fails the name rule).
DOMAIN_ROWS = [
    ("test.com", True),
    ("test.com:10304", True),
    ("test.com:http", False),
    ("localhost", True),
    ("localhost:8080", True),
    ("a", True),
    ("a.b", True),
    ("ab.cd.com", True),
    ("a-b.com", True),
    ("-ab.com", False),
    ("ab-.com", False),
    ("ab.c-om", True),
    ("ab.-com", False),
    ("ab.com-", False),
    ("0101.com", True),
    ("001a.com", True),
    ("b.gbc.io:443", True),
    ("b.gbc.io", True),
    ("xn--n3h.com", True),
    ("Asdf.com", True),
    ("192.168.1.1:75050", True),
    ("192.168.1.1:750050", True),
    ("[fd00:1:2::3]:75050", True),
    ("[fd00:1:2::3]75050", False),
    ("[fd00:1:2::3]::75050", False),
    ("[fd00:1:2::3%eth0]:75050", False),
    ("[fd00123123123]:75050", True),
    ("[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050", True),
    ("[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505", True),
    ("fd00:1:2::3:75050", False),
]


@pytest.mark.parametrize(("domain", "match"), DOMAIN_ROWS, ids=[r[0] for r in DOMAIN_ROWS])
def test_domain_rule(domain, match):
    try:
        named = reference.with_name(f"{domain}/foo")
    except errors.InvalidParameter:
        assert not match
    else:
        assert (named.domain == domain) is match


# TestFullNameRegexp: (input, domain, path) or None for no match.
NAME_ROWS = [
    ("", None),
    ("short", ("", "short")),
    ("simple/name", ("simple", "name")),
    ("library/ubuntu", ("library", "ubuntu")),
    ("docker/stevvooe/app", ("docker", "stevvooe/app")),
    (
        "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb",
        ("aa", "aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb"),
    ),
    ("aa/aa/bb/bb/bb", ("aa", "aa/bb/bb/bb")),
    ("a/a/a/a", ("a", "a/a/a")),
    ("a/a/a/a/", None),
    ("a//a/a", None),
    ("a", ("", "a")),
    ("a/aa", ("a", "aa")),
    ("a/aa/a", ("a", "aa/a")),
    ("foo.com", ("", "foo.com")),
    ("foo.com/", None),
    ("foo.com:8080/bar", ("foo.com:8080", "bar")),
    ("foo.com:http/bar", None),
    ("foo.com/bar", ("foo.com", "bar")),
    ("foo.com/bar/baz", ("foo.com", "bar/baz")),
    ("localhost:8080/bar", ("localhost:8080", "bar")),
    ("sub-dom1.foo.com/bar/baz/quux", ("sub-dom1.foo.com", "bar/baz/quux")),
    ("blog.foo.com/bar/baz", ("blog.foo.com", "bar/baz")),
    ("a^a", None),
    ("aa/asdf$$^/aa", None),
    ("asdf$$^/aa", None),
    ("aa-a/a", ("aa-a", "a")),
    ("a/" * 128 + "a", ("a", "a/" * 127 + "a")),
    ("a-/a/a/a", None),
    ("foo.com/a-/a/a", None),
    ("-foo/bar", None),
    ("foo/bar-", None),
    ("foo-/bar", None),
    ("foo/-bar", None),
    ("_foo/bar", None),
    ("foo_bar", ("", "foo_bar")),
    ("foo_bar.com", ("", "foo_bar.com")),
    ("foo_bar.com:8080", None),
    ("foo_bar.com:8080/app", None),
    ("foo.com/foo_bar", ("foo.com", "foo_bar")),
    ("____/____", None),
    ("_docker/_docker", None),
    ("docker_/docker_", None),
    ("b.gcr.io/test.example.com/my-app", ("b.gcr.io", "test.example.com/my-app")),
    ("xn--n3h.com/myimage", ("xn--n3h.com", "myimage")),
    ("xn--7o8h.com/myimage", ("xn--7o8h.com", "myimage")),
    ("example.com/xn--7o8h.com/myimage", ("example.com", "xn--7o8h.com/myimage")),
    (
        "example.com/some_separator__underscore/myimage",
        ("example.com", "some_separator__underscore/myimage"),
    ),
    ("example.com/__underscore/myimage", None),
    ("example.com/..dots/myimage", None),
    ("example.com/.dots/myimage", None),
    ("example.com/nodouble..dots/myimage", None),
    ("docker./docker", None),
    (".docker/docker", None),
    ("docker-/docker", None),
    ("-docker/docker", None),
    ("do..cker/docker", None),
    ("do__cker:8080/docker", None),
    ("do__cker/docker", ("", "do__cker/docker")),
    (
        "registry.io/foo/project--id.module--name.ver---sion--name",
        ("registry.io", "foo/project--id.module--name.ver---sion--name"),
    ),
    ("Asdf.com/foo/bar", ("Asdf.com", "foo/bar")),
    ("Foo/FarB", None),
]


@pytest.mark.parametrize(
    ("text", "parts"), NAME_ROWS, ids=[r[0][:50] or "empty" for r in NAME_ROWS]
)
def test_name_rule(text, parts):
    if parts is None:
        with pytest.raises(errors.InvalidParameter):
            reference.with_name(text)
    else:
        named = reference.with_name(text)
        assert (named.domain, named.path) == parts


# TestReferenceRegexp: (input, (name, tag, digest)) or None.
REFERENCE_ROWS = [
    ("registry.com:8080/myapp:tag", ("registry.com:8080/myapp", "tag", None)),
    (f"registry.com:8080/myapp@{D}", ("registry.com:8080/myapp", None, D)),
    (f"registry.com:8080/myapp:tag2@{D}", ("registry.com:8080/myapp", "tag2", D)),
    ("registry.com:8080/myapp@sha256:badbadbadbad", None),
    ("registry.com:8080/myapp:invalid~tag", None),
    ("bad_hostname.com:8080/myapp:tag", None),
    (f"localhost:8080@{D}", ("localhost", "8080", D)),
    (f"localhost:8080/name@{D}", ("localhost:8080/name", None, D)),
    (f"localhost:http/name@{D}", None),
    (f"localhost@{D}", ("localhost", None, D)),
    ("registry.com:8080/myapp@bad", None),
    ("registry.com:8080/myapp@2bad", None),
]


@pytest.mark.parametrize(("text", "parts"), REFERENCE_ROWS, ids=[r[0][:50] for r in REFERENCE_ROWS])
def test_reference_rule(text, parts):
    if parts is None:
        with pytest.raises(errors.InvalidParameter) as info:
            reference.parse(text)
        assert info.value.kind == "invalid_format"
    else:
        ref = reference.parse(text)
        assert (ref.name, ref.tag, ref.digest) == parts


# TestIdentifierRegexp, observed through parse_any (an identifier becomes a digest).
@pytest.mark.parametrize(
    ("text", "identifier"),
    [
        ("da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821", True),
        ("7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C", False),
        ("da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf", False),
        ("da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482", False),
    ],
    ids=lambda v: str(v)[:20],
)
def test_identifier_rule(text, identifier):
    try:
        ref = reference.parse_any(text)
    except errors.InvalidParameter:
        assert not identifier
    else:
        assert ref.is_digest_only is identifier


# Familiar forms and helpers (helpers.go behaviour).
@pytest.mark.parametrize(
    ("text", "familiar_name", "familiar_string"),
    [
        ("ubuntu", "ubuntu", "ubuntu"),
        ("ubuntu:22.04", "ubuntu", "ubuntu:22.04"),
        ("docker.io/library/ubuntu", "ubuntu", "ubuntu"),
        ("index.docker.io/library/ubuntu:1", "ubuntu", "ubuntu:1"),
        ("library/foo/bar:1", "library/foo/bar", "library/foo/bar:1"),
        ("user/app", "user/app", "user/app"),
        ("quay.io/library/x", "quay.io/library/x", "quay.io/library/x"),
        ("Docker.io/x/y", "Docker.io/x/y", "Docker.io/x/y"),
        (f"busybox:latest@{D}", "busybox", f"busybox:latest@{D}"),
        (f"localhost:5000/a@{D}", "localhost:5000/a", f"localhost:5000/a@{D}"),
    ],
    ids=lambda v: v[:40],
)
def test_familiar(text, familiar_name, familiar_string):
    ref = reference.parse_normalized_named(text)
    assert reference.familiar_name(ref) == familiar_name == ref.familiar_name
    assert reference.familiar_string(ref) == familiar_string == ref.familiar_string
    assert reference.parse_normalized_named(familiar_string) == ref


def test_familiar_of_unnormalized_parse():
    assert reference.parse("docker.io/foo").familiar_name == "foo"
    assert reference.parse("foo/bar").familiar_string == "foo/bar"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("foo", "docker.io/library/foo:latest"),
        ("foo:1", "docker.io/library/foo:1"),
        (f"foo@{D}", f"docker.io/library/foo@{D}"),
        (f"foo:1@{D}", f"docker.io/library/foo:1@{D}"),
    ],
    ids=["name", "tagged", "digested", "both"],
)
def test_tag_name_only(text, expected):
    assert str(reference.tag_name_only(reference.parse_normalized_named(text))) == expected


def test_moby_not_found_message_forms():
    for text, shown in [("abc", "abc:latest"), ("foo/bar", "foo/bar:latest"), (D, D)]:
        ref = reference.parse_any(text)
        assert reference.familiar_string(reference.tag_name_only(ref)) == shown


def test_trim_named_and_digest_only_helpers():
    ref = reference.parse_normalized_named(f"foo:1@{D}")
    assert str(reference.trim_named(ref)) == "docker.io/library/foo"
    digest_only = reference.parse_any(D)
    assert reference.tag_name_only(digest_only) == digest_only
    assert reference.familiar_string(digest_only) == D
    for helper in (reference.familiar_name, reference.trim_named):
        with pytest.raises(TypeError):
            helper(digest_only)
    with pytest.raises(TypeError):
        reference.with_tag(digest_only, "x")
    with pytest.raises(TypeError):
        reference.with_digest(digest_only, D)


@pytest.mark.parametrize(
    "tag", ["-foo", ".foo", "a" * 129, "a:b", "a/b", "", "é"], ids=lambda v: v[:10] or "empty"
)
def test_with_tag_rejects(tag):
    with pytest.raises(errors.InvalidParameter) as info:
        reference.with_tag(reference.with_name("foo"), tag)
    assert info.value.kind == "invalid_tag"


def test_tag_length_limit_in_parse():
    assert reference.parse("foo:" + "a" * 128).tag == "a" * 128
    with pytest.raises(errors.InvalidParameter):
        reference.parse("foo:" + "a" * 129)


# The Reference value.
VALUES = [
    reference.parse_normalized_named("ubuntu:22.04"),
    reference.parse_normalized_named(f"quay.io/a/b:1@{D}"),
    reference.parse("foo"),
    reference.parse_any(D),
    reference.with_digest(reference.with_name("x"), "sha256:" + "A" * 40),
]


@pytest.mark.parametrize("value", VALUES, ids=str)
def test_value_semantics(value):
    assert eval(repr(value), {"Reference": reference.Reference}) == value
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.deepcopy(value) == value
    assert hash(value) == hash(pickle.loads(pickle.dumps(value)))
    assert len({value, copy.copy(value)}) == 1
    with pytest.raises(AttributeError):
        value.tag = "x"  # type: ignore[misc]


def test_digest_only_differs_from_same_string_named():
    named = reference.parse(D)  # name "sha256", tag = the hex
    assert str(named) == str(reference.parse_any(D))
    assert named != reference.parse_any(D)
    assert named.name == "sha256"


def test_constructor_validates():
    with pytest.raises(TypeError):
        reference.Reference()
    with pytest.raises(TypeError):
        reference.Reference(tag="x")
    with pytest.raises(errors.InvalidParameter):
        reference.Reference("Foo")
    with pytest.raises(errors.InvalidParameter):
        reference.Reference(digest="nope")


def test_non_str_and_surrogates():
    with pytest.raises(TypeError):
        reference.parse(b"foo")  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidParameter):
        reference.parse_any("foo\ud800")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("\u0130", "name_contains_uppercase"),
        ("\u212a", "name_contains_uppercase"),
        ("é", "invalid_format"),
    ],
    ids=["dotted capital I", "kelvin sign", "e acute"],
)
def test_go_lowercasing(text, kind):
    with pytest.raises(errors.InvalidParameter) as info:
        reference.parse(text)
    assert info.value.kind == kind


# Properties.
REF_ALPHABET = string.ascii_letters + string.digits + "._-/:@[]+é"
components = st.from_regex(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+){0,2}", fullmatch=True)
domains = st.one_of(
    st.from_regex(r"[a-zA-Z0-9]{1,8}(?:\.[a-zA-Z0-9]{1,8}){0,2}(?::[0-9]{1,5})?", fullmatch=True),
    st.just("localhost:5000"),
    st.just("[::1]:5000"),
)
tags = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
hexes = st.text("0123456789abcdef", min_size=64, max_size=64)


@st.composite
def canonical_strings(draw):
    text = draw(st.one_of(st.none(), domains))
    path = "/".join(draw(st.lists(components, min_size=1, max_size=3)))
    out = f"{text}/{path}" if text else path
    if draw(st.booleans()):
        out += ":" + draw(tags)
    if draw(st.booleans()):
        out += "@sha256:" + draw(hexes)
    return out


@settings(max_examples=300)
@given(st.text(REF_ALPHABET, max_size=80) | st.text(max_size=40))
def test_nothing_panics(text):
    for fn in (
        reference.parse,
        reference.parse_any,
        reference.parse_normalized_named,
        reference.parse_named,
        reference.parse_docker_ref,
        reference.with_name,
    ):
        try:
            fn(text)
        except errors.InvalidParameter:
            pass


@settings(max_examples=300)
@given(canonical_strings())
def test_parse_round_trips(text):
    assert str(reference.parse(text)) == text


@settings(max_examples=300)
@given(canonical_strings())
def test_familiar_round_trips(text):
    try:
        named = reference.parse_normalized_named(text)
    except errors.InvalidParameter:
        return
    assert reference.parse_normalized_named(reference.familiar_string(named)) == named
    assert reference.parse_named(str(named)) == named


# The CLI.
def test_cli_ref_text(capsys):
    assert cli.main(["ref", "ubuntu", "Foo"]) == cli.EXIT_INVALID
    out, err = capsys.readouterr()
    assert "docker.io/library/ubuntu:latest" in out
    assert "must be lowercase" in err


def test_cli_ref_json(capsys):
    assert cli.main(["ref", "--json", "busybox:1", D[7:]]) == cli.EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data[0]["docker_ref"] == "docker.io/library/busybox:1"
    assert data[0]["familiar_string"] == "busybox:1"
    assert data[1] == {
        "input": D[7:],
        "reference": D,
        "name": None,
        "domain": None,
        "path": None,
        "tag": None,
        "digest": D,
        "digest_only": True,
        "familiar_name": None,
        "familiar_string": D,
        "docker_ref": None,
    }
