"""What goes wrong with leagues, in words: the notices the schedule leaves organisers; the league errors."""

from __future__ import annotations

from collections.abc import Sequence

from bot.gtgridstats.errors import GTGridStatsError
from bot.services import league_notices as notices
from bot.services.league_errors import (
    BadLeagueName,
    BadTime,
    BadTimeZone,
    BadWeekday,
    DriversOrLeague,
    LeagueChoiceNeeded,
    LeagueError,
    LeagueExists,
    LeagueGone,
    MissingPostPermissions,
    NobodyLinked,
    NoLeagueYet,
    NoneInRoster,
    NoSuchLeague,
    RosterEmpty,
    RosterFull,
    ScheduleNeeds,
    SeriesNeeded,
    StandingsTooLarge,
    TooManyLeagues,
)
from bot.services.league_notices import ChannelProblem, PostNotTaken, rebuild_problem
from bot.services.league_posts import ChannelUnavailableError, PostFailedError
from bot.services.standings import StandingsError
from bot.ui.format import bold, permission_names, truncate
from bot.ui.i18n import _
from bot.ui.league import channel, names
from bot.ui.standings import describe_standings_error

NOTICES_LIMIT = 2000
# The errors describe_league_error words (bot/ui/errors.py hands them over).
LEAGUE_ERRORS = (LeagueError, StandingsError, ChannelUnavailableError, PostFailedError)


# --- notices ------------------------------------------------------------------------------------------


def _problem_text(data: object) -> str:
    problem = rebuild_problem(data)
    if problem is not None:
        return describe_league_error(problem)
    kind = data.get("type") if isinstance(data, dict) else None
    if isinstance(data, dict) and data.get("error") == "upstream":
        if kind == "QuotaExhaustedError":
            return _("Today's GT Grid Stats quota is used up.")
        return _("GT Grid Stats did not answer properly.")
    return _("An unexpected error happened (it was logged).")


def notice_text(stored: str) -> str:
    data = notices.decode(stored)
    kind = data.get("kind")
    league = bold(str(data.get("league", "")))
    if kind == notices.PAUSED_CHANNEL:
        reason = (
            _("the channel no longer exists")
            if data.get("problem") == ChannelProblem.GONE
            else _("Discord answered that I lack permissions there")
        )
        return _(
            "I could not post the {league} standings in {channel} ({reason}), so its weekly post is "
            "paused. Let me view the channel, send messages, embed links and attach files there (or "
            "choose another channel with `/league setup`), then run `/league schedule` to resume.",
            league=league,
            channel=channel(int(data.get("channel_id", 0))),
            reason=reason,
        )
    if kind == notices.PAUSED_PROBLEM:
        return _(
            "The weekly {league} post is paused: {problem} Fix that, then run `/league schedule` to resume.",
            league=league,
            problem=_problem_text(data.get("problem")),
        )
    if kind == notices.SKIPPED:
        return _(
            "The {league} standings due {due} were not posted: {problem} The next post is {next}, or post "
            "now with `/league post`.",
            league=league,
            due=f"<t:{int(data.get('due_at', 0))}:f>",
            next=f"<t:{int(data.get('next_at', 0))}:f>",
            problem=_problem_text(data.get("problem")),
        )
    if kind == notices.CHECKIN_NOT_POSTED:
        return _(
            "I could not post the {league} check-in for the race at {start} in {channel} ({tries} tries), "
            "so that race has no check-in and no reminder. Let me view the channel, send messages and "
            "embed links there for the next races.",
            league=league,
            start=f"<t:{int(data.get('starts_at', 0))}:f>",
            channel=channel(int(data.get("channel_id", 0))),
            tries=int(data.get("tries", 0)),
        )
    return str(data.get("text", ""))


def notices_message(stored: Sequence[str]) -> tuple[str, int]:
    """The notices as one message within Discord's limit, and how many of them it holds."""
    lines = ["⚠️ " + notice_text(text) for text in stored]
    text = "\n\n".join(lines)
    while len(text) > NOTICES_LIMIT and len(lines) > 1:
        lines.pop()
        text = "\n\n".join(lines)
    return truncate(text, NOTICES_LIMIT), len(lines)


# --- errors -------------------------------------------------------------------------------------------


