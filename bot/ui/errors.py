"""The one place where an error becomes the text a user reads (every message through `_()`)."""

from __future__ import annotations

import math

from discord import app_commands

from bot.contexts import AddTheBot
from bot.errors import (
    Action,
    AlreadyLinked,
    BotsHaveNoPsn,
    DriverCountError,
    DriverListError,
    EitherOption,
    ListProblem,
    NeedsManageServer,
    NewsChannelRefused,
    NewsNotSetUp,
    NobodyLinked,
    NoSuchDriver,
    NotAMember,
    NotAUserId,
    NotLinked,
    ProblemKind,
    UserError,
)
from bot.gtgridstats.errors import (
    BadResponseError,
    GTGridStatsError,
    IdentifierKind,
    InvalidIdentifierError,
    InvalidRequestError,
    NotFoundError,
    QuotaExhaustedError,
    RateLimitedError,
    ResponseTooLargeError,
    UnauthorizedError,
    UpstreamUnavailableError,
)
from bot.gtgridstats.wire import MAX_IDENTIFIERS_PER_CALL
from bot.services.catalog.errors import CatalogError
from bot.services.fair_use import LimitKind, UpstreamRateLimited
from bot.services.league_night.errors import LeagueNightError
from bot.services.personal import MemberOrPsnNotBoth, MembersNeedTheBot, NoPersonalPsn, PersonalError
from bot.services.roles import RolesError
from bot.ui.catalog_errors import catalog_error_text
from bot.ui.format import code, code_text, permission_names, timestamp
from bot.ui.i18n import N_, _, ngettext
from bot.ui.i18n import UNEXPECTED as UNEXPECTED  # the tests import it from here
from bot.ui.league_extras import LEAGUE_EXTRAS_ERRORS, describe_league_extras_error
from bot.ui.league_night_errors import describe_league_night_error
from bot.ui.league_problems import LEAGUE_ERRORS, describe_league_error
from bot.ui.roles import describe_roles_error

# Enough to fix a list in one go, short enough to stay far inside Discord's 2,000-character messages.
MAX_PROBLEMS_SHOWN = 10
SHOWN_VALUE_LIMIT = 40
SHOWN_ENTRY_LIMIT = 30


def psn_rules() -> str:
    return _("3–16 letters, digits, '-' or '_', starting with a letter")


# The invalid-value message per option type, as whole sentences (a type name alone does not translate).
NOT_VALID = {
    "integer": N_("`{value}` is not a valid whole number."),
    "number": N_("`{value}` is not a valid number."),
    "user": N_("`{value}` is not a member I can find here."),
    "channel": N_("`{value}` is not a channel I can use."),
    "role": N_("`{value}` is not a role I can find here."),
}
NOT_VALID_OTHER = N_("`{value}` is not a valid value for this option.")


def wait_text(seconds: float) -> str:
    """A wait as people read it (42 s, 5 min, 3 h); never an exception, whatever the server asked for."""
    if not math.isfinite(seconds) or seconds >= 5_400:
        hours = 24 if not math.isfinite(seconds) else min(24, round(seconds / 3_600))
        return _("{hours} h", hours=hours)
    if seconds >= 90:
        return _("{minutes} min", minutes=round(seconds / 60))
    return _("{seconds} s", seconds=max(1, round(seconds)))


def _identifier(error: InvalidIdentifierError) -> str:
    shown = code(error.value, SHOWN_VALUE_LIMIT)
    match error.kind:
        case IdentifierKind.PSN_ID:
            return _("{value} is not a valid PSN ID ({rules}).", value=shown, rules=psn_rules())
        case IdentifierKind.NO_PSN_IDS:
            return _("No PSN IDs were given.")
        case IdentifierKind.TOO_MANY_PSN_IDS:
            return _(
                "At most {limit} PSN IDs fit in one request; {given} were given.",
                limit=MAX_IDENTIFIERS_PER_CALL,
                given=error.value,
            )
        case IdentifierKind.CAR:
            return _("{value} is not a car id, car code or GT7 code such as `car1544`.", value=shown)
        case IdentifierKind.LOCALE:
            return _("{value} is not a two-letter region code.", value=shown)
        case IdentifierKind.CAR_CLASS:
            return _("{value} is not a car class such as Gr.3.", value=shown)
        case IdentifierKind.POSITIVE_ID:
            return _("The {what} must be a positive whole number.", what=error.value)


