"""The league service's errors: what an organiser can fix, each carrying what bot/ui/league.py needs to
word it (bot/services/leagues.py raises them)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.leagues import MAX_LEAGUES_PER_GUILD

MAX_NAME_LENGTH = 50


class LeagueError(Exception):
    """A league request the organiser can fix; subclasses carry what the message needs."""


@dataclass
class BadLeagueName(LeagueError):
    limit: int = MAX_NAME_LENGTH


@dataclass
class NoSuchLeague(LeagueError):
    name: str  # as typed, cut to MAX_ECHO


@dataclass
class NoLeagueYet(LeagueError):
    pass


@dataclass
class LeagueChoiceNeeded(LeagueError):
    names: tuple[str, ...]


@dataclass
class LeagueExists(LeagueError):
    name: str


@dataclass
class TooManyLeagues(LeagueError):
    limit: int = MAX_LEAGUES_PER_GUILD


@dataclass
class LeagueGone(LeagueError):
    name: str


@dataclass
class MissingPostPermissions(LeagueError):
    channel_id: int
    missing: tuple[str, ...]  # permission flag names, e.g. "attach_files"


@dataclass
class RosterFull(LeagueError):
    league: str
    current: int
    adding: int
    limit: int


@dataclass
class NoneInRoster(LeagueError):
    league: str


@dataclass
class RosterEmpty(LeagueError):
    league: str


@dataclass
class BadWeekday(LeagueError):
    text: str


@dataclass
class BadTime(LeagueError):
    text: str


@dataclass
class BadTimeZone(LeagueError):
    text: str


@dataclass
class ScheduleNeeds(LeagueError):
    option: str  # "time" or "timezone"


@dataclass
class DriversOrLeague(LeagueError):
    """/standings was given both `drivers` and `league`."""


@dataclass
class NobodyLinked(LeagueError):
    pass


@dataclass
class StandingsTooLarge(LeagueError):
    limit: int
    count: int


@dataclass
class SeriesNeeded(LeagueError):
    """/standings without `series` and without a league that has one."""
