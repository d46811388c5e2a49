"""A small in-memory mapping bounded in size and age, for anything keyed by user input.

Every entry expires `max_age` after the moment it was stored for (read as missing from then on, and
dropped when met), and past `max_entries` the least recently used entries are dropped: however many
distinct keys users send, memory stays bounded. Nothing is created by a read.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.clock import Clock

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedTTLCache(Generic[K, V]):
    def __init__(self, *, max_entries: int, max_age: timedelta, clock: Clock) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self.max_age = max_age
        self._clock = clock
        self._entries: OrderedDict[K, tuple[datetime, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        """The value while it is younger than `max_age` (and now the most recently used), else None."""
        item = self._entries.get(key)
        if item is None:
            return None
        stored_at, value = item
        if self._clock.now() - stored_at >= self.max_age:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V, *, stored_at: datetime | None = None) -> None:
        """Keep `value`; its age counts from `stored_at` (default: now)."""
        self._entries[key] = (stored_at or self._clock.now(), value)
        self._entries.move_to_end(key)
        if len(self._entries) > self.max_entries:
            self.prune()
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def discard(self, key: K) -> None:
        """Forget `key` (nothing happens when it is not kept)."""
        self._entries.pop(key, None)

    def prune(self) -> None:
        """Drop every expired entry."""
        limit = self._clock.now() - self.max_age
        for key in [key for key, (stored_at, _) in self._entries.items() if stored_at <= limit]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()
