"""The bot: its dependencies come in through the constructor; extensions load from an explicit tuple."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock
from bot.gtgridstats import GTGridStatsClient
from bot.gtgridstats.planner import PlannerConfig
from bot.memory import freeze_long_lived_objects
from bot.services.catalog import CatalogService
from bot.services.drivers import DriverService
from bot.services.league_schedule import LeagueSchedule
from bot.services.refresh import RefreshService
from bot.services.standings import StandingsService
from bot.services.tracking import TrackingService
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.leagues import LeagueStore
from bot.storage.links import LinkStore
from bot.storage.tracking import TrackingStore
from bot.ui.errors import describe_error

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = ("cogs.admin", "cogs.drivers", "cogs.league", "cogs.catalog", "cogs.tracking")


@dataclass(frozen=True)
class Dependencies:
    """Everything the bot uses but does not own: `__main__` (or a test) opens and closes these."""

    settings: Settings
    api: GTGridStatsClient
    database: Database
    clock: Clock


class GridTree(app_commands.CommandTree["GridBot"]):
    """Every command error ends here and becomes one clear ephemeral message."""

    async def on_error(
        self, interaction: discord.Interaction[GridBot], error: app_commands.AppCommandError
    ) -> None:
        text, unexpected = describe_error(error)
        if unexpected:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("unexpected error in /%s", command, exc_info=error)
        await send_error(interaction, text)


async def send_error(interaction: discord.Interaction[Any], text: str) -> None:
    """Reply however the interaction's state allows: first response, the deferred message, or a followup."""
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True)
        elif interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            # A deferred "thinking…" message is replaced, so it does not spin forever.
            await interaction.edit_original_response(content=text, embeds=[], attachments=[], view=None)
        else:
            await interaction.followup.send(text, ephemeral=True)
    except discord.HTTPException as failure:
        log.warning("could not deliver an error message to the user: %s", failure)


class GridBot(commands.Bot):
    def __init__(self, dependencies: Dependencies, *, extensions: tuple[str, ...] = EXTENSIONS) -> None:
        # The bot never joins voice: discord.py's warnings about missing voice libraries are only noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.default()
        intents.message_content = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=GridTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.settings = dependencies.settings
        self.api = dependencies.api
        self.database = dependencies.database
        self.clock = dependencies.clock
        self.links = LinkStore(self.database)
        self.drivers = DriverService.build(
            settings=self.settings, api=self.api, database=self.database, links=self.links, clock=self.clock
        )
        self.leagues = LeagueStore(self.database)
        self.standings = StandingsService(
            self.api, self.clock, max_age=timedelta(minutes=self.settings.driver_refresh_minutes)
        )
        self.league_schedule = LeagueSchedule(self.leagues, self.standings, self.links, self.clock)
        self.catalog = CatalogService(
            api=self.api,
            database=self.database,
            clock=self.clock,
            max_age=timedelta(hours=self.settings.catalog_max_age_hours),
        )
        tracking_store = TrackingStore(self.database)
        self.tracking = TrackingService(tracking_store, self.drivers.snapshots, self.clock)
        # Background refresh keeps the drivers of every server that tracks them fresh; the rank roles
        # add their servers with `refresh.add_wanted_guilds`.
        self.refresh = RefreshService(
            drivers=self.drivers,
            store=tracking_store,
            budget=self.api.budget,
            clock=self.clock,
            config=PlannerConfig(
                refresh_interval=timedelta(minutes=self.settings.driver_refresh_minutes),
                background_share=self.settings.background_share_percent / 100,
                per_minute_limit=self.settings.gtgridstats_metered_per_minute,
            ),
            wanted_guilds=[self.tracking.active_guild_ids],
        )
        self.started_at: datetime = self.clock.now()
        self._extensions = extensions

    async def setup_hook(self) -> None:
        await self.database.open()
        version = await self.database.migrate()
        log.info("database at schema version %d", version)
        for extension in self._extensions:
            await self.load_extension(extension)
        guild_id = self.settings.discord_dev_guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to the dev guild %d", len(synced), guild_id)
        freeze_long_lived_objects()

    async def catalog_updated_at(self) -> datetime | None:
        """When the local car catalog was last filled completely (None while it never was)."""
        return await self.catalog.updated_at()

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        deleted = await self.database.purge_guild(guild.id)
        self.dispatch("guild_data_purged", guild.id)
        log.info("left guild %d: deleted its %d stored rows", guild.id, deleted)
