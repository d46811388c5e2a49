"""The weekly schedule: next-run computation, due runs, pausing, retries, and the background loop."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.services.league_errors import BadTime, BadTimeZone, BadWeekday
from bot.services.league_posts import (
    ERROR_PAUSE_SECONDS,
    MAX_ATTEMPTS,
    LeaguePosts,
    RunOutcome,
    RunStatus,
)
from bot.services.leagues import LeagueService, next_occurrence, parse_time, parse_timezone, parse_weekday
from bot.storage.leagues import League, Schedule
from bot.ui.league_problems import describe_league_error, notice_text
from tests.conftest import Harness
from tests.standins.interactions import FakeChannel

LONDON_MONDAY_8PM = Schedule(weekday=0, at=time(20, 0), timezone="Europe/London")
# The ManualClock starts on Saturday 2026-11-28 12:00 UTC; London is on GMT (UTC+0) then.
FIRST_MONDAY = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
SERIES = 3131


# --- next run ----------------------------------------------------------------------------------------


def test_next_run_is_the_coming_weekday_at_local_time() -> None:
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert next_occurrence(LONDON_MONDAY_8PM, saturday) == FIRST_MONDAY
    # Later the same day, and exactly at the time: next week (strictly after).
    assert next_occurrence(LONDON_MONDAY_8PM, FIRST_MONDAY - timedelta(minutes=1)) == FIRST_MONDAY
    assert next_occurrence(LONDON_MONDAY_8PM, FIRST_MONDAY) == FIRST_MONDAY + timedelta(days=7)


def test_next_run_follows_the_local_clock_through_summer_time() -> None:
    # 20:00 in London is 19:00 UTC in summer.
    assert next_occurrence(LONDON_MONDAY_8PM, datetime(2027, 6, 1, tzinfo=UTC)) == datetime(
        2027, 6, 7, 19, 0, tzinfo=UTC
    )
    tokyo = Schedule(weekday=0, at=time(8, 0), timezone="Asia/Tokyo")  # Monday 08:00 JST = Sunday 23:00 UTC
    assert next_occurrence(tokyo, datetime(2026, 11, 28, 0, 0, tzinfo=UTC)) == datetime(
        2026, 11, 29, 23, 0, tzinfo=UTC
    )


def test_times_that_do_not_exist_or_happen_twice_are_well_defined() -> None:
    # London springs forward on Sunday 2027-03-28 at 01:00 UTC: 01:30 local does not exist that day.
    gap = Schedule(weekday=6, at=time(1, 30), timezone="Europe/London")
    assert next_occurrence(gap, datetime(2027, 3, 27, tzinfo=UTC)) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    # It falls back on Sunday 2026-10-25: 01:30 local happens twice; the first (BST, 00:30 UTC) is used.
    fold = Schedule(weekday=6, at=time(1, 30), timezone="Europe/London")
    assert next_occurrence(fold, datetime(2026, 10, 24, tzinfo=UTC)) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "day"), [("Monday", 0), ("mon", 0), ("TU", 1), ("thursday", 3), ("Sun", 6), (" sat ", 5)]
)
def test_weekdays_are_read_by_name_or_prefix(text: str, day: int) -> None:
    assert parse_weekday(text) == day


@pytest.mark.parametrize("text", ["", "t", "s", "Funday", "8", "Mondays"])
def test_unknown_or_ambiguous_weekdays_are_refused(text: str) -> None:
    with pytest.raises(BadWeekday) as refused:
        parse_weekday(text)
    assert "is not a weekday" in describe_league_error(refused.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20:00", time(20)),
        ("8:05", time(8, 5)),
        ("20.30", time(20, 30)),
        ("8pm", time(20)),
        ("12 am", time(0)),
    ],
)
def test_times_are_read_in_24_or_12_hour_form(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "20:60", "13pm", "noon", "", "20"])
def test_impossible_times_are_refused(text: str) -> None:
    with pytest.raises(BadTime) as refused:
        parse_time(text)
    assert "is not a time" in describe_league_error(refused.value)


def test_time_zones_are_iana_names_in_any_case() -> None:
    assert parse_timezone("europe/london") == "Europe/London"
    assert parse_timezone("UTC") == "UTC"
    for text in ("Mars/Olympus", "GMT+25", "", "../../etc/passwd"):
        with pytest.raises(BadTimeZone) as refused:
            parse_timezone(text)
        assert "is not a time zone" in describe_league_error(refused.value)


# --- due runs ----------------------------------------------------------------------------------------


async def scheduled_league(harness: Harness, *, roster: tuple[str, ...] = ("lead_one", "second_2")) -> League:
    harness.gt.dataset.add_series(
        SERIES,
        "Nations Cup",
        {
            "lead_one": (1, [(1, 100, True), (2, 20, False), (3, 60, True)]),  # 160
            "second_2": (2, [(1, 80, True), (2, 60, True), (3, 10, False)]),  # 140
        },
    )
    store = harness.bot.leagues
    channel = FakeChannel(harness.guild)
    league = await store.create(harness.guild.id, "Sunday Cup", SERIES, channel.id, 1, harness.clock.now())
    await store.add_drivers(league, list(roster), harness.clock.now())
    schedule = LONDON_MONDAY_8PM
    change = await harness.bot.league_service.set_schedule(
        league, schedule.weekday, schedule.at, schedule.timezone
    )
    return change.league


async def test_a_post_is_due_at_its_time_not_before(harness: Harness) -> None:
    league = await scheduled_league(harness)
    schedule = harness.bot.league_posts
    assert league.next_post_at == FIRST_MONDAY
    assert await schedule.run_due(FIRST_MONDAY - timedelta(seconds=1)) == []
    assert harness.discord.messages_in(league.channel_id) == []
    harness.clock.set(FIRST_MONDAY)
    outcomes = await schedule.run_due(FIRST_MONDAY)
    assert [(outcome.league_id, outcome.status) for outcome in outcomes] == [(league.id, RunStatus.POSTED)]
    (message,) = harness.discord.messages_in(league.channel_id)
    assert "Sunday Cup" in message.embeds[0]["title"]
    assert message.attachments[0].filename.endswith(".png")
    stored = await harness.bot.leagues.get(league.id)
    assert stored is not None
    assert stored.next_post_at == FIRST_MONDAY + timedelta(days=7)
    assert stored.last_posted_at == FIRST_MONDAY
    assert await harness.bot.leagues.previous_positions(league.id) == {"lead_one": 1, "second_2": 2}
    assert await schedule.run_due(FIRST_MONDAY + timedelta(hours=1)) == []


async def test_weeks_missed_offline_give_one_post_then_the_next_regular_slot(harness: Harness) -> None:
    league = await scheduled_league(harness)
    three_weeks_later = FIRST_MONDAY + timedelta(days=21, hours=3)
    harness.clock.set(three_weeks_later)
    outcomes = await harness.bot.league_posts.run_due(three_weeks_later)
    assert [outcome.status for outcome in outcomes] == [RunStatus.POSTED]
    assert len(harness.discord.messages_in(league.channel_id)) == 1
    stored = await harness.bot.leagues.get(league.id)
    assert stored is not None
    assert stored.next_post_at == FIRST_MONDAY + timedelta(days=28)
    assert await harness.bot.league_posts.run_due(three_weeks_later) == []


async def test_a_forbidden_channel_pauses_the_schedule_with_one_notice(harness: Harness) -> None:
    league = await scheduled_league(harness)
    harness.discord.forbidden_channels.add(league.channel_id)
    outcomes = await harness.bot.league_posts.run_due(FIRST_MONDAY)
    assert [outcome.status for outcome in outcomes] == [RunStatus.PAUSED]
    stored = await harness.bot.leagues.get(league.id)
    assert stored is not None
    assert stored.paused
    assert stored.next_post_at is None
    # Not retried: a week later nothing is due and no more requests go to the channel.
    calls = len(harness.discord.calls)
    assert await harness.bot.league_posts.run_due(FIRST_MONDAY + timedelta(days=7)) == []
    assert len(harness.discord.calls) == calls
    (notice,) = await harness.bot.leagues.pending_notices(harness.guild.id)
    assert f"<#{league.channel_id}>" in notice_text(notice.message)
    assert "paused" in notice_text(notice.message)


async def test_an_empty_roster_pauses_with_a_notice(harness: Harness) -> None:
    league = await scheduled_league(harness, roster=())
    outcomes = await harness.bot.league_posts.run_due(FIRST_MONDAY)
    assert [outcome.status for outcome in outcomes] == [RunStatus.PAUSED]
    (notice,) = await harness.bot.leagues.pending_notices(harness.guild.id)
    assert "roster is empty" in notice_text(notice.message)
    assert harness.discord.messages_in(league.channel_id) == []


async def test_gt_grid_stats_down_is_retried_a_few_times_then_that_week_is_skipped(harness: Harness) -> None:
    league = await scheduled_league(harness)
    schedule = harness.bot.league_posts
    harness.gt.fail(503, times=None, path_prefix="/api/series-")
    now = FIRST_MONDAY
    statuses = []
    for _ in range(MAX_ATTEMPTS):
        harness.clock.set(now)
        (outcome,) = await harness.clock.run_until(schedule.run_due(now))
        statuses.append(outcome.status)
        stored = await harness.bot.leagues.get(league.id)
        assert stored is not None
        assert stored.next_post_at is not None
        now = stored.next_post_at
    assert statuses == [RunStatus.RETRYING] * (MAX_ATTEMPTS - 1) + [RunStatus.SKIPPED]
    assert now == FIRST_MONDAY + timedelta(days=7)
    (notice,) = await harness.bot.leagues.pending_notices(harness.guild.id)
    assert "were not posted" in notice_text(notice.message)
    assert harness.discord.messages_in(league.channel_id) == []
    # Back up by next week: the post goes out as usual.
    harness.gt.clear_faults()
    harness.clock.set(now)
    (outcome,) = await schedule.run_due(now)
    assert outcome.status is RunStatus.POSTED


async def test_the_loop_sleeps_until_the_post_is_due_then_posts(harness: Harness) -> None:
    league = await scheduled_league(harness)
    harness.clock.set(FIRST_MONDAY - timedelta(minutes=2))
    loop = asyncio.create_task(harness.bot.league_posts.run_forever())
    try:
        # run_until moves time only to the next sleeper's deadline: the post came exactly on time.
        await harness.clock.run_until(
            harness.discord.wait_for(lambda: len(harness.discord.messages_in(league.channel_id)) == 1)
        )
        assert harness.clock.now() == FIRST_MONDAY
    finally:
        loop.cancel()


async def test_a_schedule_set_while_the_loop_sleeps_wakes_it(harness: Harness) -> None:
    league = await scheduled_league(harness)
    schedule = harness.bot.league_posts
    await harness.bot.league_service.set_schedule(league, None, None, None)
    loop = asyncio.create_task(schedule.run_forever())
    try:
        soon = Schedule(weekday=5, at=time(12, 5), timezone="UTC")  # Saturday 12:05 UTC: five minutes away
        await harness.bot.league_service.set_schedule(league, soon.weekday, soon.at, soon.timezone)
        await harness.clock.run_until(
            harness.discord.wait_for(lambda: len(harness.discord.messages_in(league.channel_id)) == 1)
        )
        assert harness.clock.now() == datetime(2026, 11, 28, 12, 5, tzinfo=UTC)
    finally:
        loop.cancel()


async def test_too_little_quota_left_waits_for_the_reset_instead_of_pausing(harness: Harness) -> None:
    roster = tuple(f"racer_{number:02d}" for number in range(20))  # two calls' worth
    league = await scheduled_league(harness, roster=roster)
    harness.gt.dataset.add_series(SERIES, "Nations Cup", {psn: (1, [(1, 10, True)]) for psn in roster})
    harness.clock.set(FIRST_MONDAY)
    harness.bot.api.budget.quota.observe(100, 1)
    (outcome,) = await harness.bot.league_posts.run_due(FIRST_MONDAY)
    assert outcome.status is RunStatus.RETRYING
    stored = await harness.bot.leagues.get(league.id)
    assert stored is not None
    resets_at = harness.bot.api.budget.quota.resets_at
    assert resets_at is not None
    assert stored.next_post_at == resets_at + timedelta(minutes=1)
    assert await harness.bot.leagues.pending_notices(harness.guild.id) == []
    assert harness.gt.count("/api/series-") == 0


# --- never twice for one due time, never a spinning loop (issue #9) ----------------------------------


class CountedRuns:
    """Wraps `run_due` to record the time of each run; `enough` is set after `wanted` runs."""

    def __init__(self, schedule: LeaguePosts, wanted: int) -> None:
        self.times: list[datetime] = []
        self.enough = asyncio.Event()
        self._wanted = wanted
        self._run_due = schedule.run_due
        schedule.run_due = self._counted  # type: ignore[method-assign]

    async def _counted(self, now: datetime) -> list[RunOutcome]:
        self.times.append(now)
        if len(self.times) >= self._wanted:
            self.enough.set()
        return await self._run_due(now)


async def run_loop_until(harness: Harness, runs: CountedRuns) -> None:
    loop = asyncio.create_task(harness.bot.league_posts.run_forever())
    try:
        await harness.clock.run_until(runs.enough.wait(), limit=30 * 86_400)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop


async def test_two_schedulers_over_one_database_post_a_due_time_once(harness: Harness) -> None:
    """The guarantee is in storage, not only in one process's lock: a second scheduler (another process,
    or the same bot's lock lost) finds the due time taken and moves on without posting."""
    league = await scheduled_league(harness)
    first = harness.bot.league_posts
    service = LeagueService(harness.bot.leagues, harness.bot.links, harness.bot.standings, harness.clock)
    second = LeaguePosts(service, first.poster, harness.clock)
    harness.clock.set(FIRST_MONDAY)
    outcomes = await asyncio.gather(first.run_due(FIRST_MONDAY), second.run_due(FIRST_MONDAY))
    statuses = sorted(outcome.status for batch in outcomes for outcome in batch)
    assert statuses == sorted([RunStatus.POSTED, RunStatus.SKIPPED])
    assert len(harness.discord.messages_in(league.channel_id)) == 1
    stored = await harness.bot.leagues.get(league.id)
    assert stored is not None
    assert stored.next_post_at == FIRST_MONDAY + timedelta(days=7)
    assert await harness.bot.leagues.pending_notices(harness.guild.id) == []


