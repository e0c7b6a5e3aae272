"""Hostile input through the public API: arbitrary strings, bytes and objects.

Every failure must be one of the documented classes: an :mod:`imagelookup.errors` class,
``TypeError`` for an argument of the wrong type, or ``BufferError`` for a buffer that is not
C-contiguous (as :mod:`hashlib` raises). Nothing else may escape: no ``UnicodeEncodeError``
for strings with lone surrogates, no ``SystemError``, no ``pyo3_runtime.PanicException``.
"""

from __future__ import annotations

import array
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imagelookup import digest, errors, manifests, platforms, reference
from imagelookup.idindex import IDIndex
from imagelookup.platforms import Platform

# Lone surrogates are drawn explicitly: plain st.text() leaves them out.
CHARS = st.one_of(
    st.characters(exclude_categories=()),
    st.sampled_from(list("/:@()+%.-_ ")),
    st.characters(categories=["Cs"]),
)
TEXT = st.text(CHARS, max_size=60)
# Mostly ASCII with the grammars' punctuation, so inputs get deep into the parsers.
SYNTAX = st.text(st.sampled_from(list("abcdefxyzAB0189/:@()+%.-_[]")), max_size=60)
STRINGS = st.one_of(TEXT, SYNTAX)
NON_STR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
ANYTHING = st.one_of(STRINGS, NON_STR)
BUFFERS = st.one_of(
    st.binary(max_size=200),
    st.binary(max_size=200).map(bytearray),
    st.binary(max_size=200).map(memoryview),
    st.binary(max_size=200).map(lambda b: array.array("B", b)),
)
HOST = Platform("linux", "amd64")
D256 = "sha256:" + "ab" * 32

ALLOWED = (errors.ImageLookupError, TypeError)


