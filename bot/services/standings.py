"""Series standings for a roster: fetch 16 drivers per call, merge, rank, gaps and dropped rounds.

Display order and ties: drivers are ordered by total points (highest first); equal totals share a
position (standard competition ranking: 1, 2, 2, 4). Inside a tie the display order follows the series'
own overall `season_rank` (GT Grid Stats applies the series' tie-breaks there), then the PSN ID
case-insensitively, so the order is stable from one post to the next.

Rows are kept for `driver_refresh_minutes` (the upstream refresh interval), per series and driver, so a
`/league post` followed by `/standings` or `/league export` costs no second call; at most `MAX_CACHED_ROWS`
rows are kept in all (least recently used dropped first), and only rows GT Grid Stats answered.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.gtgridstats import GTGridStatsClient
from bot.gtgridstats.errors import NotFoundError
from bot.gtgridstats.identifiers import chunked, validate_positive_id
from bot.gtgridstats.models import SeriesDriver
from bot.gtgridstats.wire import MAX_IDENTIFIERS_PER_CALL
from bot.services.bounded_cache import BoundedTTLCache
from bot.services.driver_refs import ResolvedDriver
from bot.services.fair_use import FairUse, Requester, Ticket

MAX_DRIVERS = 200
# Rows kept across every series (key: series id and lower-case PSN): 50 full 200-driver tables.
MAX_CACHED_ROWS = 10_000


class StandingsError(Exception):
    """Standings that cannot be made as asked; subclasses carry what bot/ui/standings.py words."""


@dataclass
class NoDriversError(StandingsError):
    pass


@dataclass
class TooManyDriversError(StandingsError):
    limit: int
    count: int


@dataclass
class NoResultsError(StandingsError):
    count: int
    series_id: int
    series_type: str | None


@dataclass
class UnknownSeriesError(StandingsError):
    series_id: int


@dataclass
class QuotaShortError(StandingsError):
    """Today's quota left is too small for the whole table: nothing is fetched, it fits again after reset."""

    resets_at: datetime | None
    needed: int
    remaining: int


@dataclass(frozen=True)
class RoundScore:
    no: int
    points: int
    counted: bool  # False: a dropped round, not part of the total


@dataclass(frozen=True)
class StandingRow:
    position: int
    tied: bool  # shares its position with another driver
    psn_id: str
    member_id: int | None
    total_points: int
    season_rank: int | None  # the driver's rank in the whole series, not only this roster
    rounds: tuple[RoundScore, ...]
    gap_to_leader: int
    gap_to_ahead: int | None  # None for the first row
    previous_position: int | None = None  # at the previous league post, when there was one
    adjustment: int = 0  # penalties and bonuses included in total_points

    @property
    def dropped_rounds(self) -> list[int]:
        return [score.no for score in self.rounds if not score.counted]

    def points_in(self, round_no: int) -> RoundScore | None:
        return next((score for score in self.rounds if score.no == round_no), None)

    @property
    def movement(self) -> int | None:
        """Places gained (positive) or lost since the previous post; None when there is nothing to compare."""
        if self.previous_position is None:
            return None
        return self.previous_position - self.position


@dataclass(frozen=True)
class Standings:
    series_id: int
    series_type: str | None
    rows: tuple[StandingRow, ...]
    missing: tuple[str, ...]  # roster drivers without results in the series
    as_of: datetime  # when the oldest row used was fetched
    compared_with_previous: bool = False

    @property
    def round_numbers(self) -> list[int]:
        return sorted({score.no for row in self.rows for score in row.rounds})

    @property
    def leader(self) -> StandingRow:
        return self.rows[0]

    def with_previous(self, previous: Mapping[str, int]) -> Standings:
        """The same standings, each row knowing its position at the previous post (keys: lower-case PSN)."""
        rows = tuple(replace(row, previous_position=previous.get(row.psn_id.lower())) for row in self.rows)
        return Standings(
            self.series_id, self.series_type, rows, self.missing, self.as_of, compared_with_previous=True
        )

    def positions(self) -> dict[str, int]:
        return {row.psn_id: row.position for row in self.rows}


@dataclass
class _Cached:
    row: SeriesDriver | None  # None: the driver has no results in the series
    series_type: str | None
    fetched_at: datetime


def placings(totals: Sequence[int]) -> list[tuple[int, bool]]:
    """For totals sorted highest first: each one's position (equal totals share it: 1, 2, 2, 4) and whether
    it is shared."""
    counts = Counter(totals)
    placed: list[tuple[int, bool]] = []
    for index, total in enumerate(totals):
        position = index + 1 if index == 0 or total != totals[index - 1] else placed[-1][0]
        placed.append((position, counts[total] > 1))
    return placed


def rank(results: Sequence[SeriesDriver], member_ids: Mapping[str, int | None]) -> tuple[StandingRow, ...]:
    """Order, shared positions and gaps (see the module docstring for the tie-break)."""
    ordered = sorted(
        results,
        key=lambda row: (
            -row.total_points,
            row.season_rank if row.season_rank is not None else math.inf,
            row.psn.casefold(),
        ),
    )
    totals = [row.total_points for row in ordered]
    rows: list[StandingRow] = []
    for index, (result, (position, tied)) in enumerate(zip(ordered, placings(totals), strict=True)):
        rows.append(
            StandingRow(
                position=position,
                tied=tied,
                psn_id=result.psn,
                member_id=member_ids.get(result.psn.lower()),
                total_points=result.total_points,
                season_rank=result.season_rank,
                rounds=tuple(
                    RoundScore(r.no, r.points, r.is_counted)
                    for r in sorted(result.rounds, key=lambda r: r.no)
                ),
                gap_to_leader=totals[0] - result.total_points,
                gap_to_ahead=None if index == 0 else totals[index - 1] - result.total_points,
            )
        )
    return tuple(rows)


