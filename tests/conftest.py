"""Shared test set-up.

Tests that need a real tool (skopeo, docker-registry) use :func:`require_tool`. On a
developer machine a missing tool skips the test; under CI (``CI=true``) it fails, because
``.ci/run`` installs every tool and a silent skip would hide a broken install step.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest
from imagelookup.service import ImageService
from imagelookup.stores import MemoryStore

# Test helpers (imagebuild.py …) live beside the tests; importlib mode does not add this folder.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_tool(name: str) -> str:
    """Path of executable ``name``; skip the test without it (fail under CI)."""
    path = shutil.which(name) or (
        f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None
    )
    if path is None:
        message = f"{name} is not installed (.ci/run installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def store() -> MemoryStore:
    """An empty in-memory store (test modules with stores of their own override it)."""
    return MemoryStore()


@pytest.fixture
def svc(store: MemoryStore) -> ImageService:
    """A service over the ``store`` fixture."""
    return ImageService.from_store(store)
