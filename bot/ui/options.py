"""Option transformers: league, weekday, wall-clock time and time zone, each parsed and refused once.

A bad value raises the service's typed error; discord.py wraps it in a TransformerError and
`describe_error` words it, so every command taking the option answers a bad value the same way.
The options' descriptions live here too, one per meaning, so an option reads the same on every command
(tests/cogs/test_command_surface.py checks it); the Translator translates them like any description.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import time
from typing import Any

import discord
from discord import app_commands

from bot.services.league_errors import BadTime
from bot.services.leagues import (
    WEEKDAYS,
    League,
    LeagueService,
    parse_time,
    parse_timezone,
    parse_weekday,
    zone_names,
)

# One description per meaning (English source text; translated by bot/ui/translator.py at sync).
LEAGUE_HELP = "One of this server's leagues (may be left out when the server has one)"
DRIVERS_HELP = "PSN IDs and/or member mentions, separated by spaces or commas"
WEEKDAY_HELP = "Day of the week, or off to stop"
TIME_HELP = "Local time, e.g. 20:00 or 8pm"
TIMEZONE_HELP = "IANA time zone, e.g. Europe/London (default: the league's time zone)"

MAX_CHOICES = 25
OFF = "off"
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Australia/Sydney",
)


def _service(interaction: discord.Interaction[Any]) -> LeagueService:
    service: LeagueService = interaction.client.league_service
    return service


class LeagueOption(app_commands.Transformer[Any]):
    """One of the server's leagues, by name (autocompleted); resolves to the League."""

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> League:
        assert interaction.guild_id is not None  # every command taking a league is guild-only
        return await _service(interaction).find(interaction.guild_id, str(value))

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], value: str, /
    ) -> list[app_commands.Choice[str]]:
        return await league_choices(interaction, value)


async def league_choices(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """The server's leagues matching what is typed (those starting with it first)."""
    if interaction.guild_id is None:
        return []
    found = await _service(interaction).names(interaction.guild_id, current, limit=MAX_CHOICES)
    return [app_commands.Choice(name=name, value=name) for name in found]


async def the_league(interaction: discord.Interaction[Any], league: League | None) -> League:
    """The league given, or the server's only league when the option was left out."""
    assert interaction.guild_id is not None
    return await _service(interaction).pick(interaction.guild_id, league)


LeagueArg = app_commands.Transform[League, LeagueOption]
"""The `league` option of every command: autocompleted, an unknown name refused with one message."""


class WeekdayOption(app_commands.Transformer[Any]):
    """A weekday from fixed choices, or "off": resolves to 0..6 (Monday first) or None."""

    @property
    def choices(self) -> list[app_commands.Choice[int | float | str]]:
        days: list[app_commands.Choice[int | float | str]] = [
            app_commands.Choice(name=day, value=day) for day in WEEKDAYS
        ]
        return [*days, app_commands.Choice(name="Off (stop the weekly post)", value=OFF)]

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> int | None:
        return parse_weekday(str(value))


class WallClockTime(app_commands.Transformer[Any]):
    """A local time of day: `20:00`, `8:30`, `20.00`, `8pm`, `8:30 pm`."""

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> time:
        return parse_time(str(value))

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], value: str, /
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=text, value=text) for text in time_choices(value)]


class TimeZoneOption(app_commands.Transformer[Any]):
    """An IANA time zone, in any case; autocomplete offers common zones, then names matching the text."""

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> str:
        return parse_timezone(str(value))

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], value: str, /
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in zone_choices(value)]


# League nights are evenings: an empty time option offers these first.
COMMON_TIMES = ("18:00", "18:30", "19:00", "19:30", "20:00", "20:30", "21:00", "21:30", "22:00")


def time_choices(current: str) -> list[str]:
    """What the time option offers while typing: the time as read (24-hour), then the quarter hours of
    the hour typed (and of its evening twin: `8` offers 08:00 … and 20:00 …)."""
    text = current.strip()
    if not text:
        return list(COMMON_TIMES)
    offered: list[str] = []
    with contextlib.suppress(BadTime):
        offered.append(parse_time(text).strftime("%H:%M"))
    digits = "".join(itertools.takewhile(str.isdigit, text))[:2]
    if digits:
        hour = int(digits)
        hours = [h for h in (hour, hour + 12) if 0 <= h <= 23 and (h == hour or hour < 12)]
        offered += [f"{h:02d}:{m:02d}" for h in hours for m in (0, 15, 30, 45)]
    return list(dict.fromkeys(offered))[:MAX_CHOICES]


def zone_choices(current: str) -> list[str]:
    wanted = current.strip().lower().replace(" ", "_")
    if not wanted:
        return list(COMMON_ZONES)
    starts: list[str] = []
    contains: list[str] = []
    for name in zone_names():
        lowered = name.lower()
        if lowered.startswith(wanted):
            starts.append(name)
        elif wanted in lowered:
            contains.append(name)
    return (starts + contains)[:MAX_CHOICES]
