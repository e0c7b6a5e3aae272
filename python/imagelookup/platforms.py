"""Platforms: TODO(platforms helper)."""

from __future__ import annotations

from ._core import Matcher

Platform = object  # TODO(platforms helper): the Rust Platform class

__all__ = ["Matcher", "Platform"]