def upstream_message(error: GTGridStatsError) -> str:
    """What a GT Grid Stats failure means for the user; never the key, a URL or a traceback."""
    match error:
        case InvalidIdentifierError():
            return _identifier(error)
        case UnauthorizedError():
            return _(
                "The bot's GT Grid Stats API key was refused. A server admin needs to check the bot's "
                "configuration."
            )
        case NotFoundError():
            return _("GT Grid Stats has no record of that.")
        case InvalidRequestError():
            return _("GT Grid Stats refused that request as invalid.")
        case RateLimitedError():
            return _(
                "The bot is sending GT Grid Stats requests as fast as it is allowed. Please try again in "
                "about {wait}.",
                wait=wait_text(error.retry_after),
            )
        case QuotaExhaustedError() if error.resets_at is not None:
            return _(
                "The bot has used today's GT Grid Stats quota. It resets {when}.",
                when=timestamp(error.resets_at),
            )
        case QuotaExhaustedError():
            return _("The bot has used today's GT Grid Stats quota.")
        case UpstreamUnavailableError():
            return _("GT Grid Stats is not answering right now. Please try again in a few minutes.")
        case ResponseTooLargeError():
            return _(
                "GT Grid Stats sent an answer that was too large for the bot to read. Please try again later."
            )
        case BadResponseError():
            return _("GT Grid Stats sent an answer the bot could not read. Please try again later.")
    return _("GT Grid Stats could not answer that right now. Please try again in a little while.")


def _rate_limited(error: UpstreamRateLimited) -> str:
    when = timestamp(error.retry_at)
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


def _problem(problem: ListProblem) -> str:
    shown = code(problem.entry, SHOWN_ENTRY_LIMIT)
    match problem.kind:
        case ProblemKind.NOT_A_DRIVER:
            return _("{entry} is not a PSN ID ({rules}) or a member mention", entry=shown, rules=psn_rules())
        case ProblemKind.LISTED_TWICE:
            return _("{entry} is listed twice", entry=shown)
        case ProblemKind.NOT_LINKED:
            return _("{member} has not linked a PSN ID here (they can use `/link`)", member=problem.entry)
        case ProblemKind.SAME_DRIVER:
            return _("{entry} ({psn_id}) is already in the list", entry=problem.entry, psn_id=problem.psn_id)


def driver_list_message(error: DriverListError) -> str:
    lines = [f"• {_problem(problem)}" for problem in error.problems[:MAX_PROBLEMS_SHOWN]]
    if len(error.problems) > MAX_PROBLEMS_SHOWN:
        lines.append("• " + _("…and {count} more", count=len(error.problems) - MAX_PROBLEMS_SHOWN))
    return _("Please fix the driver list:") + "\n" + "\n".join(lines)


def _driver_count(error: DriverCountError) -> str:
    if error.minimum is not None:
        return ngettext(
            "Please give at least {count} driver.", "Please give at least {count} drivers.", error.minimum
        )
    text = _(
        "Please give at most {maximum} drivers; {given} were given.", maximum=error.maximum, given=error.given
    )
    if error.over:
        shown = ", ".join(code(entry, SHOWN_ENTRY_LIMIT) for entry in error.over[:MAX_PROBLEMS_SHOWN])
        if len(error.over) > MAX_PROBLEMS_SHOWN:
            text += " " + _("Over the limit: {entries} and more.", entries=shown)
        else:
            text += " " + _("Over the limit: {entries}.", entries=shown)
    return text


def _not_linked(error: NotLinked) -> str:
    if error.member_id is None:
        if error.hint:
            return _(
                "You have not linked your PSN ID in this server yet. Use `/link psn_id:<your PSN ID>` "
                "first, or give a `member` or a `psn_id`."
            )
        return _("You have no linked PSN ID in this server.")
    if error.hint:
        return _(
            "{member} has not linked a PSN ID in this server. They can use `/link`, or you can give a "
            "`psn_id` instead.",
            member=f"<@{error.member_id}>",
        )
    return _("{member} has no linked PSN ID in this server.", member=f"<@{error.member_id}>")


OPTION_WORDS = {"member": N_("a member"), "user_id": N_("a user id"), "psn_id": N_("a PSN ID")}


