"""The race calendar (kept in step with the server's scheduled events), check-in and attendance.

Scheduled events go through an `EventSink` the cog provides (the only code that talks to Discord); when
the server refuses them (no Manage Events) the calendar still works and the organisers are told once.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.services.league_night import errors
from bot.services.league_night.lobbies import CheckIns
from bot.storage.leagues import League, LeagueStore
from bot.storage.links import LinkStore
from bot.storage.races import MAX_RACES_PER_LEAGUE, Answer, RaceStore
from bot.storage.races import Race as Race  # re-exported for the cogs

log = logging.getLogger(__name__)

DEFAULT_DURATION = timedelta(hours=2)
DEFAULT_CHECKIN_HOURS = 24
REMINDER_BEFORE = timedelta(hours=1)
TRACK_LIMIT = 100
CAR_LIMIT = 100
NOTES_LIMIT = 500
IN, OUT = "in", "out"


class EventsForbiddenError(Exception):
    """The server refused a scheduled event (403, 50013 Missing Permissions)."""


class EventGoneError(Exception):
    """The scheduled event no longer exists (deleted by hand in Discord)."""


class EventSink(Protocol):
    async def create(self, league: League, race: Race) -> int: ...
    async def edit(self, league: League, race: Race) -> None: ...
    async def delete(self, guild_id: int, event_id: int) -> None: ...


class EventNote(enum.StrEnum):
    IN_STEP = "in_step"  # the event was created / updated / deleted
    REFUSED_FIRST = "refused_first"  # no permission: say so (once per server)
    REFUSED = "refused"  # no permission, already told
    FAILED = "failed"  # Discord failed otherwise (logged)
    NONE = "none"  # nothing to do


@dataclass(frozen=True)
class RaceChange:
    race: Race
    league: League
    event: EventNote
    # Edited or removed after its check-in was posted: the check-in message to refresh (or close).
    checkin: CheckinBoard | None = None


@dataclass(frozen=True)
class RaceDetails:
    starts_at: datetime
    duration: timedelta = DEFAULT_DURATION
    track: str | None = None
    car: str | None = None
    notes: str | None = None
    checkin_hours: int = DEFAULT_CHECKIN_HOURS


@dataclass(frozen=True)
class DriverAttendance:
    psn_id: str
    statuses: dict[int, str]  # race id -> "in" / "out"; absent: no answer

    def count(self, status: str) -> int:
        return sum(1 for value in self.statuses.values() if value == status)


@dataclass(frozen=True)
class Attendance:
    league: League
    races: list[Race]  # the races whose check-in has opened, in calendar order
    drivers: list[DriverAttendance]


@dataclass(frozen=True)
class CheckinBoard:
    race: Race
    league: League
    checked_in: list[str]
    out: list[str]
    waiting: list[str]  # roster drivers without an answer


@dataclass(frozen=True)
class Reminder:
    board: CheckinBoard
    member_ids: list[int]  # linked roster members who have not answered: pinged
    unlinked: list[str]  # roster drivers without a link (named, cannot be pinged)


class RaceService:
    def __init__(self, races: RaceStore, leagues: LeagueStore, links: LinkStore, clock: Clock) -> None:
        self.races = races
        self.leagues = leagues
        self.links = links
        self.clock = clock
        self.events: EventSink | None = None

    # --- calendar ----------------------------------------------------------------------------------

    async def _check(self, league: League, details: RaceDetails, ignore: int | None = None) -> None:
        if details.starts_at <= self.clock.now():
            raise errors.InPastError(details.starts_at)
        ends_at = details.starts_at + details.duration
        for other in await self.races.for_league(league.id):
            if other.id != ignore and other.starts_at < ends_at and details.starts_at < other.ends_at:
                raise errors.RaceOverlapError(other.id, other.starts_at)

    async def add(self, league: League, details: RaceDetails, created_by: int) -> RaceChange:
        await self._check(league, details)
        if await self.races.count(league.id) >= MAX_RACES_PER_LEAGUE:
            raise errors.TooManyRacesError(MAX_RACES_PER_LEAGUE)
        race = await self.races.add(
            guild_id=league.guild_id,
            league_id=league.id,
            fields=details,
            created_by=created_by,
            now=self.clock.now(),
        )
        note = await self._create_event(league, race)
        return RaceChange(await self._reread(race), league, note)

    async def get(self, league: League, race_id: int) -> Race:
        race = await self.races.get(race_id)
        if race is None or race.league_id != league.id:
            raise errors.UnknownRaceError(race_id)
        return race

    async def edit(self, league: League, race_id: int, details: RaceDetails) -> RaceChange:
        """Change a race; its posted check-in (if any) comes back to be refreshed with the new details."""
        change = await self._edit(league, race_id, details)
        if not change.race.checkin_message_id or change.race.checkin_closed_at is not None:
            return change
        return replace(change, checkin=await self.checkin_board(change.race))

    async def _edit(self, league: League, race_id: int, details: RaceDetails) -> RaceChange:
        race = await self.get(league, race_id)
        if race.starts_at <= self.clock.now():
            raise errors.RaceStartedError(race_id)
        await self._check(league, details, ignore=race.id)
        updated = await self.races.update(race.id, details)
        if updated is None:
            raise errors.UnknownRaceError(race_id)
        if self.events is None:
            return RaceChange(updated, league, EventNote.NONE)
        if updated.event_id is None:
            return RaceChange(await self._reread(updated), league, await self._create_event(league, updated))
        try:
            await self.events.edit(league, updated)
        except EventGoneError:
            # Deleted by hand in Discord: the calendar still says the race is on, so it is made again.
            return RaceChange(await self._reread(updated), league, await self._create_event(league, updated))
        except EventsForbiddenError:
            return RaceChange(updated, league, await self._refused(league))
        except Exception:
            log.exception("race %d: the scheduled event could not be updated", race.id)
            return RaceChange(updated, league, EventNote.FAILED)
        return RaceChange(updated, league, EventNote.IN_STEP)

    async def remove(self, league: League, race_id: int) -> RaceChange:
        """Remove a race; its open check-in (if posted) comes back, as it stood, to be closed."""
        race = await self.get(league, race_id)
        posted = race.checkin_message_id and race.checkin_closed_at is None
        board = await self.checkin_board(race) if posted else None
        change = await self._remove(league, race)
        return replace(change, checkin=board)

    async def _remove(self, league: League, race: Race) -> RaceChange:
        race_id = race.id
        removed = await self.races.remove(race.id)
        if removed is None:
            raise errors.UnknownRaceError(race_id)
        if removed.event_id is None or self.events is None:
            return RaceChange(removed, league, EventNote.NONE)
        try:
            await self.events.delete(league.guild_id, removed.event_id)
        except EventGoneError:
            pass  # already gone: in step
        except EventsForbiddenError:
            return RaceChange(removed, league, await self._refused(league))
        except Exception:
            log.exception("race %d: the scheduled event could not be deleted", race.id)
            return RaceChange(removed, league, EventNote.FAILED)
        return RaceChange(removed, league, EventNote.IN_STEP)

    async def calendar(self, league: League) -> list[Race]:
        return await self.races.for_league(league.id)

    async def _create_event(self, league: League, race: Race) -> EventNote:
        if self.events is None:
            return EventNote.NONE
        try:
            event_id = await self.events.create(league, race)
        except EventsForbiddenError:
            return await self._refused(league)
        except Exception:
            log.exception("race %d: the scheduled event could not be created", race.id)
            return EventNote.FAILED
        await self.races.set_event(race.id, event_id)
        return EventNote.IN_STEP

    async def _refused(self, league: League) -> EventNote:
        first = await self.races.note_events_refused(league.guild_id, self.clock.now())
        return EventNote.REFUSED_FIRST if first else EventNote.REFUSED

    async def _reread(self, race: Race) -> Race:
        return await self.races.get(race.id) or race

    # --- check-in ----------------------------------------------------------------------------------

    async def answer(self, race_id: int, guild_id: int, member_id: int, status: str) -> CheckinBoard:
        """A Check in / Can't make it click by a roster driver; the same answer twice is stored once."""
        race = await self.races.get(race_id)
        if race is None or race.guild_id != guild_id or race.checkin_closed_at is not None:
            raise errors.CheckinClosedError()
        if race.starts_at <= self.clock.now():
            raise errors.CheckinClosedError()
        link = await self.links.get(guild_id, member_id)
        if link is None:
            raise errors.NotOnRosterError(linked=False)
        roster = await self.leagues.roster(race.league_id)
        psn = next((psn for psn in roster if psn.lower() == link.psn_id.lower()), None)
        if psn is None:
            raise errors.NotOnRosterError(linked=True)
        await self.races.answer(race, psn, member_id, status, self.clock.now())
        return await self.checkin_board(race)

    async def checkin_board(self, race: Race) -> CheckinBoard:
        league = await self.leagues.get(race.league_id)
        if league is None:
            raise errors.CheckinClosedError()
        roster = await self.leagues.roster(race.league_id)
        answers = {answer.psn_id.lower(): answer for answer in await self.races.answers(race.id)}
        checked_in = [psn for psn in roster if (a := answers.get(psn.lower())) and a.status == IN]
        out = [psn for psn in roster if (a := answers.get(psn.lower())) and a.status == OUT]
        waiting = [psn for psn in roster if psn.lower() not in answers]
        return CheckinBoard(race, league, checked_in, out, waiting)

    async def open_checkins(self) -> list[Race]:
        return await self.races.open_checkins()

    async def attendance(self, league: League) -> Attendance:
        now = self.clock.now()
        races = [race for race in await self.races.for_league(league.id) if race.checkin_opens_at <= now]
        answers: dict[int, list[Answer]] = await self.races.league_answers(league.id)
        roster = await self.leagues.roster(league.id)
        names = {psn.lower(): psn for psn in roster}
        statuses: dict[str, dict[int, str]] = {key: {} for key in names}
        for race in races:
            for answer in answers.get(race.id, []):
                key = answer.psn_id.lower()
                names.setdefault(key, answer.psn_id)
                statuses.setdefault(key, {})[race.id] = answer.status
        drivers = [DriverAttendance(psn, statuses[key]) for key, psn in names.items()]
        return Attendance(league, races, drivers)

    async def reminder(self, board: CheckinBoard) -> Reminder:
        links = await self.links.matching(board.league.guild_id, [], board.waiting)
        by_psn = {link.psn_id.lower(): link.member_id for link in links}
        members = [by_psn[psn.lower()] for psn in board.waiting if psn.lower() in by_psn]
        unlinked = [psn for psn in board.waiting if psn.lower() not in by_psn]
        return Reminder(board, members, unlinked)


class RaceCheckIns:
    """The lobbies' check-in source: who checked in for a race of the calendar.

    Without a race, the league's current one: the first race not over yet whose check-in has opened (so
    the split still works once the race started and check-in closed). A race whose check-in has not opened
    yet, or no such race, gives None: the lobbies take the whole roster.
    """

    def __init__(self, races: RaceStore, clock: Clock) -> None:
        self.races = races
        self.clock = clock

    async def checked_in(self, league_id: int, race_id: int | None) -> CheckIns | None:
        now = self.clock.now()
        if race_id is not None:
            race = await self.races.get(race_id)
            if race is None or race.league_id != league_id:
                raise errors.UnknownRaceError(race_id)
        else:
            current = [r for r in await self.races.for_league(league_id) if r.ends_at > now]
            race = next((r for r in current if r.checkin_opens_at <= now), None)
            if race is None:
                return None
        if race.checkin_opens_at > now:
            return None
        answers = await self.races.answers(race.id)
        return CheckIns(race.id, tuple(answer.psn_id for answer in answers if answer.status == IN))
