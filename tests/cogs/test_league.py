"""/league through real discord.py interactions: organiser-only set-up, rosters, posts, weekly schedules."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import discord
import pytest
from PIL import Image

from bot.services.league_posts import RunStatus
from bot.storage.leagues import Schedule
from bot.storage.links import Link
from cogs.checks import require_server
from tests.conftest import Harness
from tests.standins.discord_api import InteractionRecord, SentMessage
from tests.standins.interactions import FakeChannel, FakeUser, dm_user
from tests.ui.test_theme import DrawnText

SERIES = 6161
# The ManualClock starts on Saturday 2026-11-28 12:00 UTC; London is on GMT then.
FIRST_MONDAY = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
MANAGE_SERVER = "You need the Manage Server permission to do that."
SERVER_ONLY = "This command works only inside a server: please use it in one of the server's channels."


@dataclass
class ReadOnlyChannel(FakeChannel):
    """A channel where Discord reports the bot may read but not attach files or embed links."""

    def payload(self) -> dict[str, Any]:
        payload = super().payload()
        payload["permissions"] = str(discord.Permissions(view_channel=True, send_messages=True).value)
        return payload


def add_series(harness: Harness, points: dict[str, list[tuple[int, int, bool]]] | None = None) -> None:
    rows = points or {
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


@pytest.fixture
def channel(harness: Harness) -> FakeChannel:
    return FakeChannel(harness.guild)


async def new_league(
    harness: Harness, organiser: FakeUser, channel: FakeChannel, drivers: str = "alpha_one beta_two gamma_3"
) -> None:
    add_series(harness)
    setup = await harness.slash(
        "league setup", user=organiser, name="Sunday Cup", series=SERIES, channel=channel
    )
    assert setup.reply.content is not None
    assert setup.reply.content.startswith("Created **Sunday Cup**")
    if drivers:
        await harness.slash("league add", user=organiser, drivers=drivers)


def texts(record: InteractionRecord) -> list[str]:
    return [message.content or "" for message in record.messages]


# --- permissions -------------------------------------------------------------------------------------


async def test_the_group_defaults_to_managers_and_discord_decides_who_else(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    """Hidden by default from members without Manage Server (`default_permissions`), and no second check
    in the bot: a server that gives /league to an organiser role (Integrations settings) is obeyed, since
    Discord delivers the interaction only for members it allows."""
    group = harness.bot.tree.get_command("league")
    assert isinstance(group, discord.app_commands.Group)
    assert group.default_permissions is not None
    assert group.default_permissions.manage_guild
    assert group.guild_only
    for subcommand in group.walk_commands():  # league-night subgroups included
        if isinstance(subcommand, discord.app_commands.Command):
            assert not subcommand.checks, f"/league {subcommand.qualified_name} checks permissions itself"
    quota = harness.bot.tree.get_command("quota")
    assert isinstance(quota, discord.app_commands.Command)
    assert quota.default_permissions is not None
    assert quota.default_permissions.manage_guild
    # The only check left is where it may run (a server with the bot), not who may run it.
    assert quota.checks == [require_server]
    await new_league(harness, organiser, channel)
    # An organiser without Manage Server, allowed by the server's per-command override.
    allowed = harness.member("league_organiser")
    attempts: list[tuple[str, dict[str, Any], str]] = [
        ("league add", {"drivers": "delta_4"}, "Added 1 to **Sunday Cup**"),
        ("league remove", {"drivers": "delta_4"}, "Removed 1 from **Sunday Cup**"),
        ("league schedule", {"weekday": "Monday", "time": "20:00", "timezone": "UTC"}, "**Sunday Cup**"),
        ("league setup", {"name": "Mine", "series": SERIES, "channel": channel}, "Created **Mine**"),
    ]
    for command, options, expected in attempts:
        record = await harness.slash(command, user=allowed, **options)
        assert record.reply.content is not None, command
        assert expected in record.reply.content, command
        assert record.reply.ephemeral
    roster = await harness.slash("league roster", user=allowed, league="Sunday Cup")
    assert roster.reply.embeds
    choices = await harness.autocomplete("league roster", "league", user=allowed, league="")
    assert [choice["value"] for choice in choices] == ["Mine", "Sunday Cup"]
    quota_reply = await harness.slash("quota", user=allowed)
    assert quota_reply.reply.ephemeral
    assert quota_reply.reply.content != MANAGE_SERVER


# --- setup and roster --------------------------------------------------------------------------------


async def test_setup_add_remove_and_roster(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel, drivers="")
    linked = harness.member("linked")
    await harness.bot.links.set(
        Link(harness.guild.id, linked.id, "delta_4", None, datetime(2026, 1, 1, tzinfo=UTC))
    )
    added = await harness.slash("league add", user=organiser, drivers=f"alpha_one, beta_two {linked.mention}")
    assert added.reply.ephemeral
    assert added.reply.content == (
        "Added 3 to **Sunday Cup**: alpha\\_one, beta\\_two, delta\\_4.\nThe roster has 3 drivers."
    )
    again = await harness.slash("league add", user=organiser, drivers="ALPHA_ONE gamma_3")
    assert again.reply.content == (
        "Added 1 to **Sunday Cup**: gamma\\_3.\n"
        "Already in the roster: ALPHA\\_ONE.\n"
        "The roster has 4 drivers."
    )
    removed = await harness.slash("league remove", user=organiser, drivers="beta_two ghost_one")
    assert removed.reply.content == (
        "Removed 1 from **Sunday Cup**: beta\\_two.\n"
        "Not in the roster: ghost\\_one.\n"
        "The roster has 3 drivers."
    )
    nothing = await harness.slash("league remove", user=organiser, drivers="ghost_one")
    assert nothing.reply.content == "None of those drivers are in the **Sunday Cup** roster."
    roster = await harness.slash("league roster", user=organiser)
    assert roster.reply.ephemeral
    description = roster.reply.embed["description"]
    assert f"Series {SERIES} · posts in <#{channel.id}> · 3 drivers" in description
    assert "Weekly post: off." in description
    assert f"delta\\_4 · <@{linked.id}>" in description
    assert "alpha\\_one" in description
    assert "beta\\_two" not in description


async def test_setup_again_changes_series_and_channel(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel)
    other = FakeChannel(harness.guild)
    record = await harness.slash("league setup", user=organiser, name="sunday cup", series=42, channel=other)
    assert record.reply.content == f"Updated **Sunday Cup**: series 42, posting in <#{other.id}>."
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    assert (league.series_id, league.channel_id) == (42, other.id)
    assert len(await harness.bot.leagues.roster(league.id)) == 3


async def test_setup_refuses_a_channel_the_bot_cannot_post_in(harness: Harness, organiser: FakeUser) -> None:
    record = await harness.slash(
        "league setup", user=organiser, name="Cup", series=SERIES, channel=ReadOnlyChannel(harness.guild)
    )
    assert record.reply.ephemeral
    assert record.reply.content is not None
    assert "I need the Embed Links, Attach Files permission there. Nothing was saved." in record.reply.content
    assert await harness.bot.leagues.for_guild(harness.guild.id) == []


async def test_setup_refusal_names_the_permissions_in_the_users_language(harness: Harness) -> None:
    german = harness.member("greta", manager=True, locale="de")
    record = await harness.slash(
        "league setup", user=german, name="Cup", series=SERIES, channel=ReadOnlyChannel(harness.guild)
    )
    assert record.reply.ephemeral
    assert record.reply.content is not None
    assert "„Links einbetten, Dateien anhängen“" in record.reply.content
    assert await harness.bot.leagues.for_guild(harness.guild.id) == []


async def test_setup_refuses_bad_series_ids_and_names(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    zero = await harness.slash("league setup", user=organiser, name="Cup", series=0, channel=channel)
    assert zero.reply.content == "The series id must be a positive whole number."
    blank = await harness.slash("league setup", user=organiser, name="   ", series=SERIES, channel=channel)
    assert blank.reply.content == "A league name needs 1–50 characters."
    assert await harness.bot.leagues.for_guild(harness.guild.id) == []


async def test_the_league_option_is_needed_only_when_there_are_several(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    none_yet = await harness.slash("league roster", user=organiser)
    assert none_yet.reply.content == "This server has no league yet: create one with `/league setup`."
    await new_league(harness, organiser, channel)
    await harness.slash("league setup", user=organiser, name="Monday Sprint", series=SERIES, channel=channel)
    ambiguous = await harness.slash("league add", user=organiser, drivers="delta_4")
    assert ambiguous.reply.content == (
        "This server runs 2 leagues (Monday Sprint, Sunday Cup): please choose one with the `league` option."
    )
    choices = await harness.autocomplete("league add", "league", user=organiser, league="spr")
    assert choices == [{"name": "Monday Sprint", "value": "Monday Sprint"}]
    chosen = await harness.slash("league add", user=organiser, league="Monday Sprint", drivers="delta_4")
    assert chosen.reply.content is not None
    assert chosen.reply.content.startswith("Added 1 to **Monday Sprint**")
    # Another guild's leagues are neither suggested nor reachable.
    stranger = harness.member("boss", manager=True, guild=type(harness.guild)())
    assert await harness.autocomplete("league add", "league", user=stranger, league="") == []
    elsewhere = await harness.slash("league roster", user=stranger, league="Sunday Cup")
    assert elsewhere.reply.content is not None
    assert elsewhere.reply.content.startswith("There is no league called `Sunday Cup` here.")


async def test_a_roster_over_200_is_refused_and_nothing_is_added(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel, drivers="")
    await harness.slash("league add", user=organiser, drivers=" ".join(f"drv{n:03d}" for n in range(150)))
    record = await harness.slash(
        "league add", user=organiser, drivers=" ".join(f"new{n:03d}" for n in range(60))
    )
    assert record.reply.content == (
        "A roster holds at most 200 drivers: **Sunday Cup** has 150 and 60 would be new. Nothing was added."
    )
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    assert len(await harness.bot.leagues.roster(league.id)) == 150


# --- posting -----------------------------------------------------------------------------------------


async def test_post_now_puts_embed_and_png_in_the_channel(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel)
    record = await harness.slash("league post", user=organiser)
    assert record.deferred
    assert record.reply.ephemeral
    assert record.reply.content == f"Posted the **Sunday Cup** standings (3 drivers) in <#{channel.id}>."
    (post,) = harness.discord.messages_in(channel.id)
    assert post.embeds[0]["title"] == "Sunday Cup — Nations Cup · series 6161"
    assert "~~10~~" in post.embeds[0]["description"]
    image = Image.open(io.BytesIO(post.attachments[0].data))
    assert image.format == "PNG"


async def test_an_empty_roster_or_a_forbidden_channel_get_clear_messages(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel, drivers="")
    empty = await harness.slash("league post", user=organiser)
    assert empty.reply.content == "The **Sunday Cup** roster is empty: add drivers with `/league add`."
    await harness.slash("league add", user=organiser, drivers="alpha_one")
    harness.discord.forbidden_channels.add(channel.id)
    forbidden = await harness.slash("league post", user=organiser)
    assert forbidden.reply.content is not None
    assert forbidden.reply.content.startswith(f"I could not post in <#{channel.id}>")
    assert harness.discord.messages_in(channel.id) == []


async def test_export_is_a_csv_of_the_same_standings(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel)
    alpha = harness.member("alpha")
    await harness.bot.links.set(
        Link(harness.guild.id, alpha.id, "alpha_one", None, datetime(2026, 1, 1, tzinfo=UTC))
    )
    record = await harness.slash("league export", user=organiser)
    assert record.deferred
    assert record.reply.ephemeral
    (attachment,) = record.reply.attachments
    assert attachment.filename == "sunday-cup-series-6161.csv"
    # No teams, no season, no race calendar: one file with the standings columns only (no `team`).
    assert record.reply.text().endswith(
        "1 file attached:\n- `sunday-cup-series-6161.csv`: the driver standings"
    )
    header = attachment.data.decode("utf-8-sig").splitlines()[0]
    assert header == (
        "position,tied,psn_id,member_id,total_points,gap_to_leader,gap_to_ahead,season_rank,"
        "R1,R2,R3,dropped_rounds,penalty_points"
    )
    rows = list(csv.DictReader(io.StringIO(attachment.data.decode("utf-8-sig"))))
    parsed = [
        (
            int(row["position"]),
            row["tied"],
            row["psn_id"],
            row["member_id"],
            int(row["total_points"]),
            row["gap_to_leader"],
            row["gap_to_ahead"],
            [row["R1"], row["R2"], row["R3"]],
            row["dropped_rounds"],
        )
        for row in rows
    ]
    assert parsed == [
        (1, "yes", "alpha_one", str(alpha.id), 90, "0", "", ["50", "10", "40"], "2"),
        (1, "yes", "beta_two", "", 90, "0", "0", ["60", "30", "5"], "3"),
        (3, "no", "gamma_3", "", 60, "30", "30", ["20", "20", "20"], ""),
    ]
    # The same standings the service computes.
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    standings = await harness.bot.league_service.league_standings(league)
    assert [(row.position, row.psn_id, row.total_points) for row in standings.rows] == [
        (position, psn, total) for position, _, psn, _, total, *_ in parsed
    ]


# --- schedule ----------------------------------------------------------------------------------------


async def test_schedule_input_is_checked_and_nothing_half_saved(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel)
    cases = [
        ({"weekday": "Funday", "time": "20:00", "timezone": "UTC"}, "`Funday` is not a weekday."),
        ({"weekday": "Monday", "time": "25:00", "timezone": "UTC"}, "`25:00` is not a time."),
        (
            {"weekday": "Monday", "time": "20:00", "timezone": "Mars/Olympus"},
            "`Mars/Olympus` is not a time zone",
        ),
        ({"weekday": "Monday"}, "Please give the `time` of the weekly post"),
        ({"weekday": "Monday", "time": "20:00"}, "Please give the `timezone` of the weekly post"),
    ]
    for options, expected in cases:
        record = await harness.slash("league schedule", user=organiser, **options)
        assert record.reply.ephemeral
        assert record.reply.content is not None
        assert record.reply.content.startswith(expected), record.reply.content
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    assert league.schedule is None
    assert league.next_post_at is None


async def test_schedule_says_when_and_off_stops_it(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel)
    record = await harness.slash(
        "league schedule", user=organiser, weekday="mon", time="8pm", timezone="europe/london"
    )
    stamp = int(FIRST_MONDAY.timestamp())
    assert record.reply.content == (
        f"**Sunday Cup** standings will be posted in <#{channel.id}> every Monday at 20:00 (Europe/London). "
        f"Next post: <t:{stamp}:F> (<t:{stamp}:R>)."
    )
    # The time zone is kept when only the day or time changes.
    changed = await harness.slash("league schedule", user=organiser, weekday="Tuesday", time="19:30")
    assert changed.reply.content is not None
    assert "every Tuesday at 19:30 (Europe/London)" in changed.reply.content
    off = await harness.slash("league schedule", user=organiser, weekday="off")
    assert off.reply.content == (
        "Weekly posts of **Sunday Cup** are off (it was every Tuesday at 19:30 (Europe/London))."
    )
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    assert league.schedule is None
    assert await harness.bot.leagues.next_post_time() is None


async def test_schedule_autocompletes_weekdays_and_time_zones(harness: Harness, organiser: FakeUser) -> None:
    group = harness.bot.tree.get_command("league")
    assert isinstance(group, discord.app_commands.Group)
    schedule = group.get_command("schedule")
    assert isinstance(schedule, discord.app_commands.Command)
    weekday = next(parameter for parameter in schedule.parameters if parameter.name == "weekday")
    assert [choice.value for choice in weekday.choices] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "off",
    ]
    zones = await harness.autocomplete("league schedule", "timezone", user=organiser, timezone="new_y")
    assert zones[0] == {"name": "America/New_York", "value": "America/New_York"}
    common = await harness.autocomplete("league schedule", "timezone", user=organiser, timezone="")
    assert {"name": "Europe/London", "value": "Europe/London"} in common
    assert len(common) <= 25


async def test_the_scheduled_post_fires_on_time_and_marks_moves(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await harness.restart(background_loops=True)  # the loop starts with the league cog: no READY needed
    await new_league(harness, organiser, channel)
    await harness.slash(
        "league schedule", user=organiser, weekday="Monday", time="20:00", timezone="Europe/London"
    )
    harness.clock.set(FIRST_MONDAY - timedelta(minutes=5))

    def posts() -> list[SentMessage]:
        return harness.discord.messages_in(channel.id)

    await harness.clock.run_until(harness.discord.wait_for(lambda: len(posts()) == 1))
    assert harness.clock.now() == FIRST_MONDAY
    first = posts()[0].embeds[0]["description"]
    assert "▲" not in first
    assert "▼" not in first

    # gamma_3 wins big in round 4 and overtakes both.
    add_series(
        harness,
        {
            "alpha_one": [(1, 50, True), (2, 10, False), (3, 40, True), (4, 5, True)],
            "beta_two": [(1, 60, True), (2, 30, True), (3, 5, False), (4, 1, True)],
            "gamma_3": [(1, 20, True), (2, 20, True), (3, 20, True), (4, 90, True)],
        },
    )
    await harness.clock.run_until(harness.discord.wait_for(lambda: len(posts()) == 2), limit=8 * 86_400)
    assert harness.clock.now() == FIRST_MONDAY + timedelta(days=7)
    lines = [line for line in posts()[1].embeds[0]["description"].split("\n") if line.startswith("`")]
    assert lines[0].startswith("`1` ▲2 **gamma\\_3** · **150** pts")
    assert lines[1].startswith("`2` ▼1 **alpha\\_one**")
    assert lines[2].startswith("`3` ▼2 **beta\\_two**")  # it shared first place before
    assert "▲▼ places since the last post" in posts()[1].embeds[0]["description"]


async def test_a_scheduled_post_carries_team_standings_and_the_decided_title_race(
    harness: Harness, organiser: FakeUser, channel: FakeChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    await harness.restart(background_loops=True)
    await new_league(harness, organiser, channel)
    # beta_two's penalty leaves alpha_one alone on 90 with the season's 3 rounds raced: champion.
    await harness.slash("league penalty add", user=organiser, driver="beta_two", points=-1, reason="Rejoin")
    await harness.slash("league season", user=organiser, rounds=3, max_points_per_round=60)
    await harness.slash(
        "league schedule", user=organiser, weekday="Monday", time="20:00", timezone="Europe/London"
    )
    drawn = DrawnText(monkeypatch)

    def posts() -> list[SentMessage]:
        return harness.discord.messages_in(channel.id)

    harness.clock.set(FIRST_MONDAY - timedelta(minutes=5))
    await harness.clock.run_until(harness.discord.wait_for(lambda: len(posts()) == 1))
    no_teams = posts()[0]
    assert "Team standings" not in no_teams.embeds[-1]["description"]
    assert "Team standings" not in drawn.texts()

    await harness.slash("league team add", user=organiser, name="Red", drivers="alpha_one gamma_3")
    await harness.slash("league team add", user=organiser, name="Blue", drivers="beta_two")
    await harness.clock.run_until(harness.discord.wait_for(lambda: len(posts()) == 2), limit=8 * 86_400)
    assert harness.clock.now() == FIRST_MONDAY + timedelta(days=7)
    post = posts()[1]
    table, extra = post.embeds  # three drivers: the driver table and the summary in one message
    assert "**alpha\\_one** · **90** pts" in table["description"]
    assert extra["title"] == "Sunday Cup · teams and title race"
    summary = extra["description"]
    # Red counts alpha_one's 50 + 40 and gamma_3's 60; Blue beta_two's 90 less the penalty.
    assert summary.index("**Team standings**") < summary.index("**Red** · **150** pts")
    assert summary.index("**Red** · **150** pts") < summary.index("**Blue** · **89** pts")
    assert "🏆 **alpha\\_one** is champion: nobody can catch up." in summary
    assert "*Worked out over 3 rounds (0 left), the best 2 counting" in summary
    # The PNG: the marks after the names, the team table under the driver table, so it is taller.
    texts = drawn.texts()
    assert "alpha_one (champion)" in texts
    assert "beta_two * (cannot win)" in texts
    assert "* penalty or bonus applied" in texts
    assert {"Team standings", "Red", "Blue", "150", "89"} <= set(texts)
    (before,) = no_teams.attachments
    (after,) = post.attachments
    height_before = Image.open(io.BytesIO(before.data)).height
    height_after = Image.open(io.BytesIO(after.data)).height
    assert height_after == height_before + 28 + 46 + 2 * 44


async def test_the_schedule_survives_a_restart_and_a_missed_post_is_made_once(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel)
    await harness.slash(
        "league schedule", user=organiser, weekday="Monday", time="20:00", timezone="Europe/London"
    )
    await harness.restart(background_loops=True)  # the loop starts as the league cog loads
    # The bot was offline for three scheduled Mondays.
    harness.clock.set(FIRST_MONDAY + timedelta(days=14, hours=5))
    await harness.discord.wait_for(lambda: len(harness.discord.messages_in(channel.id)) == 1)
    # Waits for the loop's run to finish (it holds the league's lock), then finds nothing left to do.
    assert await harness.bot.league_posts.run_due(harness.clock.now()) == []
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    assert league.last_posted_at == FIRST_MONDAY + timedelta(days=14, hours=5)
    assert league.next_post_at == FIRST_MONDAY + timedelta(days=21)
    assert len(harness.discord.messages_in(channel.id)) == 1


async def test_a_lost_channel_pauses_the_schedule_and_is_reported_once(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel)
    await harness.slash(
        "league schedule", user=organiser, weekday="Monday", time="20:00", timezone="Europe/London"
    )
    harness.discord.forbidden_channels.add(channel.id)
    harness.clock.set(FIRST_MONDAY)
    await harness.bot.league_posts.run_due(FIRST_MONDAY)
    # Not retried in a loop: a week later nothing is due.
    assert await harness.bot.league_posts.run_due(FIRST_MONDAY + timedelta(days=7)) == []

    first = await harness.slash("league roster", user=organiser)
    warnings = [text for text in texts(first) if text.startswith("⚠️")]
    assert len(warnings) == 1
    assert f"I could not post the **Sunday Cup** standings in <#{channel.id}>" in warnings[0]
    assert "weekly post is paused" in warnings[0]
    assert all(message.ephemeral for message in first.messages)
    assert "Weekly post: **paused**" in first.reply.embed["description"]

    second = await harness.slash("league roster", user=organiser)
    assert not [text for text in texts(second) if text.startswith("⚠️")]

    # Fixed: scheduling again resumes.
    harness.discord.forbidden_channels.discard(channel.id)
    await harness.slash("league schedule", user=organiser, weekday="Monday", time="20:00")
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    assert not league.paused
    assert league.next_post_at == FIRST_MONDAY + timedelta(days=7)


async def test_delete_removes_the_league_and_its_schedule(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel)
    await harness.slash("league schedule", user=organiser, weekday="Monday", time="20:00", timezone="UTC")
    record = await harness.slash("league delete", user=organiser, league="Sunday Cup")
    prompt = record.reply
    assert prompt.ephemeral
    assert prompt.content is not None
    assert prompt.content.startswith("Delete **Sunday Cup** with its roster of 3 drivers, its weekly post")
    assert len(await harness.bot.leagues.for_guild(harness.guild.id)) == 1  # nothing before the answer
    await harness.driver.click(prompt, "Delete", user=organiser)
    assert prompt.content == (
        "Deleted **Sunday Cup** with its roster of 3 drivers, its weekly post and its post history."
    )
    assert prompt.components == []
    assert await harness.bot.leagues.for_guild(harness.guild.id) == []
    assert await harness.bot.leagues.next_post_time() is None


async def test_a_big_roster_is_posted_whole_within_discord_limits(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    psn_ids = [f"racer{number:03d}" for number in range(45)]
    harness.gt.dataset.add_series(
        SERIES,
        "Nations Cup",
        {psn: (n + 1, [(r, 100 - n, r != 3) for r in range(1, 13)]) for n, psn in enumerate(psn_ids)},
    )
    await harness.slash("league setup", user=organiser, name="Big_League *", series=SERIES, channel=channel)
    await harness.slash("league add", user=organiser, drivers=" ".join(psn_ids))
    harness.gt.reset_counts()
    await harness.slash("league post", user=organiser)
    assert harness.gt.count("/api/series-") == 3
    posts = harness.discord.messages_in(channel.id)
    assert len(posts[0].attachments) == 1
    assert all(not post.attachments for post in posts[1:])
    embeds = [embed for post in posts for embed in post.embeds]
    for post in posts:
        assert len(post.embeds) <= 10
        assert (
            sum(len(embed.get("title", "")) + len(embed.get("description", "")) for embed in post.embeds)
            <= 6000
        )
    assert embeds[0]["title"] == "Big\\_League \\* — Nations Cup · series 6161"
    assert (len(posts), len(embeds)) == (2, 3)  # 20 drivers an embed, as many embeds as fit a message
    shown = "\n".join(embed["description"] for embed in embeds)
    for psn in psn_ids:
        assert f"**{psn}**" in shown
    assert embeds[-1]["footer"]["text"] == f"{len(embeds)}/{len(embeds)}"


async def test_a_post_whose_later_page_fails_is_not_posted_twice(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    psn_ids = [f"racer{number:03d}" for number in range(45)]
    harness.gt.dataset.add_series(
        SERIES,
        "Nations Cup",
        {psn: (n + 1, [(r, 100 - n, r != 3) for r in range(1, 13)]) for n, psn in enumerate(psn_ids)},
    )  # big enough for two channel messages
    await harness.slash("league setup", user=organiser, name="Big", series=SERIES, channel=channel)
    await harness.slash("league add", user=organiser, drivers=" ".join(psn_ids))
    harness.discord.channel_statuses[channel.id] = [200, 503]  # the table and image land, page 2 fails
    record = await harness.slash("league post", user=organiser)
    assert record.reply.content is not None
    assert record.reply.content.startswith("Posted the **Big** standings")  # not "try again": that repeats
    posts = harness.discord.messages_in(channel.id)
    assert len(posts) == 1
    assert len(posts[0].attachments) == 1


# --- schedule changes while a post is being made (issue #9) ------------------------------------------

SLOW_SERIES_SECONDS = 42.0  # the marker of the gated series request


class SeriesGate:
    """Holds the GT Grid Stats stand-in's series request until the test releases it: a slow post."""

    def __init__(self, harness: Harness) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self._sleep = harness.gt.sleep
        harness.gt.sleep = self._gate
        harness.gt.slow(SLOW_SERIES_SECONDS, path_prefix="/api/series-")

    async def _gate(self, seconds: float) -> None:
        if seconds != SLOW_SERIES_SECONDS:
            await self._sleep(seconds)
            return
        self.entered.set()
        await self.release.wait()


