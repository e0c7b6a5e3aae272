"""The ``imagelookup`` command line.

Exit codes: 0 success, 1 not found or platform mismatch, 2 invalid input or usage.
Each command is one ``_cmd_<name>`` function plus its parser in :func:`_build_parser`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import orjson

from . import __version__, _cli_stores, errors, platforms, reference

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_INVALID = 2


def _emit_json(value: object) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def _platform_record(spec: str | None, parsed: platforms.Platform) -> dict[str, object]:
    normalized = platforms.normalize(parsed)
    return {
        "input": spec,
        "parsed": parsed.to_oci(),
        "normalized": normalized.to_oci(),
        "format": platforms.format(normalized),
        "format_all": platforms.format_all(normalized),
    }


def _cmd_platform(args: argparse.Namespace) -> int:
    """Parsed, normalised and formatted forms of each SPEC (the host default without one)."""
    if args.specs:
        records = [_platform_record(spec, platforms.parse(spec)) for spec in args.specs]
    else:
        records = [_platform_record(None, platforms.default_spec())]
    if args.json:
        _emit_json(records)
        return EXIT_OK
    for record in records:
        title = record["input"] if record["input"] is not None else "host default"
        print(f"{title}")
        print(f"  parsed:      {record['parsed']}")
        print(f"  normalized:  {record['normalized']}")
        print(f"  format:      {record['format']}")
        print(f"  format_all:  {record['format_all']}")
    return EXIT_OK


def _add_platform_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    platform = sub.add_parser(
        "platform",
        help="parse, normalize and format platform specifiers (containerd rules)",
        description="Print the parsed, normalized and formatted forms of each SPEC; "
        "with no SPEC, the host default platform.",
    )
    platform.add_argument("specs", nargs="*", metavar="SPEC", help="e.g. linux/arm64, armhf")
    platform.add_argument("--json", action="store_true", help="print JSON")
    platform.set_defaults(func=_cmd_platform)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imagelookup",
        description="Which image does this reference, ID or prefix mean, for this platform?",
    )
    parser.add_argument("--version", action="version", version=f"imagelookup {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_platform_parser(sub)
    _add_ref_parser(sub)
    _cli_stores.add_commands(sub)
    return parser


def _ref_forms(text: str) -> dict[str, object]:
    ref = reference.parse_any(text)
    docker_ref = None if ref.is_digest_only else str(reference.parse_docker_ref(text))
    return {
        "input": text,
        "reference": str(ref),
        "name": ref.name,
        "domain": ref.domain,
        "path": ref.path,
        "tag": ref.tag,
        "digest": ref.digest,
        "digest_only": ref.is_digest_only,
        "familiar_name": ref.familiar_name,
        "familiar_string": ref.familiar_string,
        "docker_ref": docker_ref,
    }


def _cmd_ref(args: argparse.Namespace) -> int:
    """Print each reference's parsed forms; invalid ones go to stderr (exit 2)."""
    results: list[dict[str, object]] = []
    code = EXIT_OK
    for text in args.refs:
        try:
            forms = _ref_forms(text)
        except errors.InvalidParameter as exc:
            print(f"imagelookup: {text!r}: {exc}", file=sys.stderr)
            code = EXIT_INVALID
            continue
        results.append(forms)
        if not args.json:
            print(text)
            for key, value in forms.items():
                if key != "input":
                    print(f"  {key + ':':17}{'' if value is None else value}")
    if args.json:
        _emit_json(results)
    return code


def _add_ref_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser(
        "ref",
        help="parse image references as Docker does",
        description="Parse each REF as Docker does (ParseAnyReference: an image ID, a digest "
        "or a familiar name) and print its canonical, familiar and docker-ref forms.",
    )
    cmd.add_argument("refs", nargs="+", metavar="REF", help="e.g. ubuntu, quay.io/x/y:1, <64 hex>")
    cmd.add_argument("--json", action="store_true", help="print a JSON array instead")
    cmd.set_defaults(func=_cmd_ref)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (also used as the process status)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except errors.NotFound as exc:
        print(f"imagelookup: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    except (errors.InvalidParameter, errors.InvalidManifest, errors.LimitExceeded) as exc:
        print(f"imagelookup: {exc}", file=sys.stderr)
        return EXIT_INVALID
    return code


if __name__ == "__main__":
    sys.exit(main())
