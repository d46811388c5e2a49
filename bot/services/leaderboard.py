"""/leaderboard: a server's linked members ranked, from one batched lookup through the DriverService."""

from __future__ import annotations

from collections.abc import Sequence

from bot.gtgridstats.models import Driver
from bot.services.driver_results import (
    Leaderboard,
    LeaderboardEntry,
    LeaderboardSort,
    Progress,
    win_rate,
)
from bot.services.drivers import DriverService
from bot.services.fair_use import Ticket
from bot.storage.links import Link

# /leaderboard fetches chunk after chunk only while a slot is this close; the rest is served as stored.
LEADERBOARD_MAX_WAIT_SECONDS = 5.0


def sort_value(driver: Driver, sort: LeaderboardSort) -> float:
    match sort:
        case LeaderboardSort.DR_POINTS:
            return driver.stats.dr_points
        case LeaderboardSort.WINS:
            return driver.stats.victories
        case LeaderboardSort.RACES:
            return driver.stats.total_races
        case LeaderboardSort.WIN_RATE:
            return win_rate(driver) or 0.0


async def build_leaderboard(
    drivers: DriverService,
    links: Sequence[Link],
    sort: LeaderboardSort,
    *,
    progress: Progress | None = None,
    ticket: Ticket | None = None,
) -> Leaderboard:
    """The guild's linked members (`links`, read once by the caller) ranked by `sort`."""
    if not links:
        return Leaderboard(sort=sort, entries=[], missing=[], error=None)
    lookup = await drivers.get_drivers(
        [link.psn_id for link in links],
        progress=progress,
        max_wait=LEADERBOARD_MAX_WAIT_SECONDS,
        ticket=ticket,
    )
    entries: list[LeaderboardEntry] = []
    missing: list[Link] = []
    for link in links:
        snapshot = lookup.get(link.psn_id)
        if snapshot is None:
            missing.append(link)
            continue
        entries.append(
            LeaderboardEntry(
                member_id=link.member_id,
                psn_id=snapshot.psn_id,
                snapshot=snapshot,
                stale=lookup.is_stale(link.psn_id),
            )
        )
    entries.sort(key=lambda entry: (-sort_value(entry.snapshot.driver, sort), entry.psn_id.lower()))
    return Leaderboard(sort=sort, entries=entries, missing=missing, error=lookup.error)
