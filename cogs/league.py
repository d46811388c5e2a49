"""/standings for everyone, and the /league group for organisers (Manage Server): rosters and weekly posts."""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.contexts import server_contexts, server_installs
from bot.errors import FriendlyError
from bot.gtgridstats.identifiers import shorten, validate_positive_id
from bot.services.driver_refs import ResolvedDriver, parse_driver_list, resolve_driver_refs
from bot.services.league_schedule import (
    WEEKDAYS,
    ChannelUnavailableError,
    PostFailedError,
    describe_schedule,
    parse_time,
    parse_timezone,
    parse_weekday,
    zone_names,
)
from bot.services.standings import MAX_DRIVERS, Standings
from bot.storage.leagues import (
    MAX_LEAGUES_PER_GUILD,
    MAX_ROSTER,
    League,
    LeagueExistsError,
    RosterFullError,
    Schedule,
    TooManyLeaguesError,
)
from bot.ui.format import as_of, number, timestamp
from bot.ui.paginator import Paginator, pages_from_lines
from bot.ui.standings import (
    DRIVERS_PER_CHANNEL_PAGE,
    channel_messages,
    csv_filename,
    shows_movement,
    standings_csv,
    standings_pages,
    standings_title,
)
from bot.ui.standings_image import StandingsImages
from cogs.checks import require_server, server_only

log = logging.getLogger(__name__)

MAX_NAME_LENGTH = 50
# What the bot needs in a league's channel: see it, post, and show an embed with the PNG.
POST_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, attach_files=True
)
OFF_WORDS = frozenset({"off", "none", "stop", "disable"})
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


def _permission_names(permissions: discord.Permissions) -> str:
    return ", ".join(name.replace("_", " ").title() for name, granted in permissions if granted)


