"""The bot: its dependencies come in through the constructor; extensions load from an explicit tuple."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock
from bot.gtgridstats import GTGridStatsClient
from bot.gtgridstats.limiter import background_slots
from bot.gtgridstats.planner import PlannerConfig
from bot.memory import freeze_long_lived_objects
from bot.services.catalog import CatalogService
from bot.services.drivers import DriverService
from bot.services.league_night.night import LeagueNight
from bot.services.league_posts import LeaguePoster, LeaguePosts
from bot.services.leagues import LeagueService
from bot.services.links import LinkService
from bot.services.personal import PersonalService
from bot.services.profiles import ProfileService
from bot.services.refresh import RefreshService
from bot.services.role_sync import RoleService
from bot.services.standings import StandingsService
from bot.services.tracking import TrackingService
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.leagues import LeagueStore
from bot.storage.links import LinkStore
from bot.storage.tracking import TrackingStore
from bot.storage.users import UserDataStore
from bot.ui.errors import describe_error
from bot.ui.i18n import SOURCE_LANGUAGE, guild_language, language_for, load_catalogues, set_language
from bot.ui.league_post import ChannelPoster
from bot.ui.replies import Reply
from bot.ui.role_gateway import DiscordRoles
from bot.ui.translator import CatalogueTranslator

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = (
    "cogs.admin",
    "cogs.drivers",
    "cogs.league",
    "cogs.league_night",
    "cogs.league_extras",
    "cogs.catalog",
    "cogs.roles",
    "cogs.personal",
    "cogs.tracking",
)


@dataclass(frozen=True)
class Dependencies:
    """Everything the bot uses but does not own: `__main__` (or a test) opens and closes these."""

    settings: Settings
    api: GTGridStatsClient
    database: Database
    clock: Clock


class GridTree(app_commands.CommandTree["GridBot"]):
    """Every command error ends here and becomes one clear ephemeral message."""

    async def interaction_check(self, interaction: discord.Interaction[GridBot], /) -> bool:
        # The first hook of every command and autocomplete, in the task that runs the command, its
        # checks and its error handler: answers speak the user's Discord language from here on.
        set_language(language_for(interaction.locale))
        return True

    async def on_error(
        self, interaction: discord.Interaction[GridBot], error: app_commands.AppCommandError
    ) -> None:
        text, unexpected = describe_error(error)
        if unexpected:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("unexpected error in /%s", command, exc_info=error)
        try:
            # After a defer the "thinking…" message is replaced, so it does not spin forever.
            await Reply(interaction, private=True).send(text)
        except discord.HTTPException as failure:
            log.warning("could not deliver an error message to the user: %s", failure)


class GridBot(commands.Bot):
    def __init__(
        self,
        dependencies: Dependencies,
        *,
        extensions: tuple[str, ...] = EXTENSIONS,
        league_poster: LeaguePoster | None = None,
        background_loops: bool = True,
    ) -> None:
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
            # A command without its own decorator is offered only where the bot is a member of a server
            # (cogs/checks.py: `anywhere()` and `server_only()` say it for each command).
            allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=False, private_channel=False
            ),
        )
        self.settings = dependencies.settings
        self.api = dependencies.api
        self.database = dependencies.database
        self.clock = dependencies.clock
        self.links = LinkStore(self.database)
        self.drivers = DriverService.build(
            settings=self.settings, api=self.api, database=self.database, links=self.links, clock=self.clock
        )
        self.link_service = LinkService(self.links, self.drivers, self.clock)
        self.profiles = ProfileService(self.drivers, self.links)
        self.leagues = LeagueStore(self.database)
        self.personal = PersonalService(
            UserDataStore(self.database),
            self.clock,
            forget_unlinked_drivers=self.link_service.forget_unlinked_drivers,
        )
        self.standings = StandingsService(
            self.api,
            self.clock,
            max_age=timedelta(minutes=self.settings.driver_refresh_minutes),
            fair_use=self.drivers.fair_use,
        )
        self.league_night = LeagueNight(
            self.database, self.leagues, self.links, self.drivers, self.link_service, self.clock
        )
        self.league_service = LeagueService(
            self.leagues, self.links, self.standings, self.clock, adjust=self.league_night.adjust
        )
        # Scheduled posts go to Discord through the poster given here (by default, the league's channel).
        self.league_posts = LeaguePosts(
            self.league_service,
            league_poster or ChannelPoster(self),
            self.clock,
            summarise=self.league_night.summary,
        )
        self.catalog = CatalogService(
            api=self.api,
            database=self.database,
            clock=self.clock,
            max_age=timedelta(hours=self.settings.catalog_max_age_hours),
        )
        # Rank roles reach Discord over REST through the gateway given here.
        self.roles = RoleService.build(
            database=self.database, links=self.links, gateway=DiscordRoles(self), clock=self.clock
        )
        # Whether cogs start their background loops when loaded (tests that drive them by hand say no).
        self.background_loops = background_loops
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
                background_per_window=background_slots(self.settings.gtgridstats_metered_per_minute),
            ),
            wanted_guilds=[self.tracking.active_guild_ids],
        )
        self.started_at: datetime = self.clock.now()
        self._extensions = extensions

    async def setup_hook(self) -> None:
        await self.database.open()
        log.info("catalogues loaded (messages per language): %s", load_catalogues())
        await self.tree.set_translator(CatalogueTranslator())
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

    async def close(self) -> None:
        """Unload the cogs (their loops stop), close the gateway, then stop the driver lookups' batchers."""
        await super().close()
        await self.drivers.aclose()

    def guild_language(self, guild_id: int | None) -> str:
        """The language of public posts in a server (its preferred locale); English when unknown."""
        guild = self.get_guild(guild_id) if guild_id is not None else None
        return guild_language(guild) if guild is not None else SOURCE_LANGUAGE

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        deleted = await self.database.purge_guild(guild.id)
        self.dispatch("guild_data_purged", guild.id)
        log.info("left guild %d: deleted its %d stored rows", guild.id, deleted)
