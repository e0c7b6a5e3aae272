"""IDIndex: go-digest's digestset set_test.go, moby's Search rules, threads."""

from __future__ import annotations

import hashlib
import pickle
import random
import struct
import threading

import imagelookup
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imagelookup import errors
from imagelookup.idindex import IDIndex

LOOKUP_DIGESTS = [
    "sha256:" + prefix + "1" * (64 - len(prefix))
    for prefix in ["12345", "1234", "12346", "54321", "6543", "6432", "6542", "6532"]
]


def random_digests(count: int, seed: int = 25823) -> list[str]:
    rng = random.Random(seed)
    return [
        "sha256:" + hashlib.sha256(struct.pack(">q", rng.getrandbits(63))).hexdigest()
        for _ in range(count)
    ]


@pytest.fixture
def lookup_index() -> IDIndex:
    return IDIndex(LOOKUP_DIGESTS)


# TestLookup: (term, index of expected digest) or the error class.
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("54", 3),
        ("1234", errors.AmbiguousPrefix),
        ("9876", errors.NotFound),
        ("sha256:1234", errors.AmbiguousPrefix),
        ("sha256:12345", 0),
        ("sha256:12346", 2),
        ("12346", 2),
        ("12345", 0),
        # moby's Search semantics beyond the table
        (LOOKUP_DIGESTS[1], 1),
        (LOOKUP_DIGESTS[1][7:], 1),
        ("", errors.AmbiguousPrefix),
        ("6", errors.AmbiguousPrefix),
        ("64", 5),
        ("653", 7),
        ("sha512:54", errors.NotFound),
        ("foo:54", errors.NotFound),
        ("SHA256:54", errors.NotFound),
        ("5A", errors.NotFound),
        ("sha256:", errors.NotFound),
        ("sha256:" + "5" * 65, errors.NotFound),
        ("5432111111111111111111111111111111111111111111111111111111111111111", errors.NotFound),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_lookup(lookup_index, term, expected):
    if isinstance(expected, int):
        assert lookup_index.search(term) == LOOKUP_DIGESTS[expected]
    else:
        with pytest.raises(expected) as info:
            lookup_index.search(term)
        assert type(info.value) is expected
        if expected is errors.NotFound:
            assert str(info.value) == f"No such image: {term}"
        else:
            assert info.value.prefix == term
            assert str(info.value).startswith("ambiguous digest string")


def test_empty_index_finds_nothing():
    with pytest.raises(errors.NotFound):
        IDIndex().search("")
    assert IDIndex([LOOKUP_DIGESTS[0]]).search("") == LOOKUP_DIGESTS[0]


def test_add_duplication():
    sha512 = ["sha512:" + p + "1" * (128 - len(p)) for p in ["6543", "6542", "6532"]]
    index = IDIndex(LOOKUP_DIGESTS[:5] + sha512)
    assert len(index) == 8
    assert index.add(LOOKUP_DIGESTS[0]) is False
    assert len(index) == 8
    assert index.add("sha384:12345" + "1" * 91) is True
    assert len(index) == 9


def test_remove():
    digests = random_digests(10)
    index = IDIndex(digests)
    assert index.search(digests[0]) == digests[0]
    assert index.remove(digests[0]) is True
    with pytest.raises(errors.NotFound):
        index.search(digests[0])
    assert index.remove(digests[0]) is False


def test_all():
    digests = random_digests(100)
    index = IDIndex(digests)
    assert sorted(index) == sorted(digests)
    assert list(index) == sorted(digests)


def test_lookup_ambiguous_across_algorithms():
    a = "sha256:1234" + "0" * 60
    c = "sha256:1234" + "1" * 60
    b = "sha512:12340" + "5" * 123
    index = IDIndex([a, b, c])
    with pytest.raises(errors.AmbiguousPrefix):
        index.search("sha256:1234")
    assert index.search("sha512:12340") == b
    assert list(index) == [a, b, c]


def test_container_protocol():
    digests = random_digests(20)
    index = imagelookup.IDIndex()
    assert index.add_many(digests + digests[:5]) == 20
    assert len(index) == 20 and digests[3] in index
    assert "nope" not in index and 42 not in index
    assert index.get(digests[3]) == digests[3]
    assert index.get(random_digests(1, seed=1)[0]) is None
    back = pickle.loads(pickle.dumps(index))
    assert list(back) == list(index)
    assert "20 IDs" in repr(index)


@pytest.mark.parametrize(
    "bad",
    ["", "abc", "sha256:abc", "sha256:" + "A" * 64, "md5:" + "0" * 32],
    ids=lambda v: v[:20] or "empty",
)
def test_add_validates(bad):
    index = IDIndex()
    with pytest.raises(errors.InvalidDigest):
        index.add(bad)
    with pytest.raises(errors.InvalidDigest):
        index.remove(bad)
    with pytest.raises(errors.InvalidDigest):
        IDIndex([bad])
    with pytest.raises(errors.InvalidDigest):
        index.add_many([bad])
    assert len(index) == 0


def search_like_python(ids: list[str], term: str) -> str | type:
    """A plain reading of moby's rules, for the property test."""
    if not ids:
        return errors.NotFound
    alg, prefix = None, term
    if ":" in term:
        name, _, rest = term.partition(":")
        # go-digest calls "sha256:" (nothing after the colon) malformed, so digestset
        # searches for it as a bare hex prefix, which matches nothing.
        if name in {"sha256", "sha384", "sha512"} and rest:
            alg, prefix = name, rest
    matches = []
    for full in ids:
        name, _, value = full.partition(":")
        if alg is not None and name != alg:
            continue
        if value == prefix:
            return full
        if value.startswith(prefix):
            matches.append(full)
    if len(matches) == 1:
        return matches[0]
    return errors.AmbiguousPrefix if matches else errors.NotFound


@settings(max_examples=200)
@given(
    st.lists(st.text("0123", min_size=3, max_size=3), max_size=12),
    st.text("0123:sha256", max_size=10),
)
def test_search_matches_plain_rules(prefixes, term):
    ids = sorted({"sha256:" + p + "0" * 61 for p in prefixes})
    index = IDIndex(ids)
    expected = search_like_python(ids, term)
    try:
        got: str | type = index.search(term)
    except (errors.NotFound, errors.AmbiguousPrefix) as exc:
        got = type(exc)
    assert got == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [("sha256:", errors.NotFound), ("", "one"), ("sha256:0", "one"), ("0", "one")],
    ids=["algorithm-colon-only-is-malformed", "empty", "algorithm-and-prefix", "bare-prefix"],
)
def test_search_single_id_edge_terms(term, expected):
    only = "sha256:" + "0" * 64
    index = IDIndex([only])
    if expected == "one":
        assert index.search(term) == only
    else:
        with pytest.raises(expected):
            index.search(term)


def test_threads_share_one_index():
    digests = random_digests(2000)
    index = IDIndex(digests[:1000])
    failures: list[BaseException] = []

    def reader() -> None:
        try:
            for d in digests[:1000]:
                assert index.search(d[7:19]) == d
        except BaseException as exc:
            failures.append(exc)

    def writer() -> None:
        try:
            for d in digests[1000:]:
                index.add(d)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)] + [
        threading.Thread(target=writer)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert len(index) == 2000
