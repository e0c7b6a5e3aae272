"""The Go decoder's behaviour that moby's manifest-list check inherits, one row per quirk
(UPSTREAM-BEHAVIOUR section 12), and hostile inputs."""

from __future__ import annotations

import pytest
from imagelookup import errors, manifests

M = "application/vnd.oci.image.manifest.v1+json"
AMD64 = '{"os":"linux","architecture":"amd64"}'


def doc(entries: str, extra: str = "") -> bytes:
    return ('{"manifests":[' + entries + "]" + extra + "}").encode()


def one(fields: str) -> bytes:
    return doc("{" + fields + "}")


def selected(data: bytes, wanted: str = "linux/amd64") -> list[str]:
    return [d.digest for d in manifests.select(data, wanted)]


# Documents that decode; (id, bytes, digests selected for linux/amd64).
ACCEPTED = [
    ("plain", one(f'"mediaType":"{M}","digest":"a","platform":{AMD64}'), ["a"]),
    (
        "keys-case-insensitive",
        b'{"MANIFESTS":[{"MediaType":"' + M.encode() + b'","DIGEST":"a",'
        b'"Platform":{"OS":"linux","Architecture":"amd64"}}]}',
        ["a"],
    ),
    (
        "key-through-escape",
        b'{"manif\\u0065sts":[{"mediaTyp\\u0065":"' + M.encode() + b'","digest":"a",'
        b'"platform":' + AMD64.encode() + b"}]}",
        ["a"],
    ),
    (
        "key-long-s-folds-to-s",
        (
            '{"manifeſts":[{"mediaType":"' + M + '","digeſt":"a","platform":' + AMD64 + "}]}"
        ).encode(),
        ["a"],
    ),
    (
        "unknown-non-ascii-key-skipped",
        (
            '{"manifests":[{"mediaType":"'
            + M
            + '","digest":"a","platform":'
            + AMD64
            + ',"\u212aey":1}]}'
        ).encode(),
        ["a"],
    ),
    (
        "duplicate-key-last-wins",
        one(f'"mediaType":"{M}","digest":"a","digest":"b","platform":{AMD64}'),
        ["b"],
    ),
    (
        "duplicate-key-differing-case-last-wins",
        one(f'"mediaType":"{M}","digest":"a","DIGEST":"b","platform":{AMD64}'),
        ["b"],
    ),
    (
        "duplicate-platform-objects-merge",
        one(
            f'"mediaType":"{M}","digest":"a","platform":{{"os":"linux"}},'
            '"platform":{"architecture":"amd64"}'
        ),
        ["a"],
    ),
    (
        "platform-null-after-object-clears",
        one(f'"mediaType":"{M}","digest":"a","platform":{AMD64},"platform":null'),
        [],
    ),
    (
        "null-string-leaves-value",
        one(f'"mediaType":"{M}","mediaType":null,"digest":"a","platform":{AMD64}'),
        ["a"],
    ),
    ("null-document", b"null", []),
    ("empty-object", b"{}", []),
    ("manifests-null", b'{"manifests":null}', []),
    ("null-entry", doc("null"), []),
    (
        "repeated-manifests-merge-elementwise",
        b'{"manifests":[{"digest":"a","platform":' + AMD64.encode() + b"}],"
        b'"manifests":[{"mediaType":"' + M.encode() + b'"}]}',
        ["a"],
    ),
    (
        "repeated-manifests-revive-cut-elements",
        b'{"manifests":[{"digest":"x"},{"mediaType":"' + M.encode() + b'","digest":"b",'
        b'"platform":' + AMD64.encode() + b'}],"manifests":[{}],"manifests":[{},{}]}',
        ["b"],
    ),
    (
        "empty-array-drops-elements",
        b'{"manifests":[{"mediaType":"'
        + M.encode()
        + b'","digest":"b","platform":'
        + AMD64.encode()
        + b'}],"manifests":[],"manifests":[{}]}',
        [],
    ),
    (
        "unknown-fields-any-json",
        one(
            f'"mediaType":"{M}","digest":"a","platform":{AMD64},'
            '"x":[1e999,-0.5E-3,true,false,null,{"y":[[]]}],"z":"\\u0000"'
        ),
        ["a"],
    ),
    (
        "undecoded-platform-fields-any-json",
        one(
            f'"mediaType":"{M}","digest":"a","platform":{{"os":"linux","architecture":"amd64",'
            '"cpu":{"features":[1]}}'
        ),
        ["a"],
    ),
    (
        "size-negative-zero",
        one(f'"mediaType":"{M}","digest":"a","size":-0,"platform":{AMD64}'),
        ["a"],
    ),
    ("size-negative", one(f'"mediaType":"{M}","digest":"a","size":-5,"platform":{AMD64}'), ["a"]),
    (
        "size-int64-max",
        one(f'"mediaType":"{M}","digest":"a","size":9223372036854775807,"platform":{AMD64}'),
        ["a"],
    ),
    (
        "data-base64-with-newlines",
        one(f'"mediaType":"{M}","digest":"a","data":"e3\\n0=","platform":{AMD64}'),
        ["a"],
    ),
    (
        "data-byte-array",
        one(f'"mediaType":"{M}","digest":"a","data":[1,2],"platform":{AMD64}'),
        ["a"],
    ),
    (
        "annotation-null-value",
        one(f'"mediaType":"{M}","digest":"a","annotations":{{"k":null}},"platform":{AMD64}'),
        ["a"],
    ),
    (
        "digest-not-validated",
        one(f'"mediaType":"{M}","digest":"not a digest","platform":{AMD64}'),
        ["not a digest"],
    ),
    (
        "invalid-utf8-replaced",
        b'{"manifests":[{"mediaType":"' + M.encode() + b'","digest":"a\xff",'
        b'"platform":' + AMD64.encode() + b"}]}",
        ["a\ufffd"],
    ),
    (
        "lone-surrogate-replaced",
        one(f'"mediaType":"{M}","digest":"a\\ud800","platform":{AMD64}'),
        ["a\ufffd"],
    ),
    (
        "surrogate-pair-decoded",
        one(f'"mediaType":"{M}","digest":"\\ud83d\\ude00","platform":{AMD64}'),
        ["\U0001f600"],
    ),
    (
        "whitespace-around",
        b" \t\r\n" + one(f'"mediaType":"{M}","digest":"a","platform":{AMD64}') + b" \n",
        ["a"],
    ),
    (
        "os-value-not-normalized-by-reader",
        one(f'"mediaType":"{M}","digest":"a","platform":{{"os":"LINUX","architecture":"X86_64"}}'),
        ["a"],
    ),
    ("depth-10000-ok", b'{"x":' + b"[" * 9_999 + b"]" * 9_999 + b"}", []),
]


