"""Filling the local catalog: within the request budget, resumable after a restart, refreshed when stale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.gtgridstats.errors import QuotaExhaustedError, UpstreamUnavailableError
from bot.services.catalog import MAX_CAR_PAGES
from bot.storage.catalog import CatalogStore
from tests.conftest import Harness

MakeHarness = Callable[..., Awaitable[Harness]]
PAGES = list(range(1, 11))  # 482 cars, 50 per page


def car_pages_requested(harness: Harness) -> list[int]:
    return [
        int(request.query.removeprefix("page="))
        for request in harness.gt.requests
        if request.path == "/api/assets/cars"
    ]


async def stored_car_count(harness: Harness) -> int:
    return len(await CatalogStore(harness.bot.database).cars())


@pytest.mark.parametrize("per_minute", [3, 10])
async def test_the_fill_stays_within_half_the_per_minute_budget(
    make_harness: MakeHarness, per_minute: int
) -> None:
    harness = await make_harness(gtgridstats_metered_per_minute=per_minute)
    report = await harness.clock.run_until(harness.bot.catalog.refresh(), limit=7_200)

    assert report.completed
    assert harness.gt.max_in_window("metered") <= max(1, per_minute // 2)
    assert harness.gt.rate_limited == 0
    assert car_pages_requested(harness) == PAGES
    assert harness.gt.count("/api/assets/manufacturers") == 1
    assert await stored_car_count(harness) == 482
    assert await harness.bot.catalog.updated_at() == harness.clock.now()


async def test_a_fill_stopped_midway_resumes_after_a_restart_without_refetching(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness()
    # The daily quota runs out after the manufacturer list and four pages.
    harness.gt.quota_remaining = 5
    with pytest.raises(QuotaExhaustedError):
        await harness.clock.run_until(harness.bot.catalog.refresh())
    # The quota headers said nothing was left, so the bot did not even ask for the fifth page.
    assert car_pages_requested(harness) == [1, 2, 3, 4]
    assert await stored_car_count(harness) == 200
    assert await harness.bot.catalog.updated_at() is None

    await harness.restart()
    harness.gt.quota_remaining = 1_000
    harness.gt.reset_counts()
    report = await harness.clock.run_until(harness.bot.catalog.refresh())

    assert report.completed
    assert car_pages_requested(harness) == [5, 6, 7, 8, 9, 10]
    assert harness.gt.count("/api/assets/manufacturers") == 0
    assert harness.gt.count("/api/assets/regions") == 0
    assert await stored_car_count(harness) == 482


async def test_a_failing_upstream_stops_the_fill_and_a_restart_resumes_it(make_harness: MakeHarness) -> None:
    harness = await make_harness()
    harness.gt.fail(503, times=None, path_prefix="/api/assets/cars")
    with pytest.raises(UpstreamUnavailableError):
        await harness.clock.run_until(harness.bot.catalog.refresh())
    assert harness.gt.count("/api/assets/manufacturers") == 1

    await harness.restart()
    harness.gt.clear_faults()
    harness.gt.reset_counts()
    await harness.clock.run_until(harness.bot.catalog.refresh())

    assert harness.gt.count("/api/assets/manufacturers") == 0  # stored before the fault
    assert car_pages_requested(harness) == PAGES
    assert await stored_car_count(harness) == 482


async def test_a_fresh_catalog_is_not_fetched_again(harness: Harness) -> None:
    await harness.clock.run_until(harness.bot.catalog.refresh())
    harness.gt.reset_counts()
    harness.clock.advance(23 * 3600)
    report = await harness.bot.catalog.refresh()
    assert report.skipped
    assert harness.gt.count() == 0


async def test_a_stale_catalog_is_refilled_and_loses_removed_cars(harness: Harness) -> None:
    user = harness.member("ann")
    await harness.clock.run_until(harness.bot.catalog.refresh())
    cars = harness.gt.dataset.cars
    removed = next(car for car in cars if car.gt7_code == "car1610")
    cars.remove(removed)
    renamed = next(car for car in cars if car.gt7_code == "car1544")
    renamed.name = "Ferrari 430 Scuderia Renamed '07"

    harness.clock.advance(24 * 3600)
    harness.gt.reset_counts()
    await harness.clock.run_until(harness.bot.catalog.refresh())

    assert car_pages_requested(harness) == PAGES
    assert await stored_car_count(harness) == 481
    gone = await harness.slash("car", user=user, car="car1610")
    assert gone.reply.content is not None
    assert gone.reply.content.startswith("No car matches `car1610`.")
    shown = await harness.slash("car", user=user, car="car1544")
    assert shown.reply.embed["title"] == "Ferrari 430 Scuderia Renamed '07"


async def test_the_background_fill_starts_when_the_bot_is_ready(make_harness: MakeHarness) -> None:
    harness = await make_harness(background_loops=True)
    await harness.gateway_ready()
    # Other background loops sleep for long stretches too; virtual time may jump over them.
    await harness.clock.run_until(harness.bot.catalog.wait_until_filled(), limit=30 * 86_400)
    assert await stored_car_count(harness) == 482
    choices = await harness.autocomplete("car", "car", user=harness.member("ann"), car="ferrari 430")
    assert choices[0]["value"] == "car1544"


@pytest.mark.parametrize("renumber", [False, True], ids=["next-link-stays", "same-cars-renumbered"])
async def test_a_paginator_that_repeats_its_pages_costs_a_bounded_number_of_calls(
    make_harness: MakeHarness, caplog: pytest.LogCaptureFixture, renumber: bool
) -> None:
    harness = await make_harness(gtgridstats_metered_per_minute=10)  # one page every 12 s
    harness.gt.repeat_car_pages(page=1, renumber=renumber)
    # Ten minutes are enough for a bounded fill; an unbounded one would still be following next links.
    report = await harness.clock.run_until(harness.bot.catalog.refresh(), limit=600)

    # Page 1, then page 2 (which repeats page 1): the fill stops there instead of following the next link.
    assert car_pages_requested(harness) == [1, 2]
    assert report.completed
    assert await stored_car_count(harness) == 50
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.levelname == "WARNING" and "car catalog" in record.getMessage()
    ]
    assert len(warnings) == 1
    assert "page 2" in warnings[0]
    # Marked complete, so the loop does not come back for it until the catalog is due again.
    harness.gt.reset_counts()
    assert (await harness.bot.catalog.refresh()).skipped
    assert harness.gt.count() == 0


async def test_a_refill_cut_short_by_a_broken_paginator_keeps_the_cars_it_did_not_see(
    harness: Harness,
) -> None:
    await harness.clock.run_until(harness.bot.catalog.refresh())
    assert await stored_car_count(harness) == 482

    harness.clock.advance(24 * 3600)
    harness.gt.repeat_car_pages(page=1)
    report = await harness.clock.run_until(harness.bot.catalog.refresh(), limit=600)

    assert report.completed
    assert car_pages_requested(harness)[-2:] == [1, 2]
    # The broken refill saw only page 1: the rest of the catalog is kept, not read as removed upstream.
    assert await stored_car_count(harness) == 482
    shown = await harness.slash("car", user=harness.member("ann"), car="car1544")
    assert shown.reply.embed["title"]


async def test_the_fill_stops_at_the_hard_page_limit(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.gt.per_page = 2  # 241 honest pages: more than the fill ever follows
    report = await harness.clock.run_until(harness.bot.catalog.refresh(), limit=86_400)

    assert report.completed
    assert car_pages_requested(harness) == list(range(1, MAX_CAR_PAGES + 1))
    assert await stored_car_count(harness) == 2 * MAX_CAR_PAGES
    assert sum(1 for record in caplog.records if record.levelname == "WARNING") == 1
