"""Resource bounds: a gigabyte of input never costs a gigabyte of memory.

Each measurement runs in a fresh interpreter, which reports its peak resident set size
(``resource.getrusage``) after setting up and again after the operation; the growth must
stay far below the input's size. Inputs of 1 GiB are sparse files (mapped, or served from a
thread as a stream), so the tests themselves stay cheap.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
from imagelookup import errors, manifests

GIB = 1 << 30
# Peak RSS growth allowed while handling a 1 GiB input: small against the input, generous
# against allocator noise.
MAX_GROWTH_KB = 48 * 1024
TESTS = Path(__file__).resolve().parent

PRELUDE = """
import json, resource, sys
sys.path.insert(0, {tests!r})
from imagelookup import errors, manifests

def peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""


def measure(setup: str, operation: str) -> tuple[int, object]:
    """Runs ``setup`` then ``operation`` (which sets ``result``) in a new interpreter.

    Returns the growth of the peak RSS caused by ``operation``, in KiB, and ``result``.
    """
    code = "\n".join(
        [
            PRELUDE.format(tests=str(TESTS)),
            textwrap.dedent(setup),
            "base = peak_kb()",
            textwrap.dedent(operation),
            "print(json.dumps({'growth': peak_kb() - base, 'result': result}))",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["growth"], report["result"]


def sparse_file(path: Path, size: int, head: bytes = b"", tail: bytes = b"") -> Path:
    """A file of ``size`` bytes that takes no disk: ``head``, zeros, then ``tail``."""
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size - len(tail))
        f.seek(size - len(tail))
        f.write(tail)
    return path


MAP = """
import mmap, os
fd = os.open({path!r}, os.O_RDONLY)
data = mmap.mmap(fd, 0, access=mmap.ACCESS_{access})
"""


@pytest.mark.parametrize(
    "access",
    # A writable buffer is copied before reading, unless it is over the limit.
    ["READ", "COPY"],
    ids=["read-only", "writable"],
)
def test_a_gigabyte_buffer_over_the_limit_is_refused_without_reading(tmp_path, access):
    path = sparse_file(tmp_path / "big", GIB, head=b'{"manifests":[')
    growth, result = measure(
        MAP.format(path=str(path), access=access),
        """
        result = []
        calls = [
            lambda: manifests.parse_index(data),
            lambda: manifests.parse_manifest(data),
            lambda: manifests.config_digest(data),
            lambda: manifests.select(data, "linux/amd64"),
            lambda: manifests.best(data, "linux/amd64"),
        ]
        for call in calls:
            try:
                call()
            except errors.LimitExceeded as exc:
                result.append([exc.limit, exc.size])
        for exc in manifests.select_many([data, data], "linux/amd64", threads=2):
            result.append([exc.limit, exc.size])
        """,
    )
    assert result == [[manifests.DEFAULT_LIMIT, GIB]] * 7
    assert growth < MAX_GROWTH_KB


def test_a_gigabyte_buffer_is_read_only_up_to_its_first_error(tmp_path):
    """With a limit above the size, reading stops where the document goes wrong: the input
    is neither copied nor scanned ahead (the zeros after the prefix are never touched)."""
    prefix = b'{"manifests":['
    path = sparse_file(tmp_path / "big", GIB, head=prefix)
    growth, result = measure(
        MAP.format(path=str(path), access="READ"),
        """
        result = []
        for call in (manifests.parse_index, manifests.parse_manifest):
            try:
                call(data, limit=2 * len(data))
            except errors.InvalidManifest as exc:
                result.append(exc.offset)
        """,
    )
    assert result == [len(prefix), len(prefix)]
    assert growth < MAX_GROWTH_KB


def test_a_gigabyte_stream_from_a_registry_stops_at_the_bound(tmp_path):
    growth, result = measure(
        """
        from registry_server import FakeRegistry
        from imagelookup.reference import parse_normalized_named
        from imagelookup.stores.registry import RegistryStore

        def endless(handler, path, count):
            handler.send_response(200)
            handler.send_header("Content-Type", manifests.MEDIA_TYPE_OCI_INDEX)
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            chunk = b"[" * 65536
            frame = b"%x\\r\\n%s\\r\\n" % (len(chunk), chunk)
            try:
                for _ in range((1 << 30) // len(chunk)):
                    handler.wfile.write(frame)
                handler.wfile.write(b"0\\r\\n\\r\\n")
            except OSError:
                pass  # the client hung up at its bound, as it should
        """,
        """
        result = []
        with FakeRegistry(endless) as fake:
            store = RegistryStore.from_url(fake.url, max_retries=0)
            try:
                store.references.get(parse_normalized_named(fake.host + "/app:1"))
            except errors.LimitExceeded as exc:
                result.append(exc.limit)
            result.append(store.manifest_limit)
        """,
    )
    manifest_limit = result[-1]
    assert result == [manifest_limit, manifest_limit]
    assert growth < MAX_GROWTH_KB


def write_layout(root: Path, blob_size: int) -> str:
    """An OCI layout whose one index entry is a (sparse) blob of ``blob_size`` bytes."""
    digest = "sha256:" + "5" * 64
    (root / "blobs" / "sha256").mkdir(parents=True)
    sparse_file(root / "blobs" / "sha256" / digest[7:], blob_size, head=b"{")
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    entry = {
        "mediaType": manifests.MEDIA_TYPE_OCI_INDEX,
        "digest": digest,
        "size": blob_size,
        "annotations": {"org.opencontainers.image.ref.name": "app:1"},
    }
    (root / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [entry]}))
    return digest


