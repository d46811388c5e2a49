"""/profile: a driver's answer from storage when it may be, else fetched through the DriverService, with
the change over the last 7 days and the member who holds the driver in the server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.gtgridstats.identifiers import validate_psn_id
from bot.services.driver_results import (
    CHANGE_WINDOW,
    DriverChange,
    DriverResult,
    ProfileAnswer,
    ProfileFetch,
    Progress,
)
from bot.services.drivers import DriverService
from bot.services.fair_use import Requester, Ticket
from bot.storage.links import LinkStore
from bot.storage.snapshots import DriverSnapshot


class ProfileService:
    def __init__(self, drivers: DriverService, links: LinkStore) -> None:
        self.drivers = drivers
        self.links = links

    async def profile(
        self, guild_id: int | None, psn_id: str, *, refresh: bool, member_id: int | None = None
    ) -> ProfileAnswer | ProfileFetch:
        """Answer from storage when it may (a hit is counted), else say what to fetch.

        A refresh within the cooldown of the last fetch is not made: the stored profile is served with
        when the next refresh is possible. `member_id`: whom the driver is linked to here, when known."""
        drivers = self.drivers
        psn_id = validate_psn_id(psn_id)
        stored = await drivers.stored(psn_id) if refresh else None
        wait_until = drivers.refresh_possible_at(stored) if stored is not None else None
        if wait_until is not None:
            refresh = False
        if not refresh and await drivers.all_fresh([psn_id]):
            if stored is None:
                stored = await drivers.stored(psn_id)
            if stored is not None and drivers.is_fresh(stored):
                drivers.api.budget.usage.record_cache(hit=True)
                return await self._profile_answer(guild_id, DriverResult(stored), member_id, wait_until)
        return ProfileFetch(psn_id, refresh, member_id, wait_until)

    async def fetch_profile(
        self,
        guild_id: int | None,
        fetch: ProfileFetch,
        *,
        progress: Progress | None = None,
        ticket: Ticket | None = None,
    ) -> ProfileAnswer:
        result = await self.drivers.get_driver(
            fetch.psn_id, refresh=fetch.refresh, progress=progress, ticket=ticket
        )
        return await self._profile_answer(guild_id, result, fetch.member_id, fetch.refresh_wait_until)

    async def change_since_week(self, current: DriverSnapshot) -> DriverChange | None:
        """The change since the oldest snapshot of the last 7 days; None when there is nothing to compare."""
        window_start = self.drivers.clock.now() - CHANGE_WINDOW
        in_window = await self.drivers.snapshots.history(current.psn_id, current.guid, since=window_start)
        if not in_window:
            return None
        baseline = min(in_window, key=lambda row: (row.first_fetched_at, row.id))
        since = max(baseline.first_fetched_at, window_start)
        if baseline.id == current.id and current.first_fetched_at > window_start:
            return None  # the first answer we ever stored: nothing earlier to compare with
        return DriverChange(
            since=since,
            dr_points=current.dr_points - baseline.dr_points,
            races=current.driver.stats.total_races - baseline.driver.stats.total_races,
            wins=current.driver.stats.victories - baseline.driver.stats.victories,
        )

    async def _profile_answer(
        self, guild_id: int | None, result: DriverResult, member_id: int | None, wait_until: datetime | None
    ) -> ProfileAnswer:
        change = await self.change_since_week(result.snapshot)
        if member_id is None and guild_id is not None:  # outside a server with the bot, nobody holds it
            holder = await self.links.find_by_psn(guild_id, result.snapshot.psn_id)
            member_id = holder.member_id if holder else None
        return ProfileAnswer(result, change, member_id, wait_until)

    async def history(
        self,
        requester: Requester,
        psn_id: str,
        *,
        before_wait: Callable[[], Awaitable[None]],
        progress: Progress | None = None,
    ) -> list[DriverSnapshot]:
        """/history: the stored snapshots; a driver never stored is fetched first (admitted, then
        `before_wait` — the command defers), and read by what GT Grid Stats answered, so a renamed driver's
        snapshots (stored under the new PSN ID) are found."""
        snapshots = await self.drivers.history(psn_id)
        if snapshots:
            return snapshots
        ticket = await self.drivers.admit(requester, [psn_id])
        await before_wait()
        found = (await self.drivers.get_driver(psn_id, progress=progress, ticket=ticket)).snapshot
        return await self.drivers.history(found.psn_id, found.guid)
