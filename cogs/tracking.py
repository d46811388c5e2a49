"""/tracking (Manage Server by default): driver news, and the background refresh and digest loops."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
from datetime import datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.errors import NewsChannelRefused
from bot.gtgridstats.errors import QuotaExhaustedError, RateLimitedError
from bot.services.refresh import CycleResult
from bot.services.tracking import PAUSE_FORBIDDEN, PAUSE_GONE, Digest, GuildNews, TrackingSettings
from bot.ui import tracking as text
from bot.ui.digest_chart import FILENAME as DIGEST_CHART_FILENAME
from bot.ui.digest_chart import render_digest_chart
from bot.ui.i18n import public_post
from bot.ui.options import TIME_HELP, WEEKDAY_HELP, TimeZoneOption, WallClockTime, WeekdayOption
from bot.ui.planner_text import refresh_summary_text
from bot.ui.replies import Attachment, Reply
from cogs.checks import require_server
from cogs.league import PostChannel, PostChannelTransformer

log = logging.getLogger(__name__)

NEWS_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
IDLE_SECONDS = 3_600.0  # plan again at least this often, even with nothing due
DEFAULT_DIGEST_TIME = dt.time(20, 0)
RETRY_SECONDS = 300.0  # after a failed cycle (retried as the next cycle)
MIN_SECONDS = 1.0


class Tracking(commands.Cog):
    tracking = app_commands.Group(
        name="tracking",
        description="Driver news: announce DR and SR class changes of linked members (Manage Server).",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    # Discord applies a command's permissions to all its subcommands: the member's own opt-out lives in a
    # group every member can use.
    news = app_commands.Group(
        name="news",
        description="Driver news in this server: opt out of being announced, or back in.",
        guild_only=True,
    )

    def __init__(self, bot: GridBot) -> None:
        self.bot = bot
        self.service = bot.tracking
        self._poke = bot.refresh.wake_event  # wakes the refresh loop (a server turned tracking on, roles...)
        self._digest_poke = asyncio.Event()  # wakes the digest loop (a digest was scheduled)
        self._tasks: list[asyncio.Task[None]] = []
        self._cycle_lock = asyncio.Lock()

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        return require_server(interaction)

    async def cog_load(self) -> None:
        if not self.bot.background_loops:  # tests that drive cycles by hand start none
            return
        self._tasks = [
            asyncio.create_task(self._refresh_loop(), name="background-refresh"),
            asyncio.create_task(self._digest_loop(), name="tracking-digest"),
        ]

    async def cog_unload(self) -> None:
        await self.stop_loops()

    async def stop_loops(self) -> None:
        """Cancel and await both loops (unload; tests that drive cycles by hand)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    # --- commands ----------------------------------------------------------------------------------

    @tracking.command(name="channel", description="Post driver news in this channel.")
    @app_commands.describe(channel="Where driver news is posted")
    async def channel(
        self,
        interaction: discord.Interaction[GridBot],
        channel: app_commands.Transform[PostChannel, PostChannelTransformer],
    ) -> None:
        assert interaction.guild_id is not None
        missing = NEWS_PERMISSIONS & ~channel.bot_permissions
        if missing.value:
            raise NewsChannelRefused(channel.id)
        await self.service.set_channel(interaction.guild_id, channel.id)
        self._poke.set()
        await self._reply(interaction, text.channel_set(channel.id))

    @tracking.command(name="off", description="Stop posting driver news.")
    async def off(self, interaction: discord.Interaction[GridBot]) -> None:
        assert interaction.guild_id is not None
        await self.service.set_channel(interaction.guild_id, None)
        await self._reply(interaction, text.tracking_off())

    @tracking.command(name="pings", description="Ping the members whose class changed (only them).")
    @app_commands.describe(state="on or off")
    @app_commands.choices(
        state=[app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off", value="off")]
    )
    async def pings(self, interaction: discord.Interaction[GridBot], state: app_commands.Choice[str]) -> None:
        assert interaction.guild_id is not None
        # No news channel yet: the service raises TrackingNotSetUpError, which bot/ui/errors.py words.
        await self.service.set_pings(interaction.guild_id, state.value == "on")
        await self._reply(interaction, text.pings_set(state.value == "on"))

    @news.command(name="optout", description="Do not announce me in this server's driver news.")
    async def optout(self, interaction: discord.Interaction[GridBot]) -> None:
        assert interaction.guild_id is not None
        await self.service.set_opted_out(interaction.guild_id, interaction.user.id, True)
        await self._reply(interaction, text.opted_out(True), organiser=False)

    @news.command(name="optin", description="Announce me in this server's driver news again.")
    async def optin(self, interaction: discord.Interaction[GridBot]) -> None:
        assert interaction.guild_id is not None
        await self.service.set_opted_out(interaction.guild_id, interaction.user.id, False)
        await self._reply(interaction, text.opted_out(False), organiser=False)

    @tracking.command(name="digest", description="Post a weekly digest of the week's movers, or turn it off.")
    @app_commands.describe(
        weekday=WEEKDAY_HELP,
        time=TIME_HELP,
        timezone="IANA time zone, e.g. Europe/London (default: UTC)",
    )
    async def digest(
        self,
        interaction: discord.Interaction[GridBot],
        weekday: app_commands.Transform[int | None, WeekdayOption],
        time: app_commands.Transform[dt.time, WallClockTime] | None = None,
        timezone: app_commands.Transform[str, TimeZoneOption] = "UTC",
    ) -> None:
        assert interaction.guild_id is not None
        if weekday is None:
            await self.service.clear_digest(interaction.guild_id)
            await self._reply(interaction, text.digest_off())
            return
        local = time or DEFAULT_DIGEST_TIME
        next_at = await self.service.set_digest(interaction.guild_id, weekday, local, timezone)
        self._digest_poke.set()
        await self._reply(interaction, text.digest_set(weekday, local.strftime("%H:%M"), timezone, next_at))

    @tracking.command(
        name="status", description="Where driver news goes, pings, the digest and the refresh plan."
    )
    async def status(self, interaction: discord.Interaction[GridBot]) -> None:
        assert interaction.guild_id is not None
        settings = await self.service.settings(interaction.guild_id)
        summary = refresh_summary_text((await self.bot.refresh.plan()).summary)
        await self._reply(interaction, text.status_text(settings, summary), notice=False)

    async def _reply(
        self,
        interaction: discord.Interaction[GridBot],
        message: str,
        *,
        organiser: bool = True,
        notice: bool = True,
    ) -> None:
        """An ephemeral answer; an organiser's also says, once, why driver news paused."""
        assert interaction.guild_id is not None
        reason = await self.service.pause_notice(interaction.guild_id) if organiser and notice else None
        await Reply(interaction, private=True).send(text.answer(message, reason))
        if reason is not None:
            await self.service.mark_pause_reported(interaction.guild_id)

    # --- posting -----------------------------------------------------------------------------------

    async def _send(
        self, settings: TrackingSettings, *, attachment: Attachment | None = None, **fields: Any
    ) -> bool:
        """One post in the guild's news channel (with `attachment` uploaded, when given); a refusal for
        good pauses tracking (False)."""
        assert settings.channel_id is not None
        channel = self.bot.get_partial_messageable(settings.channel_id, guild_id=settings.guild_id)
        try:
            if attachment is None:
                await channel.send(**fields)
            else:
                await channel.send(file=attachment.file(), **fields)
        except discord.Forbidden:
            if attachment is not None:
                # Perhaps only Attach Files is missing: the post goes out without its image instead (a
                # channel the bot lost refuses that too, and pauses tracking then).
                log.info("guild %d: news post refused with its image; sent without it", settings.guild_id)
                return await self._send(settings, **_without_image(fields))
            await self.service.pause(settings.guild_id, PAUSE_FORBIDDEN)
            log.warning("guild %d: driver news paused (missing permissions)", settings.guild_id)
            return False
        except discord.NotFound:
            await self.service.pause(settings.guild_id, PAUSE_GONE)
            log.warning("guild %d: driver news paused (channel gone)", settings.guild_id)
            return False
        except discord.HTTPException as error:
            log.warning("guild %d: driver news not posted (HTTP %s)", settings.guild_id, error.status)
            return False
        return True

    async def post_news(self, news: GuildNews) -> None:
        """The news of one refresh in the server's language (a public post)."""
        with public_post(self.bot, news.settings.guild_id):
            messages = text.news_messages(news.items, pings=news.settings.pings)
        for message in messages:
            allowed = (
                discord.AllowedMentions(
                    everyone=False, roles=False, users=[discord.Object(member) for member in message.ping_ids]
                )
                if message.ping_ids
                else discord.AllowedMentions.none()
            )
            if not await self._send(news.settings, content=message.content, allowed_mentions=allowed):
                return

    async def post_digest(self, digest: Digest) -> None:
        """The digest in the server's language (a public post), with the chart of its top movers."""
        guild = self.bot.get_guild(digest.settings.guild_id)
        with public_post(self.bot, digest.settings.guild_id):
            post = text.digest_post(digest, guild.name if guild is not None else None)
            attachment = None
            if post.chart is not None:
                # Drawing takes tens of milliseconds of CPU: off the event loop, as /history's chart.
                png = await asyncio.to_thread(render_digest_chart, post.chart)
                attachment = Attachment(DIGEST_CHART_FILENAME, png)
            await self._send(
                digest.settings,
                embed=post.embed,
                attachment=attachment,
                allowed_mentions=discord.AllowedMentions.none(),
            )

    # --- loops -------------------------------------------------------------------------------------

    async def refresh_once(self) -> CycleResult:
        """One refresh cycle, then its news (one message per server) and the drivers_refreshed event."""
        async with self._cycle_lock:  # one cycle at a time, its news posted before the next
            result = await self.bot.refresh.run_cycle()
            if result.error is None and result.calls:
                for news in await self.service.collect_news():
                    await self.post_news(news)
                self.bot.dispatch("drivers_refreshed", list(result.snapshots))
            return result

    def _delay(self, result: CycleResult) -> float:
        now = self.bot.clock.now()
        error = result.error
        if isinstance(error, QuotaExhaustedError) and error.resets_at is not None:
            return max(MIN_SECONDS, (error.resets_at - now).total_seconds())
        if isinstance(error, RateLimitedError):
            return max(MIN_SECONDS, error.retry_after)
        if error is not None:
            return RETRY_SECONDS
        if result.wake_at is None:
            return math.inf  # nothing wanted: wait for a server to turn something on
        return _seconds_until(result.wake_at, now)

    async def _refresh_loop(self) -> None:
        while True:
            try:
                delay = self._delay(await self.refresh_once())
            except Exception:
                log.exception("background refresh cycle failed; retried in %.0f s", RETRY_SECONDS)
                delay = RETRY_SECONDS
            await self.bot.clock.sleep_or(self._poke, delay)  # inf: until poked
            self._poke.clear()

    async def digest_once(self) -> int:
        digests = await self.service.due_digests()
        for digest in digests:
            await self.post_digest(digest)
        return len(digests)

    async def _digest_loop(self) -> None:
        while True:
            try:
                await self.digest_once()
                upcoming = await self.service.next_digest_at()
                delay = math.inf if upcoming is None else _seconds_until(upcoming, self.bot.clock.now())
            except Exception:
                log.exception("weekly digest run failed; retried in %.0f s", RETRY_SECONDS)
                delay = RETRY_SECONDS
            await self.bot.clock.sleep_or(self._digest_poke, delay)
            self._digest_poke.clear()


def _seconds_until(moment: datetime, now: datetime) -> float:
    return min(IDLE_SECONDS, max(MIN_SECONDS, (moment - now).total_seconds()))


def _without_image(fields: dict[str, Any]) -> dict[str, Any]:
    """A post's fields with its embed no longer showing an attached image."""
    embed = fields.get("embed")
    if not isinstance(embed, discord.Embed):
        return fields
    return {**fields, "embed": embed.copy().set_image(url=None)}


async def setup(bot: GridBot) -> None:
    await bot.add_cog(Tracking(bot))
