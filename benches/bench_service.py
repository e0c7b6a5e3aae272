"""ImageService.get_image on an in-memory store of 100,000 images.

Rows: by tag, by full ID and by 12-hex ID prefix, each without and with a platform; a tag that
names a multi-platform index; the manifest-list fallback (a config that lies, a leased list that
tells the truth); and the dict-lookup baseline (``baseline_service.dict_lookup``) for scale.
Target: a lookup by tag under 20 µs median.
"""

from __future__ import annotations

import itertools
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from imagelookup import ImageService
from imagelookup.stores import MemoryStore

sys.path.insert(0, str(Path(__file__).parent))
from baseline_service import dict_lookup

N_IMAGES = 100_000
N_KEYS = 1_000
ARCHES = [("amd64", ""), ("arm64", ""), ("arm", "v7")]


class Corpus:
    def __init__(self) -> None:
        rng = random.Random(5)
        self.store = MemoryStore()
        self.by_tag: dict[str, Any] = {}
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.amd64_tags: list[str] = []
        for n in range(N_IMAGES):
            arch, variant = ARCHES[n % 3]
            image = self.store.add_image(
                architecture=arch, variant=variant, config={"config": {"Labels": {"n": str(n)}}}
            )
            tag = f"team{n % 500}/app{n % 37}:v{n}"
            ref = self.store.tag(tag, image)
            self.by_tag[str(ref)] = image
            self.tags.append(tag)
            self.ids.append(image.id)
            if arch == "amd64":
                self.amd64_tags.append(tag)
        self.canonical = list(self.by_tag)
        self.sample = rng.sample(range(N_IMAGES), N_KEYS)
        amd, arm64, arm = (self.store.add_image(architecture=a, variant=v) for a, v in ARCHES)
        self.store.add_index(
            [(amd, "linux/amd64"), (arm64, "linux/arm64/v8"), (arm, "linux/arm/v7")],
            tags=["multi/app:1"],
        )
        liar = self.store.add_image(architecture="amd64", config={"liar": True}, tags=["liar"])
        other = self.store.add_image(architecture="amd64", config={"other": True})
        self.store.add_index([(other, "linux/amd64"), (liar, "linux/arm64")], lease_for=[liar])
        self.service = ImageService.from_store(self.store)

    def keys(self, kind: str) -> Iterator[str]:
        if kind == "canonical":
            return itertools.cycle([self.canonical[i] for i in self.sample])
        if kind == "tag":
            return itertools.cycle([self.tags[i] for i in self.sample])
        if kind == "amd64-tag":
            return itertools.cycle(self.amd64_tags[:N_KEYS])
        if kind == "id":
            return itertools.cycle([self.ids[i] for i in self.sample])
        if kind == "prefix":
            return itertools.cycle([self.ids[i][7:19] for i in self.sample])
        if kind == "amd64-id":
            amd = {self.service.get_image(t).id for t in self.amd64_tags[:N_KEYS]}
            return itertools.cycle(sorted(amd))
        if kind == "amd64-prefix":
            amd = {self.service.get_image(t).id for t in self.amd64_tags[:N_KEYS]}
            return itertools.cycle(sorted(i[7:19] for i in amd))
        raise ValueError(kind)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus()


def _run(benchmark: Any, fn: Callable[[str], Any], keys: Iterator[str]) -> None:
    nxt = keys.__next__
    benchmark(lambda: fn(nxt()))


def test_baseline_dict_lookup(benchmark: Any, corpus: Corpus) -> None:
    table = corpus.by_tag
    _run(benchmark, lambda key: dict_lookup(table, key), corpus.keys("canonical"))


def test_get_image_by_tag(benchmark: Any, corpus: Corpus) -> None:
    _run(benchmark, corpus.service.get_image, corpus.keys("tag"))


def test_get_image_by_tag_with_platform(benchmark: Any, corpus: Corpus) -> None:
    get = corpus.service.get_image
    _run(benchmark, lambda key: get(key, platform="linux/amd64"), corpus.keys("amd64-tag"))


def test_get_image_by_full_id(benchmark: Any, corpus: Corpus) -> None:
    _run(benchmark, corpus.service.get_image, corpus.keys("id"))


def test_get_image_by_full_id_with_platform(benchmark: Any, corpus: Corpus) -> None:
    get = corpus.service.get_image
    _run(benchmark, lambda key: get(key, platform="linux/amd64"), corpus.keys("amd64-id"))


def test_get_image_by_prefix(benchmark: Any, corpus: Corpus) -> None:
    _run(benchmark, corpus.service.get_image, corpus.keys("prefix"))


def test_get_image_by_prefix_with_platform(benchmark: Any, corpus: Corpus) -> None:
    get = corpus.service.get_image
    _run(benchmark, lambda key: get(key, platform="linux/amd64"), corpus.keys("amd64-prefix"))


def test_get_image_index_with_platform(benchmark: Any, corpus: Corpus) -> None:
    get = corpus.service.get_image
    benchmark(lambda: get("multi/app:1", platform="linux/arm64"))


def test_get_image_manifest_list_fallback(benchmark: Any, corpus: Corpus) -> None:
    get = corpus.service.get_image
    benchmark(lambda: get("liar", platform="linux/arm64"))
