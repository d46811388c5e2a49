"""/standings for everyone, and the /league group for organisers: rosters, posts and weekly schedules.

Who may run /league is Discord's decision: the group defaults to members with Manage Server, and a server
can hand it to an organiser role (Server Settings -> Integrations); the bot checks nothing more.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.contexts import server_contexts, server_installs
from bot.services.league_night.teams import NoTeamsError, TeamsNeedLeagueError
from bot.services.leagues import MAX_NAME_LENGTH, LeagueService
from bot.ui import league as texts
from bot.ui.league_export import league_export
from bot.ui.league_problems import notices_message
from bot.ui.league_views import confirm_delete
from bot.ui.options import (
    DRIVERS_HELP,
    LEAGUE_HELP,
    TIME_HELP,
    TIMEZONE_HELP,
    WEEKDAY_HELP,
    LeagueArg,
    TimeZoneOption,
    WallClockTime,
    WeekdayOption,
    the_league,
)
from bot.ui.replies import Attachment, Reply
from bot.ui.standings_answer import standings_answer
from bot.ui.standings_image import StandingsImages
from cogs.checks import requester, require_server, server_only

log = logging.getLogger(__name__)

# What the bot needs in a league's channel: see it, post, and show an embed with the PNG.
POST_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, attach_files=True
)
SERIES_HELP = "The GT Grid Stats series id, e.g. 1564"


@dataclass(frozen=True)
class PostChannel:
    """The `channel` option of /league setup, with what the bot may do there."""

    id: int
    bot_permissions: discord.Permissions

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


class PostChannelTransformer(app_commands.Transformer[GridBot]):
    """A text or announcement channel, and the bot's permissions in it.

    The permissions come from the cached channel (`permissions_for(guild.me)`, overwrites included) when
    the gateway has filled the cache, as it does on a connected bot; otherwise from the permissions Discord
    sent with the resolved channel in the interaction.
    """

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction[GridBot], value: Any, /) -> PostChannel:
        channel_type = getattr(value, "type", None)
        if channel_type not in (discord.ChannelType.text, discord.ChannelType.news):
            raise app_commands.TransformerError(value, self.type, self)
        cached = value.resolve() if isinstance(value, app_commands.AppCommandChannel) else value
        if isinstance(cached, discord.abc.GuildChannel) and cached.guild.me is not None:
            permissions = cached.permissions_for(cached.guild.me)
        else:
            permissions = value.permissions
        return PostChannel(id=value.id, bot_permissions=permissions)


class Leagues(commands.Cog):
    league = app_commands.Group(
        name="league",
        description="Run a league: its roster and weekly standings posts.",
        guild_only=True,
        allowed_installs=server_installs(),
        allowed_contexts=server_contexts(),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: GridBot) -> None:
        self.bot = bot
        self.service: LeagueService = bot.league_service
        self.posts = bot.league_posts
        self.images = StandingsImages()
        self._loop_task: asyncio.Task[None] | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Every command here needs a server: a DM gets "use this in a server", not a traceback."""
        return require_server(interaction)

    async def cog_load(self) -> None:
        """The weekly-post loop runs while the cog is loaded (one loop, whatever the gateway does)."""
        if self.bot.background_loops:
            self._loop_task = asyncio.create_task(self.posts.run_forever(), name="league-posts")

    async def cog_unload(self) -> None:
        if self._loop_task is not None:
            # Wait for it to stop, so it never touches the database after the bot has closed it.
            self._loop_task.cancel()
            await asyncio.wait({self._loop_task})
            self._loop_task = None

    # --- /standings --------------------------------------------------------------------------------

    @app_commands.command(
        name="standings",
        description="A series' standings for a league, a list of drivers, or this server's linked members.",
    )
    @app_commands.describe(
        series="The GT Grid Stats series id, e.g. 1564 (defaults to the league's series)",
        drivers=DRIVERS_HELP,
        league="One of this server's leagues: its roster and its series",
        teams="Also show the league's team standings",
    )
    @server_only()
    async def standings(
        self,
        interaction: discord.Interaction[GridBot],
        series: app_commands.Range[int, 1, None] | None = None,
        drivers: str | None = None,
        league: LeagueArg | None = None,
        teams: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        named = league.name if league is not None else None
        request = await self.service.standings_request(interaction.guild_id, series, drivers, named)
        if teams and request.league is None:
            raise TeamsNeedLeagueError()
        ticket = self.service.admit_standings(requester(interaction), request)
        reply = Reply(interaction, private=False)
        await reply.defer()
        result = await self.service.standings(request, ticket=ticket)
        summary = None
        if request.league is not None:
            summary = await self.bot.league_night.summary(request.league, result)
            if teams and not summary.teams:
                raise NoTeamsError(request.league.name)
        league_name = request.league.name if request.league else None
        answer = standings_answer(result, league_name, summary, teams=teams)
        attachment = await answer.attachment(self.images)
        await reply.pages(answer.pages, attachment=attachment)

    # --- /league -----------------------------------------------------------------------------------

    @league.command(
        name="setup", description="Create a league, or change an existing league's series and channel."
    )
    @app_commands.describe(
        name="The league's name, e.g. Sunday Cup",
        series=SERIES_HELP,
        channel="Where the standings are posted",
    )
    async def league_setup(
        self,
        interaction: discord.Interaction[GridBot],
        name: app_commands.Range[str, 1, MAX_NAME_LENGTH],
        series: app_commands.Range[int, 1, None],
        channel: app_commands.Transform[PostChannel, PostChannelTransformer],
    ) -> None:
        assert interaction.guild_id is not None
        reply = Reply(interaction, private=True)
        missing = POST_PERMISSIONS & ~channel.bot_permissions
        result = await self.service.setup(
            interaction.guild_id,
            name,
            series,
            channel.id,
            missing_permissions=[flag for flag, granted in missing if granted],
            created_by=interaction.user.id,
            before_wait=reply.defer,
        )
        await self._answer(reply, texts.setup_text(result))

    @league.command(name="add", description="Add drivers (PSN IDs or linked members) to a league's roster.")
    @app_commands.describe(drivers=DRIVERS_HELP, league=LEAGUE_HELP)
    async def league_add(
        self, interaction: discord.Interaction[GridBot], drivers: str, league: LeagueArg | None = None
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.service.add_drivers(interaction.guild_id, league, drivers)
        await self._answer(Reply(interaction, private=True), texts.added_text(change))

    @league.command(name="remove", description="Remove drivers from a league's roster.")
    @app_commands.describe(drivers=DRIVERS_HELP, league=LEAGUE_HELP)
    async def league_remove(
        self, interaction: discord.Interaction[GridBot], drivers: str, league: LeagueArg | None = None
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.service.remove_drivers(interaction.guild_id, league, drivers)
        await self._answer(Reply(interaction, private=True), texts.removed_text(change))

    @league.command(name="roster", description="A league's drivers, series, channel and schedule.")
    @app_commands.describe(league=LEAGUE_HELP)
    async def league_roster(
        self, interaction: discord.Interaction[GridBot], league: LeagueArg | None = None
    ) -> None:
        target = await the_league(interaction, league)
        drivers = await self.service.roster(target)
        reply = Reply(interaction, private=True)
        await reply.pages(texts.roster_pages(target, drivers))
        await self._deliver_notices(reply)

    @league.command(name="post", description="Post the league's standings to its channel now.")
    @app_commands.describe(league=LEAGUE_HELP)
    async def league_post(
        self, interaction: discord.Interaction[GridBot], league: LeagueArg | None = None
    ) -> None:
        target = await the_league(interaction, league)
        ticket = await self.service.admit_post(requester(interaction), target)
        reply = Reply(interaction, private=True)
        await reply.defer()
        result = await self.posts.post(target, ticket=ticket)
        await self._answer(reply, texts.posted_text(target, result))

    @league.command(name="schedule", description="Post the standings every week, or stop (weekday: off).")
    @app_commands.describe(
        weekday=WEEKDAY_HELP,
        time=TIME_HELP,
        timezone=TIMEZONE_HELP,
        league=LEAGUE_HELP,
    )
    async def league_schedule(
        self,
        interaction: discord.Interaction[GridBot],
        weekday: app_commands.Transform[int | None, WeekdayOption],
        time: app_commands.Transform[Any, WallClockTime] | None = None,
        timezone: app_commands.Transform[str, TimeZoneOption] | None = None,
        league: LeagueArg | None = None,
    ) -> None:
        target = await the_league(interaction, league)
        reply = Reply(interaction, private=True)
        change = await self.service.set_schedule(target, weekday, time, timezone, before_wait=reply.defer)
        await self._answer(reply, texts.schedule_text(change))

    @league.command(
        name="export",
        description="The league's standings as CSV files (with its team standings and attendance).",
    )
    @app_commands.describe(league=LEAGUE_HELP)
    async def league_export(
        self, interaction: discord.Interaction[GridBot], league: LeagueArg | None = None
    ) -> None:
        target = await the_league(interaction, league)
        reply = Reply(interaction, private=True)
        await reply.defer()
        result = await self.service.league_standings(target)
        summary = await self.bot.league_night.summary(target, result)
        attendance = await self.bot.league_night.races.attendance(target)
        text, files = league_export(target, result, summary, attendance)
        await self._answer(reply, text, attachments=files)

    @league.command(name="delete", description="Delete a league with its roster, schedule and post history.")
    @app_commands.describe(league=LEAGUE_HELP)
    async def league_delete(
        self, interaction: discord.Interaction[GridBot], league: LeagueArg | None = None
    ) -> None:
        target = await the_league(interaction, league)
        size = await self.service.roster_size(target)

        async def delete() -> str:
            return texts.deleted_text(await self.service.delete(target))

        view = confirm_delete(target, owner_id=interaction.user.id, delete=delete)
        view.message = await Reply(interaction, private=True).send(
            texts.delete_question(target, size), view=view
        )

    # --- helpers -----------------------------------------------------------------------------------

    async def _answer(self, reply: Reply, text: str, *, attachments: Sequence[Attachment] = ()) -> None:
        """An ephemeral answer (organiser business), followed by anything the schedule has to tell them."""
        await reply.send(text, attachments=attachments)
        await self._deliver_notices(reply)

    async def _deliver_notices(self, reply: Reply) -> None:
        """Notices are marked as reported only once Discord has taken the message: each is shown once."""
        guild_id = reply.interaction.guild_id
        assert guild_id is not None
        pending = await self.service.pending_notices(guild_id)
        if not pending:
            return
        text, shown = notices_message([notice.message for notice in pending])
        await reply.send(text)
        await self.service.mark_reported(pending[:shown])


LeagueItem = app_commands.Command[Any, ..., Any] | app_commands.Group


def join_league_group(
    bot: GridBot, items: Iterable[LeagueItem], *, extension: str, override: bool = False
) -> None:
    """Add another extension's commands under /league when it loads (they share its default permission)."""
    group = bot.tree.get_command("league")
    if not isinstance(group, app_commands.Group):
        raise RuntimeError(f"cogs.league must be loaded before {extension}")
    for item in items:
        group.add_command(item, override=override)


def leave_league_group(bot: GridBot, items: Iterable[LeagueItem]) -> None:
    """Take them out again when that extension unloads (nothing to do once /league itself is gone)."""
    group = bot.tree.get_command("league")
    if isinstance(group, app_commands.Group):
        for item in items:
            group.remove_command(item.name)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(Leagues(bot))
