"""Checks shared by the cogs' commands (not an extension: it has no `setup`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

T = TypeVar("T")


def require_server(interaction: discord.Interaction[Any]) -> bool:
    """Refuse an interaction from outside a server (a DM) before any option is read.

    `app_commands.guild_only()` only hides a command in DMs for clients that respect it; a raw DM payload
    still arrives, and gets the friendly "use this in a server" message (bot/ui/errors.py) instead of
    reaching code that needs a guild. Use as a cog's `interaction_check`, or through `server_only()`.
    """
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return True


def server_only() -> Callable[[T], T]:
    """Decorator for a command that works only in a server: hidden in DMs, and refused there if sent."""

    def decorate(command: T) -> T:
        return app_commands.guild_only()(app_commands.check(require_server)(command))

    return decorate
