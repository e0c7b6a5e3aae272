"""Concurrency stress: many threads, a fixed seed, a time bound, and the same answers as one
thread gives.

Each test computes the expected answers single-threaded, then has THREADS threads work
through the same inputs (each in its own seeded order) for a bounded time, and compares
every answer. Errors count as answers: their class and message must match too.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from imagelookup import IDIndex, errors, manifests, platforms, reference
from imagelookup.platforms import Platform
from imagelookup.service import ImageService
from imagelookup.stores.memory import MemoryStore

SEED = 20240229
THREADS = 8
# Seconds each threaded phase may run (it stops earlier when every thread has done its
# passes); a guard against a slow machine, not a performance assertion.
TIME_BUDGET = 2.5
PASSES = 3

OSES = ["linux", "windows", "darwin", "Linux", "freebsd"]
ARCHES = ["amd64", "arm64", "arm", "386", "x86_64", "aarch64", "armhf", "ppc64le", "riscv64"]
VARIANTS = ["", "v5", "v6", "v7", "v8", "v8.2", "v9", "v2", "v3"]


def outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """An answer as a comparable value: the result's repr, or the error's class and text."""
    try:
        return ("ok", repr(fn(*args, **kwargs)))
    except errors.ImageLookupError as exc:
        return (type(exc).__name__, str(exc))


def hammer(work: Callable[[int], Any], count: int) -> list[dict[int, Any]]:
    """Runs ``work(i)`` for every ``i < count`` in each of THREADS threads, each thread in
    its own seeded order, PASSES times or until the time budget is spent. Returns each
    thread's answers; every repeat of an item must agree with its first answer."""
    start = threading.Barrier(THREADS)
    deadline = time.monotonic() + TIME_BUDGET
    answers: list[dict[int, Any]] = [{} for _ in range(THREADS)]
    failures: list[BaseException] = []

    def run(t: int) -> None:
        order = list(range(count))
        rng = random.Random(SEED + t)
        start.wait()
        try:
            for _ in range(PASSES):
                rng.shuffle(order)
                for i in order:
                    got = work(i)
                    seen = answers[t].setdefault(i, got)
                    assert seen == got, f"item {i} changed: {seen!r} then {got!r}"
                if time.monotonic() > deadline:
                    return
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not failures, failures[0]
    return answers


def check(expected: Sequence[Any], answers: list[dict[int, Any]]) -> None:
    for per_thread in answers:
        assert per_thread, "a thread did no work"
        for i, got in per_thread.items():
            assert got == expected[i], f"item {i}: {got!r} != {expected[i]!r}"


def test_reference_parsing_under_threads():
    rng = random.Random(SEED)
    alphabet = "abcz09._-/:@AZ"
    texts = [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 30))) for _ in range(1500)
    ]
    texts += [
        "ubuntu",
        "quay.io/org/app:1.0",
        "localhost:5000/a/b@sha256:" + "c" * 64,
        "a" * 64,
        "[::1]:5000/x:y",
    ] * 20

    def work(i: int) -> Any:
        t = texts[i]
        named = outcome(reference.parse_normalized_named, t)
        return (
            outcome(reference.parse, t),
            outcome(reference.parse_any, t),
            named,
            outcome(lambda: reference.familiar_string(reference.parse_normalized_named(t))),
        )

    expected = [work(i) for i in range(len(texts))]
    check(expected, hammer(work, len(texts)))


def test_platform_matching_under_threads():
    rng = random.Random(SEED)
    candidates = [
        Platform(rng.choice(OSES), rng.choice(ARCHES), rng.choice(VARIANTS)) for _ in range(40)
    ]
    specs = [
        f"{rng.choice(OSES)}/{rng.choice(ARCHES)}"
        + (f"/{v}" if (v := rng.choice(VARIANTS)) else "")
        for _ in range(200)
    ]
    host = Platform("linux", "amd64")

    def work(i: int) -> Any:
        spec = specs[i]
        try:
            wanted = platforms.parse(spec, host=host)
        except errors.InvalidParameter as exc:
            return ("error", str(exc))
        results = []
        for m in (platforms.only(wanted), platforms.only_with_fallback(wanted)):
            results.append(tuple(m.match(c) for c in candidates))
            results.append(tuple(map(repr, m.sort(candidates))))
            results.append(repr(m.best(candidates)))
        results.append(platforms.format_all(platforms.normalize(wanted)))
        return tuple(results)

    expected = [work(i) for i in range(len(specs))]
    check(expected, hammer(work, len(specs)))


