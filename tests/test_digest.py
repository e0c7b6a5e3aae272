"""imagelookup.digest: go-digest's digest_test.go table, compute, verify, Hasher."""

from __future__ import annotations

import hashlib
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from imagelookup import digest, errors

H384 = (
    "d3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596b"
    "f9c4a9cf8072c9d5bad76e19af801d"
)

# TestParseDigest (go-digest v1.0.0 errors): (input, algorithm, encoded) or an error kind.
PARSE_ROWS = [
    (
        "sha256:e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b",
        "sha256",
        "e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b",
    ),
    (f"sha384:{H384}", "sha384", H384),
    ("", "digest_invalid_format", None),
    ("     ", "digest_invalid_format", None),
    ("sha256:", "digest_invalid_format", None),
    ("sha256:" + " " * 64, "digest_invalid_format", None),
    (":", "digest_invalid_format", None),
    ("d41d8cd98f00b204e9800998ecf8427e", "digest_invalid_format", None),
    ("sha256:d41d8cd98f00b204e9800m98ecf8427e", "digest_invalid_length", None),
    ("sha256:abcdef0123456789", "digest_invalid_length", None),
    ("sha512:" + "abcdef0123456789" * 4, "digest_invalid_length", None),
    ("foo:d41d8cd98f00b204e9800998ecf8427e", "digest_unsupported", None),
    (f"sha384__foo+bar:{H384}", "digest_invalid_format", None),
    (f"sha384.foo+bar:{H384}", "digest_unsupported", None),
    (f"sha384_foo+bar:{H384}", "digest_unsupported", None),
    ("sha256+b64:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "digest_unsupported", None),
    (
        "sha256:E58FCF7418D4390DEC8E8FB69D88C06EC07039D651FEDD3AA72AF9972E7D046B",
        "digest_invalid_format",
        None,
    ),
    # Beyond the table: blake3 is not one of v1.0.0's algorithms.
    (
        "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
        "digest_unsupported",
        None,
    ),
    ("sha256:" + "a" * 63 + ":", "digest_invalid_format", None),
    ("sha256:" + "a" * 62 + ":", "digest_invalid_length", None),
]
MESSAGES = {
    "digest_invalid_format": "invalid checksum digest format",
    "digest_invalid_length": "invalid checksum digest length",
    "digest_unsupported": "unsupported digest algorithm",
}


@pytest.mark.parametrize(
    ("text", "expected", "encoded"),
    PARSE_ROWS,
    ids=[r[0][:40].strip() or repr(r[0]) for r in PARSE_ROWS],
)
def test_parse_digest(text, expected, encoded):
    if encoded is None:
        with pytest.raises(errors.InvalidDigest) as info:
            digest.validate(text)
        assert info.value.kind == expected
        assert str(info.value) == MESSAGES[expected]
        assert not digest.is_valid(text)
    else:
        assert digest.validate(text) == text
        assert digest.is_valid(text)
        assert (digest.algorithm(text), digest.encoded(text)) == (expected, encoded)


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512"])
@pytest.mark.parametrize(
    "data", [b"", b"hello world", bytes(range(256)) * 1000], ids=["empty", "hello", "256k"]
)
def test_compute_matches_hashlib(algorithm, data):
    expected = f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"
    assert digest.compute(data, algorithm) == expected
    assert digest.compute(bytearray(data), algorithm) == expected
    assert digest.compute(memoryview(data), algorithm) == expected
    digest.verify(data, expected)


def test_memoryview_slices_are_read_in_place():
    data = b"0123456789"
    assert digest.compute(memoryview(data)[2:5]) == digest.compute(b"234")


def test_refused_inputs():
    with pytest.raises(TypeError):
        digest.compute("text")  # type: ignore[arg-type]
    with pytest.raises(BufferError):
        digest.compute(memoryview(b"abcdef")[::2])
    with pytest.raises(errors.InvalidDigest) as info:
        digest.compute(b"", "md5")
    assert info.value.kind == "digest_unsupported"


def test_verify_mismatch_and_malformed():
    good = digest.compute(b"a")
    with pytest.raises(errors.DigestMismatch) as info:
        digest.verify(b"b", good)
    assert info.value.expected == good
    assert info.value.actual == digest.compute(b"b")
    assert isinstance(info.value, ValueError)
    with pytest.raises(errors.InvalidDigest):
        digest.verify(b"a", "sha256:abc")


def test_hasher_streams():
    h = digest.Hasher()
    assert h.algorithm == "sha256"
    for chunk in (b"hello ", bytearray(b"wor"), memoryview(b"ld")):
        h.update(chunk)
    assert h.digest() == digest.compute(b"hello world")
    assert h.hexdigest() == hashlib.sha256(b"hello world").hexdigest()
    h.verify(digest.compute(b"hello world"))
    snapshot = h.copy()
    h.update(b"!")
    assert snapshot.digest() == digest.compute(b"hello world")
    with pytest.raises(errors.DigestMismatch):
        h.verify(digest.compute(b"hello world"))
    with pytest.raises(errors.DigestMismatch):
        digest.Hasher("sha512").verify(digest.compute(b""))
    big = digest.Hasher("sha384")
    big.update(b"x" * 1_000_000)
    assert big.digest() == digest.compute(b"x" * 1_000_000, "sha384")


def test_errors_pickle():
    with pytest.raises(errors.InvalidDigest) as info:
        digest.validate("nope")
    back = pickle.loads(pickle.dumps(info.value))
    assert (type(back), back.kind, str(back)) == (
        errors.InvalidDigest,
        info.value.kind,
        str(info.value),
    )


def test_algorithms_constant():
    assert digest.ALGORITHMS == ("sha256", "sha384", "sha512")


@given(st.binary(max_size=2048))
def test_compute_is_hashlib(data):
    assert digest.compute(data) == "sha256:" + hashlib.sha256(data).hexdigest()


@given(st.text(max_size=140))
def test_validate_never_panics(text):
    try:
        assert digest.validate(text) == text
    except errors.InvalidDigest as exc:
        assert exc.kind in MESSAGES


def test_one_hasher_shared_between_threads():
    # Identical chunks make the result independent of the order the threads get the lock in;
    # chunks past 64 KiB are hashed with the interpreter released, so the threads do overlap.
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    from imagelookup import digest

    chunk = bytes(range(256)) * 1024  # 256 KiB
    hasher = digest.Hasher()

    def feed(_: int) -> None:
        for _ in range(8):
            hasher.update(chunk)
            hasher.hexdigest()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(feed, range(8)))
    assert hasher.hexdigest() == hashlib.sha256(chunk * 64).hexdigest()
