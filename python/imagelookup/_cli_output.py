"""What every command of the command line shares: exit codes and JSON output."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import orjson

from . import errors

__all__ = ["EXIT_INVALID", "EXIT_NOT_FOUND", "EXIT_OK", "EXIT_STORE", "emit_json", "exit_code"]

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_INVALID = 2
EXIT_STORE = 3

# Dataclasses go through ``_jsonable`` too, so an ``Image`` inside one is shown by name.
_JSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS


def exit_code(exc: errors.ImageLookupError) -> int:
    """1 for not found or platform mismatch, 3 for an unreadable store, 2 for bad input."""
    if isinstance(exc, errors.NotFound):
        return EXIT_NOT_FOUND
    if isinstance(exc, errors.StoreError):
        return EXIT_STORE
    return EXIT_INVALID


def emit_json(value: object) -> None:
    """Print ``value`` as indented JSON; platforms, images, errors, dataclasses and sets
    become plain JSON."""
    sys.stdout.buffer.write(orjson.dumps(value, option=_JSON_OPTIONS, default=_jsonable) + b"\n")
    sys.stdout.flush()


def _jsonable(value: Any) -> Any:
    from . import platforms
    from .image import Image

    if isinstance(value, platforms.Platform):
        return platforms.format(value)
    if isinstance(value, Image):
        # Not the config: the output names the image, the config is in the store.
        return {
            "id": value.id,
            "platform": platforms.format(value.platform),
            "manifest_digest": value.manifest_digest,
            "index_digest": value.index_digest,
        }
    if isinstance(value, BaseException):
        return {"error": type(value).__name__, "message": str(value)}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    for method in ("as_dict", "to_dict"):
        convert = getattr(value, method, None)
        if callable(convert):
            return convert()
    return str(value)