def test_a_gigabyte_blob_in_a_layout_is_refused_without_reading(tmp_path):
    digest = write_layout(tmp_path, GIB)
    growth, result = measure(
        f"""
        from imagelookup.stores.oci_layout import OCILayoutStore
        store = OCILayoutStore({str(tmp_path)!r})
        """,
        f"""
        result = []
        try:
            store.content.read({digest!r}, 1_000_000)
        except errors.LimitExceeded as exc:
            result.append([exc.limit, exc.size])
        """,
    )
    assert result == [[1_000_000, GIB]]
    assert growth < MAX_GROWTH_KB


def test_a_gigabyte_member_in_a_docker_archive_is_refused_without_reading(tmp_path):
    """A docker-archive whose config member is 1 GiB (sparse on disk)."""
    path = tmp_path / "big.tar"
    manifest = json.dumps([{"Config": "big.json", "RepoTags": ["app:1"], "Layers": []}]).encode()
    ustar = tarfile.USTAR_FORMAT
    head = tarfile.TarInfo("manifest.json")
    head.size = len(manifest)
    big = tarfile.TarInfo("big.json")
    big.size = GIB
    padding = b"\0" * (-len(manifest) % 512)
    with open(path, "wb") as f:
        f.write(head.tobuf(format=ustar) + manifest + padding + big.tobuf(format=ustar))
        # The member's data and the end-of-archive blocks are a hole: zeros, no disk.
        f.truncate(f.tell() + GIB + 1024)
    growth, result = measure(
        """
        from imagelookup.reference import parse_normalized_named
        from imagelookup.stores.docker_archive import DockerArchiveStore
        """,
        f"""
        result = []
        try:  # the archive's configs are read (bounded) when it is opened
            with DockerArchiveStore({str(path)!r}) as store:
                store.images.get(store.references.get(parse_normalized_named("app:1")).digest)
        except errors.LimitExceeded as exc:
            result.append(exc.size)
        """,
    )
    assert result == [GIB]
    assert growth < MAX_GROWTH_KB


# JSON nesting depth: Go's scanner allows 10,000 levels; so does the reader, everywhere.


def nested(prefix: bytes, depth: int, suffix: bytes) -> bytes:
    return prefix + b"[" * depth + b"]" * depth + suffix


@pytest.mark.parametrize(
    ("document", "ok"),
    [
        (nested(b'{"x":', 9_999, b"}"), True),
        (nested(b'{"x":', 10_000, b"}"), False),
        (nested(b'{"manifests":[{"x":', 9_997, b"}]}"), True),
        (nested(b'{"manifests":[{"x":', 9_998, b"}]}"), False),
        (nested(b'{"subject":{"annotations":{},"x":', 9_998, b"}}"), True),
        (nested(b'{"subject":{"annotations":{},"x":', 9_999, b"}}"), False),
        (nested(b'{"manifests":[{"platform":{"x":', 9_996, b"}}]}"), True),
        (nested(b'{"manifests":[{"platform":{"x":', 9_997, b"}}]}"), False),
    ],
    ids=[
        "skipped field at 10000",
        "skipped field at 10001",
        "descriptor field at 10000",
        "descriptor field at 10001",
        "subject field at 10000",
        "subject field at 10001",
        "platform field at 10000",
        "platform field at 10001",
    ],
)
def test_nesting_depth_bound(document, ok):
    if ok:
        manifests.parse_index(document)
        assert manifests.select_many([document], "linux/amd64")[0] == []
        return
    with pytest.raises(errors.InvalidManifest) as info:
        manifests.parse_index(document)
    assert "exceeded max depth" in info.value.reason
    # The error is found where the 10,001st level opens, not at the end of the input.
    assert info.value.offset <= document.index(b"[" * 16) + 10_001
    [item] = manifests.select_many([document], "linux/amd64")
    assert isinstance(item, errors.InvalidManifest) and item.reason == info.value.reason


@pytest.mark.parametrize("opener", [b"[", b'{"a":'], ids=["arrays", "objects"])
def test_hostile_nesting_costs_neither_stack_nor_memory(opener):
    """64 MB of openers: refused at the depth bound, no recursion, no growth."""
    growth, result = measure(
        f"data = b'{{\"x\":' + {opener!r} * (64_000_000 // {len(opener)})",
        """
        try:
            manifests.parse_index(data, limit=len(data))
            result = None
        except errors.InvalidManifest as exc:
            result = [exc.offset, exc.reason]
        """,
    )
    offset, reason = result
    assert "exceeded max depth" in reason
    assert offset < 10_001 * len(opener) + 16
    assert growth < MAX_GROWTH_KB
