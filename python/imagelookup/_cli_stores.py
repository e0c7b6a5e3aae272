"""The ``resolve`` and ``select`` commands of the ``imagelookup`` command line.

``imagelookup resolve REF [--platform P] [--store LOCATION] [--json] [--explain]``
    Resolve a reference, image ID or ID prefix in a store, as ``docker`` would. The store is
    ``--store`` (a path or an ``http(s)://`` registry URL), else the ``IMAGELOOKUP_STORE``
    environment variable, else — when REF names a registry other than Docker Hub, as in
    ``127.0.0.1:5000/app:1`` — that registry, else ``examples/oci-layout`` relative to the
    current directory (the repository's example). ``--insecure`` allows a plain-HTTP or
    self-signed registry that is not on a loopback address.
    Prints the image ID, its platform and the manifest and index it was resolved through.

``imagelookup select FILE|- --platform P [--best] [--json]``
    The manifests of an index or manifest list (a file, or ``-`` for standard input) that a
    machine of platform ``P`` can run, best first with ``--best`` giving only the one a runtime
    would pull.

Exit codes: 0 found, 1 not found or platform mismatch, 2 invalid input (reference, platform,
a location that is no store, or the manifest list given to ``select``), 3 the store could
not be read (a missing store, I/O trouble, content that fails its digest or does not parse,
an unreachable or failing registry).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from . import errors
from ._cli_output import EXIT_INVALID, EXIT_NOT_FOUND, EXIT_OK, EXIT_STORE, emit_json, exit_code

__all__ = ["DEFAULT_STORE", "STORE_ENV", "add_commands"]

STORE_ENV = "IMAGELOOKUP_STORE"
DEFAULT_STORE = os.path.join("examples", "oci-layout")
SELECT_LIMIT = 1_000_000


def _lookup_exit_code(exc: errors.ImageLookupError) -> int:
    """``resolve``'s exit code: the user's input is the reference, the platform and the store
    location; any other failure comes from the store (a ``DigestMismatch`` or
    ``InvalidManifest`` there is a broken store, not bad input)."""
    if isinstance(exc, (errors.ImageNotFound, errors.PlatformMismatch)):
        return EXIT_NOT_FOUND
    if isinstance(exc, errors.InvalidParameter):
        return EXIT_INVALID
    return EXIT_STORE


def _report_error(exc: errors.ImageLookupError, as_json: bool, code: int) -> int:
    print(f"imagelookup: {exc}", file=sys.stderr)
    if as_json:
        details = {k: v for k, v in vars(exc).items() if k != "message"}
        emit_json({"error": type(exc).__name__, "message": str(exc), "details": details})
    return code


def _guarded(
    command: Callable[[argparse.Namespace], int],
    code_for: Callable[[errors.ImageLookupError], int] = exit_code,
) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except errors.ImageLookupError as exc:
            return _report_error(exc, args.json, code_for(exc))

    return run


def _store_location(args: argparse.Namespace) -> str:
    if args.store:
        return str(args.store)
    from_env = os.environ.get(STORE_ENV)
    if from_env:
        return from_env
    registry = _registry_named_by(args.ref)
    return f"registry:{registry}" if registry else DEFAULT_STORE


def _registry_named_by(ref: str) -> str | None:
    """The registry host REF names explicitly (``127.0.0.1:5000/app:1``), or ``None``."""
    from . import reference

    try:
        parsed = reference.parse_any(ref)
    except errors.InvalidParameter:
        return None
    if parsed.domain is None or parsed.domain == "docker.io":
        return None
    # Only a name that spells its registry out counts: "foo/bar" is docker.io's.
    return parsed.domain if ref.startswith(parsed.domain + "/") else None


def _open_location(location: str, args: argparse.Namespace) -> Any:
    from ._open import open as open_store

    if location.startswith("registry:"):
        from .stores.registry import RegistryStore

        return RegistryStore.from_url(location[len("registry:") :], insecure=args.insecure)
    if location.lower().startswith(("http://", "https://")):
        return open_store(location, insecure=args.insecure)
    return open_store(location)


@contextlib.contextmanager
def _progress_on_stderr(enabled: bool) -> Iterator[None]:
    """While the command runs, show the stores' progress lines (logger
    ``imagelookup.progress``) on stderr."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("imagelookup.progress")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("imagelookup: %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _cmd_resolve(args: argparse.Namespace) -> int:
    from . import platforms

    platform = platforms.parse(args.platform) if args.platform else None
    location = _store_location(args)
    show_progress = args.progress or (args.progress is None and sys.stderr.isatty())
    with _progress_on_stderr(show_progress):
        return _resolve(args, platform, location)


def _resolve(args: argparse.Namespace, platform: Any, location: str) -> int:
    from . import platforms
    from .service import ImageService

    service = ImageService.from_store(_open_location(location, args))
    explanation = None
    if args.explain:
        # One lookup tells both the story and the outcome (a registry is asked once).
        explanation = service.explain(args.ref, platform=platform)
        if explanation.error is not None:
            if not args.json:
                print(explanation, file=sys.stderr)
            raise explanation.error
        image = explanation.image
        assert image is not None
    else:
        image = service.get_image(args.ref, platform=platform)
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
        emit_json(result)
        return EXIT_OK
    width = max(len(k) for k in result)
    for key, value in result.items():
        if value:
            print(f"{key + ':':<{width + 2}}{value}")
    if explanation is not None:
        print()
        print(explanation)
    return EXIT_OK


def _byte_count(text: str) -> int:
    """An argparse type: a positive number of bytes (0 or less would refuse every input)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of bytes: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 byte, not {value}")
    if value >= sys.maxsize:
        raise argparse.ArgumentTypeError(f"must be less than {sys.maxsize} bytes")
    return value


def _read_bounded(stream: Any, limit: int) -> bytes:
    """At most ``limit + 1`` bytes, a megabyte at a time (one read of a huge size overflows)."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _read_input(path: str, limit: int) -> bytes:
    if path == "-":
        data = _read_bounded(sys.stdin.buffer, limit)
    else:
        try:
            with open(path, "rb") as handle:
                data = _read_bounded(handle, limit)
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
        emit_json(rows)
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
            "0 found, 1 not found or platform mismatch, 2 invalid input, 3 store missing, "
            "unreadable or broken."
        ),
    )
    resolve.add_argument("ref", metavar="REF", help="reference, image ID or ID prefix")
    resolve.add_argument("--platform", metavar="P", help="wanted platform, e.g. linux/arm64")
    resolve.add_argument(
        "--store",
        metavar="LOCATION",
        help=(
            "OCI layout directory, docker-archive .tar, Docker data-root or registry URL "
            f"(default: ${STORE_ENV}, else the registry REF names, else {DEFAULT_STORE} "
            "in the current directory)"
        ),
    )
    resolve.add_argument(
        "--insecure",
        action="store_true",
        help="allow a plain-HTTP or unverified-TLS registry (loopback needs no flag)",
    )
    resolve.add_argument("--json", action="store_true", help="print JSON")
    resolve.add_argument(
        "--explain", action="store_true", help="also print how the image was chosen"
    )
    resolve.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="report progress of long store reads on stderr (default: when stderr is a terminal)",
    )
    resolve.set_defaults(func=_guarded(_cmd_resolve, _lookup_exit_code))

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
        type=_byte_count,
        default=SELECT_LIMIT,
        metavar="BYTES",
        help=f"refuse input longer than this (default {SELECT_LIMIT})",
    )
    select.add_argument("--json", action="store_true", help="print JSON")
    select.set_defaults(func=_guarded(_cmd_select))
