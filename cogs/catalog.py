"""/car, /cars, /manufacturers and /regions: the GT7 car catalog, answered from the local copy."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.services.catalog import CatalogRegion, Choice
from bot.ui.catalog import (
    car_embed,
    choice_label,
    guess_notice,
    manufacturer_cars_pages,
    manufacturer_list_pages,
    region_pages,
)
from bot.ui.locales import region_for_discord_locale
from bot.ui.replies import Reply
from cogs.checks import anywhere

LOCALE_HELP = "Region code (not a language) for names, such as jp or de; see /regions. Default: your language"


def _choices(choices: Sequence[Choice]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=choice_label(choice), value=choice.value) for choice in choices]


class Catalog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot
        self.refresher: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        await self.bot.catalog.load()
        if not self.bot.background_loops:  # tests that fill the catalog by hand start no refresher
            return
        # One refresher for the cog's lifetime (reconnects fire on_ready again; they change nothing here).
        self.refresher = asyncio.create_task(self._keep_fresh(), name="catalog-refresh")

    async def cog_unload(self) -> None:
        if self.refresher is not None:
            # Wait for it to stop, so it never touches the database after the bot has closed it.
            self.refresher.cancel()
            await asyncio.wait({self.refresher})
            self.refresher = None

    async def _keep_fresh(self) -> None:
        # Only a bot that reached the gateway fills the catalog: `python -m bot sync` logs in, loads the
        # extensions and leaves without spending any of the quota.
        await self.bot.wait_until_ready()
        await self.bot.catalog.keep_fresh()

    async def _answer_in(
        self, interaction: discord.Interaction[GridBot], locale: str | None
    ) -> tuple[Reply, CatalogRegion | None]:
        """The public reply (its `defer` is the hook that defers once right before the first upstream
        call: stored answers are sent without deferring), and the region whose names to show."""
        reply = Reply(interaction, private=False)
        region = await self.bot.catalog.resolve_locale(
            locale, region_for_discord_locale(interaction.locale), reply.defer
        )
        return reply, region

    # --- /car --------------------------------------------------------------------------------------------

    @app_commands.command(name="car", description="A GT7 car: picture, class, manufacturer and codes.")
    @anywhere()
    @app_commands.describe(car="Name, id, car code or GT7 code (such as car1544)", locale=LOCALE_HELP)
    async def car(
        self, interaction: discord.Interaction[GridBot], car: str, locale: str | None = None
    ) -> None:
        catalog = self.bot.catalog
        reply, region = await self._answer_in(interaction, locale)
        view = await catalog.car(car, region, reply.defer)
        content = guess_notice(view.guessed_from, "car") if view.guessed_from else None
        await reply.send(content, embed=car_embed(view))

    @car.autocomplete("car")
    async def car_autocomplete(
        self, interaction: discord.Interaction[GridBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return _choices(self.bot.catalog.car_choices(current))

    # --- /cars -------------------------------------------------------------------------------------------

    @app_commands.command(name="cars", description="A manufacturer's GT7 cars, optionally of one class.")
    @anywhere()
    @app_commands.describe(
        manufacturer="Manufacturer name or id (see /manufacturers)",
        car_class="Only this class, such as Gr.3 or N300",
        locale=LOCALE_HELP,
    )
    async def cars(
        self,
        interaction: discord.Interaction[GridBot],
        manufacturer: str,
        car_class: str | None = None,
        locale: str | None = None,
    ) -> None:
        catalog = self.bot.catalog
        reply, region = await self._answer_in(interaction, locale)
        view = await catalog.manufacturer_cars(manufacturer, car_class, region, reply.defer)
        await reply.pages(manufacturer_cars_pages(view))

    @cars.autocomplete("manufacturer")
    async def manufacturer_autocomplete(
        self, interaction: discord.Interaction[GridBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return _choices(self.bot.catalog.manufacturer_choices(current))

    @cars.autocomplete("car_class")
    async def class_autocomplete(
        self, interaction: discord.Interaction[GridBot], current: str
    ) -> list[app_commands.Choice[str]]:
        chosen = getattr(interaction.namespace, "manufacturer", None)
        return _choices(self.bot.catalog.class_choices(current, chosen if isinstance(chosen, str) else None))

    # --- /manufacturers and /regions ----------------------------------------------------------------------

    @app_commands.command(name="manufacturers", description="Every GT7 manufacturer, with its id.")
    @anywhere()
    @app_commands.describe(locale=LOCALE_HELP)
    async def manufacturers(
        self, interaction: discord.Interaction[GridBot], locale: str | None = None
    ) -> None:
        catalog = self.bot.catalog
        reply, region = await self._answer_in(interaction, locale)
        view = await catalog.manufacturer_list(region, reply.defer)
        await reply.pages(manufacturer_list_pages(view))

    @app_commands.command(
        name="regions", description="The GT Grid Stats regions, whose codes pick a language."
    )
    @anywhere()
    async def regions(self, interaction: discord.Interaction[GridBot]) -> None:
        reply = Reply(interaction, private=False)
        regions = await self.bot.catalog.active_regions(reply.defer)
        await reply.pages(region_pages(regions))

    @car.autocomplete("locale")
    @cars.autocomplete("locale")
    @manufacturers.autocomplete("locale")
    async def locale_autocomplete(
        self, interaction: discord.Interaction[GridBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return _choices(self.bot.catalog.region_choices(current))


async def setup(bot: GridBot) -> None:
    await bot.add_cog(Catalog(bot))
