"""The Python surface: Platform as a value, OCI form, candidates in every form, the CLI."""

from __future__ import annotations

import copy
import json
import pickle

import imagelookup
import pytest
from imagelookup import cli, errors, platforms
from imagelookup.platforms import Platform

FULL = Platform("windows", "amd64", "v2", "10.0.20348.1", ("win32k", "gpu"))


def test_platform_is_reexported():
    assert imagelookup.Platform is Platform
    assert set(platforms.__all__) >= {
        "Platform",
        "Matcher",
        "parse",
        "format",
        "format_all",
        "normalize",
        "only",
        "only_strict",
        "new_matcher",
        "ordered",
        "any_of",
        "ALL",
        "only_os",
        "only_with_fallback",
        "default_spec",
        "default",
        "default_spec_for",
    }
    for name in platforms.__all__:
        assert hasattr(platforms, name)


def test_fields_and_defaults():
    p = Platform("linux", "arm64")
    assert (p.os, p.architecture, p.variant, p.os_version, p.os_features) == (
        "linux",
        "arm64",
        "",
        "",
        (),
    )
    assert FULL.os_features == ("win32k", "gpu")


def test_frozen():
    with pytest.raises(AttributeError):
        FULL.os = "linux"  # type: ignore[misc]


def test_equality_and_hash_by_value():
    a = Platform("linux", "arm", "v7")
    b = Platform("linux", "arm", variant="v7")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Platform("linux", "arm")
    assert a != "linux/arm/v7"


@pytest.mark.parametrize(
    "p", [FULL, Platform("", ""), Platform("linux", "amd64"), Platform("a'b", 'c"d', "é")], ids=repr
)
def test_pickle_copy_and_repr_round_trip(p):
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.deepcopy(p) == p
    assert eval(repr(p), {"Platform": Platform}) == p


def test_str_is_format_all():
    assert str(FULL) == "windows(10.0.20348.1+gpu+win32k)/amd64/v2"


def test_oci_round_trip():
    oci = FULL.to_oci()
    assert oci == {
        "architecture": "amd64",
        "os": "windows",
        "os.version": "10.0.20348.1",
        "os.features": ["win32k", "gpu"],
        "variant": "v2",
    }
    assert Platform.from_oci(oci) == FULL
    assert Platform.from_oci(json.loads(json.dumps(oci))) == FULL
    assert Platform("linux", "amd64").to_oci() == {"architecture": "amd64", "os": "linux"}
    assert Platform.from_oci({"os": "linux", "variant": None}) == Platform("linux", "")


@pytest.mark.parametrize("bad", [{"os": 1}, {"os.features": "gpu"}, {"os.features": [1]}], ids=str)
def test_from_oci_rejects_wrong_types(bad):
    with pytest.raises(TypeError):
        Platform.from_oci(bad)


@pytest.mark.parametrize(
    "candidate",
    [
        Platform("linux", "arm", "v7"),
        "linux/arm/v7",
        "linux/armhf",
        {"os": "linux", "architecture": "armhf"},
    ],
    ids=repr,
)
def test_candidates_in_every_form(candidate):
    assert platforms.only("linux/arm64").match(candidate)
    assert platforms.normalize(candidate) == Platform("linux", "arm", "v7")


def test_bad_candidates():
    with pytest.raises(TypeError):
        platforms.only("linux/amd64").match(42)
    with pytest.raises(errors.InvalidParameter):
        platforms.only("linux/amd64").match("linux/*")


def test_sort_returns_the_objects_given_best_first():
    given = [{"os": "linux", "architecture": "386"}, "linux/arm64", Platform("linux", "amd64")]
    assert platforms.only("linux/amd64").sort(given) == [given[2], given[0], given[1]]
    assert platforms.only("linux/amd64").best(given) is given[2]
    assert platforms.only("linux/s390x").best(given) is None
    assert platforms.only("linux/amd64").sort(iter(given))[0] is given[2]


def test_normalize_returns_equal_values():
    p = Platform("linux", "amd64")
    assert platforms.normalize(p) == p
    assert platforms.normalize(Platform("", "x86_64")) == Platform(
        platforms.default_spec().os, "amd64"
    )
    assert platforms.normalize(
        Platform("Linux", "arm64", "v8", os_features=("b", "a", "a"))
    ) == Platform("linux", "arm64", os_features=("a", "b"))


def test_go_lowercase_rules():
    assert platforms.normalize(Platform("\u0130OS", "x")).os == "ios"


def test_cli_platform_json(capsysbinary):
    assert cli.main(["platform", "linux/aarch64", "armel", "--json"]) == 0
    out = json.loads(capsysbinary.readouterr().out)
    assert out[0]["input"] == "linux/aarch64"
    assert out[0]["parsed"] == {"architecture": "arm64", "os": "linux"}
    assert out[1]["normalized"]["variant"] == "v6"
    assert out[1]["format_all"].endswith("/arm/v6")


def test_cli_platform_host_default(capsys):
    assert cli.main(["platform"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("host default")
    assert platforms.format(platforms.default_spec()) in out


def test_cli_platform_invalid(capsys):
    assert cli.main(["platform", "linux/arm/"]) == cli.EXIT_INVALID
    assert "invalid component" in capsys.readouterr().err
