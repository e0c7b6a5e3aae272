"""The ``resolve`` and ``select`` commands, run as a user runs them (the installed script)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from imagebuild import LayoutBuilder

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "oci-layout"


def run(*args: str, stdin: bytes = b"", cwd: Path = REPO, env: dict[str, str] | None = None):
    exe = shutil.which("imagelookup", path=os.path.dirname(sys.executable)) or "imagelookup"
    full_env = {k: v for k, v in os.environ.items() if k != "IMAGELOOKUP_STORE"}
    full_env.update(env or {})
    return subprocess.run(
        [exe, *args], input=stdin, capture_output=True, cwd=cwd, env=full_env, timeout=60
    )


def _example_ids() -> dict[str, str]:
    index = json.loads((EXAMPLE / "index.json").read_bytes())["manifests"][0]
    lst = json.loads((EXAMPLE / "blobs" / "sha256" / index["digest"][7:]).read_bytes())
    ids = {}
    for entry in lst["manifests"]:
        p = entry["platform"]
        if p["os"] == "unknown":
            continue
        manifest = json.loads((EXAMPLE / "blobs" / "sha256" / entry["digest"][7:]).read_bytes())
        ids[p["architecture"]] = manifest["config"]["digest"]
    return ids


def test_resolve_example_default_store() -> None:
    result = run("resolve", "demo:1.0", "--platform", "linux/arm64")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert _example_ids()["arm64"] in out
    assert "linux/arm64" in out


def test_resolve_json() -> None:
    result = run("resolve", "demo:1.0", "--platform", "linux/arm/v7", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == _example_ids()["arm"]
    assert (data["os"], data["architecture"]) == ("linux", "arm")
    assert data["manifest"].startswith("sha256:")


def test_resolve_store_from_environment(tmp_path: Path) -> None:
    env = {"IMAGELOOKUP_STORE": str(EXAMPLE)}
    result = run("resolve", "demo:1.0", "--platform", "linux/amd64", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr


def test_resolve_explain() -> None:
    result = run("resolve", "demo:1.0", "--platform", "linux/arm64", "--explain")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.decode().splitlines()) > 4


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        pytest.param(("nope:1",), 1, "No such image: nope:1", id="not-found"),
        pytest.param(
            ("demo:1.0", "--platform", "linux/s390x"),
            1,
            "does not match",
            id="platform-missing",
        ),
        pytest.param(("Bad//Ref",), 2, "invalid reference format", id="invalid-ref"),
        pytest.param(("demo:1.0", "--platform", "linux/"), 2, "", id="invalid-platform"),
        pytest.param(
            ("127.0.0.1:1/demo:1.0", "--store", "http://127.0.0.1:1"),
            3,
            "Connection refused",
            id="unreachable-registry",
        ),
    ],
)
def test_resolve_exit_codes(args: tuple[str, ...], code: int, stderr: str) -> None:
    result = (
        run("resolve", *args, "--store", str(EXAMPLE))
        if "--store" not in args
        else run("resolve", *args)
    )
    assert result.returncode == code, result.stderr
    assert stderr in result.stderr.decode()


def test_resolve_missing_store_is_exit_3(tmp_path: Path) -> None:
    result = run("resolve", "demo:1.0", "--store", str(tmp_path / "absent"))
    assert result.returncode == 3, result.stderr
    assert b"no such file or directory" in result.stderr


def test_resolve_tampered_store_is_exit_3(tmp_path: Path) -> None:
    # A blob that fails its digest is a broken store, not invalid input.
    copy = tmp_path / "layout"
    shutil.copytree(EXAMPLE, copy)
    index = json.loads((copy / "index.json").read_bytes())["manifests"][0]
    (copy / "blobs" / "sha256" / index["digest"][7:]).write_bytes(b'{"manifests":[]}')
    result = run("resolve", "demo:1.0", "--platform", "linux/arm64", "--store", str(copy))
    assert result.returncode == 3, result.stderr
    assert b"does not match its digest" in result.stderr


def test_resolve_explain_json_names_the_image() -> None:
    args = ("demo:1.0", "--platform", "linux/arm64", "--store", str(EXAMPLE))
    result = run("resolve", *args, "--json", "--explain")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    image = data["explain"]["image"]
    assert image == {
        "id": data["id"],
        "platform": "linux/arm64",
        "manifest_digest": data["manifest"],
        "index_digest": data["index"],
    }
    assert data["explain"]["error"] is None


def test_resolve_explain_failure_tells_the_story() -> None:
    args = ("demo:1.0", "--platform", "linux/s390x", "--store", str(EXAMPLE))
    result = run("resolve", *args, "--explain")
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert "does not match the specified platform" in stderr
    assert "lookup of 'demo:1.0' for linux/s390x" in stderr


def test_resolve_error_json() -> None:
    result = run("resolve", "nope:1", "--store", str(EXAMPLE), "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["error"] == "ImageNotFound"


def _example_index() -> Path:
    index = json.loads((EXAMPLE / "index.json").read_bytes())["manifests"][0]
    return EXAMPLE / "blobs" / "sha256" / index["digest"][7:]


def test_select_file() -> None:
    result = run("select", str(_example_index()), "--platform", "linux/arm/v7")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 1 and "linux/arm/v7" in lines[0]


def test_select_stdin_json() -> None:
    data = _example_index().read_bytes()
    result = run("select", "-", "--platform", "linux/amd64", "--json", stdin=data)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["platform"] for r in rows] == ["linux/amd64"]


def test_select_best() -> None:
    result = run("select", str(_example_index()), "--platform", "linux/arm64", "--best")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.decode().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "stdin", "code"),
    [
        pytest.param(("-", "--platform", "linux/s390x"), None, 1, id="none-matches"),
        pytest.param(("-", "--platform", "linux/amd64"), b"{nope", 2, id="malformed"),
        pytest.param(("-", "--platform", "linux/amd64", "--limit", "10"), None, 2, id="too-big"),
        pytest.param(("/nonexistent", "--platform", "linux/amd64"), b"", 2, id="no-file"),
    ],
)
def test_select_failures(args: tuple[str, ...], stdin: bytes | None, code: int) -> None:
    data = _example_index().read_bytes() if stdin is None else stdin
    result = run("select", *args, stdin=data)
    assert result.returncode == code, result.stderr


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("0", "must be at least 1 byte, not 0"),
        ("-5", "must be at least 1 byte, not -5"),
        ("lots", "not a number of bytes: 'lots'"),
        (str(2**63 - 1), f"must be less than {2**63 - 1} bytes"),
        (str(10**23), f"must be less than {2**63 - 1} bytes"),
    ],
)
def test_select_limit_must_be_a_sensible_byte_count(limit: str, message: str) -> None:
    result = run("select", "-", "--platform", "linux/amd64", "--limit", limit, stdin=b"{}")
    assert result.returncode == 2
    last = result.stderr.decode().strip().splitlines()[-1]
    assert last == f"imagelookup select: error: argument --limit: {message}"


@pytest.mark.parametrize("command", ["resolve", "select"])
def test_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    assert b"usage: imagelookup " + command.encode() in result.stdout


def test_resolve_archive_and_layout_written_here(tmp_path: Path) -> None:
    b = LayoutBuilder(tmp_path / "l")
    built = b.multi_platform("x", [("linux", "amd64", ""), ("linux", "ppc64le", "")])
    b.tag(built, "x:2")
    root = b.write()
    result = run("resolve", "x:2", "--platform", "linux/ppc64le", "--store", str(root), "--json")
    assert result.returncode == 0, result.stderr
    expected = built["images"][("linux", "ppc64le", "")].config_digest
    assert json.loads(result.stdout)["id"] == expected


def test_resolve_reports_progress_of_long_store_reads(monkeypatch, capsys) -> None:
    from imagelookup import cli
    from imagelookup.stores import _catalog

    monkeypatch.setattr(_catalog, "PROGRESS_EVERY", 1)
    code = cli.main(["resolve", "demo:1.0", "--store", str(EXAMPLE), "--progress"])
    assert code == 0
    err = capsys.readouterr().err
    assert "imagelookup: cataloguing the store: 1 documents read" in err


def test_resolve_without_progress_is_quiet(monkeypatch, capsys) -> None:
    from imagelookup import cli
    from imagelookup.stores import _catalog

    monkeypatch.setattr(_catalog, "PROGRESS_EVERY", 1)
    code = cli.main(["resolve", "demo:1.0", "--store", str(EXAMPLE), "--no-progress"])
    assert code == 0
    assert capsys.readouterr().err == ""


def test_select_with_a_huge_limit_reads_the_input() -> None:
    data = _example_index().read_bytes()
    limit = str(2**62)
    result = run("select", "-", "--platform", "linux/arm64", "--limit", limit, stdin=data)
    assert result.returncode == 0, result.stderr
