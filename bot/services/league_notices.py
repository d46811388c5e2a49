"""What a league's organisers are told later (a paused or skipped post), stored as data, worded when shown.

A notice is stored as JSON text: its `kind`, the league's name and the values its message needs. The
problem behind it is stored as the error's class name and fields, so the ui words it with the same
message the organiser would read from a command, in the language of whoever reads it.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.gtgridstats.errors import GTGridStatsError
from bot.services.league_errors import LeagueError
from bot.services.standings import StandingsError
from bot.storage.leagues import League

PAUSED_CHANNEL = "paused_channel"
PAUSED_PROBLEM = "paused_problem"
SKIPPED = "skipped"
CHECKIN_NOT_POSTED = "checkin_not_posted"
TEXT = "text"  # a notice stored as English text before notices were data


class ChannelProblem(StrEnum):
    FORBIDDEN = "forbidden"  # Discord answered that the bot lacks permissions there
    GONE = "gone"  # the channel no longer exists


@dataclasses.dataclass
class PostNotTaken(LeagueError):
    """Discord did not take a post (a 5xx or a timeout): `status` is its HTTP status."""

    status: int


def _problem_classes() -> dict[str, type[Exception]]:
    found: dict[str, type[Exception]] = {}
    pending: list[type[Exception]] = [LeagueError, StandingsError]
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return found


def problem_data(error: BaseException) -> dict[str, object]:
    """The error as data: a typed league or standings error with its fields, else only its kind."""
    if isinstance(error, LeagueError | StandingsError) and dataclasses.is_dataclass(error):
        return {"error": type(error).__name__, **dataclasses.asdict(error)}
    if isinstance(error, GTGridStatsError):
        return {"error": "upstream", "type": type(error).__name__}
    return {"error": "unexpected", "type": type(error).__name__}


def rebuild_problem(data: object) -> Exception | None:
    """The typed error `problem_data` stored (None for upstream or unexpected ones, or unknown data)."""
    if not isinstance(data, dict):
        return None
    cls = _problem_classes().get(str(data.get("error")))
    if cls is None or not dataclasses.is_dataclass(cls):
        return None
    fields = {
        field.name: tuple(value) if isinstance(value := data.get(field.name), list) else value
        for field in dataclasses.fields(cls)
        if field.name in data
    }
    try:
        return cls(**fields)
    except TypeError:
        return None


def _encode(kind: str, league: League, **values: object) -> str:
    return json.dumps({"kind": kind, "league": league.name, **values}, separators=(",", ":"))


def paused_for_channel(league: League, problem: ChannelProblem) -> str:
    return _encode(PAUSED_CHANNEL, league, channel_id=league.channel_id, problem=problem.value)


def paused_for_problem(league: League, error: BaseException) -> str:
    return _encode(PAUSED_PROBLEM, league, problem=problem_data(error))


def skipped(league: League, due_at: datetime, next_at: datetime, why: dict[str, object]) -> str:
    return _encode(
        SKIPPED, league, due_at=int(due_at.timestamp()), next_at=int(next_at.timestamp()), problem=why
    )


def checkin_not_posted(league: League, starts_at: datetime, tries: int) -> str:
    return _encode(
        CHECKIN_NOT_POSTED,
        league,
        channel_id=league.channel_id,
        starts_at=int(starts_at.timestamp()),
        tries=tries,
    )


def decode(stored: str) -> dict[str, Any]:
    """A stored notice as data; text stored before notices were data comes back as kind `text`."""
    try:
        data = json.loads(stored)
    except ValueError:
        return {"kind": TEXT, "text": stored}
    if not isinstance(data, dict) or "kind" not in data:
        return {"kind": TEXT, "text": stored}
    return data