class StandingsService:
    def __init__(
        self,
        api: GTGridStatsClient,
        clock: Clock,
        *,
        max_age: timedelta,
        max_cached_rows: int = MAX_CACHED_ROWS,
        fair_use: FairUse | None = None,
    ) -> None:
        self._api = api
        self._clock = clock
        self._max_age = max_age
        self._fair_use = fair_use
        # Filled only with rows GT Grid Stats answered, so an unknown or refused series leaves no trace.
        self._cache: BoundedTTLCache[tuple[int, str], _Cached] = BoundedTTLCache(
            max_entries=max_cached_rows, max_age=max_age, clock=clock
        )

    @property
    def cached_rows(self) -> int:
        """How many series rows are kept in memory now (bounded by `max_cached_rows`)."""
        return len(self._cache)

    @staticmethod
    def calls_needed(driver_count: int) -> int:
        return math.ceil(driver_count / MAX_IDENTIFIERS_PER_CALL)

    def calls_for(self, series_id: int, psn_ids: Sequence[str]) -> int:
        """How many upstream calls the standings of these drivers would make now (kept rows are free)."""
        unique = dict.fromkeys(psn.lower() for psn in psn_ids)
        return self.calls_needed(sum(1 for key in unique if self._cache.get((series_id, key)) is None))

    def admit(self, requester: Requester, series_id: int, psn_ids: Sequence[str]) -> Ticket | None:
        """Before a command's standings: a ticket for the calls they would make (None: all kept, or
        nobody is counted). Raises UpstreamRateLimited when the member or the server may not spend now."""
        calls = self.calls_for(series_id, psn_ids)
        if self._fair_use is None or calls == 0:
            return None
        return self._fair_use.reserve(requester, calls, self._api.budget.quota.snapshot())

    async def standings(
        self, series_id: int, drivers: Sequence[ResolvedDriver], *, ticket: Ticket | None = None
    ) -> Standings:
        """`ticket`: what `admit` reserved; each call made is spent from it, the rest given back."""
        try:
            return await self._standings(series_id, drivers, ticket)
        finally:
            if ticket is not None:
                ticket.settle()

    async def _standings(
        self, series_id: int, drivers: Sequence[ResolvedDriver], ticket: Ticket | None
    ) -> Standings:
        validate_positive_id(series_id, "series id")
        unique: dict[str, ResolvedDriver] = {}
        for driver in drivers:
            unique.setdefault(driver.psn_id.lower(), driver)
        if not unique:
            raise NoDriversError()
        if len(unique) > MAX_DRIVERS:
            raise TooManyDriversError(MAX_DRIVERS, len(unique))
        entries = await self._fetch(series_id, [driver.psn_id for driver in unique.values()], ticket)
        results = [entry.row for entry in entries.values() if entry.row is not None]
        series_type = next((entry.series_type for entry in entries.values() if entry.series_type), None)
        if not results:
            raise NoResultsError(len(unique), series_id, series_type)
        member_ids = {key: driver.member_id for key, driver in unique.items()}
        missing = tuple(unique[key].psn_id for key, entry in entries.items() if entry.row is None)
        return Standings(
            series_id=series_id,
            series_type=series_type,
            rows=rank(results, member_ids),
            missing=missing,
            as_of=min(entry.fetched_at for entry in entries.values()),
        )

    async def _fetch(
        self, series_id: int, psn_ids: list[str], ticket: Ticket | None = None
    ) -> dict[str, _Cached]:
        """Every driver's row, from what is kept when fresh enough, else 16 per call."""
        kept: dict[str, _Cached] = {}
        for psn in psn_ids:
            entry = self._cache.get((series_id, psn.lower()))
            if entry is not None:
                kept[psn.lower()] = entry
        stale = [psn for psn in psn_ids if psn.lower() not in kept]
        usage = self._api.budget.usage
        saved = self.calls_needed(len(psn_ids)) - self.calls_needed(len(stale))
        if saved:
            usage.record_cache(hit=True, count=saved)
        if stale:
            usage.record_cache(hit=False, count=self.calls_needed(len(stale)))
            self._check_quota(len(stale))
            batches = list(chunked(stale))

            async def fetch_and_keep(batch: list[str]) -> None:
                # Kept as soon as it lands: a failure in another batch must not waste this one's call.
                if ticket is not None:
                    ticket.spend()
                fetched = await self._fetch_batch(series_id, batch)
                kept.update(fetched)
                for key, entry in fetched.items():
                    self._cache.put((series_id, key), entry, stored_at=entry.fetched_at)

            # The first call alone: an unknown series then costs one request, not one per batch.
            await fetch_and_keep(batches[0])
            outcomes = await asyncio.gather(*map(fetch_and_keep, batches[1:]), return_exceptions=True)
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome  # the error itself (not a group), so the user reads what went wrong
        return {psn.lower(): kept[psn.lower()] for psn in psn_ids}

    async def _fetch_batch(self, series_id: int, batch: list[str]) -> dict[str, _Cached]:
        try:
            result = await self._api.series_drivers(series_id, batch)
        except NotFoundError:
            raise UnknownSeriesError(series_id) from None
        fetched_at = self._clock.now()
        found = {row.psn.lower(): row for row in result.drivers}
        return {psn.lower(): _Cached(found.get(psn.lower()), result.type, fetched_at) for psn in batch}

    def _check_quota(self, driver_count: int) -> None:
        """Refuse up front rather than spend the last of the day's quota on half a table."""
        quota = self._api.budget.quota
        needed = self.calls_needed(driver_count)
        if quota.remaining is not None and 0 < quota.remaining < needed:
            raise QuotaShortError(quota.resets_at, needed, quota.remaining)