def random_index(rng: random.Random, n: int) -> bytes:
    entries = []
    for k in range(rng.randrange(0, 8)):
        platform = {"os": rng.choice(OSES), "architecture": rng.choice(ARCHES)}
        if v := rng.choice(VARIANTS):
            platform["variant"] = v
        entries.append(
            {
                "mediaType": rng.choice(
                    [manifests.MEDIA_TYPE_OCI_MANIFEST] * 4 + [manifests.MEDIA_TYPE_OCI_INDEX]
                ),
                "digest": f"sha256:{n:032x}{k:032x}",
                "size": rng.randrange(100, 5000),
                "platform": platform,
            }
        )
    doc = json.dumps({"schemaVersion": 2, "manifests": entries}).encode()
    if rng.random() < 0.05:
        doc = doc[: rng.randrange(len(doc))]  # some are broken: errors are answers too
    return doc


WANTED = ["linux/amd64", "linux/arm64", "linux/arm/v7", "windows/amd64"]


def test_select_and_select_many_under_threads():
    rng = random.Random(SEED)
    lists = [random_index(rng, n) for n in range(400)]

    def single(doc: bytes, wanted: str) -> Any:
        try:
            return [d.digest for d in manifests.select(doc, wanted)]
        except errors.ImageLookupError as exc:
            return (type(exc).__name__, str(exc))

    def as_answer(item: Any) -> Any:
        if isinstance(item, errors.ImageLookupError):
            return (type(item).__name__, str(item))
        return [d.digest for d in item]

    expected_select = {w: [single(doc, w) for doc in lists] for w in WANTED}

    # Python threads each calling select_many (itself multi-threaded) at once.
    def work(i: int) -> Any:
        wanted = WANTED[i % len(WANTED)]
        results = manifests.select_many(lists, wanted, threads=1 + i % 4)
        return [as_answer(r) for r in results]

    expected = [expected_select[WANTED[i % len(WANTED)]] for i in range(8)]
    check(expected, hammer(work, 8))

    # Python threads calling select and best on single lists.
    def work_one(i: int) -> Any:
        doc, wanted = lists[i // len(WANTED)], WANTED[i % len(WANTED)]
        return (single(doc, wanted), outcome(manifests.best, doc, wanted))

    expected_one = [
        (
            expected_select[WANTED[i % 4]][i // 4],
            outcome(manifests.best, lists[i // 4], WANTED[i % 4]),
        )
        for i in range(len(lists) * len(WANTED))
    ]
    check(expected_one, hammer(work_one, len(expected_one)))


def test_idindex_add_search_remove_under_threads():
    """Stable IDs (hex starting 0-7) are searched by prefix while every thread adds and
    removes its own IDs (starting with f): the churn never changes a stable answer."""
    rng = random.Random(SEED)
    stable = sorted(
        {"sha256:" + rng.choice("01234567") + rng.randbytes(32).hex()[1:] for _ in range(3000)}
    )
    index = IDIndex(stable)
    prefixes = [s[7 : 7 + rng.randrange(1, 9)] for s in rng.sample(stable, 400)]
    prefixes += ["sha256:" + p for p in prefixes[:100]] + ["9", "a", "sha512:0"]
    churn = [
        [
            "sha256:f" + f"{t:x}" + random.Random(SEED * 100 + t * 1000 + k).randbytes(32).hex()[2:]
            for k in range(50)
        ]
        for t in range(THREADS)
    ]
    expected_search = [outcome(index.search, p) for p in prefixes]
    owner = threading.local()
    counter = iter(range(THREADS))
    lock = threading.Lock()

    def work(i: int) -> Any:
        if not hasattr(owner, "t"):
            with lock:
                owner.t = next(counter)
        mine = churn[owner.t]
        d = mine[i % len(mine)]
        index.add(d)
        answer = outcome(index.search, prefixes[i])
        assert index.get(d) == d
        index.remove(d)
        return answer

    check(expected_search, hammer(work, len(prefixes)))
    assert list(index) == stable


def test_service_lookups_under_threads():
    rng = random.Random(SEED)
    store = MemoryStore()
    images = []
    for n in range(60):
        images.append(
            store.add_image(
                os="linux",
                architecture=rng.choice(["amd64", "arm64", "arm"]),
                variant=rng.choice(["", "v7", "v8"]),
                config={"created": f"2024-01-01T00:00:{n % 60:02d}Z", "n": n},
                tags=[f"app{n % 20}:{n}"],
            )
        )
    service = ImageService.from_store(store)
    queries: list[tuple[str, str | None]] = []
    for image in images:
        for wanted in (None, "linux/amd64", "linux/arm64", "linux/arm/v7"):
            queries.append((image.id, wanted))
            queries.append((image.id[7:15], wanted))
    queries += [(f"app{n % 20}:{n}", w) for n in range(60) for w in (None, "linux/arm64")]
    queries += [("missing:1", None), ("sha256:" + "0" * 64, None)]

    def work(i: int) -> Any:
        ref, wanted = queries[i]
        return outcome(lambda: service.get_image(ref, platform=wanted).id)

    expected = [work(i) for i in range(len(queries))]
    check(expected, hammer(work, len(queries)))
