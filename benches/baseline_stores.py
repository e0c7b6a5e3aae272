"""A plain-Python OCI-layout reader, the baseline for ``bench_stores.py``.

What a script without this package would do: ``json`` for every file, a dict of tags, a walk
over every index and manifest for the image IDs, a linear scan for an ID prefix, and the
platform chosen by comparing ``os``/``architecture`` strings (no normalization, no variants).
Digests are verified with ``hashlib``, as the stores do.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


class BaselineLayout:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        index = json.loads((self.root / "index.json").read_bytes())
        self.tags: dict[str, dict[str, Any]] = {}
        for entry in index["manifests"]:
            name = entry.get("annotations", {}).get("org.opencontainers.image.ref.name")
            if name:
                self.tags.setdefault(name, entry)
        self._ids: list[str] | None = None

    def blob(self, digest: str) -> Any:
        algorithm, hex_ = digest.split(":", 1)
        data = (self.root / "blobs" / algorithm / hex_).read_bytes()
        if hashlib.new(algorithm, data).hexdigest() != hex_:
            raise ValueError(f"digest mismatch for {digest}")
        return json.loads(data)

    def ids(self) -> list[str]:
        if self._ids is None:
            ids: list[str] = []
            for entry in self.tags.values():
                doc = self.blob(entry["digest"])
                for m in doc.get("manifests", [doc] if "config" in doc else []):
                    manifest = self.blob(m["digest"]) if "digest" in m else m
                    ids.append(manifest["config"]["digest"])
            self._ids = ids
        return self._ids

    def resolve_tag(self, tag: str, os: str, architecture: str) -> dict[str, Any]:
        doc = self.blob(self.tags[tag]["digest"])
        for m in doc["manifests"]:
            p = m.get("platform", {})
            if p.get("os") == os and p.get("architecture") == architecture:
                config = self.blob(m["digest"])["config"]["digest"]
                return {"id": config, "config": self.blob(config)}
        raise LookupError(tag)

    def resolve_prefix(self, prefix: str) -> dict[str, Any]:
        hits = [i for i in self.ids() if i[7:].startswith(prefix)]
        if len(hits) != 1:
            raise LookupError(prefix)
        return {"id": hits[0], "config": self.blob(hits[0])}
