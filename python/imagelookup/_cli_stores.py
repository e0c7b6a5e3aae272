"""The ``resolve`` and ``select`` commands of the ``imagelookup`` command line.

``imagelookup resolve REF [--platform P] [--store LOCATION] [--json] [--explain]``
    Resolve a reference, image ID or ID prefix in a store, as ``docker`` would. The store is
    ``--store``, else the ``IMAGELOOKUP_STORE`` environment variable, else
    ``examples/oci-layout`` relative to the current directory (the repository's example).
    Prints the image ID, its platform and the manifest and index it was resolved through.

``imagelookup select FILE|- --platform P [--best] [--json]``
    The manifests of an index or manifest list (a file, or ``-`` for standard input) that a
    machine of platform ``P`` can run, best first with ``--best`` giving only the one a runtime
    would pull.

Exit codes: 0 found, 1 not found or platform mismatch, 2 invalid input (reference, platform,
store or manifest list).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable
from typing import Any

import orjson

from . import errors

__all__ = ["DEFAULT_STORE", "STORE_ENV", "add_commands"]

STORE_ENV = "IMAGELOOKUP_STORE"
DEFAULT_STORE = os.path.join("examples", "oci-layout")
SELECT_LIMIT = 1_000_000

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_INVALID = 2


def _emit_json(value: object) -> None:
    sys.stdout.buffer.write(
        orjson.dumps(value, option=orjson.OPT_INDENT_2, default=_jsonable) + b"\n"
    )
    sys.stdout.flush()


def _jsonable(value: Any) -> Any:
    from . import platforms

    if isinstance(value, platforms.Platform):
        return platforms.format(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    for method in ("as_dict", "to_dict"):
        convert = getattr(value, method, None)
        if callable(convert):
            return convert()
    return str(value)


def _exit_code(exc: errors.ImageLookupError) -> int:
    return EXIT_NOT_FOUND if isinstance(exc, errors.NotFound) else EXIT_INVALID


def _report_error(exc: errors.ImageLookupError, as_json: bool) -> int:
    print(f"imagelookup: {exc}", file=sys.stderr)
    if as_json:
        details = {k: v for k, v in vars(exc).items() if k != "message"}
        _emit_json({"error": type(exc).__name__, "message": str(exc), "details": details})
    return _exit_code(exc)


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except errors.ImageLookupError as exc:
            return _report_error(exc, args.json)

    return run


def _store_location(args: argparse.Namespace) -> str:
    if args.store:
        return str(args.store)
    return os.environ.get(STORE_ENV) or DEFAULT_STORE


def _cmd_resolve(args: argparse.Namespace) -> int:
    from . import platforms
    from ._open import open as open_store
    from .service import ImageService

    platform = platforms.parse(args.platform) if args.platform else None
    location = _store_location(args)
    service = ImageService.from_store(open_store(location))
    image = service.get_image(args.ref, platform=platform)
    explanation = service.explain(args.ref, platform=platform) if args.explain else None
    result: dict[str, Any] = {
        "reference": args.ref,
        "id": image.id,
        "platform": platforms.format(image.platform) if image.architecture else "",
        "os": image.os,
        "architecture": image.architecture,
        "variant": image.variant,
        "manifest": image.manifest_digest,
        "index": image.index_digest,
        "store": location,
    }
    if args.json:
        if explanation is not None:
            result["explain"] = explanation
        _emit_json(result)
        return EXIT_OK
    width = max(len(k) for k in result)
    for key, value in result.items():
        if value:
            print(f"{key + ':':<{width + 2}}{value}")
    if explanation is not None:
        print()
        print(explanation)
    return EXIT_OK


def _read_input(path: str, limit: int) -> bytes:
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        try:
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
        except FileNotFoundError:
            raise errors.InvalidParameter(f"{path}: no such file", kind="invalid_input") from None
        except OSError as exc:
            raise errors.InvalidParameter(f"{path}: {exc}", kind="invalid_input") from None
    if len(data) > limit:
        raise errors.LimitExceeded(
            f"{path}: more than {limit} bytes (raise --limit to read it)", limit=limit
        )
    return data


def _descriptor(desc: Any) -> dict[str, Any]:
    from . import platforms

    return {
        "digest": desc.digest,
        "media_type": desc.media_type,
        "size": desc.size,
        "platform": platforms.format(desc.platform) if desc.platform is not None else None,
    }


def _cmd_select(args: argparse.Namespace) -> int:
    from . import manifests, platforms

    platform = platforms.parse(args.platform)
    data = _read_input(args.file, args.limit)
    if args.best:
        best = manifests.best(data, platform, limit=args.limit)
        chosen = [best] if best is not None else []
    else:
        chosen = list(manifests.select(data, platform, limit=args.limit))
    if not chosen:
        index = manifests.parse_index(data, limit=args.limit)
        available = sorted(
            {platforms.format(d.platform) for d in index.manifests if d.platform is not None}
        )
        wanted = platforms.format(platform)
        raise errors.NotFound(
            f"no manifest in {args.file} matches {wanted}; available: "
            + (", ".join(available) or "none"),
            wanted=wanted,
            available=available,
        )
    rows = [_descriptor(d) for d in chosen]
    if args.json:
        _emit_json(rows)
    else:
        for row in rows:
            print(f"{row['digest']}  {row['platform'] or '-'}  {row['media_type']}")
    return EXIT_OK


def add_commands(sub: Any) -> None:
    """Add ``resolve`` and ``select`` to the command line's sub-parsers."""
    resolve = sub.add_parser(
        "resolve",
        help="resolve a reference, image ID or ID prefix in a store",
        description=(
            "Resolve REF (name[:tag][@digest], image ID or ID prefix) in a store, as docker "
            "would, and print the image's ID, platform and the manifest used. Exit codes: "
            "0 found, 1 not found or platform mismatch, 2 invalid input."
        ),
    )
    resolve.add_argument("ref", metavar="REF", help="reference, image ID or ID prefix")
    resolve.add_argument("--platform", metavar="P", help="wanted platform, e.g. linux/arm64")
    resolve.add_argument(
        "--store",
        metavar="LOCATION",
        help=(
            "OCI layout directory, docker-archive .tar or Docker data-root "
            f"(default: ${STORE_ENV}, else {DEFAULT_STORE} in the current directory)"
        ),
    )
    resolve.add_argument("--json", action="store_true", help="print JSON")
    resolve.add_argument(
        "--explain", action="store_true", help="also print how the image was chosen"
    )
    resolve.set_defaults(func=_guarded(_cmd_resolve))

    select = sub.add_parser(
        "select",
        help="pick the manifests of a manifest list for a platform",
        description=(
            "Print the manifests of an OCI index or Docker manifest list (FILE, or - for "
            "standard input) that a machine of platform P runs. Exit codes: 0 found, "
            "1 none matches, 2 invalid input."
        ),
    )
    select.add_argument("file", metavar="FILE|-", help="manifest list file, or - for stdin")
    select.add_argument("--platform", metavar="P", required=True, help="e.g. linux/arm/v7")
    select.add_argument(
        "--best", action="store_true", help="only the manifest a runtime would pull"
    )
    select.add_argument(
        "--limit",
        type=int,
        default=SELECT_LIMIT,
        metavar="BYTES",
        help=f"refuse input longer than this (default {SELECT_LIMIT})",
    )
    select.add_argument("--json", action="store_true", help="print JSON")
    select.set_defaults(func=_guarded(_cmd_select))
