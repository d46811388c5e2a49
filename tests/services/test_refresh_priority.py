"""The background refresh's wanted drivers: a league posting or racing soon goes first."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.database import to_db_time
from tests.conftest import Harness
from tests.standins.interactions import FakeChannel


async def add_league(
    harness: Harness, name: str, roster: list[str], *, post_at: datetime | None, race_at: datetime | None
) -> None:
    now = to_db_time(harness.clock.now(), precision="seconds")
    async with harness.bot.database.transaction() as db:
        cursor = await db.execute(
            "INSERT INTO leagues (guild_id, name, series_id, channel_id, created_by, created_at, "
            "schedule_weekday, schedule_time, schedule_tz, next_post_at) "
            "VALUES (?, ?, 1, 5, 1, ?, ?, ?, ?, ?)",
            (
                harness.guild.id,
                name,
                now,
                *((0, "19:00", "UTC") if post_at else (None, None, None)),
                to_db_time(post_at, precision="seconds") if post_at else None,
            ),
        )
        league_id = cursor.lastrowid
        for psn in roster:
            await db.execute(
                "INSERT INTO league_drivers (guild_id, league_id, psn_id, added_at) VALUES (?, ?, ?, ?)",
                (harness.guild.id, league_id, psn, now),
            )
        if race_at is not None:
            await db.execute(
                "INSERT INTO league_races (guild_id, league_id, starts_at, duration_minutes, created_by, "
                "created_at) VALUES (?, ?, ?, 60, 1, ?)",
                (harness.guild.id, league_id, to_db_time(race_at, precision="seconds"), now),
            )


async def news_on(harness: Harness) -> None:
    channel = FakeChannel(harness.guild, name="news")
    await harness.slash("tracking channel", user=harness.member("org", manager=True), channel=channel)


async def link(harness: Harness, name: str, psn: str) -> None:
    harness.gt.dataset.add_driver(psn)
    record = await harness.slash("link", user=harness.member(name), psn_id=psn)
    assert "now linked to" in record.reply.text()


async def test_drivers_of_a_league_racing_or_posting_within_a_day_are_flagged_and_planned_first(
    harness: Harness,
) -> None:
    await news_on(harness)
    for i, psn in enumerate(["Aa_Other", "Bb_Racer", "Cc_Poster", "Dd_Later"]):
        await link(harness, f"m{i}", psn)
    now = harness.clock.now()
    await add_league(harness, "Race night", ["bb_racer"], post_at=None, race_at=now + timedelta(hours=20))
    await add_league(harness, "Weekly", ["Cc_Poster"], post_at=now + timedelta(hours=3), race_at=None)
    await add_league(
        harness, "Next month", ["Dd_Later"], post_at=now + timedelta(days=6), race_at=now + timedelta(days=2)
    )
    wanted = {driver.psn_id: driver.league_soon for driver in await harness.bot.refresh.wanted()}
    assert wanted == {"Aa_Other": False, "Bb_Racer": True, "Cc_Poster": True, "Dd_Later": False}

    harness.clock.advance(31 * 60)
    plan = await harness.bot.refresh.plan()
    first_call = plan.calls[0]
    assert set(first_call[:2]) == {"Bb_Racer", "Cc_Poster"}


async def test_a_race_already_past_does_not_count_as_soon(harness: Harness) -> None:
    await news_on(harness)
    await link(harness, "m", "Bb_Racer")
    now = harness.clock.now()
    await add_league(harness, "Done", ["Bb_Racer"], post_at=None, race_at=now - timedelta(hours=1))
    assert [driver.league_soon for driver in await harness.bot.refresh.wanted()] == [False]
