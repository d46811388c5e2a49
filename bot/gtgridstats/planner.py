"""The background refresh planner: which drivers to fetch, in calls of up to 16, and when (issue #11).

Pure: no I/O, no clock of its own, no asyncio, no discord. Whoever runs the background loop hands in the
wanted drivers, the time, the quota as the budget knows it and the stored `BackgroundLedger`, sends the
calls it gets back through the request budget at background priority, and stores the ledger again (so the
plan survives restarts together with each driver's last fetch time).

The rules:

- Every distinct driver is fetched once per cycle, 16 per call: a cycle costs ceil(drivers / 16) calls.
  A driver younger than the refresh interval is never in a call.
- Order: drivers in a league that posts or races soon, then those linked in more servers, then the
  stalest (never fetched first), then PSN ID so that a plan is reproducible.
- The daily quota is planned: background work may spend at most `background_share` of what remains. The
  allowance is taken when the quota period starts (or is first known) and only ever goes down: it drops by
  one per background call, and to `floor(remaining × share)` when interactive calls eat the quota, so at
  any moment the background calls still to come until the reset are at most share × remaining.
- The allowance is spread over the time left until the reset: one call every (time to reset / allowance),
  and never closer than the part of the per-minute limit the budget leaves background work allows.
- When the share cannot refresh everyone every refresh interval, cycles are stretched to what it allows
  (a driver is due again after max(refresh interval, cadence)), so every driver gets its turn; with less
  than one cycle a day the drivers first in priority order are the ones refreshed.
- With no quota information only the per-minute limit paces background calls.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.gtgridstats import wire
from bot.gtgridstats.limiter import background_slots

DEFAULT_REFRESH_INTERVAL = timedelta(minutes=30)
DEFAULT_BACKGROUND_SHARE = 0.5
# GT Grid Stats' metered limit is 10 a window; the budget keeps some of those for commands.
DEFAULT_BACKGROUND_PER_WINDOW = background_slots(10)


@dataclass(frozen=True, slots=True)
class PlannerConfig:
    refresh_interval: timedelta = DEFAULT_REFRESH_INTERVAL
    background_share: float = DEFAULT_BACKGROUND_SHARE
    background_per_window: int = DEFAULT_BACKGROUND_PER_WINDOW  # see limiter.background_slots
    batch_size: int = wire.MAX_IDENTIFIERS_PER_CALL
    rate_window: timedelta = timedelta(seconds=wire.RATE_WINDOW_SECONDS)

    def __post_init__(self) -> None:
        if not 0.0 <= self.background_share <= 1.0:
            raise ValueError("background_share must be between 0 and 1")
        if self.background_per_window < 1 or self.batch_size < 1:
            raise ValueError("background_per_window and batch_size must be at least 1")
        if self.refresh_interval <= timedelta(0) or self.rate_window <= timedelta(0):
            raise ValueError("refresh_interval and rate_window must be positive")

    @property
    def min_gap(self) -> timedelta:
        """The closest two background calls may be under the per-minute limit alone (as far as the budget
        lets background work use it)."""
        return self.rate_window / self.background_per_window


@dataclass(frozen=True, slots=True)
class WantedDriver:
    psn_id: str
    servers: int
    league_soon: bool = False
    last_fetched: datetime | None = None


@dataclass(frozen=True, slots=True)
class QuotaState:
    """The daily quota as the budget knows it; `remaining` or `resets_at` None means unknown."""

    limit: int | None = None
    remaining: int | None = None
    resets_at: datetime | None = None

    @property
    def known(self) -> bool:
        return self.remaining is not None and self.resets_at is not None

    def at(self, now: datetime) -> QuotaState:
        """This state as of `now`: past its reset, a known limit is whole again until the next reset."""
        if self.resets_at is None or now < self.resets_at:
            return self
        if self.limit is None:
            return QuotaState()
        return QuotaState(self.limit, self.limit, wire.next_quota_reset(now))


@dataclass(frozen=True, slots=True)
class BackgroundLedger:
    """What background refresh has left of today's share, and its last call: stored across restarts."""

    period_resets_at: datetime | None = None
    allowance_left: int | None = None
    last_call_at: datetime | None = None

    def observe(self, quota: QuotaState, share: float) -> BackgroundLedger:
        """The ledger after seeing the quota: a new period starts a new allowance, which only goes down."""
        if not quota.known:
            return replace(self, period_resets_at=None, allowance_left=None)
        assert quota.remaining is not None  # for mypy: `known`
        cap = math.floor(max(0, quota.remaining) * share)
        if self.period_resets_at != quota.resets_at or self.allowance_left is None:
            return replace(self, period_resets_at=quota.resets_at, allowance_left=cap)
        return replace(self, allowance_left=min(self.allowance_left, cap))

    def record_call(self, at: datetime) -> BackgroundLedger:
        left = None if self.allowance_left is None else max(0, self.allowance_left - 1)
        return replace(self, allowance_left=left, last_call_at=at)


