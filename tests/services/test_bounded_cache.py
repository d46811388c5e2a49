"""The bounded TTL/LRU mapping used for everything keyed by user input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services.bounded_cache import BoundedTTLCache
from tests.standins.clock import ManualClock


def cache(clock: ManualClock, size: int = 3) -> BoundedTTLCache[str, int]:
    return BoundedTTLCache(max_entries=size, max_age=timedelta(minutes=30), clock=clock)


def test_reads_create_nothing(clock: ManualClock) -> None:
    kept = cache(clock)
    for number in range(1_000):
        assert kept.get(f"key{number}") is None
    assert len(kept) == 0


def test_size_is_bounded_and_the_least_recently_used_goes_first(clock: ManualClock) -> None:
    kept = cache(clock)
    for number in range(3):
        kept.put(f"key{number}", number)
    assert kept.get("key0") == 0  # now the most recently used
    kept.put("key3", 3)
    assert len(kept) == 3
    assert kept.get("key1") is None
    assert [kept.get(key) for key in ("key0", "key2", "key3")] == [0, 2, 3]
    for number in range(20_000):
        kept.put(f"flood{number}", number)
    assert len(kept) == 3


def test_entries_expire_by_age_from_when_they_were_stored(clock: ManualClock) -> None:
    kept = cache(clock)
    kept.put("old", 1, stored_at=clock.now() - timedelta(minutes=29))
    kept.put("new", 2)
    clock.advance(60)
    assert kept.get("old") is None
    assert len(kept) == 1
    assert kept.get("new") == 2
    clock.advance(29 * 60)
    kept.prune()
    assert len(kept) == 0


def test_expired_entries_make_room_before_fresh_ones_are_evicted(clock: ManualClock) -> None:
    kept = cache(clock, size=2)
    kept.put("stale", 1)
    clock.advance(31 * 60)
    kept.put("fresh", 2)
    assert kept.get("fresh") == 2  # touched: "stale" is now least recently used anyway
    kept.put("newer", 3)
    assert kept.get("fresh") == 2
    assert kept.get("newer") == 3


def test_a_cache_needs_room_for_one_entry(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        cache(clock, size=0)


def test_discard_forgets_one_key_and_ignores_missing_ones(clock: ManualClock) -> None:
    kept = cache(clock)
    kept.put("ghost", 1)
    kept.put("other", 2)
    kept.discard("ghost")
    kept.discard("never-stored")
    assert kept.get("ghost") is None
    assert kept.get("other") == 2
    assert len(kept) == 1
