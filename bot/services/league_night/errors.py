"""What can go wrong on league night, as data: `bot/ui/league_night_errors.py` words each for the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class LeagueNightError(Exception):
    """Base class: every subclass is something the user can act on (shown privately)."""


@dataclass
class SignupAlreadyOpenError(LeagueNightError):
    league: str


@dataclass
class NoOpenSignupError(LeagueNightError):
    league: str


@dataclass
class SignupClosedError(LeagueNightError):
    """A button of a sign-up that is closed (or gone) was pressed."""


@dataclass
class GateInvalidError(LeagueNightError):
    kind: str  # "dr", "sr", "dr_points", "max_grid"
    value: str


@dataclass
class BadDateTimeError(LeagueNightError):
    text: str


@dataclass
class UnknownTimezoneError(LeagueNightError):
    text: str


@dataclass
class InPastError(LeagueNightError):
    when: datetime


@dataclass
class PsnTakenError(LeagueNightError):
    """Another member already joined this sign-up with that PSN ID."""

    psn_id: str


@dataclass
class RatingUnavailableError(LeagueNightError):
    """GT Grid Stats could not give fresh data, and the gate needs it."""

    psn_id: str


@dataclass
class SignupFullError(LeagueNightError):
    limit: int


@dataclass
class RaceOverlapError(LeagueNightError):
    other_id: int
    other_start: datetime


@dataclass
class UnknownRaceError(LeagueNightError):
    race_id: int


@dataclass
class TooManyRacesError(LeagueNightError):
    limit: int


@dataclass
class RaceStartedError(LeagueNightError):
    """A race that has started (or is over) can no longer be edited."""

    race_id: int


@dataclass
class NotOnRosterError(LeagueNightError):
    """Check-in by a member who is not (linked to) a roster driver."""

    linked: bool


@dataclass
class CheckinClosedError(LeagueNightError):
    """A check-in button of a race whose check-in is closed (or removed)."""