async def schedule_during_a_slow_post(
    harness: Harness, organiser: FakeUser, channel: FakeChannel, **options: Any
) -> InteractionRecord:
    """A weekly post is due and its series request is slow; `/league schedule **options` arrives meanwhile.

    Returns once both are done. The command is let go only once Discord has heard from it (its answer, or
    its deferral while it waits for the post), so the interleaving is the same on every run."""
    await new_league(harness, organiser, channel)
    await harness.slash("league schedule", user=organiser, weekday="Monday", time="20:00", timezone="UTC")
    harness.clock.set(FIRST_MONDAY)
    gate = SeriesGate(harness)
    post = asyncio.create_task(harness.bot.league_posts.run_due(FIRST_MONDAY))
    async with asyncio.timeout(10):
        await gate.entered.wait()
    known = set(harness.discord.interactions)
    command = asyncio.create_task(harness.slash("league schedule", user=organiser, **options))

    def command_answered() -> bool:
        return any(
            harness.discord.interactions[key].callbacks for key in set(harness.discord.interactions) - known
        )

    await harness.discord.wait_for(command_answered)
    gate.release.set()
    (outcome,) = await post
    assert outcome.status is RunStatus.POSTED
    record = await command
    assert len(harness.discord.messages_in(channel.id)) == 1  # the due post itself went out, once
    return record


