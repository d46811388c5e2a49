"""Sign-ups: open with a rating gate, join (checked on GT Grid Stats), waitlist, leave and promotion, close.

The grid is the first `max_grid` entries in joining order, the rest is the waitlist; the accepted drivers
are the league's roster. One member, one entry: the storage's UNIQUE constraints make a double click count
once, whatever the timing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock
from bot.services.drivers import DriverService
from bot.services.fair_use import Requester
from bot.services.league_night import errors
from bot.services.links import LinkService
from bot.services.ratings import DR_CLASSES, SR_CLASSES, dr_band
from bot.storage import signups as store
from bot.storage.leagues import MAX_ROSTER, League, LeagueStore, RosterFullError
from bot.storage.links import LinkStore
from bot.storage.signups import Entry as Entry  # re-exported for the cogs
from bot.storage.signups import Signup, SignupStore

MAX_DR_POINTS = 200_000
MAX_ENTRIES = 2 * MAX_ROSTER  # the grid (at most the roster limit) and a waitlist as long again


@dataclass(frozen=True)
class Gate:
    min_dr: str | None = None
    min_dr_points: int | None = None
    min_sr: str | None = None

    @property
    def empty(self) -> bool:
        return self.min_dr is None and self.min_dr_points is None and self.min_sr is None


@dataclass(frozen=True)
class Shortfall:
    """One requirement the driver does not meet: what (dr, dr_points, sr), required and actual values."""

    kind: str
    required: str
    actual: str


class JoinStatus(enum.StrEnum):
    JOINED = "joined"
    WAITLISTED = "waitlisted"
    REFUSED = "refused"
    NEEDS_PSN = "needs_psn"  # not linked: ask for the PSN ID


@dataclass(frozen=True)
class Board:
    """A sign-up as its message shows it."""

    signup: Signup
    league: League
    grid: list[Entry]
    waitlist: list[Entry]


@dataclass(frozen=True)
class JoinOutcome:
    status: JoinStatus
    board: Board | None = None
    psn_id: str | None = None
    position: int | None = None  # on the waitlist, 1-based
    already: bool = False  # the member was in already (a second click)
    shortfalls: list[Shortfall] = field(default_factory=list)
    stale: bool = False


@dataclass(frozen=True)
class LeaveOutcome:
    board: Board
    left: Entry | None
    promoted: Entry | None


def check_gate(gate: Gate, dr: str | None, dr_points: int, sr: str | None) -> list[Shortfall]:
    """Every requirement of `gate` the driver misses (empty: the driver may join)."""
    missing: list[Shortfall] = []
    driver_dr = dr if dr in DR_CLASSES else dr_band(dr_points)
    if gate.min_dr is not None and DR_CLASSES.index(driver_dr) < DR_CLASSES.index(gate.min_dr):
        missing.append(Shortfall("dr", gate.min_dr, driver_dr))
    if gate.min_dr_points is not None and dr_points < gate.min_dr_points:
        missing.append(Shortfall("dr_points", str(gate.min_dr_points), str(dr_points)))
    if gate.min_sr is not None:
        driver_sr = sr if sr in SR_CLASSES else None
        if driver_sr is None or SR_CLASSES.index(driver_sr) < SR_CLASSES.index(gate.min_sr):
            missing.append(Shortfall("sr", gate.min_sr, driver_sr or "?"))
    return missing


def make_gate(min_dr: str | None, min_dr_points: int | None, min_sr: str | None) -> Gate:
    """Validate the options of /league signups open (a class above A+ or S, negative points…)."""
    dr = min_dr.strip().upper() if min_dr else None
    sr = min_sr.strip().upper() if min_sr else None
    if dr is not None and dr not in DR_CLASSES:
        raise errors.GateInvalidError("dr", dr[:10])
    if sr is not None and sr not in SR_CLASSES:
        raise errors.GateInvalidError("sr", sr[:10])
    if min_dr_points is not None and not 0 <= min_dr_points <= MAX_DR_POINTS:
        raise errors.GateInvalidError("dr_points", str(min_dr_points))
    return Gate(min_dr=dr, min_dr_points=min_dr_points or None, min_sr=sr)


class SignupService:
    def __init__(
        self,
        signups: SignupStore,
        leagues: LeagueStore,
        links: LinkStore,
        drivers: DriverService,
        link_service: LinkService,
        clock: Clock,
    ) -> None:
        self.signups = signups
        self.leagues = leagues
        self.links = links
        self.drivers = drivers
        self.link_service = link_service
        self.clock = clock

    async def open(
        self,
        league: League,
        *,
        gate: Gate,
        max_grid: int | None,
        closes_at: datetime | None,
        opened_by: int,
    ) -> Board:
        if max_grid is not None and not 1 <= max_grid <= MAX_ROSTER:
            raise errors.GateInvalidError("max_grid", str(max_grid))
        now = self.clock.now()
        if closes_at is not None and closes_at <= now:
            raise errors.InPastError(closes_at)
        try:
            signup = await self.signups.open(
                guild_id=league.guild_id,
                league_id=league.id,
                channel_id=league.channel_id,
                max_grid=max_grid,
                min_dr=gate.min_dr,
                min_dr_points=gate.min_dr_points,
                min_sr=gate.min_sr,
                closes_at=closes_at,
                opened_by=opened_by,
                now=now,
            )
        except store.SignupAlreadyOpenError:
            raise errors.SignupAlreadyOpenError(league.name) from None
        return Board(signup=signup, league=league, grid=[], waitlist=[])

    async def posted(self, signup: Signup, message_id: int) -> None:
        await self.signups.set_message(signup.id, message_id)

    async def discard(self, signup: Signup) -> None:
        await self.signups.discard(signup.id)

    async def open_signups(self) -> list[Signup]:
        return await self.signups.all_open()

    async def board(self, signup: Signup) -> Board:
        league = await self.leagues.get(signup.league_id)
        if league is None:
            raise errors.SignupClosedError()
        entries = await self.signups.entries(signup.id)
        cut = signup.max_grid if signup.max_grid is not None else len(entries)
        return Board(signup=signup, league=league, grid=entries[:cut], waitlist=entries[cut:])

    async def current(self, league: League) -> Board:
        """The league's open sign-up, else its last one (for /league signups show)."""
        signup = await self.signups.latest(league.id)
        if signup is None:
            raise errors.NoOpenSignupError(league.name)
        return await self.board(signup)

    async def _open_signup(self, signup_id: int, guild_id: int) -> Signup:
        signup = await self.signups.get(signup_id)
        if signup is None or signup.guild_id != guild_id or not signup.is_open:
            raise errors.SignupClosedError()
        return signup

    async def needs_psn(self, signup_id: int, guild_id: int, member_id: int) -> bool:
        """Whether a Join click must ask for the PSN ID (not linked, not in yet): no upstream call."""
        signup = await self._open_signup(signup_id, guild_id)
        if await self.links.get(guild_id, member_id) is not None:
            return False
        return not any(entry.member_id == member_id for entry in await self.signups.entries(signup.id))

    async def join(self, signup_id: int, guild_id: int, member_id: int) -> JoinOutcome:
        """A Join click: a linked member joins with their PSN ID; an unlinked one is asked for it."""
        signup = await self._open_signup(signup_id, guild_id)
        link = await self.links.get(guild_id, member_id)
        if link is None:
            existing = [
                entry for entry in await self.signups.entries(signup.id) if entry.member_id == member_id
            ]
            if not existing:
                return JoinOutcome(JoinStatus.NEEDS_PSN)
            return await self._enter(signup, member_id, existing[0].psn_id)
        return await self._enter(signup, member_id, link.psn_id)

    async def join_with_psn(self, signup_id: int, guild_id: int, member_id: int, psn_id: str) -> JoinOutcome:
        """The modal's answer: link the PSN ID (checked on GT Grid Stats), then join with it."""
        signup = await self._open_signup(signup_id, guild_id)
        ticket = await self.drivers.admit(Requester(guild_id=guild_id, member_id=member_id), [psn_id])
        done = await self.link_service.link(guild_id, member_id, psn_id, ticket=ticket)
        return await self._enter(signup, member_id, done.link.psn_id)

    async def _enter(self, signup: Signup, member_id: int, psn_id: str) -> JoinOutcome:
        entries = await self.signups.entries(signup.id)
        mine = next((entry for entry in entries if entry.member_id == member_id), None)
        if mine is not None:
            return self._placed(await self.board(signup), mine, already=True)
        holder = next((entry for entry in entries if entry.psn_id.lower() == psn_id.lower()), None)
        if holder is not None:
            raise errors.PsnTakenError(holder.psn_id)
        gate = Gate(signup.min_dr, signup.min_dr_points, signup.min_sr)
        ticket = await self.drivers.admit(Requester(guild_id=signup.guild_id, member_id=member_id), [psn_id])
        result = await self.drivers.get_driver(psn_id, ticket=ticket)
        if result.stale and not gate.empty:
            raise errors.RatingUnavailableError(psn_id)
        driver = result.snapshot.driver
        missing = check_gate(gate, driver.dr, driver.stats.dr_points, driver.sr)
        if missing:
            return JoinOutcome(JoinStatus.REFUSED, psn_id=driver.psn_id, shortfalls=missing)
        try:
            added, entries = await self.signups.add_entry(
                signup, member_id, driver.psn_id, self.clock.now(), limit=MAX_ENTRIES
            )
        except OverflowError:
            raise errors.SignupFullError(MAX_ENTRIES) from None
        board = await self.board(signup)
        mine = next(entry for entry in entries if entry.member_id == member_id)
        if added and mine in board.grid:
            try:
                await self.leagues.add_drivers(board.league, [mine.psn_id], self.clock.now())
            except RosterFullError:
                await self.signups.remove_entry(signup.id, member_id)
                raise errors.SignupFullError(MAX_ROSTER) from None
        return self._placed(board, mine, already=not added, stale=result.stale)

    @staticmethod
    def _placed(board: Board, entry: Entry, *, already: bool, stale: bool = False) -> JoinOutcome:
        if entry in board.grid:
            return JoinOutcome(JoinStatus.JOINED, board, entry.psn_id, already=already, stale=stale)
        position = board.waitlist.index(entry) + 1
        return JoinOutcome(
            JoinStatus.WAITLISTED, board, entry.psn_id, position=position, already=already, stale=stale
        )

    async def leave(self, signup_id: int, guild_id: int, member_id: int) -> LeaveOutcome:
        """Free the member's place; the first waitlisted driver moves onto the grid (and the roster)."""
        signup = await self._open_signup(signup_id, guild_id)
        before = await self.board(signup)
        left = await self.signups.remove_entry(signup.id, member_id)
        after = await self.board(signup)
        promoted: Entry | None = None
        if left is not None and any(entry.id == left.id for entry in before.grid):
            await self.leagues.remove_drivers(signup.league_id, [left.psn_id])
            promoted = next((entry for entry in after.grid if entry not in before.grid), None)
            if promoted is not None:
                await self.leagues.add_drivers(after.league, [promoted.psn_id], self.clock.now())
        return LeaveOutcome(board=after, left=left, promoted=promoted)

    async def close(self, league: League) -> Board:
        """Close the league's open sign-up by hand."""
        signup = await self.signups.latest(league.id)
        if signup is None or not signup.is_open:
            raise errors.NoOpenSignupError(league.name)
        await self.signups.close(signup.id, self.clock.now())
        closed = await self.signups.get(signup.id)
        assert closed is not None
        return await self.board(closed)

    async def close_due(self, now: datetime) -> list[Board]:
        """Close every sign-up whose closing time has come (each once); their boards, to update."""
        closed: list[Board] = []
        for signup in await self.signups.due_to_close(now):
            if await self.signups.close(signup.id, now):
                fresh = await self.signups.get(signup.id)
                if fresh is not None:
                    closed.append(await self.board(fresh))
        return closed

    async def next_closing(self) -> datetime | None:
        times = [s.closes_at for s in await self.signups.all_open() if s.closes_at is not None]
        return min(times, default=None)
