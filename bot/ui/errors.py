"""The one place where an error becomes the text a user reads."""

from __future__ import annotations

from discord import app_commands

from bot.errors import FriendlyError
from bot.gtgridstats.errors import GTGridStatsError
from bot.services.fair_use import LimitKind, UpstreamRateLimited
from bot.ui.league import LEAGUE_ERRORS, describe_league_error
from bot.ui.league_extras import LEAGUE_NIGHT_ERRORS, describe_league_night_error

UNEXPECTED = "Something went wrong on the bot's side. The error was logged; please try again later."


def _permission_names(permissions: list[str]) -> str:
    return ", ".join(name.replace("_", " ").replace("guild", "server").title() for name in permissions)


def _rate_limited(error: UpstreamRateLimited) -> str:
    when = f"<t:{int(error.retry_at.timestamp())}:R>"
    match error.kind:
        case LimitKind.MEMBER_MINUTE:
            return (
                "You are asking GT Grid Stats faster than the bot allows one member, so everyone keeps a "
                f"share of its small quota. Try again {when}; profiles stored recently still answer at once."
            )
        case LimitKind.MEMBER_DAY:
            return (
                f"You have used your GT Grid Stats lookups for today. More are possible {when}; profiles "
                "stored recently still answer at once."
            )
        case LimitKind.SERVER_SHARE:
            return (
                "Today's GT Grid Stats quota is running low and this server has used its fair share of "
                f"what is left. It resets {when}; profiles stored recently still answer at once."
            )


def describe_error(error: BaseException) -> tuple[str, bool]:
    """The user's message for `error`, and whether it was unexpected (a bug to log with its traceback)."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and isinstance(
        error.__cause__, (FriendlyError, GTGridStatsError, *LEAGUE_ERRORS, *LEAGUE_NIGHT_ERRORS)
    ):
        error = error.__cause__
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, LEAGUE_ERRORS):
        return describe_league_error(error), False
    if isinstance(error, LEAGUE_NIGHT_ERRORS):
        return describe_league_night_error(error), False
    match error:
        case FriendlyError():
            return error.message, False
        case GTGridStatsError():
            return error.user_message, False
        case UpstreamRateLimited():
            return _rate_limited(error), False
        case app_commands.MissingPermissions():
            return (
                f"You need the {_permission_names(error.missing_permissions)} permission to do that.",
                False,
            )
        case app_commands.BotMissingPermissions():
            return f"I need the {_permission_names(error.missing_permissions)} permission here.", False
        case app_commands.NoPrivateMessage():
            return (
                "This command works only inside a server: please use it in one of the server's channels.",
                False,
            )
        case app_commands.CommandOnCooldown():
            return f"Slow down a little: try again in {error.retry_after:.0f} s.", False
        case app_commands.TransformerError():
            value = str(error.value)
            shown = value if len(value) <= 40 else value[:39] + "…"
            return f"`{shown}` is not a valid {error.type.name.lower().replace('_', ' ')}.", False
        case app_commands.CheckFailure():
            return "You can't use this command here.", False
        case app_commands.CommandNotFound() | app_commands.CommandSignatureMismatch():
            return "This command is out of date. Please try again in a minute.", True
    return UNEXPECTED, True
