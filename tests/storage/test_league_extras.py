"""Penalties, teams (a driver in at most one team per league) and season settings."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.league_extras import (
    MAX_TEAM_DRIVERS,
    DriverInOtherTeamError,
    LeagueExtrasStore,
    SeasonSettings,
    TeamFullError,
)
from bot.storage.leagues import LeagueStore

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
GUILD = 111


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[Database, LeagueStore, LeagueExtrasStore]]:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        await database.migrate()
        yield database, LeagueStore(database), LeagueExtrasStore(database)


async def test_penalties_are_listed_with_who_and_when_and_removed_per_league(
    stores: tuple[Database, LeagueStore, LeagueExtrasStore],
) -> None:
    _, leagues, extras = stores
    cup = await leagues.create(GUILD, "Cup", 1564, 900, 5, NOW)
    other = await leagues.create(GUILD, "Other", 1564, 900, 5, NOW)
    given = await extras.add_penalty(GUILD, cup.id, "Driver_A", -5, 3, "Track limits", 42, NOW)
    assert (given.points, given.round_no, given.reason, given.given_by, given.given_at) == (
        -5,
        3,
        "Track limits",
        42,
        NOW,
    )
    assert [p.id for p in await extras.penalties(cup.id)] == [given.id]
    assert await extras.remove_penalty(other.id, given.id) is None  # not another league's
    removed = await extras.remove_penalty(cup.id, given.id)
    assert removed == given
    assert await extras.penalties(cup.id) == []


async def test_a_zero_or_huge_penalty_is_refused_by_the_schema(
    stores: tuple[Database, LeagueStore, LeagueExtrasStore],
) -> None:
    _, leagues, extras = stores
    cup = await leagues.create(GUILD, "Cup", 1564, 900, 5, NOW)
    for points in (0, 1001):
        with pytest.raises(sqlite3.IntegrityError):
            await extras.add_penalty(GUILD, cup.id, "Driver_A", points, None, "x", 42, NOW)


async def test_a_driver_is_in_at_most_one_team_per_league(
    stores: tuple[Database, LeagueStore, LeagueExtrasStore],
) -> None:
    database, leagues, extras = stores
    cup = await leagues.create(GUILD, "Cup", 1564, 900, 5, NOW)
    other = await leagues.create(GUILD, "Other", 1564, 900, 5, NOW)
    team, added, already = await extras.add_to_team(GUILD, cup.id, "Red", ["Driver_A", "Driver_B"], NOW)
    assert (team.name, added, already) == ("Red", ["Driver_A", "Driver_B"], [])
    _, added, already = await extras.add_to_team(GUILD, cup.id, "red", ["driver_a"], NOW)
    assert (added, already) == ([], ["driver_a"])
    with pytest.raises(DriverInOtherTeamError) as caught:
        await extras.add_to_team(GUILD, cup.id, "Blue", ["Driver_C", "DRIVER_B"], NOW)
    assert caught.value.taken == {"DRIVER_B": "Red"}
    assert [t.name for t in await extras.teams(cup.id)] == ["Red"]  # nothing of the refused change kept
    # Another league may put the same driver in a team of its own.
    await extras.add_to_team(GUILD, other.id, "Blue", ["Driver_B"], NOW)
    # The schema holds it too, whatever the code does.
    red = await extras.team(cup.id, "Red")
    assert red is not None
    blue = await extras.add_to_team(GUILD, cup.id, "Blue", ["Driver_C"], NOW)
    with pytest.raises(sqlite3.IntegrityError):
        await database.connection.execute(
            "INSERT INTO league_team_drivers (guild_id, league_id, team_id, psn_id) VALUES (?, ?, ?, ?)",
            (GUILD, cup.id, blue[0].id, "driver_a"),
        )


async def test_team_size_is_bounded_and_drivers_leave(
    stores: tuple[Database, LeagueStore, LeagueExtrasStore],
) -> None:
    _, leagues, extras = stores
    cup = await leagues.create(GUILD, "Cup", 1564, 900, 5, NOW)
    many = [f"Driver{index:02}" for index in range(MAX_TEAM_DRIVERS + 1)]
    with pytest.raises(TeamFullError):
        await extras.add_to_team(GUILD, cup.id, "Red", many, NOW)
    team, _, _ = await extras.add_to_team(GUILD, cup.id, "Red", many[:2], NOW)
    assert await extras.remove_from_team(cup.id, team.id, ["driver00", "Nobody"]) == ["Driver00"]
    await extras.delete_team(cup.id, team.id)
    assert await extras.teams(cup.id) == []


async def test_season_settings_round_trip_and_go_with_the_league(
    stores: tuple[Database, LeagueStore, LeagueExtrasStore],
) -> None:
    _, leagues, extras = stores
    cup = await leagues.create(GUILD, "Cup", 1564, 900, 5, NOW)
    assert await extras.season(cup.id) == SeasonSettings()
    await extras.set_season(GUILD, cup.id, SeasonSettings(10, 25, 2))
    assert await extras.season(cup.id) == SeasonSettings(10, 25, 2)
    await extras.add_penalty(GUILD, cup.id, "Driver_A", -5, None, "x", 42, NOW)
    await leagues.delete(cup.id)
    assert await extras.season(cup.id) == SeasonSettings()
    assert await extras.penalties(cup.id) == []
