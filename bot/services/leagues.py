"""Leagues: set-up, rosters, schedules, deletion, notices, and picking a league by name or as the only one.

No Discord objects: the league cog parses options and renders; this module decides and stores. Every
refusal is a typed `LeagueError` carrying the values its message needs; `bot/ui/league.py` words them.

Each league has a lock that its changes and its posts take (`lock`), so a change waits for a post being
made and the reply names what is stored; `busy` tells a command it is about to wait (to defer first).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.clock import Clock
from bot.gtgridstats.identifiers import validate_positive_id
from bot.services.driver_refs import ResolvedDriver, parse_driver_list, resolve_driver_refs
from bot.services.fair_use import Requester, Ticket
from bot.services.league_errors import (
    MAX_NAME_LENGTH,
    BadLeagueName,
    BadTime,
    BadTimeZone,
    BadWeekday,
    DriversOrLeague,
    LeagueChoiceNeeded,
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
from bot.services.standings import MAX_DRIVERS, Standings, StandingsService
from bot.storage.leagues import (
    MAX_LEAGUES_PER_GUILD,
    MAX_ROSTER,
    League,
    LeagueExistsError,
    LeagueStore,
    Notice,
    RosterFullError,
    Schedule,
    TooManyLeaguesError,
)
from bot.storage.links import LinkStore

__all__ = [
    "MAX_LEAGUES_PER_GUILD",
    "MAX_NAME_LENGTH",
    "MAX_ROSTER",
    "League",
    "LeagueService",
    "Notice",
    "Schedule",
]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
OFF_WORDS = frozenset({"off", "none", "stop", "disable"})
MAX_ECHO = 50  # at most this much of a bad value is repeated back

_TIME_24H = re.compile(r"(\d{1,2})[:.h](\d{2})")
_TIME_12H = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?")

BeforeWait = Callable[[], Awaitable[None]]


# --- parsing the organiser's input ----------------------------------------------------------------


def echo(text: str) -> str:
    """A bad value as it may be repeated back: stripped and bounded."""
    return text.strip()[:MAX_ECHO]


def clean_league_name(text: str) -> str:
    name = " ".join(text.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise BadLeagueName()
    return name


def parse_weekday(text: str) -> int | None:
    """'Monday', 'mon', 'MO'... -> 0..6 (Monday first); 'off' (and its synonyms) -> None."""
    wanted = text.strip().lower()
    if wanted in OFF_WORDS:
        return None
    matches = [
        index for index, day in enumerate(WEEKDAYS) if len(wanted) >= 2 and day.lower().startswith(wanted)
    ]
    if len(matches) != 1:
        raise BadWeekday(echo(text))
    return matches[0]


def parse_time(text: str) -> time:
    """'20:00', '8:30', '20.00', '8pm', '8:30 pm' -> a wall-clock time."""
    cleaned = text.strip().lower()
    hour = minute = -1
    if match := _TIME_24H.fullmatch(cleaned):
        hour, minute = int(match.group(1)), int(match.group(2))
    elif match := _TIME_12H.fullmatch(cleaned):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        hour = hour % 12 + (12 if match.group(3) == "p" else 0) if 1 <= hour <= 12 else -1
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise BadTime(echo(text))
    return time(hour, minute)


@cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone, sorted once: the timezone autocomplete reads this on each keystroke."""
    return tuple(sorted(_zone_names().values()))


def parse_timezone(text: str) -> str:
    """An IANA time zone name, spelled as the tz database spells it."""
    name = _zone_names().get(text.strip().lower())
    if name is not None:
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise BadTimeZone(echo(text))


def next_occurrence(schedule: Schedule, after: datetime) -> datetime:
    """The first scheduled instant strictly after `after`, in UTC.

    Local times that do not exist (a spring-forward gap) post at the same UTC offset as just before the
    gap; local times that happen twice (fall back) post at the first of the two."""
    zone = ZoneInfo(schedule.timezone)
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(schedule.weekday - local.weekday()) % 7)
    while True:
        candidate = datetime.combine(day, schedule.at, tzinfo=zone).astimezone(UTC)
        if candidate > after:
            return candidate
        day += timedelta(days=7)


# --- results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupResult:
    league: League
    created: bool
    resumed: bool  # an existing league's paused weekly post runs again


@dataclass(frozen=True)
class RosterChange:
    league: League
    changed: tuple[str, ...]  # added (or removed) PSN IDs
    unchanged: tuple[str, ...]  # already in the roster (or not in it)
    size: int  # the roster's size after the change


@dataclass(frozen=True)
class ScheduleChange:
    league: League  # as stored after the change
    previous: Schedule | None


@dataclass(frozen=True)
class Deleted:
    league: League
    roster_size: int


@dataclass(frozen=True)
class LeagueStandings:
    league: League | None
    series_id: int
    drivers: tuple[ResolvedDriver, ...]


