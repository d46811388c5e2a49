"""League storage: names per guild, rosters with their limit, schedules, posted positions and notices."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.storage.database import Database, bundled_migrations
from bot.storage.leagues import (
    CLAIMS_KEPT,
    MAX_LEAGUES_PER_GUILD,
    LeagueExistsError,
    LeagueStore,
    RosterFullError,
    Schedule,
    TooManyLeaguesError,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 111, 222
MONDAY_8PM = Schedule(weekday=0, at=time(20, 0), timezone="Europe/London")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[LeagueStore]:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        await database.migrate()
        yield LeagueStore(database)


async def test_names_are_unique_per_guild_ignoring_case(store: LeagueStore) -> None:
    created = await store.create(GUILD, "Sunday Cup", 1564, 900, 5, NOW)
    assert created.name == "Sunday Cup"
    assert created.schedule is None
    assert created.next_post_at is None
    with pytest.raises(LeagueExistsError):
        await store.create(GUILD, "sunday cup", 1, 900, 5, NOW)
    # Another guild may use the same name.
    await store.create(OTHER_GUILD, "Sunday Cup", 1, 901, 6, NOW)
    found = await store.find(GUILD, "SUNDAY CUP")
    assert found is not None
    assert found.id == created.id
    assert [league.name for league in await store.for_guild(GUILD)] == ["Sunday Cup"]


async def test_a_guild_runs_at_most_25_leagues(store: LeagueStore) -> None:
    for number in range(MAX_LEAGUES_PER_GUILD):
        await store.create(GUILD, f"League {number}", 1, 900, 5, NOW)
    with pytest.raises(TooManyLeaguesError):
        await store.create(GUILD, "One too many", 1, 900, 5, NOW)
    assert len(await store.for_guild(GUILD)) == MAX_LEAGUES_PER_GUILD


async def test_roster_adds_new_drivers_reports_known_ones_and_removes(store: LeagueStore) -> None:
    league = await store.create(GUILD, "Cup", 1, 900, 5, NOW)
    added, already = await store.add_drivers(league, ["alpha_one", "beta_two"], NOW)
    assert (added, already) == (["alpha_one", "beta_two"], [])
    added, already = await store.add_drivers(league, ["ALPHA_ONE", "gamma_3"], NOW)
    assert (added, already) == (["gamma_3"], ["ALPHA_ONE"])
    assert await store.roster(league.id) == ["alpha_one", "beta_two", "gamma_3"]
    removed = await store.remove_drivers(league.id, ["Beta_Two", "nobody_x"])
    assert removed == ["beta_two"]
    assert await store.roster(league.id) == ["alpha_one", "gamma_3"]


async def test_a_roster_over_its_limit_adds_nothing(store: LeagueStore) -> None:
    league = await store.create(GUILD, "Cup", 1, 900, 5, NOW)
    await store.add_drivers(league, [f"drv{n:03d}" for n in range(150)], NOW)
    with pytest.raises(RosterFullError) as failure:
        await store.add_drivers(league, [f"new{n:03d}" for n in range(51)], NOW)
    assert (failure.value.current, failure.value.adding, failure.value.limit) == (150, 51, 200)
    assert len(await store.roster(league.id)) == 150
    # Known drivers do not count against the limit.
    added, _ = await store.add_drivers(league, [*(f"drv{n:03d}" for n in range(100)), *("x01", "x02")], NOW)
    assert added == ["x01", "x02"]


async def test_due_leagues_and_the_next_post_time(store: LeagueStore) -> None:
    first = await store.create(GUILD, "First", 1, 900, 5, NOW)
    second = await store.create(GUILD, "Second", 1, 900, 5, NOW)
    await store.create(GUILD, "Unscheduled", 1, 900, 5, NOW)
    monday = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    await store.set_schedule(first.id, MONDAY_8PM, monday)
    await store.set_schedule(second.id, MONDAY_8PM, monday + timedelta(days=1))
    assert await store.next_post_time() == monday
    assert await store.due(monday - timedelta(seconds=1)) == []
    assert [league.name for league in await store.due(monday)] == ["First"]
    assert [league.name for league in await store.due(monday + timedelta(days=2))] == ["First", "Second"]
    stored = await store.get(first.id)
    assert stored is not None
    assert stored.schedule == MONDAY_8PM


async def test_a_post_replaces_the_previous_positions_and_moves_the_schedule_on(store: LeagueStore) -> None:
    league = await store.create(GUILD, "Cup", 1, 900, 5, NOW)
    monday = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    league = await store.set_schedule(league.id, MONDAY_8PM, monday)
    week = monday + timedelta(days=7)
    await store.record_post(league, {"alpha_one": 1, "beta_two": 2}, monday, due_at=monday, next_post_at=week)
    await store.record_post(league, {"Beta_Two": 1, "alpha_one": 2}, monday, due_at=monday, next_post_at=week)
    assert await store.previous_positions(league.id) == {"beta_two": 1, "alpha_one": 2}
    stored = await store.get(league.id)
    assert stored is not None
    assert stored.last_posted_at == monday
    assert stored.next_post_at == monday + timedelta(days=7)


async def test_pausing_stops_the_schedule_and_leaves_one_notice(store: LeagueStore) -> None:
    league = await store.create(GUILD, "Cup", 1, 900, 5, NOW)
    league = await store.set_schedule(league.id, MONDAY_8PM, NOW + timedelta(days=2))
    await store.pause(league.id, "The channel refused the post.", NOW)
    paused = await store.get(league.id)
    assert paused is not None
    assert paused.paused
    assert paused.next_post_at is None
    assert paused.schedule == MONDAY_8PM  # kept, so /league schedule can resume it
    assert await store.next_post_time() is None
    notices = await store.pending_notices(GUILD)
    assert [notice.message for notice in notices] == ["The channel refused the post."]
    assert await store.pending_notices(OTHER_GUILD) == []
    await store.mark_reported([notice.id for notice in notices], NOW)
    assert await store.pending_notices(GUILD) == []
    resumed = await store.set_schedule(league.id, MONDAY_8PM, NOW + timedelta(days=2))
    assert not resumed.paused


async def test_retries_count_and_a_skip_resets_them(store: LeagueStore) -> None:
    league = await store.create(GUILD, "Cup", 1, 900, 5, NOW)
    league = await store.set_schedule(league.id, MONDAY_8PM, NOW)
    await store.retry_later(league.id, NOW + timedelta(minutes=30))
    retried = await store.get(league.id)
    assert retried is not None
    assert (retried.failed_attempts, retried.next_post_at) == (1, NOW + timedelta(minutes=30))
    await store.skip_to(league.id, NOW + timedelta(days=7), "Skipped this week.", NOW)
    skipped = await store.get(league.id)
    assert skipped is not None
    assert (skipped.failed_attempts, skipped.next_post_at) == (0, NOW + timedelta(days=7))
    assert [notice.message for notice in await store.pending_notices(GUILD)] == ["Skipped this week."]


async def test_a_new_series_forgets_positions_of_the_old_one(store: LeagueStore) -> None:
    league = await store.create(GUILD, "Cup", 1, 900, 5, NOW)
    await store.record_post(league, {"alpha_one": 1}, NOW)
    await store.update_target(league.id, 1, 901, None)
    assert await store.previous_positions(league.id) == {"alpha_one": 1}
    moved = await store.update_target(league.id, 2, 901, None)
    assert (moved.series_id, moved.channel_id) == (2, 901)
    assert await store.previous_positions(league.id) == {}


async def test_delete_and_guild_purge_remove_everything(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        await database.migrate()
        store = LeagueStore(database)
        kept = await store.create(OTHER_GUILD, "Kept", 1, 900, 5, NOW)
        await store.add_drivers(kept, ["alpha_one"], NOW)
        for name in ("One", "Two"):
            league = await store.create(GUILD, name, 1, 900, 5, NOW)
            await store.add_drivers(league, ["alpha_one", "beta_two"], NOW)
            await store.record_post(league, {"alpha_one": 1}, NOW)
            await store.pause(league.id, "paused", NOW)
        one = await store.find(GUILD, "One")
        assert one is not None
        assert await store.delete(one.id)
        assert await store.roster(one.id) == []
        assert await store.previous_positions(one.id) == {}
        await database.purge_guild(GUILD)
        for table in ("leagues", "league_drivers", "league_positions", "league_notices"):
            row = await database.fetch_one(f"SELECT COUNT(*) FROM {table} WHERE guild_id = ?", (GUILD,))
            assert row is not None
            assert row[0] == 0, table
        assert await store.roster(kept.id) == ["alpha_one"]


# --- one post per due time, and no stale next post (issue #9) ----------------------------------------

MONDAY = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)


async def test_a_due_time_can_be_claimed_once(store: LeagueStore, tmp_path: Path) -> None:
    league = await store.create(GUILD, "Cup", 1, 900, 5, NOW)
    other = await store.create(GUILD, "Other", 1, 900, 5, NOW)
    assert await store.claim_post(league, MONDAY, NOW)
    assert not await store.claim_post(league, MONDAY, NOW + timedelta(minutes=5))
    assert await store.claim_post(other, MONDAY, NOW)  # per league
    assert await store.claim_post(league, MONDAY + timedelta(minutes=30), NOW)  # a retry's new time
    # The schema itself refuses a second post for one due time, whoever writes it.
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        with pytest.raises(sqlite3.IntegrityError):
            async with database.transaction() as connection:
                await connection.execute(
                    "INSERT INTO league_posts (guild_id, league_id, due_at, claimed_at) VALUES (?, ?, ?, ?)",
                    (GUILD, league.id, "2026-11-30T20:00:00+00:00", "2026-11-30T20:00:00+00:00"),
                )


async def test_old_claims_are_pruned_as_new_ones_are_taken(store: LeagueStore) -> None:
    league = await store.create(GUILD, "Cup", 1, 900, 5, NOW)
    for week in range(60):
        assert await store.claim_post(league, MONDAY + timedelta(days=7 * week), NOW)
    row = await store._db.fetch_one("SELECT COUNT(*) FROM league_posts WHERE league_id = ?", (league.id,))
    assert row is not None
    assert row[0] <= CLAIMS_KEPT.days // 7 + 1


async def test_a_post_keeps_a_schedule_changed_meanwhile_and_never_a_next_post_without_one(
    store: LeagueStore,
) -> None:
    league = await store.create(GUILD, "Cup", 1, 900, 5, NOW)
    read_before = await store.set_schedule(league.id, MONDAY_8PM, MONDAY)
    week = MONDAY + timedelta(days=7)
    # Changed while the post was made: the change's time stays.
    wednesday = Schedule(weekday=2, at=time(21, 0), timezone="UTC")
    await store.set_schedule(league.id, wednesday, datetime(2026, 12, 2, 21, 0, tzinfo=UTC))
    await store.record_post(read_before, {"alpha_one": 1}, MONDAY, due_at=MONDAY, next_post_at=week)
    changed = await store.get(league.id)
    assert changed is not None
    assert (changed.schedule, changed.next_post_at) == (wednesday, datetime(2026, 12, 2, 21, 0, tzinfo=UTC))
    assert changed.last_posted_at == MONDAY
    # Turned off, and the stale next time named by a post that read the old row is not stored.
    await store.set_schedule(league.id, MONDAY_8PM, MONDAY)
    await store.clear_schedule(league.id)
    async with store._db.transaction() as connection:  # as if the clear had raced with the post's read
        await connection.execute(
            "UPDATE leagues SET next_post_at = ? WHERE id = ?", ("2026-11-30T20:00:00+00:00", league.id)
        )
    await store.record_post(read_before, {"alpha_one": 1}, MONDAY, due_at=MONDAY, next_post_at=week)
    off = await store.get(league.id)
    assert off is not None
    assert (off.schedule, off.next_post_at) == (None, None)
    # A post by hand leaves the schedule alone, and cannot name a next time without the due time.
    scheduled = await store.set_schedule(league.id, MONDAY_8PM, week)
    await store.record_post(scheduled, {"alpha_one": 2}, NOW)
    kept = await store.get(league.id)
    assert kept is not None
    assert kept.next_post_at == week
    with pytest.raises(ValueError, match="due time"):
        await store.record_post(scheduled, {"alpha_one": 2}, NOW, next_post_at=week)


async def test_the_migration_clears_a_next_post_left_without_a_schedule(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        migrations = bundled_migrations()
        await database.migrate([m for m in migrations if m.version < 5])
        store = LeagueStore(database)
        broken = await store.create(GUILD, "Broken", 1, 900, 5, NOW)
        fine = await store.create(GUILD, "Fine", 1, 900, 5, NOW)
        await store.set_schedule(fine.id, MONDAY_8PM, MONDAY)
        async with database.transaction() as connection:
            await connection.execute(
                "UPDATE leagues SET next_post_at = ? WHERE id = ?", ("2026-11-30T20:00:00+00:00", broken.id)
            )
        assert await database.migrate(migrations) >= 5
        healed = await store.get(broken.id)
        kept = await store.get(fine.id)
        assert healed is not None
        assert kept is not None
        assert healed.next_post_at is None
        assert kept.next_post_at == MONDAY