def describe_league_error(error: Exception) -> str:
    """The message for a league or standings error (bot/ui/errors.py calls this)."""
    if isinstance(error, StandingsError):
        return describe_standings_error(error)
    if isinstance(error, ChannelUnavailableError):
        return post_refused_text(error.channel_id, error.problem)
    if isinstance(error, PostFailedError):
        return post_failed_text(error.status)
    match error:
        case BadLeagueName(limit=limit):
            return _("A league name needs 1–{limit} characters.", limit=limit)
        case NoSuchLeague(name=name):
            return _(
                "There is no league called `{name}` here. "
                "The `league` option suggests this server's leagues as you type.",
                name=name.replace("`", "ˋ"),
            )
        case NoLeagueYet():
            return _("This server has no league yet: create one with `/league setup`.")
        case LeagueChoiceNeeded(names=found):
            return _(
                "This server runs {count} leagues ({names}): please choose one with the `league` option.",
                count=len(found),
                names=names(found),
            )
        case LeagueExists(name=name):
            return _("There is already a league called {league}.", league=bold(name))
        case TooManyLeagues(limit=limit):
            return _("A server can run at most {limit} leagues: delete one first.", limit=limit)
        case LeagueGone(name=name):
            return _("The league {league} no longer exists.", league=bold(name))
        case MissingPostPermissions(channel_id=channel_id, missing=missing):
            return _(
                "I can't post standings in {channel}: I need the {permissions} permission there. "
                "Nothing was saved.",
                channel=channel(channel_id),
                permissions=permission_names(missing),
            )
        case RosterFull(league=league, current=current, adding=adding, limit=limit):
            return _(
                "A roster holds at most {limit} drivers: {league} has {current} and {adding} would be new. "
                "Nothing was added.",
                limit=limit,
                league=bold(league),
                current=current,
                adding=adding,
            )
        case NoneInRoster(league=league):
            return _("None of those drivers are in the {league} roster.", league=bold(league))
        case RosterEmpty(league=league):
            return _("The {league} roster is empty: add drivers with `/league add`.", league=bold(league))
        case BadWeekday(text=text):
            return _(
                "`{text}` is not a weekday. Use a day such as Monday or Sat, or off to stop.",
                text=_code(text),
            )
        case BadTime(text=text):
            return _("`{text}` is not a time. Use 24-hour HH:MM, such as 20:00, or 8pm.", text=_code(text))
        case BadTimeZone(text=text):
            return _(
                "`{text}` is not a time zone I know. Use an IANA name such as Europe/London or "
                "America/New_York (the option suggests names as you type).",
                text=_code(text),
            )
        case ScheduleNeeds(option="time"):
            return _("Please give the `time` of the weekly post, e.g. 20:00.")
        case ScheduleNeeds():
            return _("Please give the `timezone` of the weekly post, e.g. Europe/London.")
        case DriversOrLeague():
            return _("Please give either `drivers` or `league`, not both.")
        case NobodyLinked():
            return _(
                "Nobody here has linked a PSN ID yet: give `drivers` (PSN IDs or mentions) or a `league`."
            )
        case StandingsTooLarge(limit=limit, count=count):
            return _(
                "Standings cover at most {limit} drivers and there are {count}: "
                "give `drivers` or a `league` instead.",
                limit=limit,
                count=count,
            )
        case SeriesNeeded():
            return _("Please give the `series` id, or a `league` (its series is used).")
        case PostNotTaken(status=status):
            return _("Discord did not take the post (HTTP {status}).", status=status)
    if isinstance(error, LeagueError):
        return _("That league request cannot be done.")
    if isinstance(error, GTGridStatsError):
        from bot.ui.errors import upstream_message  # lazy: bot.ui.errors imports this module

        return upstream_message(error)
    return _("An unexpected error happened (it was logged).")


def _code(text: str) -> str:
    return text.replace("`", "ˋ") or _("(empty)")


def post_refused_text(channel_id: int, problem: ChannelProblem) -> str:
    reason = (
        _("the channel no longer exists")
        if problem is ChannelProblem.GONE
        else _("Discord answered that I lack permissions there")
    )
    return _(
        "I could not post in {channel}: {reason}. Give me the View Channel, Send Messages, Embed Links and "
        "Attach Files permissions there, or pick another channel with `/league setup`.",
        channel=channel(channel_id),
        reason=reason,
    )


def post_failed_text(status: int) -> str:
    return _("Discord did not take the post (HTTP {status}). Please try again shortly.", status=status)