@dataclass(frozen=True, slots=True)
class Pacing:
    """How background calls may be spent: `allowance` None means no quota is known (per-minute only)."""

    allowance: int | None
    gap: timedelta
    next_call_at: datetime | None  # None: nothing more may be spent before the reset
    resets_at: datetime | None


@dataclass(frozen=True, slots=True)
class CallPlan:
    calls: tuple[tuple[str, ...], ...]
    due: int
    next_due_at: datetime | None  # when the first driver not yet due becomes due


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    """What /quota says about background refresh (ui words it: bot/ui/planner_text.py)."""

    drivers: int
    calls_per_cycle: int
    quota_known: bool
    allowance: int | None
    cycles: int | None  # full cycles today's share allows; None when the quota is unknown
    cadence: timedelta | None  # about how often a cycle can run; None when not even one fits
    cycle_duration: timedelta  # a cycle's calls back to back under the per-minute limit
    keeps_everyone_fresh: bool
    drivers_refreshed_today: int  # with less than one cycle: how many the share reaches


@dataclass(frozen=True, slots=True)
class RefreshPlan:
    calls: tuple[tuple[str, ...], ...]  # what to send now (empty: nothing may or needs to go now)
    pacing: Pacing
    summary: RefreshSummary
    ledger: BackgroundLedger
    min_age: timedelta  # a driver younger than this is not due
    wake_at: datetime | None  # when planning again may give a call (None: no driver is wanted)


def wanted_drivers(
    links: Iterable[tuple[int, str]],
    league_soon: Iterable[str] = (),
    last_fetched: Mapping[str, datetime] | None = None,
) -> list[WantedDriver]:
    """Distinct drivers from (guild id, PSN ID) links (tracked or mirrored in roles), PSN IDs compared case-
    insensitively; `league_soon` and `last_fetched` are keyed by lower-case PSN ID."""
    servers: dict[str, set[int]] = {}
    spelling: dict[str, str] = {}
    for guild_id, psn_id in links:
        key = psn_id.lower()
        guilds = servers.get(key)
        if guilds is None:
            servers[key] = {guild_id}
            spelling[key] = psn_id
        else:
            guilds.add(guild_id)
    soon = {psn.lower() for psn in league_soon}
    fetched = last_fetched or {}
    return [
        WantedDriver(spelling[key], len(guilds), key in soon, fetched.get(key))
        for key, guilds in servers.items()
    ]


def calls_per_cycle(drivers: int, batch_size: int = wire.MAX_IDENTIFIERS_PER_CALL) -> int:
    return math.ceil(drivers / batch_size)


def plan_calls(
    drivers: Sequence[WantedDriver],
    now: datetime,
    min_age: timedelta,
    batch_size: int = wire.MAX_IDENTIFIERS_PER_CALL,
    max_calls: int | None = None,
) -> CallPlan:
    """The due drivers (never fetched, or fetched at least `min_age` ago) in priority order, in calls."""
    due: list[tuple[bool, int, float, str]] = []
    next_due: datetime | None = None
    cutoff = now - min_age
    for driver in drivers:
        fetched = driver.last_fetched
        if fetched is None:
            due.append((not driver.league_soon, -driver.servers, -math.inf, driver.psn_id))
        elif fetched <= cutoff:
            due.append((not driver.league_soon, -driver.servers, fetched.timestamp(), driver.psn_id))
        else:
            becomes_due = fetched + min_age
            if next_due is None or becomes_due < next_due:
                next_due = becomes_due
    count = len(due)
    if max_calls is not None:
        wanted = max(0, max_calls) * batch_size
        # The loop asks for one call at a time: picking its 16 is O(n), not a sort of every due driver.
        due = heapq.nsmallest(wanted, due) if wanted * 8 < count else sorted(due)[:wanted]
    else:
        due.sort()
    ordered = [entry[3] for entry in due]
    calls = tuple(tuple(ordered[start : start + batch_size]) for start in range(0, len(ordered), batch_size))
    return CallPlan(calls, count, next_due)


