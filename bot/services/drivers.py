"""Drivers: stored snapshots first, then batched upstream lookups (links: bot/services/links.py).

Every lookup goes through here so the budget rules hold for every command (and for the league service):
a snapshot younger than the refresh interval is served as is; the rest are fetched with GET in batches of
up to 16 shared across commands (RacerBatcher); drivers GT Grid Stats has not indexed yet are synced with
POST (about 3 s each), again batched. When upstream fails, a stored snapshot is served "as of" its time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.errors import NoSuchDriver
from bot.gtgridstats import GTGridStatsClient
from bot.gtgridstats.errors import GTGridStatsError
from bot.gtgridstats.identifiers import chunked, validate_psn_id
from bot.gtgridstats.models import RacersResponse
from bot.services.bounded_cache import BoundedTTLCache
from bot.services.driver_results import (
    MAX_REMEMBERED_UNKNOWN,
    NOTICEABLE_WAIT_SECONDS,
    DriverLookup,
    DriverResult,
    Progress,
    Queued,
    no_progress,
    syncing,
)
from bot.services.fair_use import FairUse, Requester, Ticket
from bot.services.racer_batcher import RacerBatcher
from bot.services.racer_matching import match_answers
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.links import Link, LinkStore
from bot.storage.snapshots import DriverSnapshot, SnapshotStore

log = logging.getLogger(__name__)


class DriverService:
    def __init__(
        self,
        *,
        api: GTGridStatsClient,
        links: LinkStore,
        snapshots: SnapshotStore,
        clock: Clock,
        refresh_after: timedelta,
        batch_window_seconds: float,
        refresh_cooldown: timedelta = timedelta(0),
        fair_use: FairUse | None = None,
    ) -> None:
        self.api = api
        self.links = links
        self.snapshots = snapshots
        self.clock = clock
        self.refresh_after = refresh_after
        self.refresh_cooldown = refresh_cooldown
        self.fair_use = fair_use
        # PSN IDs (lower-cased) GT Grid Stats said, after a sync, it has no driver for.
        self._unknown = BoundedTTLCache[str, bool](
            max_entries=MAX_REMEMBERED_UNKNOWN, max_age=refresh_after, clock=clock
        )
        self.indexed = RacerBatcher[DriverSnapshot](
            self._fetch_indexed, clock=clock, window_seconds=batch_window_seconds, name="GET racers"
        )
        # When a caller, having read the store, decided to fetch each queued driver (the earliest caller).
        self._wanted_since: dict[str, datetime] = {}
        # When each driver was last fetched (lower-cased PSN ID), so a command can decide whether it must
        # defer without a trip to the database. None until `load()`; every snapshot write goes through here.
        self._fetched_at: dict[str, datetime] | None = None
        self.syncs = RacerBatcher[DriverSnapshot](
            self._fetch_synced, clock=clock, window_seconds=batch_window_seconds, name="POST racers"
        )

    @classmethod
    def build(
        cls, *, settings: Settings, api: GTGridStatsClient, database: Database, links: LinkStore, clock: Clock
    ) -> DriverService:
        return cls(
            api=api,
            links=links,
            snapshots=SnapshotStore(database),
            clock=clock,
            refresh_after=timedelta(minutes=settings.driver_refresh_minutes),
            batch_window_seconds=settings.racer_batch_window_ms / 1000,
            refresh_cooldown=timedelta(minutes=settings.driver_refresh_cooldown_minutes),
            fair_use=FairUse(
                clock,
                per_minute=settings.member_upstream_per_minute,
                per_day=settings.member_upstream_per_day,
                scarce_percent=settings.fair_share_below_percent,
            ),
        )

    async def load(self) -> None:
        """Read the freshness index; call once the database is migrated (the cog does, on load)."""
        self._fetched_at = await self.snapshots.latest_fetch_times()

    async def aclose(self) -> None:
        await self.indexed.aclose()
        await self.syncs.aclose()

    # --- stored data -------------------------------------------------------------------------------

    def is_fresh(self, snapshot: DriverSnapshot, max_age: timedelta | None = None) -> bool:
        return self._fresh_at(snapshot.fetched_at, max_age)

    def _fresh_at(self, fetched_at: datetime, max_age: timedelta | None = None) -> bool:
        limit = max_age if max_age is not None else self.refresh_after
        return fetched_at >= self.clock.now() - limit

    def refresh_possible_at(self, snapshot: DriverSnapshot) -> datetime | None:
        """When a forced refresh of this driver is next allowed (None: now)."""
        return self._cooled_at(snapshot.fetched_at)

    def _cooled_at(self, fetched_at: datetime) -> datetime | None:
        at = fetched_at + self.refresh_cooldown
        return at if at > self.clock.now() else None

    async def fetch_times(self) -> dict[str, datetime]:
        """When each driver (lower-cased PSN ID) was last fetched: the in-memory index once loaded."""
        if self._fetched_at is None:
            return await self.snapshots.latest_fetch_times()
        return dict(self._fetched_at)

    async def _fetch_times_of(self, keys: Sequence[str]) -> dict[str, datetime]:
        """When each of these drivers (lower-cased PSN IDs) was last fetched, if ever."""
        if self._fetched_at is None:
            return {key: snap.fetched_at for key, snap in (await self.snapshots.latest_many(keys)).items()}
        return {key: self._fetched_at[key] for key in keys if key in self._fetched_at}

    async def next_refresh_at(self, psn_id: str) -> datetime | None:
        """When `/profile refresh` may sync this driver again (None: now, or nothing stored)."""
        key = validate_psn_id(psn_id).lower()
        fetched_at = (await self._fetch_times_of([key])).get(key)
        return self._cooled_at(fetched_at) if fetched_at is not None else None

    def known_unknown(self, psn_id: str) -> bool:
        """GT Grid Stats said, less than the refresh interval ago, that it has no such driver."""
        return self._unknown.get(psn_id.lower()) is not None

    async def admit(
        self,
        requester: Requester,
        psn_ids: Sequence[str],
        *,
        refresh: bool = False,
        sync_missing: bool = True,
        max_age: timedelta | None = None,
    ) -> Ticket | None:
        """Before a command spends upstream calls: a ticket for the most it could spend (None when stored
        data, a remembered unknown or the refresh cooldown answers everything, or nobody is counted).

        Raises UpstreamRateLimited (with when to retry) when the member or the server may not spend now.
        """
        if self.fair_use is None:
            return None
        keys = [
            key
            for key in dict.fromkeys(validate_psn_id(psn_id).lower() for psn_id in psn_ids)
            if not self.known_unknown(key)
        ]
        latest = await self._fetch_times_of(keys)
        if refresh:
            to_sync = [key for key in keys if key not in latest or not self._cooled_at(latest[key])]
            calls = len(list(chunked(to_sync)))
        else:
            needed = [key for key in keys if key not in latest or not self._fresh_at(latest[key], max_age)]
            never_seen = [key for key in needed if key not in latest] if sync_missing else []
            calls = len(list(chunked(needed))) + len(list(chunked(never_seen)))
        if calls == 0:
            return None
        return self.fair_use.reserve(requester, calls, self.api.budget.quota.snapshot())

    async def admit_if_stale(
        self,
        requester: Requester,
        psn_ids: Sequence[str],
        *,
        before_wait: Callable[[], Awaitable[None]],
        refresh: bool = False,
        sync_missing: bool = True,
    ) -> Ticket | None:
        """A command's one decision before a lookup: when stored data answers every driver (and no
        `refresh` is asked), nothing; otherwise admit it (`admit`, which may refuse) and call
        `before_wait` (the command defers) before it waits on upstream."""
        if not refresh and await self.all_fresh(psn_ids):
            return None
        ticket = await self.admit(requester, psn_ids, refresh=refresh, sync_missing=sync_missing)
        await before_wait()
        return ticket

    async def stored(self, psn_id: str) -> DriverSnapshot | None:
        return await self.snapshots.latest(psn_id)

    async def all_fresh(self, psn_ids: Iterable[str], max_age: timedelta | None = None) -> bool:
        """Whether every driver can be answered from stored data (then a command need not defer)."""
        wanted = {psn_id.lower() for psn_id in psn_ids}
        if self._fetched_at is None:
            return len(await self.fresh_snapshots(wanted, max_age)) == len(wanted)
        limit = self.clock.now() - (max_age if max_age is not None else self.refresh_after)
        return all((at := self._fetched_at.get(key)) is not None and at >= limit for key in wanted)

    async def fresh_snapshots(
        self, psn_ids: Iterable[str], max_age: timedelta | None = None
    ) -> dict[str, DriverSnapshot]:
        """Snapshots young enough to serve without asking upstream (a command answers these at once)."""
        latest = await self.snapshots.latest_many(psn_ids)
        return {key: snapshot for key, snapshot in latest.items() if self.is_fresh(snapshot, max_age)}

    async def history(self, psn_id: str, guid: str | None = None) -> list[DriverSnapshot]:
        """Every snapshot of the driver; with its GUID (else the latest snapshot's), across PSN renames."""
        if guid is None:
            latest = await self.snapshots.latest(psn_id)
            guid = latest.guid if latest else None
        return await self.snapshots.history(psn_id, guid)

    # --- lookups -----------------------------------------------------------------------------------

    async def get_drivers(
        self,
        psn_ids: Sequence[str],
        *,
        max_age: timedelta | None = None,
        sync_missing: bool = False,
        refresh: bool = False,
        progress: Progress | None = None,
        max_wait: float | None = None,
        ticket: Ticket | None = None,
    ) -> DriverLookup:
        """Fresh snapshots as stored, the rest fetched (GET, batched across commands).

        sync_missing: drivers GT Grid Stats has not indexed are synced with POST (slow: ~3 s each).
        refresh: skip the stored data and the GET, and sync every driver with POST.
        max_wait: fetch 16 at a time only while a request slot is at most this many seconds away; the
            rest are served from older snapshots (stale) or reported unavailable.
        ticket: what `admit` reserved for the command; calls are spent from it and the rest given back.
            With `max_wait`, chunks past what the ticket holds are served stored, like a short budget.
        A PSN ID GT Grid Stats said it does not know is answered not found, without a call, for the
        refresh interval; `refresh` of a driver fetched within the refresh cooldown serves the stored one.
        Upstream failures never raise here: stored snapshots are served stale and `error` says why.
        """
        try:
            return await self._get_drivers(
                psn_ids,
                max_age=max_age,
                sync_missing=sync_missing,
                refresh=refresh,
                progress=progress,
                max_wait=max_wait,
                ticket=ticket,
            )
        finally:
            if ticket is not None:
                ticket.settle()

    async def _get_drivers(
        self,
        psn_ids: Sequence[str],
        *,
        max_age: timedelta | None,
        sync_missing: bool,
        refresh: bool,
        progress: Progress | None,
        max_wait: float | None,
        ticket: Ticket | None,
    ) -> DriverLookup:
        report = progress or no_progress
        asked = list(dict.fromkeys(validate_psn_id(psn_id) for psn_id in psn_ids))
        spelling = {psn_id.lower(): psn_id for psn_id in asked}
        decided_at = self.clock.now()
        latest = await self.snapshots.latest_many(asked)
        found: dict[str, DriverSnapshot] = {}
        if not refresh:
            found = {key: snap for key, snap in latest.items() if self.is_fresh(snap, max_age)}
        else:
            found = {key: snap for key, snap in latest.items() if self.refresh_possible_at(snap)}
        remembered = [key for key in spelling if key not in found and self.known_unknown(key)]
        if found or remembered:
            self.api.budget.usage.record_cache(hit=True, count=len(found) + len(remembered))
        # Never seen first, then the oldest snapshots: with a short budget they matter most.
        needed = sorted(
            (key for key in spelling if key not in found and key not in remembered),
            key=lambda key: (key in latest, latest[key].fetched_at if key in latest else None),
        )
        error: GTGridStatsError | None = None
        not_found: list[str] = [spelling[key] for key in remembered]
        to_sync: list[str] = []
        skipped: list[str] = []
        if refresh:
            to_sync = needed
        elif needed:
            answers: dict[str, DriverSnapshot | None] = {}
            chunks = list(chunked(needed)) if max_wait is not None else [needed]
            for index, chunk in enumerate(chunks):
                if max_wait is not None and (
                    self.api.budget.estimated_wait() > max_wait
                    or (ticket is not None and ticket.spent >= ticket.reserved)
                ):
                    skipped = [key for rest in chunks[index:] for key in rest]
                    break
                await self._report_wait(report)
                for key in chunk:
                    if self.indexed.in_flight_for(key):
                        # Joining a batch already sent: its answer is as new as ours would be. A mark
                        # left here would outlive it and pass an old snapshot off as fresh later.
                        continue
                    wanted = self._wanted_since.get(key)
                    self._wanted_since[key] = decided_at if wanted is None else min(wanted, decided_at)
                if ticket is not None:
                    ticket.spend()
                try:
                    answers.update(await self.indexed.get([spelling[key] for key in chunk]))
                except GTGridStatsError as failure:
                    error = failure
                    skipped = [key for rest in chunks[index:] for key in rest]
                    break
            for key, snapshot in answers.items():
                if snapshot is not None:
                    found[key] = snapshot
                elif sync_missing:
                    to_sync.append(key)
                else:
                    not_found.append(spelling[key])
        if to_sync and error is None:
            wait = self.api.budget.estimated_wait()
            await report(syncing(len(to_sync), wait))
            if ticket is not None:
                ticket.spend(len(list(chunked(to_sync))))
            try:
                synced = await self.syncs.get([spelling[key] for key in to_sync])
            except GTGridStatsError as failure:
                error = failure
                skipped += to_sync
            else:
                for key, snapshot in synced.items():
                    if snapshot is not None:
                        found[key] = snapshot
                    else:
                        self._unknown.put(key, True)
                        not_found.append(spelling[key])
        stale: set[str] = set()
        unavailable: list[str] = []
        for key in skipped:
            if key in latest:
                found[key] = latest[key]
                stale.add(key)
            else:
                unavailable.append(spelling[key])
        if stale:
            self.api.budget.usage.record_cache(hit=True, count=len(stale))
        return DriverLookup(
            found=found,
            stale=frozenset(stale),
            not_found=not_found,
            unavailable=unavailable,
            error=error,
        )

    async def get_driver(
        self,
        psn_id: str,
        *,
        refresh: bool = False,
        progress: Progress | None = None,
        ticket: Ticket | None = None,
    ) -> DriverResult:
        """One driver, syncing it when GT Grid Stats has not indexed it yet.

        Raises NoSuchDriver when no such driver exists, and the upstream error when nothing is stored.
        """
        psn_id = validate_psn_id(psn_id)
        cooled = await self.next_refresh_at(psn_id) if refresh else None
        lookup = await self.get_drivers(
            [psn_id], sync_missing=True, refresh=refresh, progress=progress, ticket=ticket
        )
        snapshot = lookup.get(psn_id)
        if snapshot is not None:
            return DriverResult(
                snapshot, stale=lookup.is_stale(psn_id), error=lookup.error, next_refresh_at=cooled
            )
        if lookup.error is not None:
            raise lookup.error
        raise NoSuchDriver(psn_id)

    async def _report_wait(self, report: Progress) -> None:
        wait = self.api.budget.estimated_wait()
        if wait >= NOTICEABLE_WAIT_SECONDS:
            await report(Queued(round(wait)))

    # --- batch fetches (called by the batchers) ----------------------------------------------------

    async def _fetch_indexed(self, psn_ids: list[str]) -> dict[str, DriverSnapshot]:
        # Another command may have stored some of these since the caller read the store and decided to
        # fetch them: those answers are as new as a fetch would give, so they are never fetched again.
        now = self.clock.now()
        since = {psn_id.lower(): self._wanted_since.pop(psn_id.lower(), now) for psn_id in psn_ids}
        maybe_fresh = psn_ids
        if self._fetched_at is not None:  # the index says which could be: only those are read and parsed
            index = self._fetched_at
            maybe_fresh = [key for key, at in since.items() if key in index and index[key] >= at]
        latest = await self.snapshots.latest_many(maybe_fresh) if maybe_fresh else {}
        fresh = {key: snap for key, snap in latest.items() if snap.fetched_at >= since.get(key, now)}
        if fresh:
            self.api.budget.usage.record_cache(hit=True, count=len(fresh))
        ask = [psn_id for psn_id in psn_ids if psn_id.lower() not in fresh]
        if not ask:
            return fresh
        self.api.budget.usage.record_cache(hit=False, count=len(ask))
        return fresh | await self._store(ask, await self.api.racers(ask))

    async def _fetch_synced(self, psn_ids: list[str]) -> dict[str, DriverSnapshot]:
        self.api.budget.usage.record_cache(hit=False, count=len(psn_ids))
        return await self._store(psn_ids, await self.api.sync_racers(psn_ids))

    async def _store(self, asked: list[str], response: RacersResponse) -> dict[str, DriverSnapshot]:
        matched = await match_answers(asked, response, self.snapshots.latest_many)
        if not matched:
            return {}
        for key in matched:
            self._unknown.discard(key)
        saved = await self.snapshots.save(list(matched.values()), self.clock.now())
        if self._fetched_at is not None:
            for snapshot in saved:
                self._fetched_at[snapshot.psn_id.lower()] = snapshot.fetched_at
        renamed = await self.links.follow_drivers(
            [(driver.psn_id, driver.guid) for driver in matched.values() if driver.guid]
        )
        if renamed:
            log.info("followed %d PSN rename(s) in links", renamed)
        return dict(zip(matched, saved, strict=True))

    # --- forgetting drivers no server links (the LinkService calls these) ---------------------------

    async def forget_if_unlinked(self, link: Link) -> None:
        """After `link` went: delete the driver's snapshots when no guild links it any more."""
        deleted = await self.snapshots.delete_if_unlinked(link.psn_id, link.guid)
        if deleted:
            log.debug("%s is linked nowhere: %d snapshots deleted", link.psn_id, deleted)
            await self._reload_index()

    async def forget_unlinked(self) -> int:
        """Delete snapshots of every driver that no guild links any more; how many were deleted."""
        deleted = await self.snapshots.delete_unlinked()
        if deleted:
            await self._reload_index()
        return deleted

    async def _reload_index(self) -> None:
        if self._fetched_at is not None:
            self._fetched_at = await self.snapshots.latest_fetch_times()