async def test_schedule_off_during_a_slow_post_stays_off(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    record = await schedule_during_a_slow_post(harness, organiser, channel, weekday="off")
    assert record.reply.content is not None
    assert "Weekly posts of **Sunday Cup** are off" in record.reply.content
    assert record.reply.ephemeral
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    assert league.schedule is None
    assert league.next_post_at is None
    assert await harness.bot.leagues.next_post_time() is None
    # A week on, nothing is due and nothing more is posted.
    next_week = FIRST_MONDAY + timedelta(days=7)
    harness.clock.set(next_week)
    assert await harness.bot.league_posts.run_due(next_week) == []
    assert len(harness.discord.messages_in(channel.id)) == 1


async def test_schedule_changed_during_a_slow_post_stores_what_the_reply_says(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    record = await schedule_during_a_slow_post(harness, organiser, channel, weekday="Wednesday", time="21:00")
    wednesday = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
    assert record.reply.content is not None
    assert "every Wednesday at 21:00 (UTC)" in record.reply.content
    assert f"Next post: <t:{int(wednesday.timestamp())}:F>" in record.reply.content
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    assert league.schedule == Schedule(weekday=2, at=time(21, 0), timezone="UTC")
    assert league.next_post_at == wednesday
    assert league.last_posted_at == FIRST_MONDAY


# --- DMs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("standings", {"series": SERIES}),
        ("standings", {"series": SERIES, "drivers": "alpha_one"}),
        ("league roster", {}),
        ("league schedule", {"weekday": "off"}),
        ("league post", {}),
    ],
)
async def test_guild_only_commands_sent_from_a_dm_get_a_friendly_message(
    harness: Harness, command: str, options: dict[str, Any]
) -> None:
    add_series(harness)
    record = await harness.slash(command, user=dm_user(), **options)
    assert record.reply.content == SERVER_ONLY
    assert record.reply.ephemeral
    assert harness.gt.count() == 0
    assert harness.discord.channel_messages == {}