def attempt(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls ``fn``; an allowed exception is checked and returned, any other escapes."""
    try:
        return fn(*args, **kwargs)
    except ALLOWED as exc:
        check_exception(exc)
        return exc


def check_exception(exc: BaseException) -> None:
    assert isinstance(str(exc), str)
    if isinstance(exc, errors.ImageLookupError):
        assert type(exc).__module__ == "imagelookup.errors"
        assert str(exc) == exc.message and exc.message
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is type(exc) and str(back) == str(exc)


def failed(result: Any) -> bool:
    return isinstance(result, BaseException)


# Platforms.


@settings(max_examples=300)
@given(STRINGS)
def test_platform_parse_any_text(spec):
    p = attempt(platforms.parse, spec, host=HOST)
    if failed(p):
        assert isinstance(p, errors.InvalidParameter) and p.kind == "invalid_platform"
        return
    assert isinstance(p, Platform)
    assert isinstance(platforms.format(p), str)
    assert isinstance(platforms.format_all(p), str)
    assert platforms.normalize(platforms.normalize(p)) == platforms.normalize(p)


@given(NON_STR)
def test_platform_functions_refuse_non_platforms(value):
    for fn in (
        platforms.format,
        platforms.format_all,
        platforms.normalize,
        platforms.only,
        platforms.only_strict,
        platforms.only_os,
        platforms.only_with_fallback,
        platforms.new_matcher,
        platforms.ordered,
        platforms.any_of,
        Platform.from_oci,
    ):
        result = attempt(fn, value)
        if failed(result):
            assert isinstance(result, TypeError)
    result = attempt(platforms.parse, value)
    assert isinstance(result, TypeError)


@settings(max_examples=200)
@given(ANYTHING, ANYTHING, ANYTHING, ANYTHING, st.one_of(st.lists(ANYTHING, max_size=3), NON_STR))
def test_platform_constructor(os, arch, variant, version, features):
    p = attempt(Platform, os, arch, variant, version, features)
    if failed(p):
        assert isinstance(p, TypeError)
        return
    # Any value a Platform can hold is printable, picklable and comparable.
    assert eval(repr(p), {"Platform": Platform}) == p
    assert pickle.loads(pickle.dumps(p)) == p
    hash(p)
    assert Platform.from_oci(p.to_oci()) == p


@settings(max_examples=200)
@given(
    st.dictionaries(
        st.sampled_from(["os", "architecture", "variant", "os.version", "os.features", "other"]),
        ANYTHING | st.lists(ANYTHING, max_size=3),
    )
)
def test_platform_from_any_mapping(mapping):
    p = attempt(Platform.from_oci, mapping)
    if failed(p):
        assert isinstance(p, TypeError)
        return
    assert isinstance(p, Platform)
    attempt(platforms.only(p).match, mapping)


@settings(max_examples=150)
@given(STRINGS, st.lists(st.one_of(STRINGS, NON_STR.filter(lambda v: v is not None)), max_size=5))
def test_matchers_take_any_candidates(wanted, candidates):
    w = attempt(platforms.parse, wanted, host=HOST)
    if failed(w):
        w = Platform(wanted, wanted)
    for m in (
        platforms.only(w),
        platforms.only_strict(w),
        platforms.only_os(w),
        platforms.only_with_fallback(w),
        platforms.new_matcher(w),
        platforms.ordered(w, HOST),
        platforms.any_of(w, HOST),
        platforms.ALL,
    ):
        for c in candidates:
            result = attempt(m.match, c)
            assert isinstance(result, (bool, errors.InvalidParameter, TypeError))
            attempt(m.less, c, w)
        for fn in (m.sort, m.best):
            result = attempt(fn, candidates)
            if not failed(result) and fn is m.sort:
                assert sorted(map(id, result)) == sorted(map(id, candidates))


@given(ANYTHING, ANYTHING, st.one_of(st.none(), ANYTHING))
def test_default_spec_for_any_input(os, machine, cpuinfo):
    p = attempt(platforms.default_spec_for, os, machine, cpuinfo)
    assert isinstance(p, (Platform, TypeError))


# References.

REFERENCE_PARSERS = (
    reference.parse,
    reference.parse_any,
    reference.parse_normalized_named,
    reference.parse_named,
    reference.parse_docker_ref,
    reference.with_name,
)


@settings(max_examples=300)
@given(STRINGS)
def test_reference_parsers_any_text(text):
    for fn in REFERENCE_PARSERS:
        r = attempt(fn, text)
        if failed(r):
            assert isinstance(r, errors.InvalidParameter), (fn, r)
            assert isinstance(r.kind, str) and r.kind
            continue
        assert isinstance(r, reference.Reference)
        assert pickle.loads(pickle.dumps(r)) == r
        assert isinstance(reference.familiar_string(r), str)


@given(NON_STR)
def test_reference_parsers_refuse_non_str(value):
    for fn in REFERENCE_PARSERS:
        assert isinstance(attempt(fn, value), TypeError)


@settings(max_examples=200)
@given(st.sampled_from(["ubuntu", "quay.io/a/b:1", D256, "x@" + D256]), ANYTHING)
def test_reference_helpers_any_argument(base, arg):
    r = reference.parse_any(base)
    for fn in (reference.with_tag, reference.with_digest):
        result = attempt(fn, r, arg)
        if failed(result):
            assert isinstance(result, (errors.InvalidParameter, TypeError))
    for fn in (
        reference.familiar_name,
        reference.familiar_string,
        reference.tag_name_only,
        reference.trim_named,
    ):
        attempt(fn, r)
        assert isinstance(attempt(fn, arg), TypeError)


@settings(max_examples=200)
@given(
    st.one_of(st.none(), ANYTHING), st.one_of(st.none(), ANYTHING), st.one_of(st.none(), ANYTHING)
)
def test_reference_constructor(name, tag, dig):
    r = attempt(reference.Reference, name, tag, dig)
    if not failed(r):
        assert reference.Reference(r.name, r.tag, r.digest) == r


# Digests.


@settings(max_examples=300)
@given(ANYTHING)
def test_digest_text_functions(text):
    assert isinstance(digest.is_valid(text), bool)
    for fn in (digest.validate, digest.algorithm, digest.encoded, digest.Hasher):
        result = attempt(fn, text)
        if failed(result):
            assert isinstance(result, (errors.InvalidDigest, TypeError)), (fn, result)
    valid = digest.is_valid(text)
    assert failed(attempt(digest.validate, text)) != valid


@settings(max_examples=200)
@given(st.one_of(BUFFERS, NON_STR, TEXT), ANYTHING)
def test_digest_content_functions(data, text):
    for fn in (digest.compute, digest.verify):
        result = attempt(fn, data, text)
        if failed(result):
            assert isinstance(result, (errors.InvalidDigest, errors.DigestMismatch, TypeError)), (
                result
            )
    h = digest.Hasher()
    result = attempt(h.update, data)
    if failed(result):
        assert isinstance(result, TypeError)
    result = attempt(h.verify, text)
    if failed(result):
        assert isinstance(result, (errors.InvalidDigest, errors.DigestMismatch, TypeError))


def test_non_contiguous_buffer_raises_buffer_error_like_hashlib():
    view = memoryview(b"abcdef")[::2]
    with pytest.raises(BufferError):
        digest.compute(view)
    with pytest.raises(BufferError):
        digest.Hasher().update(view)


# The ID index.


@settings(max_examples=200)
@given(st.lists(st.one_of(st.just(D256), STRINGS, NON_STR), max_size=5), ANYTHING)
def test_idindex_any_input(ids, term):
    index = attempt(IDIndex, ids)
    if failed(index):
        assert isinstance(index, (errors.InvalidDigest, TypeError))
        index = IDIndex([D256])
    for fn in (index.add, index.remove):
        result = attempt(fn, term)
        if failed(result):
            assert isinstance(result, (errors.InvalidDigest, TypeError))
    result = attempt(index.search, term)
    if failed(result):
        assert isinstance(result, (errors.NotFound, errors.AmbiguousPrefix, TypeError))
    assert attempt(index.get, term) in (None, term)
    assert isinstance(term in index, bool)
    result = attempt(index.add_many, ids)
    if failed(result):
        assert isinstance(result, (errors.InvalidDigest, TypeError))


# Lone surrogates, one row per entry point that takes text.

SURROGATE = "a\ud800b"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: platforms.parse(SURROGATE), errors.InvalidParameter),
        (lambda: platforms.only(SURROGATE), errors.InvalidParameter),
        (lambda: platforms.new_matcher("linux", host_os=SURROGATE), None),
        (lambda: Platform(SURROGATE, "amd64", os_features=[SURROGATE]), None),
        (lambda: Platform.from_oci({"os": SURROGATE, "os.features": [SURROGATE]}), None),
        (lambda: platforms.default_spec_for("linux", SURROGATE, SURROGATE), None),
        (lambda: reference.parse(SURROGATE), errors.InvalidParameter),
        (lambda: reference.Reference(SURROGATE), errors.InvalidParameter),
        (lambda: reference.with_tag(reference.parse("a"), SURROGATE), errors.InvalidParameter),
        (lambda: digest.validate(SURROGATE), errors.InvalidDigest),
        (lambda: digest.verify(b"", SURROGATE), errors.InvalidDigest),
        (lambda: digest.compute(b"", SURROGATE), errors.InvalidDigest),
        (lambda: digest.Hasher(SURROGATE), errors.InvalidDigest),
        (lambda: digest.Hasher().verify(SURROGATE), errors.InvalidDigest),
        (lambda: IDIndex([SURROGATE]), errors.InvalidDigest),
        (lambda: IDIndex().add(SURROGATE), errors.InvalidDigest),
        (lambda: IDIndex([D256]).search(SURROGATE), errors.NotFound),
    ],
    ids=[
        "platforms.parse",
        "platforms.only",
        "new_matcher host_os",
        "Platform",
        "Platform.from_oci",
        "default_spec_for",
        "reference.parse",
        "Reference",
        "with_tag",
        "digest.validate",
        "digest.verify",
        "digest.compute",
        "Hasher",
        "Hasher.verify",
        "IDIndex",
        "IDIndex.add",
        "IDIndex.search",
    ],
)
def test_lone_surrogates(call, expected):
    if expected is None:
        call()
    else:
        with pytest.raises(expected):
            call()


def test_platform_fields_keep_one_replacement_per_surrogate():
    p = Platform(SURROGATE, "amd64")
    assert p.os == "a\ufffdb"
    with pytest.raises(errors.InvalidParameter) as info:
        platforms.parse(SURROGATE)
    assert '"a\ufffdb"' in str(info.value)


# Manifests.

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
PLATFORM_JSON = st.fixed_dictionaries(
    {},
    optional={
        "os": st.sampled_from(["linux", "windows", "unknown", ""]) | JSON,
        "architecture": st.sampled_from(["amd64", "arm64", "arm", "unknown"]) | JSON,
        "variant": st.sampled_from(["v7", "v8", ""]) | JSON,
        "os.version": JSON,
        "os.features": st.lists(TEXT, max_size=2) | JSON,
    },
)
DESCRIPTOR_JSON = st.fixed_dictionaries(
    {},
    optional={
        "mediaType": st.sampled_from(
            [manifests.MEDIA_TYPE_OCI_MANIFEST, manifests.MEDIA_TYPE_DOCKER_MANIFEST_LIST]
        )
        | JSON,
        "digest": st.just(D256) | JSON,
        "size": st.integers() | JSON,
        "platform": PLATFORM_JSON | JSON,
        "annotations": st.dictionaries(TEXT, TEXT, max_size=2) | JSON,
        "urls": st.lists(TEXT, max_size=2) | JSON,
        "data": st.just("e30=") | JSON,
    },
)
INDEX_JSON = st.fixed_dictionaries(
    {},
    optional={
        "schemaVersion": st.just(2) | JSON,
        "mediaType": st.just(manifests.MEDIA_TYPE_OCI_INDEX) | JSON,
        "manifests": st.lists(DESCRIPTOR_JSON, max_size=4) | JSON,
        "config": DESCRIPTOR_JSON | JSON,
        "layers": st.lists(DESCRIPTOR_JSON, max_size=2) | JSON,
        "subject": DESCRIPTOR_JSON | JSON,
        "annotations": st.dictionaries(TEXT, TEXT, max_size=2) | JSON,
    },
)


def encode_json(doc: Any) -> bytes:
    return json.dumps(doc).encode("utf-8", "surrogatepass")


def mutate(data: bytes, cuts: list[int]) -> bytes:
    """``data`` with a few bytes dropped or flipped: mostly-valid JSON that is not."""
    out = bytearray(data)
    for cut in cuts:
        if out:
            i = cut % len(out)
            if cut % 2:
                del out[i]
            else:
                out[i] ^= 0x20
    return bytes(out)


DOCUMENTS = st.one_of(
    INDEX_JSON.map(encode_json),
    st.tuples(INDEX_JSON.map(encode_json), st.lists(st.integers(0, 10**6), max_size=3)).map(
        lambda t: mutate(*t)
    ),
    st.binary(max_size=300),
)
LIMITS = st.one_of(st.just(1_000_000), st.integers(0, 400))
MANIFEST_ERRORS = (errors.InvalidManifest, errors.LimitExceeded)


def check_manifest_error(exc: BaseException, data: bytes, limit: int) -> None:
    assert isinstance(exc, MANIFEST_ERRORS), exc
    if isinstance(exc, errors.LimitExceeded):
        assert len(data) > limit and exc.limit == limit and exc.size == len(data)
    else:
        assert len(data) <= limit
        assert 0 <= exc.offset <= len(data) and exc.reason


@settings(max_examples=400)
@given(DOCUMENTS, LIMITS)
def test_manifest_readers_any_bytes(data, limit):
    for fn in (manifests.parse_index, manifests.parse_manifest, manifests.config_digest):
        result = attempt(fn, data, limit=limit)
        if failed(result):
            check_manifest_error(result, data, limit)
    index = attempt(manifests.parse_index, data, limit=limit)
    if failed(index):
        return
    assert pickle.loads(pickle.dumps(index)) == index
    hash(index)
    for wanted in ("linux/amd64", "linux/arm/v7", HOST):
        chosen = manifests.select(data, wanted, limit=limit)
        assert all(d.is_manifest and d.platform is not None for d in chosen)
        assert [d for d in index.manifests if d in chosen] == chosen
        best = manifests.best(data, wanted, limit=limit)
        assert (best is None) == (not chosen)
        assert best is None or best in chosen


@settings(max_examples=200)
@given(st.one_of(BUFFERS, NON_STR, TEXT), st.one_of(STRINGS, NON_STR), ANYTHING)
def test_manifest_functions_any_arguments(data, platform, limit):
    for fn in (manifests.parse_index, manifests.parse_manifest, manifests.config_digest):
        result = attempt(fn, data)
        if failed(result):
            assert isinstance(result, (*MANIFEST_ERRORS, TypeError)), result
        result = attempt(fn, b"{}", limit=limit)
        if failed(result):
            assert isinstance(result, (*MANIFEST_ERRORS, errors.InvalidParameter, TypeError))
    for fn in (manifests.select, manifests.best):
        result = attempt(fn, data, platform)
        if failed(result):
            assert isinstance(result, (*MANIFEST_ERRORS, errors.InvalidParameter, TypeError))
    result = attempt(manifests.select_many, [data, b"{}"], platform, threads=2)
    if failed(result):
        assert isinstance(result, (errors.InvalidParameter, TypeError)), result
    else:
        assert len(result) == 2


@settings(max_examples=150)
@given(ANYTHING, ANYTHING, ANYTHING, st.one_of(st.none(), ANYTHING, PLATFORM_JSON), ANYTHING)
def test_descriptor_constructor(media_type, dig, size, platform, annotations):
    d = attempt(manifests.Descriptor, media_type, dig, size, platform, annotations)
    if failed(d):
        assert isinstance(d, (errors.InvalidParameter, TypeError)), d
        return
    assert pickle.loads(pickle.dumps(d)) == d
    hash(d)
    repr(d)


@pytest.mark.parametrize("limit", [-1, 2**64, 2**200], ids=["negative", "past usize", "huge"])
def test_limit_values(limit):
    if limit < 0:
        with pytest.raises(errors.InvalidParameter):
            manifests.parse_index(b"{}", limit=limit)
    else:
        assert manifests.parse_index(b"{}", limit=limit) == manifests.parse_index(b"{}")


def test_select_with_surrogate_platform():
    with pytest.raises(errors.InvalidParameter):
        manifests.select(b"{}", SURROGATE)