def _option_words(option: str) -> str:
    return _(OPTION_WORDS[option]) if option in OPTION_WORDS else code(option)


def user_error_message(error: UserError) -> str:
    match error:
        case NewsNotSetUp():
            return _("Driver news has no channel yet: pick one with `/tracking channel` first.")
        case NewsChannelRefused():
            return _(
                "I can't post in <#{channel}>: I need View Channel, Send Messages and Embed Links there.",
                channel=error.channel_id,
            )
        case NoSuchDriver():
            return _(
                "GT Grid Stats has no driver {psn_id}. Check the spelling of the PSN ID (it is the online "
                "ID shown on the player's PlayStation profile).",
                psn_id=code(error.psn_id, SHOWN_VALUE_LIMIT),
            )
        case AlreadyLinked():
            return _(
                "{psn_id} is already linked to {member} in this server.",
                psn_id=code(error.psn_id),
                member=f"<@{error.member_id}>",
            )
        case NotLinked():
            return _not_linked(error)
        case NobodyLinked():
            return _("Nobody has linked a PSN ID in this server yet: start with `/link`.")
        case NotAMember():
            return _("{user} is not a member of this server.", user=f"<@{error.user_id}>")
        case BotsHaveNoPsn():
            return _("Bots have no PSN ID to link.")
        case NeedsManageServer() if error.action is Action.UNLINK:
            return _("You need the Manage Server permission to unlink someone else.")
        case NeedsManageServer():
            return _("You need the Manage Server permission to link someone else.")
        case EitherOption():
            first, second = _option_words(error.first), _option_words(error.second)
            return _("Give either {first} or {second}, not both.", first=first, second=second)
        case NotAUserId():
            return _(
                "{value} is not a user id. Give the digits of their id (Developer Mode: right-click the "
                "user, Copy User ID) or a mention.",
                value=code(error.text, SHOWN_ENTRY_LIMIT),
            )
        case DriverListError():
            return driver_list_message(error)
        case DriverCountError():
            return _driver_count(error)
        case CatalogError():
            return catalog_error_text(error)
    return _(UNEXPECTED)


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
    return _(UNEXPECTED)


def describe_error(error: BaseException) -> tuple[str, bool]:
    """The user's message for `error`, and whether it was unexpected (a bug to log with its traceback)."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and isinstance(
        error.__cause__,
        (
            UserError,
            GTGridStatsError,
            RolesError,
            PersonalError,
            LeagueNightError,
            *LEAGUE_ERRORS,
            *LEAGUE_EXTRAS_ERRORS,
        ),
    ):
        error = error.__cause__
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, LEAGUE_ERRORS):
        return describe_league_error(error), False
    if isinstance(error, LEAGUE_EXTRAS_ERRORS):
        return describe_league_extras_error(error), False
    match error:
        case UserError():
            return user_error_message(error), False
        case GTGridStatsError():
            return upstream_message(error), False
        case UpstreamRateLimited():
            return _rate_limited(error), False
        case RolesError():
            return describe_roles_error(error), False
        case PersonalError():
            return personal_error_text(error), False
        case AddTheBot():
            return add_the_bot_text(error), False
        case LeagueNightError():
            return describe_league_night_error(error), False
        case app_commands.MissingPermissions():
            return (
                _(
                    "You need the {permissions} permission to do that.",
                    permissions=permission_names(error.missing_permissions),
                ),
                False,
            )
        case app_commands.BotMissingPermissions():
            return (
                _(
                    "I need the {permissions} permission here.",
                    permissions=permission_names(error.missing_permissions),
                ),
                False,
            )
        case app_commands.NoPrivateMessage():
            return (
                _("This command works only inside a server: please use it in one of the server's channels."),
                False,
            )
        case app_commands.CommandOnCooldown():
            seconds = f"{error.retry_after:.0f}"
            return _("Slow down a little: try again in {seconds} s.", seconds=seconds), False
        case app_commands.TransformerError():
            shown = code_text(str(error.value), SHOWN_VALUE_LIMIT)
            return _(NOT_VALID.get(error.type.name, NOT_VALID_OTHER), value=shown), False
        case app_commands.CheckFailure():
            return _("You can't use this command here."), False
        case app_commands.CommandNotFound() | app_commands.CommandSignatureMismatch():
            return _("This command is out of date. Please try again in a minute."), True
    return _(UNEXPECTED), True
