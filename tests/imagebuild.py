"""Write multi-platform images as an OCI image layout, in pure Python, for the tests.

The bytes are deterministic (fixed timestamps, sorted keys, uncompressed tar layers), so the
same calls always give the same digests. Tests then let the real tools (``skopeo``) copy what
this writes, and the stores read what the tools wrote.

A tiny example::

    b = LayoutBuilder(tmp_path / "src")
    idx = b.multi_platform("app", [("linux", "amd64", ""), ("linux", "arm64", "v8")])
    b.tag(idx, "1.0")
    b.write()

Everything returned is a plain OCI descriptor ``dict`` (``mediaType``, ``digest``, ``size``,
plus ``platform``/``annotations`` for index entries); :class:`Built` adds the config digest
(the image ID) for image manifests.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
IN_TOTO = "application/vnd.in-toto+json"

REF_NAME = "org.opencontainers.image.ref.name"
CREATED = "2024-01-01T00:00:00Z"

PlatformTuple = tuple[str, str, str]


def canonical_json(value: Any) -> bytes:
    """Compact JSON with sorted keys: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tar_layer(files: dict[str, bytes]) -> bytes:
    """An uncompressed tar holding ``files`` (path -> bytes), with fixed metadata."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(files):
            data = files[name]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@dataclass(frozen=True)
class Built:
    """An image manifest that was written: its descriptor and the image ID (config digest)."""

    descriptor: dict[str, Any]
    config_digest: str
    platform: PlatformTuple

    @property
    def digest(self) -> str:
        return str(self.descriptor["digest"])


@dataclass
class LayoutBuilder:
    """Writes blobs under ``root/blobs/sha256`` and, on :meth:`write`, ``index.json``."""

    root: Path
    entries: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        (self.root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)

    def blob(self, data: bytes, media_type: str) -> dict[str, Any]:
        """Store ``data``; its descriptor."""
        digest = sha256(data)
        (self.root / "blobs" / "sha256" / digest.split(":", 1)[1]).write_bytes(data)
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def config(
        self, os: str, architecture: str, variant: str, *, diff_ids: list[str], docker: bool
    ) -> dict[str, Any]:
        config: dict[str, Any] = {
            "architecture": architecture,
            "os": os,
            "created": CREATED,
            "config": {"Cmd": ["/hello"], "Env": ["PATH=/usr/bin:/bin"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [{"created": CREATED, "created_by": "imagebuild"}],
        }
        if variant:
            config["variant"] = variant
        return self.blob(canonical_json(config), DOCKER_CONFIG if docker else OCI_CONFIG)

    def image(
        self,
        name: str,
        os: str,
        architecture: str,
        variant: str = "",
        *,
        config_platform: PlatformTuple | None = None,
        docker: bool = False,
    ) -> Built:
        """One image: a layer with a file naming it, a config, a manifest.

        ``config_platform`` writes a config whose platform differs from the one the index
        entry will announce (a config without variant while the list says ``arm64/v8``).
        """
        plat = (os, architecture, variant)
        cos, carch, cvariant = config_platform or plat
        label = f"{name} {os}/{architecture}{'/' + variant if variant else ''}\n".encode()
        layer = self.blob(tar_layer({"hello.txt": label}), DOCKER_LAYER if docker else OCI_LAYER)
        config = self.config(cos, carch, cvariant, diff_ids=[layer["digest"]], docker=docker)
        manifest = {
            "schemaVersion": 2,
            "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
            "config": config,
            "layers": [layer],
        }
        desc = self.blob(canonical_json(manifest), manifest["mediaType"])
        platform: dict[str, str] = {"architecture": architecture, "os": os}
        if variant:
            platform["variant"] = variant
        return Built({**desc, "platform": platform}, config["digest"], plat)

    def attestation(self, subject: Built) -> dict[str, Any]:
        """A BuildKit-style attestation manifest for ``subject``, as an index entry."""
        statement = canonical_json(
            {
                "_type": "https://in-toto.io/Statement/v0.1",
                "predicateType": "https://spdx.dev/Document",
                "subject": [{"name": "hello", "digest": {"sha256": subject.digest[7:]}}],
                "predicate": {"spdxVersion": "SPDX-2.3"},
            }
        )
        layer = self.blob(statement, IN_TOTO)
        layer["annotations"] = {"in-toto.io/predicate-type": "https://spdx.dev/Document"}
        config = self.blob(
            canonical_json(
                {
                    "architecture": "unknown",
                    "os": "unknown",
                    "config": {},
                    "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]},
                }
            ),
            OCI_CONFIG,
        )
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config,
            "layers": [layer],
        }
        desc = self.blob(canonical_json(manifest), OCI_MANIFEST)
        return {
            **desc,
            "platform": {"architecture": "unknown", "os": "unknown"},
            "annotations": {
                "vnd.docker.reference.digest": subject.digest,
                "vnd.docker.reference.type": "attestation-manifest",
            },
        }

    def index(self, manifests: list[dict[str, Any]], *, docker: bool = False) -> dict[str, Any]:
        """An OCI index (or a Docker manifest list) over ``manifests`` (descriptors)."""
        media_type = DOCKER_LIST if docker else OCI_INDEX
        body = {"schemaVersion": 2, "mediaType": media_type, "manifests": manifests}
        return self.blob(canonical_json(body), media_type)

    def multi_platform(
        self,
        name: str,
        platforms: list[PlatformTuple],
        *,
        attestations: bool = False,
        docker: bool = False,
        config_platforms: dict[PlatformTuple, PlatformTuple] | None = None,
    ) -> dict[str, Any]:
        """An index over one image per platform (plus attestations); its descriptor.

        The returned descriptor carries ``images``: the :class:`Built` images by platform.
        """
        built = [
            self.image(name, *p, config_platform=(config_platforms or {}).get(p), docker=docker)
            for p in platforms
        ]
        entries = [b.descriptor for b in built]
        if attestations:
            entries += [self.attestation(b) for b in built]
        desc = self.index(entries, docker=docker)
        return {**desc, "images": {b.platform: b for b in built}}

    def tag(self, descriptor: dict[str, Any], *names: str) -> None:
        """List ``descriptor`` in ``index.json`` once per name, annotated with it."""
        plain = {k: descriptor[k] for k in ("mediaType", "digest", "size")}
        for name in names:
            self.entries.append({**plain, "annotations": {REF_NAME: name}})

    def write(self) -> Path:
        """Write ``oci-layout`` and ``index.json``; the layout's root."""
        (self.root / "oci-layout").write_bytes(canonical_json({"imageLayoutVersion": "1.0.0"}))
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": self.entries}
        (self.root / "index.json").write_bytes(canonical_json(index))
        return self.root


