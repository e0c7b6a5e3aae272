"""ImageService.explain, logging of moby's events, and many threads at once."""

from __future__ import annotations

import logging
import random
import threading

import pytest
from imagelookup import ImageService, Platform, errors, platforms
from imagelookup.service import Candidate, Explanation, Step, Verdict
from imagelookup.stores import MemoryStore
from servicekit import new_image

# --- explain -------------------------------------------------------------------------------


def test_explain_success_by_tag(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "arm64", tags=["app:1"])
    explained = svc.explain("app:1", platform="linux/arm64")
    assert isinstance(explained, Explanation)
    assert explained.ok
    assert explained.image == image
    assert explained.error is None
    assert explained.found_by == "reference"
    assert explained.matched_by == "config"
    assert explained.actual == Platform("linux", "arm64")
    assert explained.wanted == platforms.parse("linux/arm64")
    assert str(explained.reference) == "docker.io/library/app:1"
    assert explained.target is not None and explained.target.digest == image.id
    assert [s.action for s in explained.steps] == ["reference", "platform"]
    text = str(explained)
    assert text.splitlines()[0] == "lookup of 'app:1' for linux/arm64"
    assert f"found {image.id} by reference (platform matched by config)" in text


def test_explain_by_digest_and_prefix(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store)
    assert svc.explain(image.id).found_by == "digest"
    assert svc.explain("sha256:" + image.id[7:15]).found_by == "id-prefix"
    assert svc.explain(image.id).matched_by is None


def test_explain_not_found_does_not_raise(svc: ImageService) -> None:
    explained = svc.explain("nothing:here", platform="linux/amd64")
    assert not explained.ok
    assert isinstance(explained.error, errors.ImageNotFound)
    assert str(explained.error) == "No such image: nothing:here"
    assert explained.image is None and explained.found_by is None
    assert "ImageNotFound: No such image: nothing:here" in str(explained)


def test_explain_mismatch_tells_the_story(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "amd64", tags=["app"])
    other = new_image(store, "arm64")
    store.add_index([(image, "linux/amd64"), (other, "linux/arm64")], lease_for=[image])
    explained = svc.explain("app", platform="linux/arm64")
    assert isinstance(explained.error, errors.PlatformMismatch)
    assert explained.matched_by is None
    assert explained.available == (Platform("linux", "amd64"), Platform("linux", "arm64"))
    assert [c.verdict for c in explained.candidates] == [Verdict.PLATFORM, Verdict.OTHER_IMAGE]
    assert all(isinstance(c, Candidate) and not c.accepted for c in explained.candidates)
    assert explained.candidates == explained.error.candidates
    actions = [s.action for s in explained.steps]
    assert actions[:4] == ["reference", "platform", "lease", "manifest-list"]
    assert all(isinstance(s, Step) for s in explained.steps)
    assert "candidates:" in str(explained)


def test_explain_invalid_reference(svc: ImageService) -> None:
    explained = svc.explain("Not Valid")
    assert isinstance(explained.error, errors.InvalidParameter)
    assert explained.reference is None
    assert explained.steps[-1].action == "parse"


def test_explain_invalid_platform(svc: ImageService) -> None:
    explained = svc.explain("app", platform="linux/arm/v7/x/y")
    assert isinstance(explained.error, errors.InvalidParameter)
    assert explained.wanted is None
    assert explained.steps[0].action == "platform"


def test_explain_agrees_with_get_image(store: MemoryStore, svc: ImageService) -> None:
    image = new_image(store, "arm", "v7", tags=["a"])
    store.add_index([(image, "linux/arm/v7")], tags=["b"])
    for ref in ["a", "b", "c", image.id, image.id[7:12]]:
        for platform in [None, "linux/arm/v7", "linux/arm64", "linux/amd64"]:
            explained = svc.explain(ref, platform=platform)
            try:
                got = svc.get_image(ref, platform=platform)
            except errors.ImageLookupError as exc:
                assert type(explained.error) is type(exc)
                assert str(explained.error) == str(exc)
            else:
                assert explained.image == got


def test_explanation_is_frozen(store: MemoryStore, svc: ImageService) -> None:
    new_image(store, tags=["a"])
    explained = svc.explain("a")
    with pytest.raises(AttributeError):
        explained.image = None  # type: ignore[misc]


# --- logging -------------------------------------------------------------------------------