@pytest.mark.parametrize(
    ("data", "expected"), [r[1:] for r in ACCEPTED], ids=[r[0] for r in ACCEPTED]
)
def test_go_decoder_accepts(data, expected):
    assert selected(data) == expected


def test_duplicate_objects_merge_fields():
    d = manifests.parse_index(
        one(
            '"platform":{"os":"linux","variant":"v7"},"platform":{"architecture":"arm"},'
            '"annotations":{"a":"1","b":"2"},"annotations":{"b":"3"}'
        )
    ).manifests[0]
    assert (d.platform.os, d.platform.architecture, d.platform.variant) == ("linux", "arm", "v7")
    assert d.annotations == {"a": "1", "b": "3"}


def test_null_strings_in_a_repeated_list_keep_old_elements():
    d = manifests.parse_index(one('"urls":["u","v"],"urls":[null]')).manifests[0]
    assert d.urls == ("u",)


def test_data_keeps_gos_backing_array():
    d = manifests.parse_index(one('"data":"YQ==","data":[null,null]')).manifests[0]
    assert d.data == b"a\x00"


# Documents that fail: (id, bytes, text expected in the reason).
REJECTED = [
    ("bom", b"\xef\xbb\xbf{}", "invalid character"),
    ("trailing-garbage", b"{} x", "after top-level value"),
    ("two-documents", b"{}{}", "after top-level value"),
    ("top-level-array", b"[]", "cannot unmarshal array"),
    ("top-level-string", b'"x"', "cannot unmarshal string"),
    ("top-level-number", b"1", "cannot unmarshal number"),
    ("top-level-true", b"true", "cannot unmarshal bool"),
    ("empty-input", b"", "unexpected end"),
    ("whitespace-only", b"  ", "unexpected end"),
    ("truncated", b'{"manifests":[{"digest":"a"', "unexpected end"),
    ("truncated-string", b'{"manifests":[{"digest":"a', "unexpected end"),
    ("depth-10001", b'{"x":' + b"[" * 10_000 + b"]" * 10_000 + b"}", "exceeded max depth"),
    ("deep-unclosed", b'{"x":' + b"[" * 100_000, "exceeded max depth"),
    ("deep-objects", b'{"x":' + b'{"y":' * 20_000, "exceeded max depth"),
    ("manifests-object", b'{"manifests":{}}', "cannot unmarshal object"),
    ("manifests-string", b'{"manifests":"x"}', "cannot unmarshal string"),
    ("entry-string", doc('"x"'), "cannot unmarshal string"),
    ("mediaType-number", one('"mediaType":1'), "mediaType"),
    ("digest-bool", one('"digest":true'), "digest"),
    ("digest-object", one('"digest":{}'), "digest"),
    ("size-string", one('"size":"1"'), "size"),
    ("size-float", one('"size":1.0'), "size"),
    ("size-exponent", one('"size":1E3'), "size"),
    ("size-overflow", one('"size":9223372036854775808'), "size"),
    ("platform-string", one('"platform":"linux/amd64"'), "platform"),
    ("platform-array", one('"platform":[]'), "platform"),
    ("platform-os-number", one('"platform":{"os":1}'), "os"),
    ("os-features-string", one('"platform":{"os.features":"x"}'), "os.features"),
    ("os-features-numbers", one('"platform":{"os.features":[1]}'), "os.features"),
    ("annotations-array", one('"annotations":[]'), "annotations"),
    ("annotation-value-number", one('"annotations":{"k":1}'), "annotations"),
    ("urls-string", one('"urls":"u"'), "urls"),
    ("urls-numbers", one('"urls":[1]'), "urls"),
    ("data-unpadded", one('"data":"YQ"'), "base64"),
    ("data-bad-char", one('"data":"Y-=="'), "base64"),
    ("data-after-padding", one('"data":"YQ==YQ=="'), "base64"),
    ("data-number", one('"data":1'), "data"),
    ("data-byte-overflow", one('"data":[256]'), "data"),
    ("schemaVersion-string", b'{"schemaVersion":"2"}', "schemaVersion"),
    ("schemaVersion-float", b'{"schemaVersion":2.0}', "schemaVersion"),
    ("subject-string", b'{"subject":"x"}', "subject"),
    ("index-annotations-string", b'{"annotations":"x"}', "annotations"),
    ("control-char-in-string", one('"digest":"a\x01"'), "in string literal"),
    ("raw-newline-in-string", one('"digest":"a\nb"'), "in string literal"),
    ("bad-escape", one('"digest":"\\x"'), "escape"),
    ("short-unicode-escape", one('"digest":"\\u12"'), "escape"),
    ("single-quotes", b"{'manifests':[]}", "invalid character"),
    ("trailing-comma-object", b'{"manifests":[],}', "invalid character"),
    ("trailing-comma-array", doc("{},"), "invalid character"),
    ("missing-colon", b'{"manifests" []}', "after object key"),
    ("leading-zero", b'{"x":01}', "invalid character"),
    ("bare-minus", b'{"x":-}', "in numeric literal"),
    ("nan", b'{"x":NaN}', "invalid character"),
    ("bad-literal", b'{"x":nul}', "in literal null"),
    ("unknown-field-bad-syntax", b'{"x":[1,]}', "invalid character"),
    ("mismatched-brackets", b'{"x":[}', "invalid character"),
]


