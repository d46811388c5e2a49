"""The one place where an error becomes the text a user reads."""

from __future__ import annotations

from discord import app_commands

from bot.contexts import AddTheBot
from bot.errors import FriendlyError
from bot.gtgridstats.errors import GTGridStatsError
from bot.services.fair_use import LimitKind, UpstreamRateLimited
from bot.services.personal import MemberOrPsnNotBoth, MembersNeedTheBot, NoPersonalPsn, PersonalError
from bot.services.roles import RolesError
from bot.ui.format import code_text
from bot.ui.i18n import N_, _
from bot.ui.roles import describe_roles_error

UNEXPECTED = N_("Something went wrong on the bot's side. The error was logged; please try again later.")

# Discord's own names of the permissions the bot asks for (others are spelled from their flag name).
PERMISSION_NAMES = {
    "manage_guild": N_("Manage Server"),
    "view_channel": N_("View Channels"),
    "send_messages": N_("Send Messages"),
    "embed_links": N_("Embed Links"),
    "attach_files": N_("Attach Files"),
}
# The invalid-value message per option type, as whole sentences (a type name alone does not translate).
NOT_VALID = {
    "integer": N_("`{value}` is not a valid whole number."),
    "number": N_("`{value}` is not a valid number."),
    "user": N_("`{value}` is not a member I can find here."),
    "channel": N_("`{value}` is not a channel I can use."),
    "role": N_("`{value}` is not a role I can find here."),
}
NOT_VALID_OTHER = N_("`{value}` is not a valid value for this option.")


def _permission_names(permissions: list[str]) -> str:
    return ", ".join(
        _(PERMISSION_NAMES[name])
        if name in PERMISSION_NAMES
        else name.replace("_", " ").replace("guild", "server").title()
        for name in permissions
    )


def _rate_limited(error: UpstreamRateLimited) -> str:
    when = f"<t:{int(error.retry_at.timestamp())}:R>"
    match error.kind:
        case LimitKind.MEMBER_MINUTE:
            return _(
                "You are asking GT Grid Stats faster than the bot allows one member, so everyone keeps a "
                "share of its small quota. Try again {when}; profiles stored recently still answer at once.",
                when=when,
            )
        case LimitKind.MEMBER_DAY:
            return _(
                "You have used your GT Grid Stats lookups for today. More are possible {when}; profiles "
                "stored recently still answer at once.",
                when=when,
            )
        case LimitKind.SERVER_SHARE:
            return _(
                "Today's GT Grid Stats quota is running low and this server has used its fair share of "
                "what is left. It resets {when}; profiles stored recently still answer at once.",
                when=when,
            )


def add_the_bot_text(error: AddTheBot) -> str:
    return _(
        "/{command} needs the bot in this server: you are using it through your own install here, so it "
        "has no server data and stores nothing for this server. Ask a server manager to add the bot to "
        "use /{command} here.",
        command=error.command_name,
    )


def personal_error_text(error: PersonalError) -> str:
    match error:
        case NoPersonalPsn():
            return _(
                "You have no personal PSN ID yet. Set one with /me psn set (only you can see it), or give "
                "a psn_id."
            )
        case MembersNeedTheBot(in_server=True):
            return _(
                "Members' linked PSN IDs are only known in servers the bot has been added to. Give a "
                "psn_id instead."
            )
        case MembersNeedTheBot():
            return _("Members' linked PSN IDs are only known inside a server. Give a psn_id instead.")
        case MemberOrPsnNotBoth():
            return _("Give either a member or a PSN ID, not both.")
    return _("Something went wrong on the bot's side. The error was logged; please try again later.")


def describe_error(error: BaseException) -> tuple[str, bool]:
    """The user's message for `error`, and whether it was unexpected (a bug to log with its traceback)."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and isinstance(
        error.__cause__, FriendlyError | GTGridStatsError | RolesError | PersonalError
    ):
        error = error.__cause__
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    match error:
        case FriendlyError():
            return error.message, False
        case GTGridStatsError():
            return error.user_message, False
        case UpstreamRateLimited():
            return _rate_limited(error), False
        case RolesError():
            return describe_roles_error(error), False
        case PersonalError():
            return personal_error_text(error), False
        case AddTheBot():
            return add_the_bot_text(error), False
        case app_commands.MissingPermissions():
            return (
                _(
                    "You need the {permissions} permission to do that.",
                    permissions=_permission_names(error.missing_permissions),
                ),
                False,
            )
        case app_commands.BotMissingPermissions():
            names = _permission_names(error.missing_permissions)
            return _("I need the {permissions} permission here.", permissions=names), False
        case app_commands.NoPrivateMessage():
            return (
                _("This command works only inside a server: please use it in one of the server's channels."),
                False,
            )
        case app_commands.CommandOnCooldown():
            return _(
                "Slow down a little: try again in {seconds} s.", seconds=f"{error.retry_after:.0f}"
            ), False
        case app_commands.TransformerError():
            shown = code_text(str(error.value), 40)
            return _(NOT_VALID.get(error.type.name, NOT_VALID_OTHER), value=shown), False
        case app_commands.CheckFailure():
            return _("You can't use this command here."), False
        case app_commands.CommandNotFound() | app_commands.CommandSignatureMismatch():
            return _("This command is out of date. Please try again in a minute."), True
    return _(UNEXPECTED), True
