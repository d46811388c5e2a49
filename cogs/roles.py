"""/roles (Manage Server by default): rank roles that mirror each linked member's DR (and SR) class.

Discord is reached over REST only (the service's gateway, `DiscordRoles` in bot/ui/role_gateway.py, which
the bot builds the service with): roles and members are fetched when needed, so no privileged intent is
required. Members' roles follow `link_changed` (fired by /link and
/unlink) and `drivers_refreshed` (fired after each background refresh cycle).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.services.role_sync import Refreshed, RoleService
from bot.services.roles import (
    Ladder,
)
from bot.ui import roles as words
from bot.ui.errors import describe_error
from bot.ui.replies import Reply
from cogs.checks import require_server, server_guild_id

log = logging.getLogger(__name__)


class Roles(commands.Cog):
    roles = app_commands.Group(
        name="roles",
        description="Rank roles: members get the role of their DR (and SR) class (Manage Server).",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    setup_group = app_commands.Group(name="setup", description="Set up rank roles.", parent=roles)

    def __init__(self, bot: GridBot) -> None:
        self.bot = bot
        self.service: RoleService = bot.roles
        self._tasks: set[asyncio.Task[None]] = set()

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        return require_server(interaction)

    async def cog_load(self) -> None:
        # The background refresh keeps the drivers of every server with running rank roles fresh.
        self.bot.refresh.add_wanted_guilds(self.service.active_guild_ids)

    async def cog_unload(self) -> None:
        self.bot.refresh.remove_wanted_guilds(self.service.active_guild_ids)
        tasks, self._tasks = set(self._tasks), set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def drain(self) -> None:
        """Wait for the background syncs started so far (tests, and an orderly stop)."""
        while self._tasks:
            await asyncio.gather(*set(self._tasks), return_exceptions=True)

    # --- setup -----------------------------------------------------------------------------------

    @setup_group.command(
        name="create", description="Let the bot create a role per class, named and coloured."
    )
    @app_commands.describe(sr="Also create roles for the SR classes (E to S)")
    async def setup_create(self, interaction: discord.Interaction[GridBot], sr: bool = False) -> None:
        guild_id = server_guild_id(interaction)
        reply = Reply(interaction, private=True)
        await reply.defer()
        done = await self.service.setup_create(guild_id, sr=sr, name=words.role_name)
        self.bot.refresh.wake()  # this server's drivers are now wanted fresh
        await reply.send(words.setup_text(done))

    @setup_group.command(name="map", description="Map existing roles to DR (and SR) classes.")
    @app_commands.describe(
        dr_e="Role for DR E",
        dr_d="Role for DR D",
        dr_c="Role for DR C",
        dr_b="Role for DR B",
        dr_a="Role for DR A",
        dr_a_plus="Role for DR A+",
        sr_e="Role for SR E",
        sr_d="Role for SR D",
        sr_c="Role for SR C",
        sr_b="Role for SR B",
        sr_a="Role for SR A",
        sr_s="Role for SR S",
    )
    async def setup_map(
        self,
        interaction: discord.Interaction[GridBot],
        dr_e: discord.Role | None = None,
        dr_d: discord.Role | None = None,
        dr_c: discord.Role | None = None,
        dr_b: discord.Role | None = None,
        dr_a: discord.Role | None = None,
        dr_a_plus: discord.Role | None = None,
        sr_e: discord.Role | None = None,
        sr_d: discord.Role | None = None,
        sr_c: discord.Role | None = None,
        sr_b: discord.Role | None = None,
        sr_a: discord.Role | None = None,
        sr_s: discord.Role | None = None,
    ) -> None:
        guild_id = server_guild_id(interaction)
        dr = (dr_e, dr_d, dr_c, dr_b, dr_a, dr_a_plus)
        sr = (sr_e, sr_d, sr_c, sr_b, sr_a, sr_s)
        picked = [
            (ladder, class_name, role.id)
            for ladder, options in ((Ladder.DR, dr), (Ladder.SR, sr))
            for class_name, role in zip(ladder.classes, options, strict=True)
            if role is not None
        ]
        reply = Reply(interaction, private=True)
        await reply.defer()
        done = await self.service.setup_map(guild_id, picked)
        self.bot.refresh.wake()
        await reply.send(words.setup_text(done))

    # --- switches ----------------------------------------------------------------------------------

    @roles.command(name="sr", description="Turn the SR class roles on or off.")
    @app_commands.describe(state="on or off")
    async def sr(self, interaction: discord.Interaction[GridBot], state: Literal["on", "off"]) -> None:
        guild_id = server_guild_id(interaction)
        reply = Reply(interaction, private=True)
        await reply.defer()
        pause = await self.service.pause(guild_id)
        done = await self.service.set_sr(guild_id, state == "on", name=words.role_name)
        await reply.send(words.with_pause_notice(pause, words.sr_text(done)))

    @roles.command(
        name="off", description="Stop updating rank roles; optionally delete the roles the bot made."
    )
    @app_commands.describe(remove_created="Also delete the roles the bot created (default: keep them)")
    async def off(self, interaction: discord.Interaction[GridBot], remove_created: bool = False) -> None:
        guild_id = server_guild_id(interaction)
        reply = Reply(interaction, private=True)
        await reply.defer()
        done = await self.service.turn_off(guild_id, remove_created=remove_created)
        await reply.send(words.off_text(done, remove_created=remove_created))

    @roles.command(name="status", description="The rank-role mapping and whether it is running.")
    async def status(self, interaction: discord.Interaction[GridBot]) -> None:
        guild_id = server_guild_id(interaction)
        mapping = await self.service.mapping(guild_id)
        await Reply(interaction, private=True).send(embed=words.status_embed(mapping))

    # --- sync --------------------------------------------------------------------------------------

    @roles.command(
        name="sync", description="Re-apply the rank roles to every linked member, in the background."
    )
    async def sync(self, interaction: discord.Interaction[GridBot]) -> None:
        guild_id = server_guild_id(interaction)
        reply = Reply(interaction, private=True)
        await reply.defer()
        was_paused = (await self.service.pause(guild_id)) is not None
        await self.service.start_sync(guild_id)
        self.bot.refresh.wake()  # a paused mapping runs again
        try:
            await reply.progress(words.sync_started_text(was_paused))
        except BaseException:
            self.service.sync_finished(guild_id)
            raise
        task = asyncio.create_task(self._run_sync(reply, guild_id), name=f"roles-sync-{guild_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_sync(self, reply: Reply, guild_id: int) -> None:
        async def progress(done: int, total: int) -> None:
            await reply.progress(words.sync_progress(done, total))

        try:
            result = await self.service.sync(guild_id, progress)
            await reply.send(words.sync_result(result))
        except Exception as error:
            text, unexpected = describe_error(error)
            if unexpected:
                log.error("guild %d: the rank-role sync failed", guild_id, exc_info=error)
            try:
                await reply.send(text)
            except discord.HTTPException as failure:
                log.warning("guild %d: could not report the sync's failure: %s", guild_id, failure)
        finally:
            self.service.sync_finished(guild_id)

    # --- events ------------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_link_changed(self, guild_id: int, member_id: int) -> None:
        try:
            await self.service.apply_member(guild_id, member_id)
        except Exception:
            log.exception("guild %d: rank roles of member %d could not be applied", guild_id, member_id)

    @commands.Cog.listener()
    async def on_drivers_refreshed(self, snapshots: Refreshed) -> None:
        try:
            await self.service.apply_refreshed(snapshots)
        except Exception:
            log.exception("rank roles after a refresh of %d drivers could not be applied", len(snapshots))


async def setup(bot: GridBot) -> None:
    await bot.add_cog(Roles(bot))
