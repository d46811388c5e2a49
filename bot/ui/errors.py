"""The one place where an error becomes the text a user reads."""

from __future__ import annotations

from discord import app_commands

from bot.errors import FriendlyError
from bot.gtgridstats.errors import GTGridStatsError
from bot.ui.format import code

UNEXPECTED = "Something went wrong on the bot's side. The error was logged; please try again later."


def _permission_names(permissions: list[str]) -> str:
    return ", ".join(name.replace("_", " ").replace("guild", "server").title() for name in permissions)


def describe_error(error: BaseException) -> tuple[str, bool]:
    """The user's message for `error`, and whether it was unexpected (a bug to log with its traceback)."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and isinstance(
        error.__cause__, FriendlyError | GTGridStatsError
    ):
        error = error.__cause__
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    match error:
        case FriendlyError():
            return error.message, False
        case GTGridStatsError():
            return error.user_message, False
        case app_commands.MissingPermissions():
            return (
                f"You need the {_permission_names(error.missing_permissions)} permission to do that.",
                False,
            )
        case app_commands.BotMissingPermissions():
            return f"I need the {_permission_names(error.missing_permissions)} permission here.", False
        case app_commands.NoPrivateMessage():
            return "This command works only inside a server.", False
        case app_commands.CommandOnCooldown():
            return f"Slow down a little: try again in {error.retry_after:.0f} s.", False
        case app_commands.TransformerError():
            shown = code(str(error.value), 40)
            return f"{shown} is not a valid {error.type.name.lower().replace('_', ' ')}.", False
        case app_commands.CheckFailure():
            return "You can't use this command here.", False
        case app_commands.CommandNotFound() | app_commands.CommandSignatureMismatch():
            return "This command is out of date. Please try again in a minute.", True
    return UNEXPECTED, True
