"""The :class:`Image` value that lookups return."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from . import errors
from .platforms import Platform

__all__ = ["Image"]


@dataclass(frozen=True, slots=True)
class Image:
    """An image: its ID (the digest of its config) and its config.

    ``raw`` holds the config bytes exactly as stored (their digest is ``id``); ``config`` is
    their parsed form. ``manifest_digest`` and ``index_digest`` say which manifest and index
    the image was resolved through, for stores that hold them (``None`` otherwise).
    Equality and hashing use ``id``, ``manifest_digest`` and ``index_digest`` only.
    """

    id: str
    raw: bytes = field(repr=False)
    config: Mapping[str, Any] = field(repr=False, compare=False, hash=False)
    manifest_digest: str | None = None
    index_digest: str | None = None

    @classmethod
    def from_config_bytes(
        cls,
        image_id: str,
        raw: bytes,
        *,
        manifest_digest: str | None = None,
        index_digest: str | None = None,
    ) -> Image:
        """Parse ``raw`` (an image config) into an :class:`Image` with ID ``image_id``.

        The caller has verified that ``raw`` hashes to ``image_id``. Raises
        ``InvalidManifest`` when ``raw`` is not a JSON object.
        """
        try:
            config = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise errors.InvalidManifest(
                f"image config {image_id} is not valid JSON: {exc}", reason=str(exc)
            ) from None
        if not isinstance(config, dict):
            raise errors.InvalidManifest(
                f"image config {image_id} is not a JSON object", reason="not an object"
            )
        return cls(image_id, bytes(raw), config, manifest_digest, index_digest)

    def _str(self, key: str) -> str:
        value = self.config.get(key)
        return value if isinstance(value, str) else ""

    @property
    def os(self) -> str:
        return self._str("os")

    @property
    def architecture(self) -> str:
        return self._str("architecture")

    @property
    def variant(self) -> str:
        return self._str("variant")

    @property
    def os_version(self) -> str:
        return self._str("os.version")

    @property
    def os_features(self) -> tuple[str, ...]:
        value = self.config.get("os.features")
        if not isinstance(value, list):
            return ()
        return tuple(v for v in value if isinstance(v, str))

    @property
    def platform(self) -> Platform:
        """The config's platform, as moby reads it for the platform check (not normalized)."""
        return Platform(
            self.os,
            self.architecture,
            self.variant,
            os_version=self.os_version,
            os_features=self.os_features,
        )
