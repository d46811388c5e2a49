"""Background refresh: keeps the drivers that some server tracks or mirrors in roles fresh (issue #11).

No discord here. The planner (bot/gtgridstats/planner.py) decides which drivers go in the next call and
when; this service reads what it needs (who is wanted, when each was fetched, the quota, the stored ledger),
sends the call through DriverService's batching path (GET /api/racers/{a,b,...}, 16 per call) at
background priority, and stores the ledger again so the plan survives restarts. A driver's last fetch
time is its newest snapshot's `fetched_at`, which is stored anyway; for a driver GT Grid Stats answered
"not found" (renamed or removed upstream) it is the stored time of that attempt.

A *cycle* is the run of calls that the planner allows back to back (the next call at most
`CYCLE_MAX_GAP` away); when the share spreads calls hours apart, each call is its own cycle. A cycle that
fails part-way reports nothing: the drivers it did fetch are carried into the next cycle's report.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.gtgridstats import planner
from bot.gtgridstats.budget import RequestBudget
from bot.gtgridstats.errors import GTGridStatsError
from bot.gtgridstats.limiter import Priority, priority
from bot.services.drivers import DriverService
from bot.storage.snapshots import DriverSnapshot
from bot.storage.tracking import StoredLedger, TrackingStore

log = logging.getLogger(__name__)

# Calls the planner allows within this of each other belong to one cycle (one report, one news post).
CYCLE_MAX_GAP = timedelta(minutes=2)
# A cycle never sends more calls than this in one go, whatever the planner says (a bound, not a plan).
MAX_CALLS_PER_CYCLE = 10_000
MIN_SLEEP_SECONDS = 1.0
# How long the attempt on a driver upstream did not find is kept (the planner never waits longer than a
# day between a driver's turns, so an older attempt no longer holds it back).
MISSING_KEPT = timedelta(days=2)

# Guilds that want their linked drivers kept fresh (tracking on, roles mirrored, ...).
WantedGuilds = Callable[[], Awaitable[Collection[int]]]


@dataclass(frozen=True, slots=True)
class CycleResult:
    snapshots: tuple[DriverSnapshot, ...]  # every driver refreshed (empty when the cycle failed)
    calls: int
    error: GTGridStatsError | None
    wake_at: datetime | None  # when to plan again (None: nothing wanted)


@dataclass
class _Carry:
    snapshots: dict[str, DriverSnapshot] = field(default_factory=dict)


# A league whose weekly post or a race comes within this long has its drivers refreshed first.
LEAGUE_SOON = timedelta(hours=24)


class RefreshService:
    def __init__(
        self,
        *,
        drivers: DriverService,
        store: TrackingStore,
        budget: RequestBudget,
        clock: Clock,
        config: planner.PlannerConfig,
        wanted_guilds: Collection[WantedGuilds] = (),
        league_soon: Callable[[], Awaitable[Collection[str]]] | None = None,
    ) -> None:
        self._drivers = drivers
        self._store = store
        self._budget = budget
        self._clock = clock
        self.config = config
        self._sources: list[WantedGuilds] = list(wanted_guilds)
        self._league_soon = league_soon
        self._carry = _Carry()
        self.last_summary: planner.RefreshSummary | None = None
        # Set when the wanted drivers may have changed (a server turned tracking or roles on): the loop,
        # idle while nothing is wanted, plans again at once.
        self.wake_event = asyncio.Event()

    def wake(self) -> None:
        self.wake_event.set()

    def add_wanted_guilds(self, source: WantedGuilds) -> None:
        """Another feature (rank roles) adds the guilds it needs fresh drivers for."""
        if source not in self._sources:
            self._sources.append(source)

    def remove_wanted_guilds(self, source: WantedGuilds) -> None:
        """The feature is gone (its cog unloaded): its guilds are no longer wanted on its account."""
        if source in self._sources:
            self._sources.remove(source)

    async def wanted_guilds(self) -> set[int]:
        guilds: set[int] = set()
        for source in self._sources:
            guilds.update(await source())
        return guilds

    async def wanted(self) -> list[planner.WantedDriver]:
        links = await self._store.links_in(await self.wanted_guilds())
        if self._league_soon is not None:
            soon: Collection[str] = await self._league_soon()
        else:
            now = self._clock.now()
            soon = await self._store.league_soon_drivers(now, now + LEAGUE_SOON)
        fetched = await self._drivers.fetch_times()
        # A driver GT Grid Stats no longer knows (renamed, removed) has no new snapshot: its last attempt
        # counts as its fetch, or it would be asked for again at every pacing gap and the cycle never end.
        for key, attempted in (await self._store.missing_attempts()).items():
            if key not in fetched or fetched[key] < attempted:
                fetched[key] = attempted
        return planner.wanted_drivers(((g, psn) for g, _, psn in links), soon, fetched)

    def _quota(self) -> planner.QuotaState:
        snapshot = self._budget.quota.snapshot()
        return planner.QuotaState(snapshot.limit, snapshot.remaining, snapshot.resets_at)

    async def _ledger(self) -> planner.BackgroundLedger:
        stored = await self._store.ledger()
        return planner.BackgroundLedger(stored.period_resets_at, stored.allowance_left, stored.last_call_at)

    async def _save(self, ledger: planner.BackgroundLedger) -> None:
        await self._store.save_ledger(
            StoredLedger(ledger.period_resets_at, ledger.allowance_left, ledger.last_call_at)
        )

    async def plan(self) -> planner.RefreshPlan:
        result = planner.plan(
            await self.wanted(), self._clock.now(), self._quota(), await self._ledger(), self.config
        )
        self.last_summary = result.summary
        return result

    async def run_cycle(self) -> CycleResult:
        """Send every call the planner allows now and back to back; report the drivers refreshed."""
        calls = 0
        while calls < MAX_CALLS_PER_CYCLE:
            current = await self.plan()
            if not current.calls:
                await self._save(current.ledger)
            else:
                batch = list(current.calls[0])
                await self._save(current.ledger.record_call(self._clock.now()))
                calls += 1
                with priority(Priority.BACKGROUND):
                    lookup = await self._drivers.get_drivers(batch, max_age=timedelta(0))
                for key, snapshot in lookup.found.items():
                    if key not in lookup.stale:
                        self._carry.snapshots[key] = snapshot
                if lookup.not_found:
                    now = self._clock.now()
                    await self._store.record_missing(lookup.not_found, now, now - MISSING_KEPT)
                if lookup.error is not None:
                    log.info("background refresh stopped after %d call(s): %s", calls, lookup.error)
                    return CycleResult((), calls, lookup.error, None)
                continue
            wake = current.wake_at
            if wake is not None and wake - self._clock.now() <= CYCLE_MAX_GAP:
                await self._clock.sleep(max(MIN_SLEEP_SECONDS, (wake - self._clock.now()).total_seconds()))
                continue
            return self._finish(calls, wake)
        return self._finish(calls, self._clock.now())

    def _finish(self, calls: int, wake_at: datetime | None) -> CycleResult:
        snapshots = tuple(self._carry.snapshots.values())
        self._carry = _Carry()
        return CycleResult(snapshots, calls, None, wake_at)
