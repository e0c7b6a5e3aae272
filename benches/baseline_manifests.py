"""Plain-Python manifest-list selection: the baseline ``imagelookup.manifests`` is measured
against. orjson decodes the list; moby's rules pick the entries (image-manifest media types,
a platform present, ``platforms.Only(want)`` accepts it, document order); matching is the
plain-Python containerd rules of ``baseline_platforms``. Import it as a plain module.
"""

from __future__ import annotations

import baseline_platforms
import orjson

IMAGE_MANIFESTS = frozenset(
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    }
)


def matcher(spec: str) -> baseline_platforms.OrderedMatcher:
    """``only(parse(spec))``, built once per wanted platform as a careful caller would."""
    return baseline_platforms.only(baseline_platforms.parse(spec))


def select(data: bytes, m: baseline_platforms.OrderedMatcher) -> list[dict]:
    """The image-manifest entries whose platform ``m`` accepts, in document order."""
    index = orjson.loads(data)
    if not isinstance(index, dict):
        raise ValueError("not an object")
    out = []
    for d in index.get("manifests") or ():
        if d.get("mediaType") not in IMAGE_MANIFESTS:
            continue
        p = d.get("platform")
        if p is not None and m.match(p):
            out.append(d)
    return out


def best(data: bytes, m: baseline_platforms.OrderedMatcher) -> dict | None:
    """The most preferred selected entry, the first in document order among equals."""
    chosen = None
    for d in select(data, m):
        if chosen is None or m.less(d["platform"], chosen["platform"]):
            chosen = d
    return chosen
