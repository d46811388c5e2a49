"""The option transformers: each bad value gets its one message, wherever the option is used."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from discord import app_commands

from bot.services.leagues import parse_time
from bot.ui.options import COMMON_TIMES, COMMON_ZONES, time_choices, zone_choices
from tests.conftest import Harness
from tests.standins.interactions import FakeChannel, FakeUser

SERIES = 7171
NO_SUCH_LEAGUE = (
    "There is no league called `Nope` here. The `league` option suggests this server's leagues as you type."
)
BAD_ZONE = (
    "`Mars/Olympus` is not a time zone I know. Use an IANA name such as Europe/London or "
    "America/New_York (the option suggests names as you type)."
)
# The options each command taking a league needs besides it (every such command must be listed here).
LEAGUE_COMMANDS: dict[str, dict[str, Any]] = {
    "standings": {},
    "league add": {"drivers": "alpha_one"},
    "league remove": {"drivers": "alpha_one"},
    "league roster": {},
    "league post": {},
    "league schedule": {"weekday": "Monday", "time": "20:00", "timezone": "UTC"},
    "league export": {},
    "league delete": {},
    "league signups open": {},
    "league signups close": {},
    "league signups show": {},
    "league race add": {"when": "2026-12-05 20:00"},
    "league race edit": {"race": 1},
    "league race remove": {"race": 1},
    "league race list": {},
    "league checkin show": {"race": 1},
    "league checkin attendance": {},
    "league penalty add": {"driver": "alpha_one", "points": -5, "reason": "Contact"},
    "league penalty remove": {"number": 1},
    "league penalty list": {},
    "league team add": {"name": "Red", "drivers": "alpha_one"},
    "league team remove": {"name": "Red"},
    "league team list": {},
    "league team standings": {},
    "league lobbies": {},
    "league season": {"rounds": 8},
}


@pytest.fixture
async def organiser(harness: Harness) -> FakeUser:
    harness.gt.dataset.add_series(SERIES, "Cup", {"alpha_one": (1, [(1, 10, True)])})
    user = harness.member("org", manager=True)
    channel = FakeChannel(harness.guild)
    await harness.slash("league setup", user=user, name="Sunday Cup", series=SERIES, channel=channel)
    return user


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"weekday": "Funday", "time": "20:00", "timezone": "UTC"},
            "`Funday` is not a weekday. Use a day such as Monday or Sat, or off to stop.",
        ),
        (
            {"weekday": "Monday", "time": "25:00", "timezone": "UTC"},
            "`25:00` is not a time. Use 24-hour HH:MM, such as 20:00, or 8pm.",
        ),
        ({"weekday": "Monday", "time": "20:00", "timezone": "Mars/Olympus"}, BAD_ZONE),
        ({"weekday": "Monday", "time": "20:00", "timezone": "UTC", "league": "Nope"}, NO_SUCH_LEAGUE),
        (
            {"weekday": "Monday", "time": "20:00", "timezone": "`" * 80},
            "`" + "ˋ" * 50 + "` is not a time zone I know. Use an IANA name such as Europe/London or "
            "America/New_York (the option suggests names as you type).",
        ),
    ],
    ids=["weekday", "time", "timezone", "league", "bounded-echo"],
)
async def test_a_bad_value_gets_one_clear_private_message(
    harness: Harness, organiser: FakeUser, options: dict[str, str], message: str
) -> None:
    record = await harness.slash("league schedule", user=organiser, **options)
    assert record.reply.ephemeral
    assert record.reply.content == message
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    assert league.schedule is None


def _league_commands(commands: list[Any], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for command in commands:
        name = f"{prefix}{command.name}"
        if isinstance(command, app_commands.Group):
            found |= _league_commands(command.commands, f"{name} ")
        elif any(parameter.name == "league" for parameter in command.parameters):
            found.add(name)
    return found


async def test_the_league_option_means_the_same_on_every_subcommand(
    harness: Harness, organiser: FakeUser
) -> None:
    for command, options in [
        ("league roster", {}),
        ("league post", {}),
        ("league export", {}),
        ("league delete", {}),
        ("league add", {"drivers": "alpha_one"}),
        ("league remove", {"drivers": "alpha_one"}),
    ]:
        record = await harness.slash(command, user=organiser, league="Nope", **options)
        assert record.reply.content is not None, command
        assert record.reply.content.startswith("There is no league called `Nope` here."), command


async def test_every_league_option_everywhere_refuses_an_unknown_league_the_same_way(
    harness: Harness, organiser: FakeUser
) -> None:
    assert _league_commands(list(harness.bot.tree.get_commands())) == set(LEAGUE_COMMANDS)
    for command, options in LEAGUE_COMMANDS.items():
        record = await harness.slash(command, user=organiser, league="Nope", **options)
        assert record.reply.ephemeral, command
        assert record.reply.content == NO_SUCH_LEAGUE, command
        suggested = await harness.autocomplete(command, "league", user=organiser, league="sun", **options)
        assert suggested == [{"name": "Sunday Cup", "value": "Sunday Cup"}], command


async def test_league_night_time_zones_read_in_any_case_and_refuse_like_league_schedule(
    harness: Harness, organiser: FakeUser
) -> None:
    added = await harness.slash(
        "league race add", user=organiser, when="2026-12-05 20:00", timezone="europe/london"
    )
    assert "Added **Race #1" in added.reply.text(), added.reply.text()
    tokyo = await harness.slash(
        "league race add", user=organiser, when="2026-12-12 20:00", timezone="asia/tokyo"
    )
    assert "Added **Race #2" in tokyo.reply.text(), tokyo.reply.text()
    (league,) = await harness.bot.leagues.for_guild(harness.guild.id)
    calendar = await harness.bot.league_night.races.calendar(league)
    assert [race.starts_at for race in calendar] == [
        datetime(2026, 12, 5, 20, 0, tzinfo=UTC),
        datetime(2026, 12, 12, 11, 0, tzinfo=UTC),
    ]
    zone_commands: list[tuple[str, dict[str, Any]]] = [
        ("league race add", {"when": "2026-12-19 20:00"}),
        ("league race edit", {"race": 1, "when": "2026-12-19 20:00"}),
        ("league signups open", {"closes": "2026-12-04 20:00"}),
    ]
    for command, options in zone_commands:
        record = await harness.slash(command, user=organiser, timezone="Mars/Olympus", **options)
        assert record.reply.ephemeral, command
        assert record.reply.content == BAD_ZONE, command
    assert len(await harness.bot.league_night.races.calendar(league)) == 2
    zones = await harness.autocomplete(
        "league race add", "timezone", user=organiser, when="2026-12-19 20:00", timezone="york"
    )
    assert {"name": "America/New_York", "value": "America/New_York"} in zones


async def test_times_read_in_24_and_12_hour_forms_through_the_command(
    harness: Harness, organiser: FakeUser
) -> None:
    record = await harness.slash(
        "league schedule", user=organiser, weekday="sat", time="8:30 pm", timezone="europe/london"
    )
    assert record.reply.content is not None
    assert "every Saturday at 20:30 (Europe/London)" in record.reply.content
    assert parse_time("20.30") == time(20, 30)


async def test_league_and_time_zone_autocomplete(harness: Harness, organiser: FakeUser) -> None:
    assert await harness.autocomplete("league post", "league", user=organiser, league="sun") == [
        {"name": "Sunday Cup", "value": "Sunday Cup"}
    ]
    assert await harness.autocomplete("league post", "league", user=organiser, league="zzz") == []
    zones = await harness.autocomplete("league schedule", "timezone", user=organiser, timezone="york")
    assert {"name": "America/New_York", "value": "America/New_York"} in zones
    assert len(zones) <= 25


def test_zone_choices_start_with_common_zones_then_prefix_then_contains() -> None:
    assert zone_choices("") == list(COMMON_ZONES)
    chosen = zone_choices("europe/l")
    assert chosen[0].startswith("Europe/L")
    assert "Europe/London" in chosen
    assert all("europe/l" in name.lower() for name in chosen)
    assert len(zone_choices("a")) == 25


async def test_time_autocomplete_offers_the_time_as_read_then_the_quarter_hours(
    harness: Harness, organiser: FakeUser
) -> None:
    evening = await harness.autocomplete("league schedule", "time", user=organiser, weekday="sat", time="")
    assert [choice["value"] for choice in evening] == list(COMMON_TIMES)
    typed = await harness.autocomplete(
        "league schedule", "time", user=organiser, weekday="sat", time="8:30 pm"
    )
    assert typed[0] == {"name": "20:30", "value": "20:30"}
    assert time_choices("8")[:4] == ["08:00", "08:15", "08:30", "08:45"]
    assert "20:00" in time_choices("8")  # the evening twin of a morning hour
    assert time_choices("23") == ["23:00", "23:15", "23:30", "23:45"]
    assert time_choices("nonsense") == []
    for offered in (time_choices(text) for text in ("", "0", "12", "8pm", "21:5")):
        assert all(parse_time(choice) for choice in offered)  # every offer is a valid answer
        assert len(offered) <= 25
