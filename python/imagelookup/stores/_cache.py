"""Bounded, thread-safe caches for the stores (the registry store and blob directories).

- :class:`BlobCache` keeps verified, immutable content by digest, bounded in total bytes,
  least recently used evicted first. Content addressed by digest never changes, so an entry
  never goes stale.
- :class:`BoundedMap` is a least-recently-used mapping bounded in entries, with an optional
  callback for evicted entries (the store keeps its ID index in step with it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["BlobCache", "BoundedMap"]

K = TypeVar("K")
V = TypeVar("V")


class BlobCache:
    """Verified content by digest, at most ``max_bytes`` in total.

    An entry larger than ``max_bytes // 4`` is not kept, so one big blob cannot flush the
    small manifests and configs that lookups read over and over.
    """

    def __init__(self, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, digest: str) -> bytes | None:
        with self._lock:
            data = self._entries.get(digest)
            if data is None:
                self.misses += 1
                return None
            self._entries.move_to_end(digest)
            self.hits += 1
            return data

    def put(self, digest: str, data: bytes) -> None:
        size = len(data)
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(digest, None)
            if old is not None:
                self._bytes -= len(old)
            self._entries[digest] = data
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted)

    @property
    def size(self) -> int:
        """Bytes held now."""
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


class BoundedMap(Generic[K, V]):
    """A mapping of at most ``max_entries`` entries, least recently used evicted first.

    ``on_evict(key, value)`` runs (under the map's lock) for each entry pushed out by a
    newer one.
    """

    def __init__(self, max_entries: int, on_evict: Callable[[K, V], None] | None = None) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be >= 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._on_evict = on_evict
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        self.update(key, lambda _: value)

    def update(self, key: K, change: Callable[[V | None], V]) -> V:
        """Set ``key`` to ``change(current value or None)`` atomically; return the new value."""
        with self._lock:
            value = change(self._entries.get(key))
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                old_key, old_value = self._entries.popitem(last=False)
                if self._on_evict is not None:
                    self._on_evict(old_key, old_value)
            return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def keys(self) -> list[K]:
        with self._lock:
            return list(self._entries)
