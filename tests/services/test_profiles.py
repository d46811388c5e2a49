"""The profile service: what /profile adds to a driver's snapshot (the change over the last 7 days)."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import Harness


async def test_change_since_week_compares_with_the_oldest_snapshot_of_the_week(harness: Harness) -> None:
    drivers = harness.bot.drivers
    profiles = harness.bot.profiles
    harness.gt.dataset.add_driver("Trend_One", dr_points=10_000, stats={"total_races": 100, "victories": 10})
    first = (await drivers.get_driver("Trend_One")).snapshot
    assert await profiles.change_since_week(first) is None
    harness.clock.advance(timedelta(days=2).total_seconds())
    harness.gt.dataset.add_driver("Trend_One", dr_points=10_800, stats={"total_races": 110, "victories": 12})
    now = (await drivers.get_driver("Trend_One")).snapshot
    change = await profiles.change_since_week(now)
    assert change is not None
    assert (change.dr_points, change.races, change.wins) == (800, 10, 2)
    assert change.since == first.first_fetched_at
    harness.clock.advance(timedelta(days=8).total_seconds())
    unchanged = (await drivers.get_driver("Trend_One")).snapshot
    change = await profiles.change_since_week(unchanged)
    assert change is not None
    assert (change.dr_points, change.races, change.wins) == (0, 0, 0)
    assert change.since == harness.clock.now() - timedelta(days=7)
