"""/quota and /about: how the bot spends its GT Grid Stats budget, and what it is."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.app import GridBot
from bot.contexts import server_scope
from bot.ui.admin import AboutFacts, about_embed, quota_embed
from bot.ui.replies import Reply
from cogs.checks import anywhere, server_only


class Admin(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="quota", description="How much of today's GT Grid Stats budget the bot has used."
    )
    @server_only()
    @app_commands.default_permissions(manage_guild=True)
    async def quota(self, interaction: discord.Interaction[GridBot]) -> None:
        plan = await self.bot.refresh.plan()
        await Reply(interaction, private=True).send(
            embed=quota_embed(self.bot.api.budget.report(), refresh=plan.summary)
        )

    @app_commands.command(name="about", description="What this bot is, and how it is doing.")
    @anywhere()
    async def about(self, interaction: discord.Interaction[GridBot]) -> None:
        guild_id = server_scope(interaction)  # a user-install-only server has no links
        facts = AboutFacts(
            version=__version__,
            uptime=self.bot.clock.now() - self.bot.started_at,
            latency_seconds=self.bot.latency,
            catalog_updated_at=await self.bot.catalog.updated_at(),
            linked_here=await self.bot.link_service.linked_count(guild_id) if guild_id is not None else None,
        )
        await Reply(interaction, private=False).send(embed=about_embed(facts))


async def setup(bot: GridBot) -> None:
    await bot.add_cog(Admin(bot))
