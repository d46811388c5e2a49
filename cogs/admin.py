"""/quota and /about: how the bot spends its GT Grid Stats budget, and what it is."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.app import GridBot
from bot.gtgridstats.budget import EndpointClass
from bot.ui.format import BRAND_COLOUR, duration, number, percent, timestamp
from bot.ui.planner_text import refresh_summary_text


class Admin(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="quota", description="How much of today's GT Grid Stats budget the bot has used."
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def quota(self, interaction: discord.Interaction[GridBot]) -> None:
        budget = self.bot.api.budget
        quota = budget.quota
        embed = discord.Embed(title="GT Grid Stats budget", colour=BRAND_COLOUR)
        if quota.limit is None:
            daily = "not known yet (learned from the first metered call)"
        else:
            daily = f"{number(quota.remaining)} of {number(quota.limit)} left"
            if quota.resets_at is not None:
                daily += f", resets {timestamp(quota.resets_at)}"
        embed.add_field(name="Daily quota", value=daily, inline=False)
        for kind, label in ((EndpointClass.METERED, "Metered calls"), (EndpointClass.FREE, "Regions calls")):
            usage = budget.usage.by_class[kind]
            limiter = budget.limiters[kind]
            embed.add_field(
                name=label,
                value=(
                    f"{number(usage.calls)} made, {number(budget.queued(kind))} queued, "
                    f"{number(usage.coalesced)} shared, {number(usage.failures)} failed\n"
                    f"limit {limiter.limit}/min, next slot in {budget.estimated_wait(kind):.0f} s"
                ),
                inline=False,
            )
        cache = budget.usage.cache
        embed.add_field(
            name="Stored answers",
            value=f"{percent(cache.hit_rate)} served without a call ({number(cache.hits)} of "
            f"{number(cache.hits + cache.misses)})",
            inline=False,
        )
        plan = await self.bot.refresh.plan()
        embed.add_field(
            name="Background refresh", value=refresh_summary_text(plan.summary)[:1024], inline=False
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="about", description="What this bot is, and how it is doing.")
    async def about(self, interaction: discord.Interaction[GridBot]) -> None:
        embed = discord.Embed(
            title="GT Grid",
            description="Gran Turismo 7 cars, drivers and league standings, from GT Grid Stats.",
            colour=BRAND_COLOUR,
        )
        embed.add_field(name="Version", value=__version__)
        embed.add_field(name="Uptime", value=duration(self.bot.clock.now() - self.bot.started_at))
        latency = self.bot.latency
        embed.add_field(
            name="Gateway latency", value="—" if latency != latency else f"{latency * 1000:.0f} ms"
        )
        catalog_at = await self.bot.catalog_updated_at()
        embed.add_field(
            name="Car catalog", value=f"updated {timestamp(catalog_at)}" if catalog_at else "not loaded yet"
        )
        if interaction.guild_id is not None:
            linked = await self.bot.links.count(interaction.guild_id)
            embed.add_field(name="Linked members here", value=number(linked))
        await interaction.response.send_message(embed=embed)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(Admin(bot))
