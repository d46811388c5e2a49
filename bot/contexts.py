"""Where an interaction happens, and what the bot may do there.

The application is installable to servers (the bot joins as a member) and to users (the user carries the
commands everywhere: the bot's DMs, group DMs, any server, with no bot member there). Discord tells which
in each interaction: `authorizing_integration_owners` holds key "0" (the server's id) when the app is
installed to the server, key "1" (the user's id) when the user installed it. Only in a server where key
"0" names the server is the bot a member that can read and post in channels, and only there does the bot
keep per-server data (links, leagues): `server_scope` is that server's id, or None everywhere else.
"""

from __future__ import annotations

import enum
from typing import Any

import discord
from discord import app_commands


class Where(enum.Enum):
    SERVER = "server"  # a server the bot is a member of (guild install)
    USER_INSTALL_SERVER = "user_install_server"  # a server where only the user installed the app
    BOT_DM = "bot_dm"  # the user's DMs with the bot
    PRIVATE_CHANNEL = "private_channel"  # a group DM or another user's DM (user install only)


def where(interaction: discord.Interaction[Any]) -> Where:
    if interaction.guild_id is not None:
        # True when authorizing_integration_owners["0"] is this server (the app is installed to it).
        return Where.SERVER if interaction.is_guild_integration() else Where.USER_INSTALL_SERVER
    if interaction.context.private_channel:
        return Where.PRIVATE_CHANNEL
    return Where.BOT_DM


def server_scope(interaction: discord.Interaction[Any]) -> int | None:
    """The server whose stored data (links, leagues) applies here: None in DMs, group DMs and servers
    where the bot is only user-installed (nothing is read or stored for those)."""
    return interaction.guild_id if where(interaction) is Where.SERVER else None


def bot_can_post_in_channel(interaction: discord.Interaction[Any]) -> bool:
    """Whether the bot itself (not the interaction's webhook) can send to the interaction's channel:
    in servers it is a member of, and in its own DMs with the user; never in group DMs or in servers
    where it is only user-installed."""
    return where(interaction) in (Where.SERVER, Where.BOT_DM)


class AddTheBot(app_commands.CheckFailure):
    """A server-only command used in a server where the bot is only user-installed (no bot member)."""

    def __init__(self, command_name: str) -> None:
        super().__init__(f"/{command_name} needs the bot added to this server")
        self.command_name = command_name


def server_installs() -> app_commands.AppInstallationType:
    """For a server-only group: installed with the bot only (fresh objects: discord.py mutates them)."""
    return app_commands.AppInstallationType(guild=True, user=False)


def server_contexts() -> app_commands.AppCommandContext:
    return app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)


def everywhere_installs() -> app_commands.AppInstallationType:
    return app_commands.AppInstallationType(guild=True, user=True)


def everywhere_contexts() -> app_commands.AppCommandContext:
    return app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