async def test_a_next_post_without_a_schedule_never_spins_the_loop(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """The state the issue's race left behind: the schedule is off but a next post time is stored."""
    league = await scheduled_league(harness)
    async with harness.bot.database.transaction() as connection:
        await connection.execute(
            "UPDATE leagues SET schedule_weekday = NULL, schedule_time = NULL, schedule_tz = NULL "
            "WHERE id = ?",
            (league.id,),
        )
    harness.clock.set(FIRST_MONDAY + timedelta(minutes=1))
    runs = CountedRuns(harness.bot.league_posts, wanted=3)
    await run_loop_until(harness, runs)
    assert runs.times == sorted(set(runs.times))  # time moved on between every two runs
    assert harness.discord.messages_in(league.channel_id) == []
    stored = await harness.bot.leagues.get(league.id)
    assert stored is not None
    assert stored.next_post_at is None
    assert "has no schedule" in caplog.text


async def test_a_due_time_already_posted_is_skipped_and_the_loop_does_not_spin(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Even when storage does not move the post on (here a trigger ignores every change of the next post
    time), the loop posts once for the due time and then only looks again after a pause."""
    league = await scheduled_league(harness)
    async with harness.bot.database.transaction() as connection:
        await connection.execute(
            "CREATE TEMP TRIGGER stuck BEFORE UPDATE OF next_post_at ON leagues "
            "BEGIN SELECT RAISE(IGNORE); END"
        )
    harness.clock.set(FIRST_MONDAY)
    runs = CountedRuns(harness.bot.league_posts, wanted=4)
    await run_loop_until(harness, runs)
    assert runs.times == sorted(set(runs.times))
    assert runs.times[1] - runs.times[0] >= timedelta(seconds=ERROR_PAUSE_SECONDS)
    assert len(harness.discord.messages_in(league.channel_id)) == 1
    assert "already posted" in caplog.text