def pacing(ledger: BackgroundLedger, quota: QuotaState, now: datetime, config: PlannerConfig) -> Pacing:
    """When the next background call may go. `ledger` must already have observed `quota`."""
    last = ledger.last_call_at
    if ledger.allowance_left is None or quota.resets_at is None:
        earliest = now if last is None else max(now, last + config.min_gap)
        return Pacing(None, config.min_gap, earliest, None)
    resets_at = quota.resets_at
    allowance = ledger.allowance_left
    if allowance <= 0 or now >= resets_at:
        return Pacing(allowance, resets_at - now if now < resets_at else timedelta(0), None, resets_at)
    # The first call of a period may go at once; then the calls left are spread evenly from the last one
    # to the reset (one slot per call left, the reset itself not being one), so the next call time does
    # not creep as `now` advances.
    period_start = resets_at - timedelta(days=1)
    if last is not None and last >= period_start:
        gap = max(config.min_gap, (resets_at - last) / (allowance + 1))
        earliest = max(now, last + gap)
    else:
        gap = max(config.min_gap, (resets_at - now) / allowance)
        earliest = now
    return Pacing(allowance, gap, earliest if earliest < resets_at else None, resets_at)


def summarize(drivers: int, pace: Pacing, now: datetime, config: PlannerConfig) -> RefreshSummary:
    per_cycle = calls_per_cycle(drivers, config.batch_size)
    duration = config.min_gap * per_cycle
    if pace.allowance is None or pace.resets_at is None:
        paced = max(config.refresh_interval, duration)
        fresh = duration <= config.refresh_interval
        return RefreshSummary(drivers, per_cycle, False, None, None, paced, duration, fresh, drivers)
    time_left = max(timedelta(0), pace.resets_at - now)
    if per_cycle == 0:
        return RefreshSummary(drivers, 0, True, pace.allowance, None, None, duration, True, 0)
    cycles = pace.allowance // per_cycle
    cadence = max(config.refresh_interval, duration, time_left / cycles) if cycles else None
    cycles_needed = math.ceil(time_left / config.refresh_interval)
    fresh = cycles >= cycles_needed and duration <= config.refresh_interval
    reached = drivers if cycles else min(drivers, pace.allowance * config.batch_size)
    return RefreshSummary(drivers, per_cycle, True, pace.allowance, cycles, cadence, duration, fresh, reached)


def plan(
    drivers: Sequence[WantedDriver],
    now: datetime,
    quota: QuotaState,
    ledger: BackgroundLedger,
    config: PlannerConfig | None = None,
) -> RefreshPlan:
    """The whole plan for this moment: the calls to send now (at most one: the loop asks again after it),
    the pacing, the /quota summary and the ledger to store (before recording the calls it sends)."""
    config = config or PlannerConfig()
    quota = quota.at(now)
    ledger = ledger.observe(quota, config.background_share)
    pace = pacing(ledger, quota, now, config)
    summary = summarize(len(drivers), pace, now, config)
    # When the share (or the per-minute limit) cannot keep the refresh interval, a driver waits for the
    # cadence it allows, so that every driver gets its turn instead of the first ones again and again.
    if summary.cadence is not None:
        min_age = max(config.refresh_interval, summary.cadence)
    else:
        min_age = max(config.refresh_interval, timedelta(days=1))  # under a cycle a day: each reached once
    may_call_now = pace.next_call_at is not None and pace.next_call_at <= now
    candidates = plan_calls(drivers, now, min_age, config.batch_size, max_calls=1)
    calls = candidates.calls if may_call_now else ()
    wake_at: datetime | None = None
    if pace.next_call_at is not None:
        wake_at = pace.next_call_at if candidates.calls else candidates.next_due_at
        if wake_at is not None:
            wake_at = max(wake_at, pace.next_call_at)
    elif pace.resets_at is not None:
        wake_at = pace.resets_at
    return RefreshPlan(calls, pace, summary, ledger, min_age, wake_at)
