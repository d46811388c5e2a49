"""The drivers service's public API (also used by the league commands), against the GT stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from bot.errors import NoSuchDriver
from bot.gtgridstats.errors import InvalidIdentifierError
from bot.services.driver_results import ProgressEvent, syncing
from bot.services.drivers import DriverService
from bot.services.fair_use import Requester
from bot.ui.errors import describe_error
from bot.ui.profile import progress_text
from tests.conftest import Harness

MakeHarness = Callable[..., Awaitable[Harness]]


def service(harness: Harness) -> DriverService:
    return harness.bot.drivers


async def test_get_drivers_sorts_answers_into_found_and_not_found(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Known_One")
    harness.gt.dataset.add_driver("Unindexed_One", indexed=False)
    lookup = await service(harness).get_drivers(["known_one", "Unindexed_One", "Nobody_Home"])
    known = lookup.get("KNOWN_ONE")
    assert known is not None
    assert known.psn_id == "Known_One"
    assert known.fetched_at == harness.clock.now()
    assert lookup.not_found == ["Unindexed_One", "Nobody_Home"]
    assert lookup.error is None
    assert harness.gt.count("/api/racers") == 1
    assert harness.gt.count("/api/racers", method="POST") == 0


async def test_sync_missing_syncs_unindexed_drivers_and_reports_progress(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Unindexed_One", indexed=False)
    harness.gt.dataset.add_driver("Unindexed_Two", indexed=False)
    messages: list[str] = []

    async def progress(event: ProgressEvent) -> None:
        messages.append(progress_text(event))

    lookup = await service(harness).get_drivers(
        ["Unindexed_One", "Unindexed_Two", "Nobody_Home"], sync_missing=True, progress=progress
    )
    assert set(lookup.found) == {"unindexed_one", "unindexed_two"}
    assert lookup.not_found == ["Nobody_Home"]
    assert messages == [progress_text(syncing(3))]
    assert messages[0] == "Syncing 3 new drivers with GT Grid Stats, about 9 s…"
    assert harness.gt.count("/api/racers", method="POST") == 1


async def test_max_age_decides_what_is_fresh(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Aged_One")
    drivers = service(harness)
    await drivers.get_drivers(["Aged_One"])
    harness.clock.advance(10 * 60)
    harness.gt.reset_counts()
    await drivers.get_drivers(["Aged_One"])
    assert harness.gt.count("/api/racers") == 0
    await drivers.get_drivers(["Aged_One"], max_age=timedelta(minutes=5))
    assert harness.gt.count("/api/racers") == 1


async def test_upstream_failure_serves_stored_snapshots_as_stale(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Stored_One")
    drivers = service(harness)
    await drivers.get_drivers(["Stored_One"])
    harness.clock.advance(3600)
    harness.gt.fail(500, times=None, path_prefix="/api/racers")
    lookup = await harness.clock.run_until(drivers.get_drivers(["Stored_One", "Never_Stored"]))
    assert lookup.is_stale("stored_one")
    assert lookup.get("Stored_One") is not None
    assert lookup.unavailable == ["Never_Stored"]
    assert lookup.error is not None
    assert "not answering" in describe_error(lookup.error)[0]


async def test_get_driver_raises_for_missing_drivers_and_bad_ids(harness: Harness) -> None:
    with pytest.raises(NoSuchDriver) as caught:
        await service(harness).get_driver("Nobody_Home")
    assert "has no driver `Nobody_Home`" in describe_error(caught.value)[0]
    with pytest.raises(InvalidIdentifierError):
        await service(harness).get_driver("no spaces")
    with pytest.raises(InvalidIdentifierError):
        await service(harness).get_drivers(["Fine_One", "../x"])


async def test_lookups_from_different_callers_in_one_window_are_merged(make_harness: MakeHarness) -> None:
    harness = await make_harness(racer_batch_window_ms=250)
    for name in ("Merge_A", "Merge_B", "Merge_C"):
        harness.gt.dataset.add_driver(name)
    drivers = service(harness)
    results = await harness.clock.run_until(
        asyncio.gather(
            drivers.get_drivers(["Merge_A", "Merge_B"]),
            drivers.get_drivers(["Merge_B", "Merge_C"]),
            drivers.get_driver("Merge_C"),
        )
    )
    assert harness.gt.count("/api/racers") == 1
    assert set(results[0].found) == {"merge_a", "merge_b"}
    assert set(results[1].found) == {"merge_b", "merge_c"}


async def test_a_batch_never_fetches_a_driver_stored_since_it_was_queued(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Waiting_A")
    harness.gt.dataset.add_driver("Waiting_B")
    drivers = service(harness)
    # Waiting_A was stored by another command after this lookup had decided to fetch it.
    await drivers.get_drivers(["Waiting_A"], refresh=True)
    harness.gt.reset_counts()
    answers = await drivers.indexed.get(["Waiting_A", "Waiting_B"])
    assert set(answers) == {"waiting_a", "waiting_b"}
    assert [request.path for request in harness.gt.requests] == ["/api/racers/Waiting_B"]


async def test_renamed_drivers_in_one_batch_are_paired_by_guid(harness: Harness) -> None:
    drivers = service(harness)
    old = [harness.gt.dataset.add_driver(name) for name in ("Old_One", "Old_Two")]
    await drivers.get_drivers(["Old_One", "Old_Two"])
    for before, after in zip(old, ("New_One", "New_Two"), strict=True):
        renamed = harness.gt.dataset.add_driver(after, guid=before.guid)
        harness.gt.dataset.drivers[before.psn_id.lower()] = renamed
    harness.clock.advance(1)
    lookup = await drivers.get_drivers(["Old_One", "Old_Two"], max_age=timedelta(0))
    assert {key: snapshot.psn_id for key, snapshot in lookup.found.items()} == {
        "old_one": "New_One",
        "old_two": "New_Two",
    }


async def test_cache_hits_and_misses_are_counted_for_quota(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Counted_One")
    drivers = service(harness)
    cache = harness.bot.api.budget.usage.cache
    await drivers.get_drivers(["Counted_One"])
    assert (cache.hits, cache.misses) == (0, 1)
    await drivers.get_drivers(["Counted_One"])
    assert (cache.hits, cache.misses) == (1, 1)


async def test_remembered_unknown_drivers_are_bounded(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    drivers = service(harness)
    monkeypatch.setattr(drivers._unknown, "max_entries", 3)
    lookup = await drivers.get_drivers([f"Ghost_{n}" for n in range(5)], sync_missing=True)
    assert len(lookup.not_found) == 5
    assert [name for name in (f"ghost_{n}" for n in range(5)) if drivers.known_unknown(name)] == [
        "ghost_2",
        "ghost_3",
        "ghost_4",
    ]
    harness.gt.reset_counts()
    again = await drivers.get_drivers(["Ghost_4", "Ghost_0"], sync_missing=True)
    assert again.not_found == ["Ghost_4", "Ghost_0"]
    assert [request.path for request in harness.gt.requests] == [
        "/api/racers/Ghost_0",
        "/api/racers",
    ]  # only the forgotten one is asked again (GET, then the sync)


async def test_admit_if_stale_defers_and_reserves_only_when_upstream_is_needed(harness: Harness) -> None:
    """The one "fresh? else admit and defer" decision /link, /profile, /compare and /leaderboard share."""
    harness.gt.dataset.add_driver("Fresh_One")
    harness.gt.dataset.add_driver("Stale_One")
    drivers = service(harness)
    await drivers.get_drivers(["Fresh_One"])
    requester = Requester(guild_id=harness.guild.id, member_id=42)
    deferred: list[str] = []

    async def defer() -> None:
        deferred.append("defer")

    assert await drivers.admit_if_stale(requester, ["fresh_one"], before_wait=defer) is None
    assert deferred == []
    ticket = await drivers.admit_if_stale(requester, ["fresh_one", "Stale_One"], before_wait=defer)
    assert deferred == ["defer"]
    assert ticket is not None
    ticket.settle()
    # A refresh asked for always goes through admission (here the cooldown leaves nothing to reserve).
    assert await drivers.admit_if_stale(requester, ["fresh_one"], refresh=True, before_wait=defer) is None
    assert deferred == ["defer", "defer"]
