"""/leaderboard: every linked member ranked, 16 per call within the budget, stored entries marked "as of"."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Harness
from tests.standins.interactions import FakeGuild, FakeUser


async def link_many(harness: Harness, count: int, guild: FakeGuild | None = None) -> list[FakeUser]:
    users = []
    for number in range(count):
        user = harness.member(f"racer{number:02d}", guild=guild)
        psn = f"Board_{number:02d}"
        # DR points rise with the number; wins fall with it, so the two orders differ.
        harness.gt.dataset.add_driver(
            psn,
            dr_points=5_000 + 1_000 * number,
            stats={"victories": 100 - number, "total_races": 200 + number},
        )
        record = await harness.slash("link", user=user, psn_id=psn)
        assert "now linked to" in record.reply.text()
        users.append(user)
    return users


def ranked_psns(description: str) -> list[str]:
    return re.findall(r"`(Board_\d\d)`", description)


async def test_an_empty_guild_is_told_how_to_start(harness: Harness) -> None:
    record = await harness.slash("leaderboard", user=harness.member("ann"))
    assert record.reply.ephemeral
    assert "Nobody has linked a PSN ID in this server yet" in record.reply.text()


async def test_fresh_leaderboard_is_answered_at_once_and_paginated(harness: Harness) -> None:
    users = await link_many(harness, 20)
    harness.gt.reset_counts()
    record = await harness.slash("leaderboard", user=users[0])
    assert not record.deferred
    assert harness.gt.count() == 0
    page = record.reply.embed
    assert page["title"].startswith("Leaderboard")
    assert ranked_psns(page["description"]) == [f"Board_{n:02d}" for n in range(19, 4, -1)]
    assert "20 linked drivers, ranked by DR points." in page["description"]
    assert "as of" not in page["description"]
    assert page["footer"]["text"].startswith("Page 1 of 2")
    await harness.driver.click(record.reply, "Next", user=users[0])
    assert ranked_psns(record.reply.embed["description"]) == [f"Board_{n:02d}" for n in range(4, -1, -1)]


@pytest.mark.parametrize(
    ("sort", "first", "label"),
    [("wins", "Board_00", "wins"), ("races", "Board_09", "races"), ("win_rate", "Board_00", "win rate")],
)
async def test_other_sort_orders(harness: Harness, sort: str, first: str, label: str) -> None:
    users = await link_many(harness, 10)
    record = await harness.slash("leaderboard", user=users[0], sort=sort)
    description = record.reply.embed["description"]
    assert ranked_psns(description)[0] == first
    assert f"ranked by {label}." in description


async def test_stale_entries_are_fetched_sixteen_per_call(harness: Harness) -> None:
    users = await link_many(harness, 20)
    harness.clock.advance(31 * 60)
    harness.gt.reset_counts()
    record = await harness.slash("leaderboard", user=users[0])
    assert record.deferred
    assert harness.gt.count("/api/racers", method="GET") == 2
    sizes = sorted(len(r.path.rsplit("/", 1)[1].split(",")) for r in harness.gt.requests)
    assert sizes == [4, 16]
    assert "as of" not in record.reply.embed["description"]


async def test_a_short_budget_serves_the_rest_as_of_their_snapshot(harness: Harness) -> None:
    users = await link_many(harness, 40)
    await harness.restart(gtgridstats_metered_per_minute=1)
    harness.clock.advance(31 * 60)
    harness.gt.reset_counts()
    record = await harness.slash("leaderboard", user=users[0])
    assert harness.gt.count("/api/racers") == 1  # one slot now; the next is a minute away
    pages = [record.reply.embed["description"]]
    for _ in range(2):
        await harness.driver.click(record.reply, "Next", user=users[0])
        pages.append(record.reply.embed["description"])
    text = "\n".join(pages)
    assert len(ranked_psns(text)) == 40
    assert text.count(" · as of <t:") == 40 - 16
    assert "to spare the GT Grid Stats request budget" in pages[0]


async def test_upstream_failure_marks_every_entry_as_of(harness: Harness) -> None:
    users = await link_many(harness, 3)
    harness.clock.advance(31 * 60)
    harness.gt.fail(429, times=None, path_prefix="/api/racers")
    record = await harness.slash("leaderboard", user=users[0])
    description = record.reply.embed["description"]
    assert description.count(" · as of <t:") == 3
    assert "Please try again in about 60 s." in description


async def test_the_leaderboard_shows_only_this_guilds_members(harness: Harness) -> None:
    await link_many(harness, 3)
    elsewhere = FakeGuild(name="Elsewhere")
    other = harness.member("other", guild=elsewhere)
    harness.gt.dataset.add_driver("Other_Guild", dr_points=99_000)
    await harness.slash("link", user=other, psn_id="Other_Guild")
    record = await harness.slash("leaderboard", user=harness.member("ann"))
    assert "Other_Guild" not in record.reply.text()
    assert "3 linked drivers" in record.reply.text()
    there = await harness.slash("leaderboard", user=other)
    assert ranked_psns(there.reply.text()) == []
    assert "Other_Guild" in there.reply.text()


async def test_every_line_says_how_fresh_its_data_is(harness: Harness) -> None:
    users = await link_many(harness, 3)
    linked_at = int(harness.clock.now().timestamp())
    harness.clock.advance(10 * 60)  # still fresh: served from the store, each line says when it was fetched
    record = await harness.slash("leaderboard", user=users[0])
    description = record.reply.embed["description"]
    lines = [line for line in description.splitlines() if "Board_" in line]
    assert len(lines) == 3
    assert all(line.endswith(f" · updated <t:{linked_at}:R>") for line in lines), lines
