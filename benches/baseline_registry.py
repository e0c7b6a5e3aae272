"""A plain-Python registry lookup, as a script would write it with the stdlib alone.

One ``urllib.request`` call per request (a new connection each time, no cache): GET the tag
with the index and manifest media types accepted, pick the first entry whose os and
architecture (and variant, when asked) match, GET that manifest, GET its config. No
verification, no bounds, no retries: the baseline the registry store is measured against.
"""

from __future__ import annotations

import json
import urllib.request

ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


def _get(url: str, accept: str | None = None) -> bytes:
    request = urllib.request.Request(url)
    if accept:
        request.add_header("Accept", accept)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def resolve(base_url: str, repository: str, tag: str, platform: str) -> dict:
    """The config of ``repository:tag`` for ``platform`` (``os/arch[/variant]``)."""
    os_name, arch, *rest = platform.split("/")
    variant = rest[0] if rest else None
    document = json.loads(_get(f"{base_url}/v2/{repository}/manifests/{tag}", ACCEPT))
    if "manifests" in document:
        for entry in document["manifests"]:
            p = entry.get("platform") or {}
            if p.get("os") == os_name and p.get("architecture") == arch:
                if variant is None or p.get("variant") == variant:
                    document = json.loads(
                        _get(f"{base_url}/v2/{repository}/manifests/{entry['digest']}", ACCEPT)
                    )
                    break
        else:
            raise LookupError(f"no {platform} in {repository}:{tag}")
    config = document["config"]["digest"]
    return json.loads(_get(f"{base_url}/v2/{repository}/blobs/{config}"))
