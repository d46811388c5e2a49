"""League night under /league: sign-ups with rating gates, the race calendar, check-in and attendance.

The groups are added to the league cog's `/league` group at load (so they share its permissions), and the
loop that closes sign-ups and runs check-ins starts in `cog_load` and stops in `cog_unload`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.services.league_night.common import clean_text, league_zone, parse_local
from bot.services.league_night.loop import LeagueNightLoop
from bot.services.league_night.races import (
    CAR_LIMIT,
    DEFAULT_CHECKIN_HOURS,
    DEFAULT_DURATION,
    NOTES_LIMIT,
    TRACK_LIMIT,
    RaceDetails,
)
from bot.services.league_night.signups import make_gate
from bot.services.ratings import DR_CLASSES, SR_CLASSES
from bot.ui import races as race_text
from bot.ui import signups as signup_text
from bot.ui.options import LEAGUE_HELP, TIMEZONE_HELP, LeagueArg, TimeZoneOption, the_league
from bot.ui.replies import Attachment, Reply
from cogs.checks import ServerGroup
from cogs.league import join_league_group, leave_league_group
from cogs.league_night_views import CheckinView, EventSink, Poster, SignupView

log = logging.getLogger(__name__)

DR_CHOICES = [app_commands.Choice(name=name, value=name) for name in DR_CLASSES]
SR_CHOICES = [app_commands.Choice(name=name, value=name) for name in SR_CLASSES]
ZoneArg = app_commands.Transform[str, TimeZoneOption]
DEFAULT_DURATION_MINUTES = DEFAULT_DURATION // timedelta(minutes=1)
RACE_HELP = "The race number `/league race list` shows"
WHEN_HELP = "Date and time, e.g. 2026-12-05 20:00 (league's time zone)"
TRACK_HELP = "Track"
CAR_HELP = "Car or class"
NOTES_HELP = "Notes for the drivers"
CHECKIN_HOURS_HELP = f"Hours before the start that check-in opens (new races: {DEFAULT_CHECKIN_HOURS})"
DURATION_HELP = f"How long the race night lasts, in minutes (new races: {DEFAULT_DURATION_MINUTES})"


def _cog(interaction: discord.Interaction[GridBot]) -> LeagueNight:
    cog = interaction.client.get_cog("LeagueNight")
    assert isinstance(cog, LeagueNight)
    return cog


class SignupCommands(ServerGroup):
    def __init__(self) -> None:
        super().__init__(name="signups", description="Sign-ups for a league, with rating requirements.")

    @app_commands.command(name="open", description="Post a sign-up message with Join and Leave buttons.")
    @app_commands.describe(
        max_grid="Most drivers on the grid; later ones go on a waitlist",
        min_dr="Lowest DR class that may join",
        min_dr_points="Fewest DR points that may join",
        min_sr="Lowest SR class that may join",
        closes="When sign-ups close, e.g. 2026-12-05 20:00 (league's time zone)",
        timezone=TIMEZONE_HELP,
        league=LEAGUE_HELP,
    )
    @app_commands.choices(min_dr=DR_CHOICES, min_sr=SR_CHOICES)
    async def open(
        self,
        interaction: discord.Interaction[GridBot],
        max_grid: app_commands.Range[int, 1, 200] | None = None,
        min_dr: str | None = None,
        min_dr_points: app_commands.Range[int, 0, 200_000] | None = None,
        min_sr: str | None = None,
        closes: str | None = None,
        timezone: ZoneArg | None = None,
        league: LeagueArg | None = None,
    ) -> None:
        cog = _cog(interaction)
        target = await the_league(interaction, league)
        gate = make_gate(min_dr, min_dr_points, min_sr)
        closes_at = parse_local(closes, league_zone(target, timezone)) if closes else None
        reply = Reply(interaction, private=True)
        await reply.defer()
        board = await cog.signups.open(
            target, gate=gate, max_grid=max_grid, closes_at=closes_at, opened_by=interaction.user.id
        )
        try:
            message_id = await cog.poster.post_signup(board)
        except discord.HTTPException:
            await cog.signups.discard(board.signup)
            raise
        await cog.signups.posted(board.signup, message_id)
        cog.loop.changed()
        await reply.send(signup_text.signup_opened(board))

    @app_commands.command(
        name="close", description="Close the sign-ups: the buttons stop, the message stays."
    )
    @app_commands.describe(league=LEAGUE_HELP)
    async def close(self, interaction: discord.Interaction[GridBot], league: LeagueArg | None = None) -> None:
        cog = _cog(interaction)
        target = await the_league(interaction, league)
        reply = Reply(interaction, private=True)
        await reply.defer()
        board = await cog.signups.close(target)
        await cog.poster.signup_closed(board)
        await reply.send(signup_text.signup_closed_reply(board))

    @app_commands.command(name="show", description="The grid and the waitlist of the league's sign-ups.")
    @app_commands.describe(league=LEAGUE_HELP)
    async def show(self, interaction: discord.Interaction[GridBot], league: LeagueArg | None = None) -> None:
        cog = _cog(interaction)
        board = await cog.signups.current(await the_league(interaction, league))
        await Reply(interaction, private=True).send(embed=signup_text.signup_embed(board))


class RaceCommands(ServerGroup):
    def __init__(self) -> None:
        super().__init__(name="race", description="The league's race calendar (also the server's events).")

    @app_commands.command(name="add", description="Add a race to the calendar.")
    @app_commands.describe(
        when=WHEN_HELP,
        track=TRACK_HELP,
        car=CAR_HELP,
        notes=NOTES_HELP,
        checkin_hours=CHECKIN_HOURS_HELP,
        duration_minutes=DURATION_HELP,
        timezone=TIMEZONE_HELP,
        league=LEAGUE_HELP,
    )
    async def add(
        self,
        interaction: discord.Interaction[GridBot],
        when: str,
        track: str | None = None,
        car: str | None = None,
        notes: str | None = None,
        checkin_hours: app_commands.Range[int, 1, 168] = DEFAULT_CHECKIN_HOURS,
        duration_minutes: app_commands.Range[int, 10, 1440] = DEFAULT_DURATION_MINUTES,
        timezone: ZoneArg | None = None,
        league: LeagueArg | None = None,
    ) -> None:
        cog = _cog(interaction)
        target = await the_league(interaction, league)
        details = RaceDetails(
            starts_at=parse_local(when, league_zone(target, timezone)),
            duration=_minutes(duration_minutes),
            track=clean_text(track, TRACK_LIMIT),
            car=clean_text(car, CAR_LIMIT),
            notes=clean_text(notes, NOTES_LIMIT),
            checkin_hours=checkin_hours,
        )
        reply = Reply(interaction, private=True)
        await reply.defer()
        change = await cog.races.add(target, details, interaction.user.id)
        cog.loop.changed()
        await reply.send(race_text.race_added(change))

    @app_commands.command(name="edit", description="Change a race (options left out stay as they are).")
    @app_commands.describe(
        race=RACE_HELP,
        when=WHEN_HELP,
        track=TRACK_HELP,
        car=CAR_HELP,
        notes=NOTES_HELP,
        checkin_hours=CHECKIN_HOURS_HELP,
        duration_minutes=DURATION_HELP,
        timezone=TIMEZONE_HELP,
        league=LEAGUE_HELP,
    )
    async def edit(
        self,
        interaction: discord.Interaction[GridBot],
        race: int,
        when: str | None = None,
        track: str | None = None,
        car: str | None = None,
        notes: str | None = None,
        checkin_hours: app_commands.Range[int, 1, 168] | None = None,
        duration_minutes: app_commands.Range[int, 10, 1440] | None = None,
        timezone: ZoneArg | None = None,
        league: LeagueArg | None = None,
    ) -> None:
        cog = _cog(interaction)
        target = await the_league(interaction, league)
        current = await cog.races.get(target, race)
        details = RaceDetails(
            starts_at=parse_local(when, league_zone(target, timezone)) if when else current.starts_at,
            duration=_minutes(duration_minutes) if duration_minutes else current.duration,
            track=clean_text(track, TRACK_LIMIT) if track is not None else current.track,
            car=clean_text(car, CAR_LIMIT) if car is not None else current.car,
            notes=clean_text(notes, NOTES_LIMIT) if notes is not None else current.notes,
            checkin_hours=checkin_hours or current.checkin_hours,
        )
        reply = Reply(interaction, private=True)
        await reply.defer()
        change = await cog.races.edit(target, race, details)
        cog.loop.changed()
        await reply.send(race_text.race_edited(change))
        if change.checkin is not None:
            await cog.poster.refresh_checkin(change.checkin)

    @app_commands.command(name="remove", description="Remove a race (and its scheduled event).")
    @app_commands.describe(race=RACE_HELP, league=LEAGUE_HELP)
    async def remove(
        self, interaction: discord.Interaction[GridBot], race: int, league: LeagueArg | None = None
    ) -> None:
        cog = _cog(interaction)
        target = await the_league(interaction, league)
        reply = Reply(interaction, private=True)
        await reply.defer()
        change = await cog.races.remove(target, race)
        await reply.send(race_text.race_removed(change))
        if change.checkin is not None:
            await cog.poster.refresh_checkin(change.checkin, removed=True)

    @app_commands.command(name="list", description="The league's race calendar.")
    @app_commands.describe(league=LEAGUE_HELP)
    async def list(self, interaction: discord.Interaction[GridBot], league: LeagueArg | None = None) -> None:
        cog = _cog(interaction)
        target = await the_league(interaction, league)
        await Reply(interaction, private=True).send(
            race_text.calendar_text(target.name, await cog.races.calendar(target))
        )


class CheckinCommands(ServerGroup):
    def __init__(self) -> None:
        super().__init__(name="checkin", description="Check-in for the league's races, and attendance.")

    @app_commands.command(name="show", description="Who has checked in for a race.")
    @app_commands.describe(race=RACE_HELP, league=LEAGUE_HELP)
    async def show(
        self, interaction: discord.Interaction[GridBot], race: int, league: LeagueArg | None = None
    ) -> None:
        cog = _cog(interaction)
        target = await the_league(interaction, league)
        board = await cog.races.checkin_board(await cog.races.get(target, race))
        await Reply(interaction, private=True).send(embed=race_text.checkin_embed(board))

    @app_commands.command(
        name="attendance", description="Attendance per race and driver (optionally as CSV)."
    )
    @app_commands.describe(export="Also attach the attendance as a CSV file", league=LEAGUE_HELP)
    async def attendance(
        self, interaction: discord.Interaction[GridBot], export: bool = False, league: LeagueArg | None = None
    ) -> None:
        cog = _cog(interaction)
        target = await the_league(interaction, league)
        result = await cog.races.attendance(target)
        attachment = Attachment("attendance.csv", race_text.attendance_csv(result)) if export else None
        await Reply(interaction, private=True).send(race_text.attendance_text(result), attachment=attachment)


def _minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


class LeagueNight(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot
        self.signups = bot.league_night.signups
        self.races = bot.league_night.races
        self.races.events = EventSink(bot)
        self.poster = Poster(self)
        self.loop = LeagueNightLoop(self.signups, self.races, bot.clock, self.poster)
        self._groups: list[app_commands.Group] = [SignupCommands(), RaceCommands(), CheckinCommands()]
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        join_league_group(self.bot, self._groups, extension=__name__, override=True)
        # Buttons on old messages keep working after a restart.
        for signup in await self.signups.open_signups():
            if signup.message_id:
                self.bot.add_view(SignupView(self, signup.id), message_id=signup.message_id)
        for race in await self.races.open_checkins():
            if race.checkin_message_id:
                self.bot.add_view(CheckinView(self, race.id), message_id=race.checkin_message_id)
        self._task = asyncio.create_task(self.loop.run_forever(), name="league-night")

    async def cog_unload(self) -> None:
        leave_league_group(self.bot, self._groups)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


async def setup(bot: GridBot) -> None:
    await bot.add_cog(LeagueNight(bot))
