"""select_many: threads, inputs, per-item errors, and agreement with select from many threads."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from imagelookup import errors, manifests, platforms

M = "application/vnd.oci.image.manifest.v1+json"


def listing(n: int) -> bytes:
    arches = ["amd64", "arm64", "ppc64le", "s390x"]
    return json.dumps(
        {
            "manifests": [
                {
                    "mediaType": M,
                    "digest": f"sha256:{n}-{a}",
                    "size": n,
                    "platform": {"os": "linux", "architecture": a},
                }
                for a in arches[: 1 + n % 4]
            ]
        }
    ).encode()


ITEMS = [listing(n) for n in range(200)]


def expected(platform: str) -> list[list[str]]:
    return [[d.digest for d in manifests.select(item, platform)] for item in ITEMS]


@pytest.mark.parametrize("threads", [None, 1, 2, 7, 1000])
def test_results_in_input_order(threads):
    got = manifests.select_many(ITEMS, "linux/arm64", threads=threads)
    assert [[d.digest for d in r] for r in got] == expected("linux/arm64")


def test_empty_input():
    assert manifests.select_many([], "linux/amd64") == []


def test_accepts_any_iterable_of_buffers():
    items = (bytearray(i) if n % 2 else memoryview(i) for n, i in enumerate(ITEMS[:10]))
    got = manifests.select_many(items, "linux/amd64", threads=2)
    assert [[d.digest for d in r] for r in got] == expected("linux/amd64")[:10]


@pytest.mark.parametrize("view", [False, True], ids=["bytearray", "memoryview-bytearray"])
def test_writable_buffers_are_read_as_they_were_when_taken(view):
    # The generator writes into the first buffer after handing it over and before the Rust
    # side reads it: what is read is the content when taken (a writable buffer is copied; it
    # is never read while Python code or another thread may write it), and a bytearray is
    # free to resize at once.
    data = bytearray(ITEMS[3])
    first = memoryview(data) if view else data

    def items():
        yield first
        data[:] = data.replace(b'"amd64"', b'"arm99"')  # same length: allowed while exported
        if not view:
            data.extend(b"  ")  # resizing: refused while exported
        yield ITEMS[0]

    got = manifests.select_many(items(), "linux/amd64")
    assert [d.digest for d in got[0]] == ["sha256:3-amd64"]
    assert manifests.select_many([first], "linux/amd64") == [[]]


def test_a_non_buffer_item_fails_the_call():
    with pytest.raises(TypeError):
        manifests.select_many([ITEMS[0], "text"], "linux/amd64")


def test_threads_must_be_positive():
    with pytest.raises(ValueError):
        manifests.select_many(ITEMS, "linux/amd64", threads=0)


def test_matcher_and_moby_check():
    m = platforms.ordered("linux/s390x", "linux/amd64")
    got = manifests.select_many(ITEMS[:8], matcher=m, moby_check=True)
    assert got == [manifests.select(i, matcher=m) for i in ITEMS[:8]]


def test_errors_are_instances_in_place():
    items = [ITEMS[0], b"\xef\xbb\xbf{}", ITEMS[1]]
    got = manifests.select_many(items, "linux/amd64")
    assert isinstance(got[1], errors.InvalidManifest)
    assert not isinstance(got[0], Exception) and not isinstance(got[2], Exception)


def test_from_many_python_threads_at_once():
    want = expected("linux/amd64")

    def work(_: int) -> list[list[str]]:
        return [
            [d.digest for d in r] for r in manifests.select_many(ITEMS, "linux/amd64", threads=2)
        ]

    with ThreadPoolExecutor(8) as pool:
        for result in pool.map(work, range(16)):
            assert result == want


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_descriptors_pair_with_their_own_inputs_after_the_inputs_are_gone(threads):
    # Every input kind mixed over many chunks, invalid ones among them; the inputs are dropped
    # and the memory reused before the results are read, so a descriptor that borrowed from
    # the wrong input (or from a copy that was freed) would show.
    import gc

    kinds = [bytes, bytearray, memoryview, lambda b: memoryview(bytearray(b))]
    items = []
    for n, raw in enumerate(ITEMS[:120]):
        items.append(b"{nope" if n % 17 == 5 else kinds[n % 4](raw))
    got = manifests.select_many(items, "linux/arm64", threads=threads)
    want = expected("linux/arm64")[:120]
    del items
    gc.collect()
    churn = [bytes(4000) for _ in range(2000)]
    for n, result in enumerate(got):
        if n % 17 == 5:
            assert isinstance(result, errors.InvalidManifest)
        else:
            assert [d.digest for d in result] == want[n], n
            assert all(d.size == n and d.platform.architecture == "arm64" for d in result)
    del churn


def test_bytes_subclasses_are_read_as_buffers_without_hidden_cycles():
    import gc
    import weakref

    class Tagged(bytes):
        pass

    class Probe:
        pass

    data = Tagged(ITEMS[3])
    (found,) = manifests.select(data, "linux/arm64")
    assert found.digest == "sha256:3-arm64"
    data.keep = found  # a cycle through the subclass's __dict__, were `found` borrowing it
    data.probe = Probe()
    probe = weakref.ref(data.probe)
    del data, found
    gc.collect()
    assert probe() is None