@pytest.mark.parametrize(
    ("data", "reason"), [r[1:] for r in REJECTED], ids=[r[0] for r in REJECTED]
)
def test_go_decoder_rejects(data, reason):
    with pytest.raises(errors.InvalidManifest) as info:
        manifests.parse_index(data)
    assert reason in info.value.reason
    assert 0 <= info.value.offset <= len(data)
    with pytest.raises(errors.InvalidManifest):
        manifests.select(data, "linux/amd64")


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        (b"{} x", 3),
        (b'{"manifests":[{"size":"1"}]}', 22),
        (b'{"a":\x01}', 5),
        (b"\xef\xbb\xbf{}", 0),
    ],
    ids=["trailing", "wrong-type", "control", "bom"],
)
def test_error_offsets(data, offset):
    with pytest.raises(errors.InvalidManifest) as info:
        manifests.parse_index(data)
    assert info.value.offset == offset


def test_every_truncation_of_a_valid_list_fails_cleanly():
    data = one(
        f'"mediaType":"{M}","digest":"sha256:a","size":1,"platform":{AMD64},'
        '"annotations":{"k":"v"},"urls":["u"],"data":"e30="'
    )
    for cut in range(len(data)):
        with pytest.raises(errors.InvalidManifest):
            manifests.parse_index(data[:cut])


def test_oversize_is_limit_exceeded_not_truncated():
    data = doc(
        ",".join(
            [f'{{"mediaType":"{M}","digest":"d{i}","platform":{AMD64}}}' for i in range(20_000)]
        )
    )
    assert len(data) > 1_000_000
    with pytest.raises(errors.LimitExceeded):
        manifests.select(data, "linux/amd64")
    assert len(manifests.select(data, "linux/amd64", limit=len(data))) == 20_000
