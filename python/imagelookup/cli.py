"""The ``imagelookup`` command line.

Exit codes: 0 success, 1 not found or platform mismatch, 2 invalid input or usage.
Each command is one ``_cmd_<name>`` function plus its parser in :func:`_build_parser`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import orjson

from . import __version__, _cli_stores, errors

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_INVALID = 2


def _emit_json(value: object) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imagelookup",
        description="Which image does this reference, ID or prefix mean, for this platform?",
    )
    parser.add_argument("--version", action="version", version=f"imagelookup {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _cli_stores.add_commands(sub)
    del sub  # TODO: commands are added by their owners
    return parser


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
