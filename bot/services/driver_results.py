"""What driver lookups answer: results, progress events, profile and leaderboard data (no discord objects)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.gtgridstats.errors import GTGridStatsError
from bot.gtgridstats.models import Driver
from bot.gtgridstats.wire import SYNC_SECONDS_PER_NEW_DRIVER
from bot.services.ratings import DR_BANDS, dr_band
from bot.storage.links import Link
from bot.storage.snapshots import DriverSnapshot


@dataclass(frozen=True)
class Syncing:
    """Progress: `new_drivers` not yet indexed are being synced, which takes about `seconds`."""

    new_drivers: int
    seconds: int


@dataclass(frozen=True)
class Queued:
    """Progress: the lookup waits about `seconds` for a request slot behind other requests."""

    seconds: int


ProgressEvent = Syncing | Queued
Progress = Callable[[ProgressEvent], Awaitable[None]]

# Tell the user about a wait for a request slot only when it is long enough to notice.
NOTICEABLE_WAIT_SECONDS = 2.0
CHANGE_WINDOW = timedelta(days=7)
# PSN IDs GT Grid Stats said it does not know, remembered for the refresh interval (at most this many).
MAX_REMEMBERED_UNKNOWN = 10_000


async def no_progress(_: ProgressEvent) -> None:
    return None


def syncing(new_drivers: int, wait_seconds: float = 0.0) -> Syncing:
    """The progress event of a sync of `new_drivers`, after a wait of `wait_seconds` for a slot."""
    return Syncing(new_drivers, round(new_drivers * SYNC_SECONDS_PER_NEW_DRIVER + wait_seconds))


@dataclass(frozen=True)
class DriverLookup:
    """The answer for a list of PSN IDs. Keys are lower-cased PSN IDs as asked."""

    found: dict[str, DriverSnapshot] = field(default_factory=dict)
    # Served from a snapshot older than the freshness asked for (upstream failed or the budget was short).
    stale: frozenset[str] = frozenset()
    # GT Grid Stats has no such driver (as spelled by the caller).
    not_found: list[str] = field(default_factory=list)
    # Neither an answer nor a stored snapshot (upstream failed, or not fetched to save the budget).
    unavailable: list[str] = field(default_factory=list)
    error: GTGridStatsError | None = None

    def get(self, psn_id: str) -> DriverSnapshot | None:
        return self.found.get(psn_id.lower())

    def is_stale(self, psn_id: str) -> bool:
        return psn_id.lower() in self.stale


@dataclass(frozen=True)
class DriverResult:
    snapshot: DriverSnapshot
    stale: bool = False
    error: GTGridStatsError | None = None
    # A refresh was asked too soon after the last fetch: the stored profile is served; next one possible then.
    next_refresh_at: datetime | None = None


@dataclass(frozen=True)
class ClassDistance:
    """How far a driver's DR points are from the next DR class up and from dropping to the class below."""

    points: int
    band: str
    next_band: str | None  # None: the top class
    to_next: int | None
    below_band: str | None  # None: the bottom class
    above_below: int | None  # points to lose before dropping into `below_band`


def class_distance(points: int) -> ClassDistance:
    index = next(i for i, band in enumerate(DR_BANDS) if band.name == dr_band(points))
    band = DR_BANDS[index]
    up = DR_BANDS[index + 1] if index + 1 < len(DR_BANDS) else None
    down = DR_BANDS[index - 1] if index > 0 else None
    return ClassDistance(
        points=points,
        band=band.name,
        next_band=up.name if up else None,
        to_next=up.lower - points if up else None,
        below_band=down.name if down else None,
        above_below=points - band.lower + 1 if down else None,
    )


@dataclass(frozen=True)
class ProfileAnswer:
    """What /profile shows: the driver, its change over the last week, and who links it here."""

    result: DriverResult
    change: DriverChange | None
    member_id: int | None
    # A refresh was asked too soon: the stored profile is shown, and the next refresh is possible then.
    refresh_wait_until: datetime | None = None


@dataclass(frozen=True)
class ProfileFetch:
    """/profile must ask GT Grid Stats (the command defers first): what `fetch_profile` needs."""

    psn_id: str
    refresh: bool
    member_id: int | None
    refresh_wait_until: datetime | None


@dataclass(frozen=True)
class DriverChange:
    """How the driver's numbers moved since `since` (the oldest snapshot of the last 7 days)."""

    since: datetime
    dr_points: int
    races: int
    wins: int


class LeaderboardSort(StrEnum):
    DR_POINTS = "dr_points"
    WINS = "wins"
    RACES = "races"
    WIN_RATE = "win_rate"


def win_rate(driver: Driver) -> float | None:
    races = driver.stats.total_races
    return driver.stats.victories / races if races else None


@dataclass(frozen=True)
class LeaderboardEntry:
    member_id: int
    psn_id: str
    snapshot: DriverSnapshot
    stale: bool


@dataclass(frozen=True)
class Leaderboard:
    sort: LeaderboardSort
    entries: list[LeaderboardEntry]
    missing: list[Link]  # linked, but nothing stored and nothing fetched
    error: GTGridStatsError | None


@dataclass(frozen=True)
class LinkPreflight:
    current: Link | None
    taken_by: Link | None


@dataclass(frozen=True)
class LinkDone:
    link: Link
    previous: Link | None
    result: DriverResult
