"""/me: your personal PSN ID, what the bot stores about you, and deleting all of it. Works everywhere;
every answer is private."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.contexts import everywhere_contexts, everywhere_installs
from bot.ui.personal import (
    confirm_delete,
    delete_question,
    psn_cleared_text,
    psn_set_text,
    stored_embed,
)
from bot.ui.replies import Reply


class Personal(commands.Cog):
    me = app_commands.Group(
        name="me",
        description="Your own data: a personal PSN ID, what the bot stores about you, deleting it.",
        allowed_installs=everywhere_installs(),
        allowed_contexts=everywhere_contexts(),
    )
    psn = app_commands.Group(name="psn", description="Your personal PSN ID (only you see it).", parent=me)

    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @psn.command(name="set", description="Keep a personal PSN ID, used in DMs and servers without the bot.")
    @app_commands.describe(psn_id="Your PSN ID (3–16 letters, digits, '-' or '_', starting with a letter)")
    async def psn_set(
        self, interaction: discord.Interaction[GridBot], psn_id: app_commands.Range[str, 1, 100]
    ) -> None:
        done = await self.bot.personal.set_psn(interaction.user.id, psn_id)
        previous = done.previous.psn_id if done.previous else None
        await Reply(interaction, private=True).send(psn_set_text(done.personal.psn_id, previous))

    @psn.command(name="clear", description="Delete your personal PSN ID.")
    async def psn_clear(self, interaction: discord.Interaction[GridBot]) -> None:
        removed = await self.bot.personal.clear_psn(interaction.user.id)
        await Reply(interaction, private=True).send(psn_cleared_text(removed))

    @me.command(name="show", description="Everything the bot stores about you, in every server.")
    async def show(self, interaction: discord.Interaction[GridBot]) -> None:
        rows = await self.bot.personal.everything_about(interaction.user.id)
        names = {
            row.guild_id: guild.name
            for row in rows
            if row.guild_id is not None and (guild := self.bot.get_guild(row.guild_id)) is not None
        }
        await Reply(interaction, private=True).send(embed=stored_embed(rows, names))

    @me.command(name="delete", description="Delete everything the bot stores about you, after a confirm.")
    async def delete(self, interaction: discord.Interaction[GridBot]) -> None:
        user_id = interaction.user.id

        async def confirmed() -> dict[str, int]:
            erased = await self.bot.personal.delete_everything(user_id)
            for guild_id in erased.link_guilds:  # rank roles follow the links, as after /unlink
                self.bot.dispatch("link_changed", guild_id, user_id)
            return erased.touched

        view = confirm_delete(owner_id=user_id, on_confirm=confirmed)
        view.message = await Reply(interaction, private=True).send(delete_question(), view=view)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(Personal(bot))
