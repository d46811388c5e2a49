"""The standings service: ranking rules, and fetching through the real client from the GT stand-in."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest

from bot.gtgridstats.errors import InvalidIdentifierError, QuotaExhaustedError
from bot.gtgridstats.models import SeriesDriver, SeriesRound
from bot.services.driver_refs import ResolvedDriver
from bot.services.standings import QuotaShortError, RoundScore, StandingsError, StandingsService, rank
from bot.ui.standings import describe_standings_error
from tests.conftest import Harness

SERIES = 4242


def result(
    psn: str, total: int, season_rank: int | None, rounds: list[tuple[int, int, bool]]
) -> SeriesDriver:
    return SeriesDriver(
        psn=psn,
        season_rank=season_rank,
        total_points=total,
        rounds=[SeriesRound(no=no, points=points, is_counted=counted) for no, points, counted in rounds],
    )


def drivers(*psn_ids: str) -> list[ResolvedDriver]:
    return [ResolvedDriver(psn_id=psn, member_id=None) for psn in psn_ids]


def add_roster_series(harness: Harness, count: int, series_id: int = SERIES) -> list[str]:
    """`count` drivers, each with a different total (driver 0 leads)."""
    psn_ids = [f"racer{number:03d}" for number in range(count)]
    harness.gt.dataset.add_series(
        series_id,
        "Manufacturers Cup",
        {psn: (rank_no + 1, [(1, 500 - rank_no, True)]) for rank_no, psn in enumerate(psn_ids)},
    )
    return psn_ids


def test_equal_totals_share_a_position_and_season_rank_then_psn_orders_them() -> None:
    rows = rank(
        [
            result("Zed_9", 80, 7, [(1, 80, True)]),
            result("carol", 100, 3, [(1, 100, True)]),
            result("bob", 100, 2, [(1, 100, True)]),
            result("alice", 100, 2, [(1, 100, True)]),
            result("dave", 60, None, [(1, 60, True)]),
            result("erin", 60, 9, [(1, 60, True)]),
        ],
        {"carol": 42},
    )
    assert [(row.position, row.psn_id, row.tied) for row in rows] == [
        (1, "alice", True),
        (1, "bob", True),
        (1, "carol", True),
        (4, "Zed_9", False),
        (5, "erin", True),  # a known season rank comes before an unknown one
        (5, "dave", True),
    ]
    assert rows[2].member_id == 42
    assert [row.gap_to_leader for row in rows] == [0, 0, 0, 20, 40, 40]
    assert [row.gap_to_ahead for row in rows] == [None, 0, 0, 20, 20, 0]


def test_rounds_are_ordered_and_dropped_rounds_are_marked() -> None:
    (row,) = rank([result("alice", 90, 1, [(3, 40, True), (1, 50, True), (2, 10, False)])], {})
    assert row.rounds == (RoundScore(1, 50, True), RoundScore(2, 10, False), RoundScore(3, 40, True))
    assert row.dropped_rounds == [2]
    assert row.total_points == 90  # as the series counts it, not re-added here


async def test_40_drivers_take_3_calls_of_at_most_16(harness: Harness) -> None:
    psn_ids = add_roster_series(harness, 40)
    harness.gt.reset_counts()
    standings = await harness.bot.standings.standings(SERIES, drivers(*psn_ids))
    requests = [request for request in harness.gt.requests if request.path.startswith("/api/series-")]
    assert len(requests) == 3
    batches = [unquote(request.path.rsplit("/", 1)[1]).split(",") for request in requests]
    assert sorted(len(batch) for batch in batches) == [8, 16, 16]
    assert sorted(psn for batch in batches for psn in batch) == sorted(psn_ids)
    assert [row.psn_id for row in standings.rows] == psn_ids
    assert standings.series_type == "Manufacturers Cup"
    assert standings.rows[-1].gap_to_leader == 39


async def test_fresh_rows_are_reused_and_stale_ones_fetched_again(harness: Harness) -> None:
    psn_ids = add_roster_series(harness, 20)
    service = harness.bot.standings
    first = await service.standings(SERIES, drivers(*psn_ids[:10]))
    harness.gt.reset_counts()
    # Ten known, ten new: only the new ten cost a call.
    await service.standings(SERIES, drivers(*psn_ids))
    assert harness.gt.count("/api/series-") == 1
    again = await service.standings(SERIES, drivers(*psn_ids[:10]))
    assert harness.gt.count("/api/series-") == 1
    assert again.as_of == first.as_of  # said "as of" the first fetch
    assert harness.bot.api.budget.usage.cache.hits >= 1
    harness.clock.advance(31 * 60)
    await service.standings(SERIES, drivers(*psn_ids[:10]))
    assert harness.gt.count("/api/series-") == 2


async def test_a_missing_series_is_named_and_costs_one_call(harness: Harness) -> None:
    harness.gt.reset_counts()
    with pytest.raises(StandingsError) as refused:
        await harness.bot.standings.standings(999, drivers(*(f"racer{n:03d}" for n in range(40))))
    assert re.search("no series 999", describe_standings_error(refused.value))
    assert harness.gt.count("/api/series-") == 1


async def test_drivers_without_results_are_listed_and_nobody_is_an_error(harness: Harness) -> None:
    add_roster_series(harness, 3)
    standings = await harness.bot.standings.standings(SERIES, drivers("racer000", "ghost_one"))
    assert [row.psn_id for row in standings.rows] == ["racer000"]
    assert standings.missing == ("ghost_one",)
    with pytest.raises(StandingsError) as refused:
        await harness.bot.standings.standings(SERIES, drivers("ghost_one", "ghost_two"))
    assert re.search("None of the 2 drivers", describe_standings_error(refused.value))


async def test_bad_requests_cost_no_call(harness: Harness) -> None:
    harness.gt.reset_counts()
    service = harness.bot.standings
    with pytest.raises(InvalidIdentifierError):
        await service.standings(0, drivers("racer000"))
    with pytest.raises(StandingsError) as refused:
        await service.standings(SERIES, [])
    assert re.search("empty", describe_standings_error(refused.value))
    with pytest.raises(StandingsError) as refused:
        await service.standings(SERIES, drivers(*(f"racer{n:03d}" for n in range(201))))
    assert re.search("at most 200", describe_standings_error(refused.value))
    assert harness.gt.count() == 0


async def test_duplicates_are_asked_once(harness: Harness) -> None:
    add_roster_series(harness, 2)
    harness.gt.reset_counts()
    standings = await harness.bot.standings.standings(SERIES, drivers("racer000", "RACER000", "racer001"))
    assert [row.psn_id for row in standings.rows] == ["racer000", "racer001"]
    assert unquote(harness.gt.requests[0].path).endswith("/racer000,racer001")


async def test_a_roster_bigger_than_the_quota_left_is_refused_up_front(harness: Harness) -> None:
    psn_ids = add_roster_series(harness, 40)
    harness.bot.api.budget.quota.remaining = 2
    harness.gt.reset_counts()
    with pytest.raises(StandingsError) as refused:
        await harness.bot.standings.standings(SERIES, drivers(*psn_ids))
    assert re.search(
        "need 3 GT Grid Stats requests and only 2 are left", describe_standings_error(refused.value)
    )
    assert harness.gt.count() == 0


async def test_a_failing_later_batch_raises_its_own_error_and_keeps_the_batches_that_landed(
    harness: Harness,
) -> None:
    psn_ids = add_roster_series(harness, 40)
    harness.gt.quota_limit, harness.gt.quota_remaining = 100, 2  # the first two calls, then "Quota Exceeded"
    with pytest.raises(QuotaExhaustedError):
        await harness.bot.standings.standings(SERIES, drivers(*psn_ids))
    harness.gt.quota_remaining = 100
    harness.bot.api.budget.quota.observe(100, 100)  # the quota reset
    harness.gt.reset_counts()
    table = await harness.bot.standings.standings(SERIES, drivers(*psn_ids))
    assert len(table.rows) == 40
    assert harness.gt.count("/api/series-") == 1  # only the batch that failed is asked again


async def test_series_ids_refused_before_any_call_leave_nothing_in_memory(harness: Harness) -> None:
    psn_ids = add_roster_series(harness, 20)
    harness.bot.api.budget.quota.remaining = 1  # 20 drivers need 2 calls: refused up front
    harness.gt.reset_counts()
    service = harness.bot.standings
    for series_id in range(1, 20_001):
        with pytest.raises(QuotaShortError):
            await service.standings(series_id, drivers(*psn_ids))
    assert harness.gt.count() == 0
    assert service.cached_rows == 0


async def test_an_unknown_series_leaves_nothing_in_memory(harness: Harness) -> None:
    service = harness.bot.standings
    for series_id in (777_001, 777_002, 777_003):
        with pytest.raises(StandingsError) as refused:
            await service.standings(series_id, drivers("racer000"))
        assert "has no series" in describe_standings_error(refused.value)
    assert service.cached_rows == 0


async def test_kept_rows_are_bounded_and_the_least_recently_used_go_first(harness: Harness) -> None:
    series = [6001, 6002, 6003]
    rosters = {series_id: add_roster_series(harness, 16, series_id) for series_id in series}
    service = StandingsService(
        harness.bot.api, harness.clock, max_age=timedelta(minutes=30), max_cached_rows=32
    )
    for series_id in series:
        await service.standings(series_id, drivers(*rosters[series_id]))
    assert service.cached_rows == 32
    harness.gt.reset_counts()
    await service.standings(6003, drivers(*rosters[6003]))  # still kept
    assert harness.gt.count() == 0
    await service.standings(6001, drivers(*rosters[6001]))  # dropped to stay within 32 rows
    assert harness.gt.count("/api/series-") == 1
    assert service.cached_rows == 32


async def test_kept_rows_expire_after_the_refresh_interval(harness: Harness) -> None:
    psn_ids = add_roster_series(harness, 3)
    service = harness.bot.standings
    await service.standings(SERIES, drivers(*psn_ids))
    harness.clock.advance(29 * 60)
    harness.gt.reset_counts()
    await service.standings(SERIES, drivers(*psn_ids))
    assert harness.gt.count() == 0
    harness.clock.advance(60)
    await service.standings(SERIES, drivers(*psn_ids))
    assert harness.gt.count("/api/series-") == 1