# --- delete asks first -------------------------------------------------------------------------------


async def test_delete_can_be_cancelled_and_only_its_owner_answers(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await new_league(harness, organiser, channel)
    prompt = (await harness.slash("league delete", user=organiser)).reply
    other = harness.member("other_org", manager=True)
    refused = await harness.driver.click(prompt, "Delete", user=other)
    assert refused.reply.ephemeral
    assert refused.reply.content == "Only the person who ran this command can use these buttons."
    assert len(await harness.bot.leagues.for_guild(harness.guild.id)) == 1
    await harness.driver.click(prompt, "Cancel", user=organiser)
    assert prompt.content == "Nothing was deleted: **Sunday Cup** stays as it is."
    assert prompt.components == []
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    assert await harness.bot.leagues.roster(league.id) == ["alpha_one", "beta_two", "gamma_3"]


async def test_delete_without_an_answer_keeps_the_league(
    harness: Harness, organiser: FakeUser, channel: FakeChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.ui.league_views.CONFIRM_SECONDS", 0.01)  # discord.py times views itself
    await new_league(harness, organiser, channel)
    prompt = (await harness.slash("league delete", user=organiser)).reply

    def buttons_disabled() -> bool:
        buttons = [button for row in prompt.components for button in row.get("components", [])]
        return bool(buttons) and all(button.get("disabled") for button in buttons)

    await harness.discord.wait_for(buttons_disabled)
    assert prompt.content == "No answer in time: **Sunday Cup** was not deleted."
    assert len(await harness.bot.leagues.for_guild(harness.guild.id)) == 1


# --- lifecycle ---------------------------------------------------------------------------------------


def post_loops() -> list[asyncio.Task[Any]]:
    return [task for task in asyncio.all_tasks() if task.get_name() == "league-posts" and not task.done()]


async def test_the_post_loop_runs_while_the_cog_is_loaded_and_is_awaited_on_unload(
    harness: Harness, organiser: FakeUser, channel: FakeChannel
) -> None:
    await harness.restart(background_loops=True)
    assert len(post_loops()) == 1  # started by cog_load, not by READY
    await new_league(harness, organiser, channel)
    await harness.slash("league schedule", user=organiser, weekday="Monday", time="20:00", timezone="UTC")
    await harness.bot.unload_extension("cogs.league")
    assert post_loops() == []  # cancelled and awaited before unload returned
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    assert league.next_post_at == FIRST_MONDAY
    assert harness.discord.messages_in(channel.id) == []


async def test_the_image_title_of_a_series_without_a_type_names_the_series_in_posts_and_standings(
    harness: Harness, organiser: FakeUser, channel: FakeChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/standings and the league post build one answer: the same image title, "Series <id>" when the
    series has no type (the post used to say "Standings")."""
    await new_league(harness, organiser, channel)
    harness.gt.dataset.series[SERIES].type = ""
    drawn = DrawnText(monkeypatch)
    await harness.slash("league post", user=organiser)
    (post,) = harness.discord.messages_in(channel.id)
    assert post.embeds[0]["title"] == "Sunday Cup — Series 6161"
    assert "Sunday Cup · Series 6161" in drawn.texts()
    assert "Sunday Cup · Standings" not in drawn.texts()
    posted = list(drawn.texts())
    drawn.requested.clear()
    record = await harness.slash("standings", user=harness.member("ann"), league="Sunday Cup")
    assert record.reply.embeds[0]["title"] == "Sunday Cup — Series 6161"
    assert "Sunday Cup · Series 6161" in drawn.texts()
    assert drawn.texts() == posted  # the same image, drawn twice