class LeagueService:
    def __init__(
        self,
        store: LeagueStore,
        links: LinkStore,
        standings: StandingsService,
        clock: Clock,
        *,
        adjust: Callable[[League, Standings], Awaitable[Standings]] | None = None,
    ) -> None:
        self.store = store
        self.links = links
        self.standings_service = standings
        self.clock = clock
        self.schedule_changed = asyncio.Event()  # the post loop waits on it
        self._locks: dict[int, asyncio.Lock] = {}
        # The league night's penalties and bonuses applied to a league's standings (bot/app.py).
        self.adjust = adjust

    # --- locks -------------------------------------------------------------------------------------

    def lock(self, league_id: int) -> asyncio.Lock:
        return self._locks.setdefault(league_id, asyncio.Lock())

    def busy(self, league_id: int) -> bool:
        """Whether a post or a change of this league is under way (a change would wait for it)."""
        lock = self._locks.get(league_id)
        return lock is not None and lock.locked()

    async def _wait_note(self, league_id: int, before_wait: BeforeWait | None) -> None:
        # Called right before taking the lock: nothing awaits in between, so it cannot be taken meanwhile.
        if before_wait is not None and self.busy(league_id):
            await before_wait()

    # --- finding -----------------------------------------------------------------------------------

    async def names(self, guild_id: int, current: str, *, limit: int = 25) -> list[str]:
        """The guild's league names matching `current` (those starting with it first)."""
        wanted = current.strip().casefold()
        names = [league.name for league in await self.store.for_guild(guild_id)]
        names = [name for name in names if wanted in name.casefold()]
        names.sort(key=lambda name: (not name.casefold().startswith(wanted), name.casefold()))
        return names[:limit]

    async def find(self, guild_id: int, name: str) -> League:
        found = await self.store.find(guild_id, name)
        if found is None:
            raise NoSuchLeague(echo(name))
        return found

    async def pick(self, guild_id: int, league: League | str | None) -> League:
        """The league given (or named), or the only one when the server runs exactly one."""
        if isinstance(league, League):
            return league
        if league:
            return await self.find(guild_id, league)
        leagues = await self.store.for_guild(guild_id)
        if not leagues:
            raise NoLeagueYet()
        if len(leagues) > 1:
            raise LeagueChoiceNeeded(tuple(found.name for found in leagues))
        return leagues[0]

    async def current(self, league: League) -> League:
        """The league as stored now (read under its lock), not as a command read it before waiting."""
        stored = await self.store.get(league.id)
        if stored is None:
            raise LeagueGone(league.name)
        return stored

    # --- set-up ------------------------------------------------------------------------------------

    async def setup(
        self,
        guild_id: int,
        name: str,
        series_id: int,
        channel_id: int,
        *,
        missing_permissions: Sequence[str],
        created_by: int,
        before_wait: BeforeWait | None = None,
    ) -> SetupResult:
        """Create the league, or give the existing one of that name a new series and channel."""
        league_name = clean_league_name(name)
        validate_positive_id(series_id, "series id")
        if missing_permissions:
            raise MissingPostPermissions(channel_id, tuple(missing_permissions))
        now = self.clock.now()
        existing = await self.store.find(guild_id, league_name)
        if existing is None:
            try:
                created = await self.store.create(
                    guild_id, league_name, series_id, channel_id, created_by, now
                )
            except TooManyLeaguesError:
                raise TooManyLeagues() from None
            except LeagueExistsError:
                raise LeagueExists(league_name) from None
            return SetupResult(created, created=True, resumed=False)
        await self._wait_note(existing.id, before_wait)
        async with self.lock(existing.id):
            stored = await self.current(existing)
            next_at = next_occurrence(stored.schedule, now) if stored.schedule else None
            updated = await self.store.update_target(stored.id, series_id, channel_id, next_at)
        self.schedule_changed.set()
        return SetupResult(updated, created=False, resumed=stored.paused)

    # --- roster ------------------------------------------------------------------------------------

    async def _drivers(self, guild_id: int, text: str) -> list[str]:
        refs = parse_driver_list(text, minimum=1, maximum=MAX_ROSTER)
        return [driver.psn_id for driver in await resolve_driver_refs(refs, guild_id, self.links)]

    async def add_drivers(self, guild_id: int, league: League | str | None, drivers: str) -> RosterChange:
        target = await self.pick(guild_id, league)
        wanted = await self._drivers(guild_id, drivers)
        try:
            added, already = await self.store.add_drivers(target, wanted, self.clock.now())
        except RosterFullError as error:
            raise RosterFull(target.name, error.current, error.adding, error.limit) from None
        size = await self.roster_size(target)
        return RosterChange(target, tuple(added), tuple(already), size)

    async def remove_drivers(self, guild_id: int, league: League | str | None, drivers: str) -> RosterChange:
        target = await self.pick(guild_id, league)
        wanted = await self._drivers(guild_id, drivers)
        removed = await self.store.remove_drivers(target.id, wanted)
        if not removed:
            raise NoneInRoster(target.name)
        gone = {psn.lower() for psn in removed}
        absent = tuple(psn for psn in wanted if psn.lower() not in gone)
        size = await self.roster_size(target)
        return RosterChange(target, tuple(removed), absent, size)

    async def roster(self, league: League) -> list[ResolvedDriver]:
        """The roster's drivers, each with the member who linked that PSN ID here (if any)."""
        members = {
            link.psn_id.lower(): link.member_id for link in await self.links.for_guild(league.guild_id)
        }
        return [
            ResolvedDriver(psn_id=psn, member_id=members.get(psn.lower()))
            for psn in await self.store.roster(league.id)
        ]

    async def roster_size(self, league: League) -> int:
        return len(await self.store.roster(league.id))

    # --- standings ---------------------------------------------------------------------------------

    async def league_standings(self, league: League, *, ticket: Ticket | None = None) -> Standings:
        drivers = await self.roster(league)
        if not drivers:
            raise RosterEmpty(league.name)
        result = await self.standings_service.standings(league.series_id, drivers, ticket=ticket)
        return await self._adjusted(league, result)

    async def admit_post(self, requester: Requester, league: League) -> Ticket | None:
        """Before `/league post`: a ticket for the calls its standings would make (see `admit_standings`)."""
        drivers = await self.roster(league)
        return self.standings_service.admit(requester, league.series_id, [d.psn_id for d in drivers])

    def admit_standings(self, requester: Requester, request: LeagueStandings) -> Ticket | None:
        """Before /standings: a ticket for the upstream calls it would make (kept rows are free), charged
        to the member's rate and the server's fair share. Raises UpstreamRateLimited when they may not."""
        psn_ids = [driver.psn_id for driver in request.drivers]
        return self.standings_service.admit(requester, request.series_id, psn_ids)

    async def _adjusted(self, league: League | None, standings: Standings) -> Standings:
        """A league's own corrections (penalties, bonuses) applied, when the league night hooks them in."""
        return standings if league is None or self.adjust is None else await self.adjust(league, standings)

    async def standings_request(
        self, guild_id: int, series_id: int | None, drivers: str | None, league_name: str | None
    ) -> LeagueStandings:
        """What /standings shows: the listed drivers, a league's roster and series, or every linked member."""
        if drivers and league_name:
            raise DriversOrLeague()
        league = await self.find(guild_id, league_name) if league_name else None
        series = series_id if series_id is not None else (league.series_id if league else None)
        if series is None:
            raise SeriesNeeded()
        validate_positive_id(series, "series id")
        if drivers:
            refs = parse_driver_list(drivers, minimum=1, maximum=MAX_DRIVERS)
            roster = await resolve_driver_refs(refs, guild_id, self.links)
        elif league is not None:
            roster = await self.roster(league)
            if not roster:
                raise RosterEmpty(league.name)
        else:
            links = await self.links.for_guild(guild_id)
            roster = [ResolvedDriver(link.psn_id, link.member_id) for link in links]
            if not roster:
                raise NobodyLinked()
        if len(roster) > MAX_DRIVERS:
            raise StandingsTooLarge(MAX_DRIVERS, len(roster))
        return LeagueStandings(league, series, tuple(roster))

    async def standings(self, request: LeagueStandings, *, ticket: Ticket | None = None) -> Standings:
        result = await self.standings_service.standings(request.series_id, request.drivers, ticket=ticket)
        return await self._adjusted(request.league, result)

    # --- schedule ----------------------------------------------------------------------------------

    async def set_schedule(
        self,
        league: League,
        weekday: int | None,
        at: time | None,
        timezone: str | None,
        *,
        before_wait: BeforeWait | None = None,
    ) -> ScheduleChange:
        """Post every week (`weekday` None: stop). The time zone defaults to the league's current one."""
        if weekday is not None:
            if at is None:
                raise ScheduleNeeds("time")
            if timezone is None:
                if league.schedule is None:
                    raise ScheduleNeeds("timezone")
                timezone = league.schedule.timezone
        await self._wait_note(league.id, before_wait)
        async with self.lock(league.id):
            stored = await self.current(league)
            if weekday is None:
                updated = await self.store.clear_schedule(league.id)
            else:
                assert at is not None
                assert timezone is not None
                schedule = Schedule(weekday, at, timezone)
                next_at = next_occurrence(schedule, self.clock.now())
                updated = await self.store.set_schedule(league.id, schedule, next_at)
        self.schedule_changed.set()
        return ScheduleChange(updated, stored.schedule)

    # --- deleting ----------------------------------------------------------------------------------

    async def delete(self, league: League) -> Deleted:
        async with self.lock(league.id):
            stored = await self.current(league)
            size = await self.roster_size(stored)
            await self.store.delete(stored.id)
        self.schedule_changed.set()
        return Deleted(stored, size)

    # --- notices -----------------------------------------------------------------------------------

    async def pending_notices(self, guild_id: int) -> list[Notice]:
        return await self.store.pending_notices(guild_id)

    async def mark_reported(self, notices: Sequence[Notice]) -> None:
        """Called once Discord has taken the message: each notice is shown once."""
        await self.store.mark_reported((notice.id for notice in notices), self.clock.now())