def skopeo_copy(skopeo: str, source: str, destination: str, *extra: str) -> None:
    """Run ``skopeo copy`` (quietly, no signatures, no policy file needed)."""
    import subprocess

    subprocess.run(
        [skopeo, "--insecure-policy", "copy", "--quiet", *extra, source, destination],
        check=True,
        capture_output=True,
        timeout=120,
    )


def read_blob(layout: Path, digest: str) -> bytes:
    return (Path(layout) / "blobs" / digest.replace(":", "/", 1)).read_bytes()


def write_dir_transport(layout: Path, list_digest: str, out: Path) -> Path:
    """Write the manifest list ``list_digest`` of ``layout`` and everything it names in
    skopeo's ``dir:`` format, so skopeo can read a Docker manifest list (its OCI-layout
    reader only accepts OCI media types in ``index.json``)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_bytes(read_blob(layout, list_digest))
    for entry in json.loads(read_blob(layout, list_digest))["manifests"]:
        raw = read_blob(layout, entry["digest"])
        (out / f"{entry['digest'][7:]}.manifest.json").write_bytes(raw)
        manifest = json.loads(raw)
        for blob in [manifest["config"], *manifest["layers"]]:
            (out / blob["digest"][7:]).write_bytes(read_blob(layout, blob["digest"]))
    (out / "version").write_text("Directory Transport Version: 1.1\n")
    return out


def write_data_root(
    root: Path,
    layout: Path,
    pulls: list[tuple[str, str, str]],
    *,
    driver: str = "overlay2",
) -> Path:
    """Write a Docker data-root as Docker 24 leaves it after ``docker pull``s.

    ``pulls`` are ``(familiar name:tag, index or manifest digest in layout, image ID)``: the
    image's config goes to ``image/<driver>/imagedb``, the tag and the ``name@digest`` go to
    ``repositories.json``, and the index and the manifests it lists go to dockerd's
    containerd content store (``containerd/daemon/io.containerd.content.v1.content``).
    """
    imagedb = root / "image" / driver / "imagedb"
    content = root / "containerd" / "daemon" / "io.containerd.content.v1.content"
    (content / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (content / "ingest").mkdir(exist_ok=True)
    (imagedb / "content" / "sha256").mkdir(parents=True, exist_ok=True)
    repositories: dict[str, dict[str, str]] = {}
    for name_tag, digest, image_id in pulls:
        config = read_blob(layout, image_id)
        (imagedb / "content" / "sha256" / image_id[7:]).write_bytes(config)
        meta = imagedb / "metadata" / "sha256" / image_id[7:]
        meta.mkdir(parents=True, exist_ok=True)
        (meta / "lastUpdated").write_text(CREATED)
        name = name_tag.rsplit(":", 1)[0]
        repo = repositories.setdefault(name, {})
        repo[name_tag] = image_id
        repo[f"{name}@{digest}"] = image_id
        top = json.loads(read_blob(layout, digest))
        for d in [digest, *(m["digest"] for m in top.get("manifests", []))]:
            (content / "blobs" / "sha256" / d[7:]).write_bytes(read_blob(layout, d))
    (root / "image" / driver / "repositories.json").write_bytes(
        json.dumps({"Repositories": repositories}).encode()
    )
    return root
