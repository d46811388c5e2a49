"""Lobbies: the night's drivers split into GT7 rooms, fastest first, each with a host.

The split (`split_rooms`) is pure: as few rooms as the room size allows, sizes differing by at most one
(the first rooms take the extra drivers), drivers ranked by DR points so room 1 holds the fastest (a
driver without a profile goes last, then by PSN ID). Each room's host is the driver with the best SR, then
the most DR points, unless the organiser named a host: that driver hosts the room they race in.

`LobbyService.plan` refreshes stale profiles first, 16 per call and only while the budget allows, and
reports its progress; a driver whose profile cannot be had is still placed (last, marked unknown).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.gtgridstats.identifiers import chunked
from bot.gtgridstats.wire import MAX_IDENTIFIERS_PER_CALL
from bot.services.driver_refs import ResolvedDriver
from bot.services.drivers import DriverService
from bot.services.ratings import SR_CLASSES

GT7_ROOM_SIZE = 16  # the most drivers a GT7 lobby takes
MIN_ROOM_SIZE = 2
# A refresh waits at most this long for a request slot before serving the stored profile.
REFRESH_MAX_WAIT_SECONDS = 20.0

RefreshProgress = Callable[[int, int], Awaitable[None]]  # (profiles looked up so far, profiles to look up)


@dataclass(frozen=True)
class LobbyDriver:
    psn_id: str
    member_id: int | None = None
    dr_points: int | None = None  # None: no profile could be had
    sr: str | None = None  # "S" … "E", None when unknown
    stale: bool = False  # the profile shown is older than the refresh interval


@dataclass(frozen=True)
class Room:
    number: int  # 1 = the fastest
    drivers: tuple[LobbyDriver, ...]
    host: LobbyDriver
    host_chosen: bool  # the organiser named this host


@dataclass(frozen=True)
class LobbyPlan:
    rooms: tuple[Room, ...]
    room_size: int
    from_check_in: bool  # False: the whole roster (no check-in for that race)
    race_id: int | None  # the race whose check-in was used
    unknown: tuple[str, ...]  # PSN IDs without any profile (placed last)
    stale: tuple[str, ...]  # PSN IDs shown with an older profile (the budget or GT Grid Stats said no)
    refreshed: int  # profiles fetched for this plan

    @property
    def driver_count(self) -> int:
        return sum(len(room.drivers) for room in self.rooms)


class LobbyError(Exception):
    """Base of the lobby errors (the ui words each)."""


class RoomSizeError(LobbyError):
    def __init__(self, size: int) -> None:
        super().__init__(f"room size {size} outside {MIN_ROOM_SIZE}..{GT7_ROOM_SIZE}")
        self.size = size
        self.minimum = MIN_ROOM_SIZE
        self.maximum = GT7_ROOM_SIZE


class NoDriversError(LobbyError):
    """Nobody to split: the roster is empty (or nobody checked in)."""

    def __init__(self, *, from_check_in: bool) -> None:
        super().__init__("no drivers")
        self.from_check_in = from_check_in


class HostNotRacingError(LobbyError):
    def __init__(self, psn_id: str) -> None:
        super().__init__(f"{psn_id} is not among the drivers")
        self.psn_id = psn_id


def room_sizes(count: int, size: int) -> list[int]:
    """As few rooms as `size` allows, sizes differing by at most one, the larger ones first."""
    if count <= 0:
        return []
    rooms = math.ceil(count / size)
    base, extra = divmod(count, rooms)
    return [base + 1 if index < extra else base for index in range(rooms)]


def _sr_rank(sr: str | None) -> int:
    """Lower is better: S first, an unknown SR after E."""
    return -SR_CLASSES.index(sr) if sr in SR_CLASSES else 1


def _speed_key(driver: LobbyDriver) -> tuple[bool, int, str]:
    return (driver.dr_points is None, -(driver.dr_points or 0), driver.psn_id.casefold())


def pick_host(drivers: Sequence[LobbyDriver]) -> LobbyDriver:
    """The best SR, then the most DR points, then the PSN ID (so the choice is stable)."""
    return min(drivers, key=lambda driver: (_sr_rank(driver.sr), *_speed_key(driver)))


def split_rooms(
    drivers: Sequence[LobbyDriver], size: int = GT7_ROOM_SIZE, host: str | None = None
) -> tuple[Room, ...]:
    if not MIN_ROOM_SIZE <= size <= GT7_ROOM_SIZE:
        raise RoomSizeError(size)
    unique: dict[str, LobbyDriver] = {}
    for driver in drivers:
        unique.setdefault(driver.psn_id.casefold(), driver)
    ordered = sorted(unique.values(), key=_speed_key)
    if host is not None and host.casefold() not in unique:
        raise HostNotRacingError(host)
    rooms: list[Room] = []
    start = 0
    for number, count in enumerate(room_sizes(len(ordered), size), start=1):
        members = tuple(ordered[start : start + count])
        start += count
        wanted = host.casefold() if host is not None else None
        chosen = next((driver for driver in members if driver.psn_id.casefold() == wanted), None)
        rooms.append(Room(number, members, chosen or pick_host(members), host_chosen=chosen is not None))
    return tuple(rooms)


@dataclass(frozen=True)
class CheckIns:
    """The drivers checked in for one race of the calendar."""

    race_id: int
    psn_ids: tuple[str, ...]


class CheckInSource(Protocol):
    """Who checked in for a race (None: that race, or the next one, has no check-in: take the roster)."""

    async def checked_in(self, league_id: int, race_id: int | None) -> CheckIns | None: ...


class NoCheckIn:
    """No race calendar: always the whole roster."""

    async def checked_in(self, league_id: int, race_id: int | None) -> CheckIns | None:
        return None


class LobbyService:
    def __init__(self, drivers: DriverService, check_ins: CheckInSource | None = None) -> None:
        self._drivers = drivers
        self._check_ins = check_ins or NoCheckIn()

    async def racing(
        self,
        league_id: int,
        roster: Sequence[ResolvedDriver],
        *,
        race_id: int | None = None,
        host: str | None = None,
    ) -> tuple[list[ResolvedDriver], CheckIns | None]:
        """The drivers to split: those of the roster checked in for the race, else the whole roster.

        Raises what a plan would refuse (no drivers, a host not racing, an unknown race) before anything
        is looked up, so the cog can answer privately before it starts the public answer.
        """
        checked_in = await self._check_ins.checked_in(league_id, race_id)
        racing = list(roster)
        if checked_in is not None:
            wanted = {psn.casefold() for psn in checked_in.psn_ids}
            racing = [driver for driver in roster if driver.psn_id.casefold() in wanted]
        if not racing:
            raise NoDriversError(from_check_in=checked_in is not None)
        if host is not None and host.casefold() not in {d.psn_id.casefold() for d in racing}:
            raise HostNotRacingError(host)
        return racing, checked_in

    async def plan(
        self,
        league_id: int,
        roster: Sequence[ResolvedDriver],
        *,
        race_id: int | None = None,
        size: int = GT7_ROOM_SIZE,
        host: str | None = None,
        progress: RefreshProgress | None = None,
    ) -> LobbyPlan:
        if not MIN_ROOM_SIZE <= size <= GT7_ROOM_SIZE:
            raise RoomSizeError(size)
        racing, checked_in = await self.racing(league_id, roster, race_id=race_id, host=host)
        psn_ids = [driver.psn_id for driver in racing]
        fresh = await self._drivers.fresh_snapshots(psn_ids)
        stale_ids = [psn for psn in psn_ids if psn.lower() not in fresh]
        found = dict(fresh)
        stale: set[str] = set()
        refreshed = 0
        total = len(stale_ids)
        done = 0
        for chunk in chunked(stale_ids, MAX_IDENTIFIERS_PER_CALL):
            if progress is not None:
                await progress(done, total)
            done += len(chunk)
            lookup = await self._drivers.get_drivers(chunk, max_wait=REFRESH_MAX_WAIT_SECONDS)
            for psn in chunk:
                snapshot = lookup.get(psn)
                if snapshot is not None:
                    found[psn.lower()] = snapshot
                    if lookup.is_stale(psn):
                        stale.add(psn.lower())
                    else:
                        refreshed += 1
        entries = []
        for driver in racing:
            snapshot = found.get(driver.psn_id.lower())
            entries.append(
                LobbyDriver(
                    psn_id=driver.psn_id,
                    member_id=driver.member_id,
                    dr_points=snapshot.dr_points if snapshot else None,
                    sr=snapshot.driver.sr if snapshot else None,
                    stale=driver.psn_id.lower() in stale,
                )
            )
        rooms = split_rooms(entries, size, host)
        return LobbyPlan(
            rooms=rooms,
            room_size=size,
            from_check_in=checked_in is not None,
            race_id=checked_in.race_id if checked_in is not None else None,
            unknown=tuple(d.psn_id for d in entries if d.dr_points is None),
            stale=tuple(d.psn_id for d in entries if d.stale),
            refreshed=refreshed,
        )