def _events(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [
        (r.levelno, r.getMessage().split(" image=")[0])
        for r in caplog.records
        if r.name == "imagelookup.service"
    ]


def test_fallback_logs_moby_debug_events(
    store: MemoryStore, svc: ImageService, caplog: pytest.LogCaptureFixture
) -> None:
    image = new_image(store, "amd64", tags=["app"])
    other = new_image(store, "amd64")
    index = store.add_index(
        [(other, "linux/amd64"), (other, "linux/arm64"), (image, "linux/arm64")]
    )
    store.lease(image, index)
    with caplog.at_level(logging.DEBUG, logger="imagelookup.service"):
        svc.get_image("app", platform="linux/arm64")
    assert _events(caplog) == [
        (logging.DEBUG, "Checking lease resource for platform match"),
        (logging.DEBUG, "Manifest is not a match"),
        (logging.DEBUG, "Skipping non-matching manifest"),
        (logging.DEBUG, "Found matching manifest for image"),
    ]
    first = next(r for r in caplog.records if r.name == "imagelookup.service")
    fields = first.fields  # type: ignore[attr-defined]
    assert fields == {
        "image": image.id,
        "desiredPlatform": "linux/arm64",
        "resourceID": index.digest,
        "resourceType": "content",
    }
    assert first.getMessage() == (
        f"Checking lease resource for platform match image={image.id} "
        f"desiredPlatform=linux/arm64 resourceID={index.digest} resourceType=content"
    )
    mismatch = caplog.records[1]
    assert mismatch.fields["otherPlatform"] == "linux/amd64"  # type: ignore[attr-defined]


def test_unreadable_blobs_log_errors(
    store: MemoryStore, svc: ImageService, caplog: pytest.LogCaptureFixture
) -> None:
    image = new_image(store, "amd64", tags=["app"])
    garbage = store.add_blob(b"not json")
    oversize = store.add_blob(b" " * 1_000_001)
    missing = "sha256:" + "00" * 32
    store.lease(image, missing, garbage, oversize)
    with caplog.at_level(logging.DEBUG, logger="imagelookup.service"):
        with pytest.raises(errors.PlatformMismatch):
            svc.get_image("app", platform="linux/arm64")
    assert _events(caplog) == [
        (logging.DEBUG, "Checking lease resource for platform match"),
        (logging.DEBUG, "Checking lease resource for platform match"),
        (logging.ERROR, "Error unmarshalling content"),
        (logging.DEBUG, "Checking lease resource for platform match"),
        (logging.ERROR, "Error unmarshalling content"),
    ]


def test_absent_manifest_logs_reader_error(
    store: MemoryStore, svc: ImageService, caplog: pytest.LogCaptureFixture
) -> None:
    image = new_image(store, "amd64", tags=["app"])
    manifest = store.add_manifest(image)
    index = store.add_index([(manifest, "linux/arm64")])
    store.lease(image, index)
    store.content.remove(manifest.digest)
    with caplog.at_level(logging.DEBUG, logger="imagelookup.service"):
        with pytest.raises(errors.PlatformMismatch):
            svc.get_image("app", platform="linux/arm64")
    assert _events(caplog)[-1] == (logging.ERROR, "Could not get reader for manifest")


def test_nothing_logged_on_the_fast_path(
    store: MemoryStore, svc: ImageService, caplog: pytest.LogCaptureFixture
) -> None:
    new_image(store, "amd64", tags=["app"])
    with caplog.at_level(logging.DEBUG, logger="imagelookup.service"):
        svc.get_image("app", platform="linux/amd64")
        with pytest.raises(errors.ImageNotFound):
            svc.get_image("nothing")
    assert _events(caplog) == []


# --- threads -------------------------------------------------------------------------------


def _outcome(svc: ImageService, ref: str, platform: str | None) -> tuple[str, str]:
    try:
        return ("image", svc.get_image(ref, platform=platform).id)
    except errors.ImageLookupError as exc:
        return (type(exc).__name__, str(exc))


def test_many_threads_give_the_single_threaded_answers() -> None:
    rng = random.Random(20240605)
    store = MemoryStore()
    arches = [("amd64", ""), ("arm64", ""), ("arm", "v7"), ("arm", "v6"), ("s390x", "")]
    refs: list[str] = []
    for n in range(60):
        arch, variant = rng.choice(arches)
        image = new_image(store, arch, variant, tags=[f"repo{n % 7}:t{n}"])
        refs += [f"repo{n % 7}:t{n}", image.id, image.id[7:14], "sha256:" + image.id[7:10]]
        if n % 3 == 0:
            other = new_image(store, "arm64")
            store.add_index([(image, "linux/arm64"), (other, "linux/amd64")], lease_for=[image])
        if n % 5 == 0:
            a = new_image(store, "amd64")
            b = new_image(store, "arm", "v7")
            store.add_index([(a, "linux/amd64"), (b, "linux/arm/v7")], tags=[f"multi:{n}"])
            refs.append(f"multi:{n}")
    refs += ["missing", "repo1", "Bad Ref", "a", "b", "c"]
    wanted = [None, "linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "windows/amd64"]
    queries = [(rng.choice(refs), rng.choice(wanted)) for _ in range(4000)]

    svc = ImageService.from_store(store)
    expected = [_outcome(svc, ref, platform) for ref, platform in queries]
    assert {kind for kind, _ in expected} >= {"image", "ImageNotFound", "PlatformMismatch"}

    threads = 16
    results: list[list[tuple[str, str]]] = [[] for _ in range(threads)]
    barrier = threading.Barrier(threads)

    def work(slot: int) -> None:
        barrier.wait()
        order = list(range(len(queries)))
        random.Random(slot).shuffle(order)
        answers: dict[int, tuple[str, str]] = {}
        for i in order:
            ref, platform = queries[i]
            answers[i] = _outcome(svc, ref, platform)
        results[slot] = [answers[i] for i in range(len(queries))]

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in pool)
    for answers in results:
        assert answers == expected


def test_reads_while_another_thread_writes() -> None:
    store = MemoryStore()
    svc = ImageService.from_store(store)
    base = new_image(store, tags=["stable"])
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        n = 0
        while not stop.is_set() and n < 2000:
            image = new_image(store, "arm64")
            store.tag(f"churn:{n % 50}", image)
            n += 1

    def reader() -> None:
        try:
            for _ in range(2000):
                assert svc.get_image("stable", platform="linux/amd64") == base
                assert svc.get_image(base.id) == base
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=reader) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads[1:]:
        thread.join(timeout=120)
    stop.set()
    threads[0].join(timeout=120)
    assert failures == []
