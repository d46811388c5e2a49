"""League night through real discord.py interactions: lobbies, penalties, teams, season, who can win."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from bot.storage.links import Link
from tests.conftest import Harness
from tests.standins.interactions import FakeChannel, FakeUser

SERIES = 6161


def add_series(harness: Harness) -> None:
    rows = {
        "alpha_one": [(1, 50, True), (2, 10, False), (3, 40, True)],  # 90
        "beta_two": [(1, 60, True), (2, 30, True), (3, 5, False)],  # 90
        "gamma_3": [(1, 20, True), (2, 20, True), (3, 20, True)],  # 60
    }
    harness.gt.dataset.add_series(
        SERIES, "Nations Cup", {psn: (rank, rounds) for rank, (psn, rounds) in enumerate(rows.items(), 1)}
    )


@pytest.fixture
def organiser(harness: Harness) -> FakeUser:
    return harness.member("org", manager=True)


async def new_league(
    harness: Harness, organiser: FakeUser, drivers: str = "alpha_one beta_two gamma_3"
) -> None:
    add_series(harness)
    channel = FakeChannel(harness.guild)
    await harness.slash("league setup", user=organiser, name="Sunday Cup", series=SERIES, channel=channel)
    await harness.slash("league add", user=organiser, drivers=drivers)


async def test_lobbies_split_the_roster_fastest_first_with_hosts(
    harness: Harness, organiser: FakeUser
) -> None:
    drivers = [f"Racer{index:02}" for index in range(20)]
    for index, psn in enumerate(drivers):
        harness.gt.dataset.add_driver(psn, dr_points=1_000 * (index + 1), sr="A" if index != 15 else "S")
    await new_league(harness, organiser, " ".join(drivers))
    record = await harness.slash("league lobbies", user=organiser)
    text = record.messages[-1].text()
    # 20 drivers in rooms of 16: two rooms of 10; room 1 holds Racer19 … Racer10.
    assert "20 drivers in 2 rooms of at most 16" in text
    room1, room2 = text.split("**Room 2**")
    assert "Racer19" in room1
    assert "Racer10" in room1
    assert "Racer09" in room2
    assert "host: **Racer15**" in room1  # the only SR S
    assert "host: **Racer19**" in room2 or "host: **Racer09**" in room2
    assert "The whole roster (no check-in for this race)." in text
    assert harness.gt.requests  # the profiles were looked up (16 per call)


async def test_lobbies_refuse_a_bad_size_and_a_host_not_racing(harness: Harness, organiser: FakeUser) -> None:
    harness.gt.dataset.add_driver("alpha_one")
    await new_league(harness, organiser, "alpha_one")
    record = await harness.slash("league lobbies", user=organiser, host="Nobody_here")
    assert record.reply.ephemeral
    assert "is not among tonight's drivers" in record.reply.text()


async def test_a_penalty_changes_the_table_and_is_listed_and_removed(
    harness: Harness, organiser: FakeUser
) -> None:
    await new_league(harness, organiser)
    added = await harness.slash(
        "league penalty add", user=organiser, driver="beta_two", points=-5, reason="Track limits", round=2
    )
    assert added.reply.ephemeral
    assert "**beta\\_two** -5 pts · Track limits" in added.reply.text()
    export = await harness.slash("league export", user=organiser)
    (attachment,) = [a for m in export.messages for a in m.attachments]
    rows = list(csv.DictReader(io.StringIO(attachment.data.decode("utf-8-sig"))))
    by_psn = {row["psn_id"]: row for row in rows}
    assert by_psn["alpha_one"]["position"] == "1"
    assert by_psn["beta_two"]["total_points"] == "85"
    assert by_psn["beta_two"]["penalty_points"] == "-5"
    listed = await harness.slash("league penalty list", user=organiser)
    assert f"by <@{organiser.id}>" in listed.reply.text()
    assert "round 2" in listed.reply.text()
    standings = await harness.slash("standings", user=organiser, league="Sunday Cup")
    assert "-5 pts by the stewards" in standings.messages[-1].text()
    removed = await harness.slash("league penalty remove", user=organiser, number=1)
    assert "Removed from **Sunday Cup**" in removed.reply.text()
    again = await harness.slash("league penalty remove", user=organiser, number=1)
    assert "has no penalty #1" in again.reply.text()


async def test_a_penalty_for_a_driver_not_in_the_league_is_refused(
    harness: Harness, organiser: FakeUser
) -> None:
    await new_league(harness, organiser)
    record = await harness.slash(
        "league penalty add", user=organiser, driver="stranger", points=-3, reason="x"
    )
    assert record.reply.ephemeral
    assert "is not in the **Sunday Cup** roster" in record.reply.text()
    listed = await harness.slash("league penalty list", user=organiser)
    assert "No penalties or bonuses yet" in listed.reply.text()


async def test_teams_one_team_per_driver_and_team_standings(harness: Harness, organiser: FakeUser) -> None:
    await new_league(harness, organiser)
    red = await harness.slash("league team add", user=organiser, name="Red", drivers="alpha_one gamma_3")
    assert "has 2 drivers" in red.reply.text()
    refused = await harness.slash("league team add", user=organiser, name="Blue", drivers="beta_two gamma_3")
    assert "only one team per league: gamma\\_3 (in Red)" in refused.reply.text()
    await harness.slash("league team add", user=organiser, name="Blue", drivers="beta_two")
    stranger = await harness.slash("league team add", user=organiser, name="Blue", drivers="stranger")
    assert "not in the **Sunday Cup** roster: stranger" in stranger.reply.text()
    table = await harness.slash("league team standings", user=organiser)
    text = table.messages[-1].text()
    # Red: counted 50+40 (alpha) + 60 (gamma) = 150; Blue: 90.
    assert text.index("**Red** · **150** pts") < text.index("**Blue** · **90** pts")
    listed = await harness.slash("league team list", user=organiser)
    assert "**Red**: alpha\\_one, gamma\\_3" in listed.reply.text()
    deleted = await harness.slash("league team remove", user=organiser, name="Blue")
    assert "Deleted the team **Blue**" in deleted.reply.text()


async def test_season_marks_the_champion_and_refuses_fewer_rounds_than_raced(
    harness: Harness, organiser: FakeUser
) -> None:
    await new_league(harness, organiser)
    short = await harness.slash("league season", user=organiser, rounds=2)
    assert "cannot have 2 rounds: 3 have already been raced" in short.messages[-1].text()
    # 3 of 3 raced: the season is over; alpha_one and beta_two tie on 90, so nobody is champion yet.
    done = await harness.slash("league season", user=organiser, rounds=3, max_points_per_round=60)
    text = done.messages[-1].text()
    assert "Can no longer win: gamma\\_3" in text
    assert "champion" not in text.split("\n")[1]
    await harness.slash(
        "league penalty add", user=organiser, driver="beta_two", points=-1, reason="Unsafe rejoin"
    )
    decided = await harness.slash("league season", user=organiser, rounds=3, max_points_per_round=60)
    assert "🏆 **alpha\\_one** is champion" in decided.messages[-1].text()
    assert "Worked out over 3 rounds (0 left)" in decided.messages[-1].text()


async def test_season_with_drops_seen_marks_no_champion_until_counted_rounds_says_so(
    harness: Harness, organiser: FakeUser
) -> None:
    # The audit's case: best 2 of 4 count, 3 raced, the series already drops 1 round. Reading the drops
    # as "4 minus the 1 seen = best 3" made a_lead champion (worst 30 against b_chase's best 29).
    harness.gt.dataset.add_series(
        SERIES,
        "Nations Cup",
        {
            "a_lead": (1, [(1, 10, True), (2, 10, True), (3, 10, False)]),
            "b_chase": (2, [(1, 12, True), (2, 5, True), (3, 0, False)]),
        },
    )
    channel = FakeChannel(harness.guild)
    await harness.slash("league setup", user=organiser, name="Sunday Cup", series=SERIES, channel=channel)
    await harness.slash("league add", user=organiser, drivers="a_lead b_chase")
    unset = await harness.slash("league season", user=organiser, rounds=4, max_points_per_round=12)
    text = unset.messages[-1].text()
    assert "champion" not in text
    assert "for every count from the best 1 to the best 3" in text
    assert "Set `counted_rounds` with `/league season` to sharpen it." in text
    best_2 = await harness.slash(
        "league season", user=organiser, rounds=4, max_points_per_round=12, counted_rounds=2
    )
    assert "champion" not in best_2.messages[-1].text()
    assert "the best 2 counting" in best_2.messages[-1].text()
    league = await harness.bot.league_service.find(harness.guild.id, "Sunday Cup")
    assert (await harness.bot.league_night.season.settings(league)).counted_rounds == 2
    best_3 = await harness.slash(
        "league season", user=organiser, rounds=4, max_points_per_round=12, counted_rounds=3
    )
    assert "🏆 **a\\_lead** is champion" in best_3.messages[-1].text()
    too_many = await harness.slash("league season", user=organiser, rounds=4, counted_rounds=5)
    assert too_many.reply.ephemeral
    assert "`counted_rounds` (5) cannot be more than the season's 4 rounds." in too_many.messages[-1].text()


async def test_team_standings_and_title_race_in_standings_posts_and_export(
    harness: Harness, organiser: FakeUser
) -> None:
    await new_league(harness, organiser)
    await harness.slash("league team add", user=organiser, name="Red", drivers="alpha_one gamma_3")
    await harness.slash("league penalty add", user=organiser, driver="beta_two", points=-1, reason="Rejoin")
    await harness.slash("league season", user=organiser, rounds=3, max_points_per_round=60)

    shown = await harness.slash("standings", user=organiser, league="Sunday Cup", teams=True)
    message = shown.messages[-1]
    assert message.attachments  # the PNG (with the marks) rendered
    last = await harness.driver.click(message, "Last", user=organiser)
    text = last.messages[-1].text() if last.messages else message.text()
    assert "**Red** · **150** pts" in text
    assert "🏆 **alpha\\_one** is champion" in text
    assert "Worked out over 3 rounds (0 left)" in text
    # The PNG has the team table only when teams:true asks for the team standings.
    plain = await harness.slash("standings", user=organiser, league="Sunday Cup")
    (with_teams,) = message.attachments
    (without,) = plain.messages[-1].attachments
    team_table = 28 + 46 + 1 * 44  # one team: Red
    assert png_height(with_teams.data) == png_height(without.data) + team_table

    no_league = await harness.slash(
        "standings", user=organiser, series=SERIES, drivers="alpha_one", teams=True
    )
    assert no_league.reply.ephemeral
    assert "Team standings belong to a league" in no_league.reply.text()

    exported = await harness.slash("league export", user=organiser)
    # The league has teams: its team standings come as a second file (see the export test below).
    (attachment,) = [a for a in exported.reply.attachments if a.filename == "sunday-cup-series-6161.csv"]
    rows = list(csv.DictReader(io.StringIO(attachment.data.decode("utf-8-sig"))))
    assert {row["psn_id"]: row["title_race"] for row in rows} == {
        "alpha_one": "champion",
        "beta_two": "out",
        "gamma_3": "out",
    }


def png_height(data: bytes) -> int:
    return Image.open(io.BytesIO(data)).height


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


async def test_export_of_a_league_with_teams_penalties_and_check_ins_has_three_files(
    harness: Harness, organiser: FakeUser
) -> None:
    harness.discord.now = harness.clock.now
    await new_league(harness, organiser)
    members = {}
    for psn in ("alpha_one", "beta_two"):
        members[psn] = harness.member(psn)
        await harness.bot.links.set(Link(harness.guild.id, members[psn].id, psn, None, harness.clock.now()))
    await harness.slash("league team add", user=organiser, name="Red", drivers="alpha_one gamma_3")
    await harness.slash("league team add", user=organiser, name="Blue", drivers="beta_two")
    await harness.slash("league penalty add", user=organiser, driver="beta_two", points=-1, reason="Rejoin")
    await harness.slash("league season", user=organiser, rounds=3, max_points_per_round=60, team_best=1)
    await harness.slash("league race add", user=organiser, when="2026-11-30 20:00", checkin_hours=24)
    opens = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    harness.clock.set(opens)
    cog = harness.bot.get_cog("LeagueNight")
    await asyncio.wait_for(cog.loop.wait_for_run(opens), 10)  # type: ignore[union-attr]
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    (checkin,) = harness.discord.messages_in(league.channel_id)
    await harness.driver.click(checkin, "Check in", user=members["alpha_one"])
    await harness.driver.click(checkin, "Can't make it", user=members["beta_two"])

    record = await harness.slash("league export", user=organiser)
    assert record.reply.ephemeral
    names = [attachment.filename for attachment in record.reply.attachments]
    assert names == ["sunday-cup-series-6161.csv", "sunday-cup-teams.csv", "sunday-cup-attendance.csv"]
    text = record.reply.text()
    assert "3 files attached:" in text
    assert "`sunday-cup-series-6161.csv`: the driver standings, with each driver's team" in text
    assert "`sunday-cup-teams.csv`: the team standings" in text
    assert "`sunday-cup-attendance.csv`: attendance per race and driver" in text
    drivers, teams, attendance = (attachment.data for attachment in record.reply.attachments)

    rows = read_csv(drivers)
    assert list(rows[0])[:6] == ["position", "tied", "psn_id", "member_id", "team", "total_points"]
    assert [
        (
            row["position"],
            row["psn_id"],
            row["team"],
            row["total_points"],
            row["penalty_points"],
            row["title_race"],
        )
        for row in rows
    ] == [
        ("1", "alpha_one", "Red", "90", "0", "champion"),
        ("2", "beta_two", "Blue", "89", "-1", "out"),
        ("3", "gamma_3", "Red", "60", "0", "out"),
    ]

    # Best 1 driver a round (the season's team_best): Red R1 50 (alpha), R2 20 (gamma; alpha's 10 was
    # dropped), R3 40 (alpha) = 110; Blue 60 + 30 + 0 (dropped) - 1 penalty = 89.
    assert read_csv(teams) == [
        {
            "position": "1",
            "tied": "no",
            "team": "Red",
            "total_points": "110",
            "R1": "50",
            "R2": "20",
            "R3": "40",
            "penalty_points": "0",
            "drivers": "alpha_one;gamma_3",
        },
        {
            "position": "2",
            "tied": "no",
            "team": "Blue",
            "total_points": "89",
            "R1": "60",
            "R2": "30",
            "R3": "0",
            "penalty_points": "-1",
            "drivers": "beta_two",
        },
    ]
    # The same table the service computes for /league team standings.
    table = await harness.bot.league_service.league_standings(league)
    summary = await harness.bot.league_night.summary(league, table)
    assert [(row.name, row.total_points) for row in summary.teams] == [("Red", 110), ("Blue", 89)]

    lines = attendance.decode("utf-8").splitlines()
    assert lines[0] == "PSN ID,Race 1 (2026-11-30 20:00 UTC),Checked in,Can't make it"
    assert sorted(lines[1:]) == ["alpha_one,checked in,1,0", "beta_two,can't make it,0,1", "gamma_3,,0,0"]


async def test_fourteen_teams_are_paged_and_the_summary_lists_the_first_twelve(
    harness: Harness, organiser: FakeUser
) -> None:
    psns = [f"tdrv{index:02}" for index in range(14)]
    harness.gt.dataset.add_series(
        SERIES, "Nations Cup", {psn: (i + 1, [(1, 100 - i, True)]) for i, psn in enumerate(psns)}
    )
    channel = FakeChannel(harness.guild)
    await harness.slash("league setup", user=organiser, name="Sunday Cup", series=SERIES, channel=channel)
    await harness.slash("league add", user=organiser, drivers=" ".join(psns))
    for index, psn in enumerate(psns):
        await harness.slash("league team add", user=organiser, name=f"Team{index:02}", drivers=psn)
    shown = await harness.slash("league team standings", user=organiser)
    first = shown.messages[-1]
    assert first.ephemeral
    assert [f"Team{i:02}" in first.text() for i in range(14)] == [True] * 10 + [False] * 4
    page_2 = await harness.driver.click(first, "Next", user=organiser)
    text = page_2.messages[-1].text() if page_2.messages else first.text()
    assert all(f"Team{i:02}" in text for i in range(10, 14))
    await harness.slash("league season", user=organiser, rounds=2, max_points_per_round=100)
    standings = await harness.slash("standings", user=organiser, league="Sunday Cup", teams=True)
    message = standings.messages[-1]
    summary = await harness.driver.click(message, "Last", user=organiser)
    text = summary.messages[-1].text() if summary.messages else message.text()
    assert all(f"Team{i:02}" in text for i in range(12))
    assert "Team12" not in text
    assert "Team13" not in text
    assert "…and 2 more" in text
    assert "*Worked out over 2 rounds (1 left)" in text  # who can still win is not cut off


async def test_team_ties_share_a_position_and_the_next_team_skips_it(
    harness: Harness, organiser: FakeUser
) -> None:
    harness.gt.dataset.add_series(
        SERIES,
        "Nations Cup",
        {
            "red_a": (1, [(1, 30, True)]),
            "blue_a": (2, [(1, 30, True)]),
            "green_a": (3, [(1, 10, True)]),
        },
    )
    channel = FakeChannel(harness.guild)
    await harness.slash("league setup", user=organiser, name="Sunday Cup", series=SERIES, channel=channel)
    await harness.slash("league add", user=organiser, drivers="red_a blue_a green_a")
    for team, driver in (("Red", "red_a"), ("Blue", "blue_a"), ("Green", "green_a")):
        await harness.slash("league team add", user=organiser, name=team, drivers=driver)
    shown = await harness.slash("league team standings", user=organiser)
    text = shown.messages[-1].text()
    assert "`=1` **Blue** · **30** pts" in text
    assert "`=1` **Red** · **30** pts" in text
    assert "`3` **Green** · **10** pts" in text