def clean_league_name(text: str) -> str:
    name = " ".join(text.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise FriendlyError(f"A league name needs 1–{MAX_NAME_LENGTH} characters.")
    return name


def bold(text: str) -> str:
    return f"**{discord.utils.escape_markdown(text)}**"


class Leagues(commands.Cog):
    league = app_commands.Group(
        name="league",
        description="Run a league: its roster and weekly standings posts (Manage Server).",
        guild_only=True,
        allowed_installs=server_installs(),
        allowed_contexts=server_contexts(),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: GridBot) -> None:
        self.bot = bot
        self.schedule = bot.league_schedule
        self.store = bot.leagues
        self.images = StandingsImages()
        self._loop_task: asyncio.Task[None] | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Every command here needs a server: a DM gets "use this in a server", not a traceback."""
        return require_server(interaction)

    async def cog_load(self) -> None:
        self.schedule.poster = self.post_to_channel

    async def cog_unload(self) -> None:
        if self.schedule.poster == self.post_to_channel:
            self.schedule.poster = None
        if self._loop_task is not None:
            self._loop_task.cancel()
            self._loop_task = None

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Start the weekly-post loop once; on_ready fires again after reconnects."""
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self.schedule.run_forever(), name="league-schedule")

    # --- posting (the schedule's poster) -----------------------------------------------------------

    async def post_to_channel(self, league: League, standings: Standings) -> None:
        """The standings as embeds plus the PNG, in as few channel messages as Discord allows."""
        channel = self.bot.get_partial_messageable(league.channel_id, guild_id=league.guild_id)
        pages = standings_pages(standings, league_name=league.name, per_page=DRIVERS_PER_CHANNEL_PAGE)
        png = await self.images.png(
            standings,
            title=f"{league.name} · {standings.series_type or 'Standings'}",
            movement=shows_movement(standings),
        )
        messages = channel_messages(pages)
        try:
            await channel.send(embeds=messages[0], file=_png_file(png, standings))
        except discord.Forbidden:
            raise ChannelUnavailableError("Discord answered that I lack permissions there") from None
        except discord.NotFound:
            raise ChannelUnavailableError("the channel no longer exists") from None
        except discord.HTTPException as error:
            raise PostFailedError(f"HTTP {error.status}") from None
        for page_message, embeds in enumerate(messages[1:], start=2):
            try:
                await channel.send(embeds=embeds)
            except discord.HTTPException as error:
                # The table and the image are already posted: a retry would post them twice, so the rest
                # of the pages is given up on and the post counts as made.
                log.warning(
                    "league %d: page message %d of %d not posted (HTTP %s)",
                    league.id,
                    page_message,
                    len(messages),
                    error.status,
                )
                return

    # --- /standings --------------------------------------------------------------------------------

    @app_commands.command(
        name="standings",
        description="A series' standings for a league, a list of drivers, or this server's linked members.",
    )
    @app_commands.describe(
        series="The GT Grid Stats series id, e.g. 1564",
        drivers="PSN IDs and/or member mentions, separated by spaces or commas",
        league="One of this server's leagues: its roster",
    )
    @server_only()
    async def standings(
        self,
        interaction: discord.Interaction[GridBot],
        series: app_commands.Range[int, 1, None],
        drivers: str | None = None,
        league: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        validate_positive_id(series, "series id")
        chosen: League | None = None
        if drivers and league:
            raise FriendlyError("Please give either `drivers` or `league`, not both.")
        if drivers:
            refs = parse_driver_list(drivers, minimum=1, maximum=MAX_DRIVERS)
            roster = await resolve_driver_refs(refs, interaction.guild_id, self.bot.links)
        elif league:
            chosen = await self._find_league(interaction.guild_id, league)
            roster = await self.schedule.roster_drivers(chosen)
            if not roster:
                raise FriendlyError(f"The {bold(chosen.name)} roster is empty.")
        else:
            links = await self.bot.links.for_guild(interaction.guild_id)
            roster = [ResolvedDriver(link.psn_id, link.member_id) for link in links]
            if not roster:
                raise FriendlyError(
                    "Nobody here has linked a PSN ID yet: give `drivers` (PSN IDs or mentions) or a `league`."
                )
        if len(roster) > MAX_DRIVERS:
            raise FriendlyError(
                f"Standings cover at most {MAX_DRIVERS} drivers and there are {len(roster)}: "
                "give `drivers` or a `league` instead."
            )
        await interaction.response.defer(thinking=True)
        result = await self.bot.standings.standings(series, roster)
        league_name = chosen.name if chosen else None
        pages = standings_pages(result, league_name=league_name)
        png = await self.images.png(result, title=_image_title(result, league_name))
        await Paginator(pages, owner_id=interaction.user.id).send(interaction, file=_png_file(png, result))

    @standings.autocomplete("league")
    async def _standings_league_names(
        self, interaction: discord.Interaction[GridBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._league_choices(interaction, current)

    # --- /league -----------------------------------------------------------------------------------

    @league.command(
        name="setup", description="Create a league, or change an existing league's series and channel."
    )
    @app_commands.describe(
        name="The league's name, e.g. Sunday Cup",
        series="The GT Grid Stats series id, e.g. 1564",
        channel="Where the standings are posted",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def league_setup(
        self,
        interaction: discord.Interaction[GridBot],
        name: app_commands.Range[str, 1, MAX_NAME_LENGTH],
        series: app_commands.Range[int, 1, None],
        channel: app_commands.Transform[PostChannel, PostChannelTransformer],
    ) -> None:
        assert interaction.guild_id is not None
        league_name = clean_league_name(name)
        validate_positive_id(series, "series id")
        missing = POST_PERMISSIONS & ~channel.bot_permissions
        if missing.value:
            raise FriendlyError(
                f"I can't post standings in {channel.mention}: I need the {_permission_names(missing)} "
                "permission there. Nothing was saved."
            )
        now = self.bot.clock.now()
        existing = await self.store.find(interaction.guild_id, league_name)
        if existing is not None:
            await self._defer_if_busy(interaction, existing)
            updated = await self.schedule.retarget(existing, series, channel.id, now)
            text = f"Updated {bold(updated.name)}: series {updated.series_id}, posting in {channel.mention}."
            if existing.paused:
                text += " Its paused weekly post runs again."
        else:
            try:
                created = await self.store.create(
                    interaction.guild_id, league_name, series, channel.id, interaction.user.id, now
                )
            except TooManyLeaguesError:
                raise FriendlyError(
                    f"A server can run at most {MAX_LEAGUES_PER_GUILD} leagues: delete one first."
                ) from None
            except LeagueExistsError:
                raise FriendlyError(f"There is already a league called {bold(league_name)}.") from None
            text = (
                f"Created {bold(created.name)}: series {created.series_id}, posting in {channel.mention}.\n"
                "Next: add drivers with `/league add`, then `/league post` or `/league schedule`."
            )
        await self._reply(interaction, text)

    @league.command(name="add", description="Add drivers (PSN IDs or linked members) to a league's roster.")
    @app_commands.describe(drivers="PSN IDs and/or member mentions, separated by spaces or commas")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def league_add(
        self, interaction: discord.Interaction[GridBot], drivers: str, league: str | None = None
    ) -> None:
        target, wanted = await self._league_and_drivers(interaction, league, drivers)
        try:
            added, already = await self.store.add_drivers(target, wanted, self.bot.clock.now())
        except RosterFullError as error:
            raise FriendlyError(
                f"A roster holds at most {error.limit} drivers: {bold(target.name)} has {error.current} and "
                f"{error.adding} would be new. Nothing was added."
            ) from None
        size = len(await self.store.roster(target.id))
        lines = []
        if added:
            lines.append(f"Added {len(added)} to {bold(target.name)}: {_names(added)}.")
        if already:
            lines.append(f"Already in the roster: {_names(already)}.")
        lines.append(f"The roster has {size} driver{'s' if size != 1 else ''}.")
        await self._reply(interaction, "\n".join(lines))

    @league.command(name="remove", description="Remove drivers from a league's roster.")
    @app_commands.describe(drivers="PSN IDs and/or member mentions, separated by spaces or commas")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def league_remove(
        self, interaction: discord.Interaction[GridBot], drivers: str, league: str | None = None
    ) -> None:
        target, wanted = await self._league_and_drivers(interaction, league, drivers)
        removed = await self.store.remove_drivers(target.id, wanted)
        if not removed:
            raise FriendlyError(f"None of those drivers are in the {bold(target.name)} roster.")
        gone = {psn.lower() for psn in removed}
        absent = [psn for psn in wanted if psn.lower() not in gone]
        size = len(await self.store.roster(target.id))
        lines = [f"Removed {len(removed)} from {bold(target.name)}: {_names(removed)}."]
        if absent:
            lines.append(f"Not in the roster: {_names(absent)}.")
        lines.append(f"The roster has {size} driver{'s' if size != 1 else ''}.")
        await self._reply(interaction, "\n".join(lines))

    @league.command(name="roster", description="A league's drivers, series, channel and schedule.")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def league_roster(
        self, interaction: discord.Interaction[GridBot], league: str | None = None
    ) -> None:
        assert interaction.guild_id is not None
        target = await self._pick_league(interaction.guild_id, league)
        drivers = await self.schedule.roster_drivers(target)
        lines = [
            f"`{index:>3}` {discord.utils.escape_markdown(driver.psn_id)}"
            + (f" · <@{driver.member_id}>" if driver.member_id is not None else "")
            for index, driver in enumerate(drivers, start=1)
        ]
        pages = pages_from_lines(
            f"{target.name} · roster",
            lines or ["No drivers yet: add them with `/league add`."],
            per_page=20,
            header=_league_summary(target, len(drivers)),
        )
        await Paginator(pages, owner_id=interaction.user.id).send(interaction, ephemeral=True)
        await self._deliver_notices(interaction)

    @league.command(name="post", description="Post the league's standings to its channel now.")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def league_post(self, interaction: discord.Interaction[GridBot], league: str | None = None) -> None:
        assert interaction.guild_id is not None
        target = await self._pick_league(interaction.guild_id, league)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            result = await self.schedule.post(target, self.bot.clock.now())
        except ChannelUnavailableError as error:
            raise FriendlyError(
                f"I could not post in <#{target.channel_id}>: {error.reason}. Give me the View Channel, "
                "Send Messages, Embed Links and Attach Files permissions there, or pick another channel "
                "with `/league setup`."
            ) from None
        except PostFailedError as error:
            raise FriendlyError(
                f"Discord did not take the post ({error}). Please try again shortly."
            ) from None
        await self._reply(
            interaction,
            f"Posted the {bold(target.name)} standings ({len(result.rows)} drivers) "
            f"in <#{target.channel_id}>.",
        )

    @league.command(name="schedule", description="Post the standings every week, or stop (weekday: off).")
    @app_commands.describe(
        weekday="Day of the week, e.g. Monday — or off to stop the weekly post",
        time="Local time, 24-hour HH:MM, e.g. 20:00",
        timezone="IANA time zone, e.g. Europe/London (defaults to the league's current one)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def league_schedule(
        self,
        interaction: discord.Interaction[GridBot],
        weekday: str,
        time: str | None = None,
        timezone: str | None = None,
        league: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        target = await self._pick_league(interaction.guild_id, league)
        if weekday.strip().lower() in OFF_WORDS:
            await self._defer_if_busy(interaction, target)
            await self.schedule.clear_schedule(target)
            was = " (it was " + describe_schedule(target.schedule) + ")" if target.schedule else ""
            await self._reply(interaction, f"Weekly posts of {bold(target.name)} are off{was}.")
            return
        day = parse_weekday(weekday)
        if time is None:
            raise FriendlyError("Please give the `time` of the weekly post, e.g. 20:00.")
        at = parse_time(time)
        if timezone is not None:
            zone = parse_timezone(timezone)
        elif target.schedule is not None:
            zone = target.schedule.timezone
        else:
            raise FriendlyError("Please give the `timezone` of the weekly post, e.g. Europe/London.")
        await self._defer_if_busy(interaction, target)
        updated = await self.schedule.set_schedule(target, Schedule(day, at, zone), self.bot.clock.now())
        assert updated.schedule is not None
        assert updated.next_post_at is not None
        await self._reply(
            interaction,
            f"{bold(updated.name)} standings will be posted in <#{updated.channel_id}> "
            f"{describe_schedule(updated.schedule)}. Next post: {timestamp(updated.next_post_at, 'F')} "
            f"({timestamp(updated.next_post_at)}).",
        )

    @league.command(name="export", description="The league's current standings as a CSV file.")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def league_export(
        self, interaction: discord.Interaction[GridBot], league: str | None = None
    ) -> None:
        assert interaction.guild_id is not None
        target = await self._pick_league(interaction.guild_id, league)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.schedule.league_standings(target)
        file = discord.File(io.BytesIO(standings_csv(result)), filename=csv_filename(result, target.name))
        await self._reply(
            interaction,
            f"{bold(target.name)} · {standings_title(result)} · {len(result.rows)} drivers, "
            f"{as_of(result.as_of)}.",
            file=file,
        )

    @league.command(name="delete", description="Delete a league with its roster, schedule and post history.")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def league_delete(
        self, interaction: discord.Interaction[GridBot], league: str | None = None
    ) -> None:
        assert interaction.guild_id is not None
        target = await self._pick_league(interaction.guild_id, league)
        size = len(await self.store.roster(target.id))
        await self.store.delete(target.id)
        await self._reply(
            interaction,
            f"Deleted {bold(target.name)} with its roster of {size} driver{'s' if size != 1 else ''}"
            + (", its weekly post" if target.schedule else "")
            + " and its post history.",
        )

    @league_add.autocomplete("league")
    @league_remove.autocomplete("league")
    @league_roster.autocomplete("league")
    @league_post.autocomplete("league")
    @league_schedule.autocomplete("league")
    @league_export.autocomplete("league")
    @league_delete.autocomplete("league")
    async def _league_names(
        self, interaction: discord.Interaction[GridBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if not interaction.permissions.manage_guild:
            return []
        return await self._league_choices(interaction, current)

    @league_schedule.autocomplete("weekday")
    async def _weekdays(
        self, interaction: discord.Interaction[GridBot], current: str
    ) -> list[app_commands.Choice[str]]:
        options = [*WEEKDAYS, "off"]
        wanted = current.strip().lower()
        return [
            app_commands.Choice(name="Off (stop the weekly post)" if day == "off" else day, value=day)
            for day in options
            if day.lower().startswith(wanted)
        ]

    @league_schedule.autocomplete("timezone")
    async def _timezones(
        self, interaction: discord.Interaction[GridBot], current: str
    ) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower().replace(" ", "_")
        if not wanted:
            names = list(COMMON_ZONES)
        else:
            every = zone_names()
            starts = [name for name in every if name.lower().startswith(wanted)]
            contains = [name for name in every if wanted in name.lower() and name not in starts]
            names = starts + contains
        return [app_commands.Choice(name=name, value=name) for name in names[:25]]

    # --- helpers -----------------------------------------------------------------------------------

    async def _league_choices(
        self, interaction: discord.Interaction[GridBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        wanted = current.strip().casefold()
        leagues = await self.store.for_guild(interaction.guild_id)
        names = [league.name for league in leagues if wanted in league.name.casefold()]
        names.sort(key=lambda name: (not name.casefold().startswith(wanted), name.casefold()))
        return [app_commands.Choice(name=name, value=name) for name in names[:25]]

    async def _find_league(self, guild_id: int, name: str) -> League:
        found = await self.store.find(guild_id, name)
        if found is None:
            raise FriendlyError(
                f"There is no league called `{shorten(name.strip(), 50)}` here. "
                "The `league` option suggests this server's leagues as you type."
            )
        return found

    async def _league_and_drivers(
        self, interaction: discord.Interaction[GridBot], league: str | None, drivers: str
    ) -> tuple[League, list[str]]:
        """For /league add and remove: the league, and the PSN IDs the driver list names."""
        assert interaction.guild_id is not None
        target = await self._pick_league(interaction.guild_id, league)
        refs = parse_driver_list(drivers, minimum=1, maximum=MAX_ROSTER)
        resolved = await resolve_driver_refs(refs, interaction.guild_id, self.bot.links)
        return target, [driver.psn_id for driver in resolved]

    async def _pick_league(self, guild_id: int, name: str | None) -> League:
        """The named league, or the only one when the server runs exactly one."""
        if name:
            return await self._find_league(guild_id, name)
        leagues = await self.store.for_guild(guild_id)
        if not leagues:
            raise FriendlyError("This server has no league yet: create one with `/league setup`.")
        if len(leagues) > 1:
            raise FriendlyError(
                f"This server runs {len(leagues)} leagues ({_names([league.name for league in leagues])}): "
                "please choose one with the `league` option."
            )
        return leagues[0]

    async def _defer_if_busy(self, interaction: discord.Interaction[GridBot], league: League) -> None:
        """A change waits for a post of the league being made, which may outlast the 3 s to answer.

        Called right before the change: nothing awaits in between, so the lock cannot be taken meanwhile."""
        if self.schedule.busy(league.id) and not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)

    async def _reply(
        self, interaction: discord.Interaction[GridBot], text: str, *, file: discord.File | None = None
    ) -> None:
        """An ephemeral answer (organiser business), followed by anything the schedule has to tell them."""
        extra: dict[str, Any] = {"file": file} if file is not None else {}
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, **extra)
        else:
            await interaction.response.send_message(text, ephemeral=True, **extra)
        await self._deliver_notices(interaction)

    async def _deliver_notices(self, interaction: discord.Interaction[GridBot]) -> None:
        """Notices are marked as reported only once Discord has taken the message: each is shown once."""
        assert interaction.guild_id is not None
        notices = await self.store.pending_notices(interaction.guild_id)
        if not notices:
            return
        lines = [f"⚠️ {notice.message}" for notice in notices]
        text = "\n\n".join(lines)
        while len(text) > 2000 and len(lines) > 1:
            lines.pop()
            text = "\n\n".join(lines)
        shown = notices[: len(lines)]
        await interaction.followup.send(text[:2000], ephemeral=True)
        await self.store.mark_reported((notice.id for notice in shown), self.bot.clock.now())


def _names(psn_ids: list[str], limit: int = 1200) -> str:
    text = ", ".join(discord.utils.escape_markdown(psn) for psn in psn_ids)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _image_title(standings: Standings, league_name: str | None) -> str:
    kind = standings.series_type or f"Series {standings.series_id}"
    return f"{league_name} · {kind}" if league_name else f"{kind} standings"


def _png_file(png: bytes, standings: Standings) -> discord.File:
    return discord.File(io.BytesIO(png), filename=f"standings-series-{standings.series_id}.png")


def _league_summary(league: League, drivers: int) -> str:
    lines = [
        f"Series {league.series_id} · posts in <#{league.channel_id}> · {number(drivers)} driver"
        + ("s" if drivers != 1 else "")
    ]
    if league.paused_reason:
        lines.append("Weekly post: **paused** — run `/league schedule` to resume.")
    elif league.schedule is not None and league.next_post_at is not None:
        lines.append(
            f"Weekly post: {describe_schedule(league.schedule)}; next {timestamp(league.next_post_at, 'F')}."
        )
    else:
        lines.append("Weekly post: off.")
    if league.last_posted_at is not None:
        lines.append(f"Last post: {timestamp(league.last_posted_at, 'F')}.")
    return "\n".join(lines)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(Leagues(bot))
