"""Checks and small helpers shared by the cogs' commands (not an extension: it has no `setup`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.contexts import AddTheBot, Where, server_scope, where
from bot.services.fair_use import Requester

T = TypeVar("T")


def require_server(interaction: discord.Interaction[Any]) -> bool:
    """Refuse an interaction from outside a server the bot is in, before any option is read.

    `app_commands.guild_only()` only hides a command in DMs for clients that respect it; a raw DM payload
    still arrives, and gets the friendly "use this in a server" message (bot/ui/errors.py) instead of
    reaching code that needs a guild. In a server where the bot is only user-installed (no bot member,
    so no links or leagues, and nothing may be stored), the answer is "add the bot to this server".
    Use as a cog's `interaction_check`, or through `server_only()`.
    """
    place = where(interaction)
    if place is Where.USER_INSTALL_SERVER:
        command = interaction.command
        raise AddTheBot(command.qualified_name if command is not None else "?")
    if place is not Where.SERVER:
        raise app_commands.NoPrivateMessage()
    return True


class ServerGroup(app_commands.Group):
    """A command group whose every command needs a server, refused as `require_server` refuses (a group
    added to another cog's group from outside it has no cog `interaction_check` of its own)."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        return require_server(interaction)


def server_guild_id(interaction: discord.Interaction[Any]) -> int:
    """The guild of a command that needs a server the bot is in, refused as `require_server` refuses.

    In a cog whose `interaction_check` is already `require_server` this only returns the id; in a
    component callback or a command offered everywhere it is the check itself."""
    require_server(interaction)
    assert interaction.guild_id is not None
    return interaction.guild_id


def requester(interaction: discord.Interaction[Any]) -> Requester:
    """Who the upstream calls of a command are charged to (the member, and the server's fair share)."""
    return Requester(guild_id=server_scope(interaction), member_id=interaction.user.id)


def server_only() -> Callable[[T], T]:
    """Decorator for a command that needs a server's data: installed with the bot only, offered in servers
    only, and refused (clearly) when a payload arrives from anywhere else."""

    def decorate(command: T) -> T:
        # allowed_* first: guild_only() must come last, or allowed_contexts() would clear it.
        command = app_commands.allowed_installs(guilds=True, users=False)(command)
        command = app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)(command)
        return app_commands.guild_only()(app_commands.check(require_server)(command))

    return decorate


def anywhere() -> Callable[[T], T]:
    """Decorator for a command that needs no server data: usable with a server install or a user install,
    in servers, the bot's DMs and group DMs."""

    def decorate(command: T) -> T:
        command = app_commands.allowed_installs(guilds=True, users=True)(command)
        return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(command)

    return decorate
