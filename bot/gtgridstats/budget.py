"""The request budget shared by every command: per-minute limits, the daily quota, coalescing, usage.

A 429 that the bot caused itself is a bug, so every request waits here for a slot inside a rolling window
that is a little longer than the server's, and the daily quota is checked before spending a call. A slot
stays in use from the grant until the answer comes back and then for a whole window: the server counts a
request when it arrives, which can be well after the grant (a slow connect, a stalled loop), so timing the
window from the grant would let the next request reach the server inside the same server window.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from bot.clock import Clock
from bot.gtgridstats import wire
from bot.gtgridstats.errors import QuotaExhaustedError
from bot.gtgridstats.limiter import Priority, RollingWindowLimiter, current_priority

T = TypeVar("T")


class EndpointClass(enum.StrEnum):
    METERED = "metered"
    FREE = "free"


@dataclass(frozen=True)
class QuotaSnapshot:
    """The daily quota as known now (None: not learned yet), for services that share it out."""

    limit: int | None
    remaining: int | None
    resets_at: datetime | None


class QuotaTracker:
    """The daily quota, learned from response headers (or configured), checked before metered calls."""

    def __init__(self, clock: Clock, configured_limit: int | None = None) -> None:
        self._clock = clock
        self.limit: int | None = configured_limit
        self.remaining: int | None = configured_limit
        self.resets_at: datetime | None = wire.next_quota_reset(clock.now()) if configured_limit else None
        self.used_today = 0
        self.updated_at: datetime | None = None

    def _roll_over(self) -> None:
        now = self._clock.now()
        if self.resets_at is not None and now >= self.resets_at:
            self.remaining = self.limit
            self.used_today = 0
            self.resets_at = wire.next_quota_reset(now)

    def check(self) -> None:
        self._roll_over()
        if self.remaining is not None and self.remaining <= 0:
            raise QuotaExhaustedError(self.resets_at, "daily quota used up (known before sending)")

    def record_call(self) -> None:
        self._roll_over()
        self.used_today += 1
        if self.remaining is not None:
            self.remaining = max(0, self.remaining - 1)

    def observe(self, limit: int | None, remaining: int | None) -> None:
        """Headers are the truth: they replace whatever we counted ourselves."""
        if limit is None and remaining is None:
            return
        now = self._clock.now()
        if limit is not None:
            self.limit = limit
        if remaining is not None:
            self.remaining = remaining
        self.resets_at = wire.next_quota_reset(now)
        self.updated_at = now

    def snapshot(self) -> QuotaSnapshot:
        self._roll_over()
        return QuotaSnapshot(limit=self.limit, remaining=self.remaining, resets_at=self.resets_at)

    def exhausted(self) -> None:
        self.remaining = 0
        if self.resets_at is None:
            self.resets_at = wire.next_quota_reset(self._clock.now())


@dataclass
class ClassUsage:
    calls: int = 0
    failures: int = 0
    coalesced: int = 0


@dataclass
class CacheUsage:
    hits: int = 0
    misses: int = 0

    @property
    def hit_rate(self) -> float | None:
        total = self.hits + self.misses
        return self.hits / total if total else None


@dataclass
class Usage:
    """What `/quota` shows: calls per endpoint class and how often stored data saved a call."""

    by_class: dict[EndpointClass, ClassUsage] = field(
        default_factory=lambda: {kind: ClassUsage() for kind in EndpointClass}
    )
    cache: CacheUsage = field(default_factory=CacheUsage)

    def record_cache(self, *, hit: bool, count: int = 1) -> None:
        if hit:
            self.cache.hits += count
        else:
            self.cache.misses += count


class Coalescer:
    """Identical requests in flight at the same time share one upstream call."""

    def __init__(self) -> None:
        self._in_flight: dict[Hashable, asyncio.Task[Any]] = {}

    def __len__(self) -> int:
        return len(self._in_flight)

    async def run(self, key: Hashable, make: Callable[[], Awaitable[T]], on_join: Callable[[], None]) -> T:
        task = self._in_flight.get(key)
        if task is None or task.done():
            # A finished call (a failure or a timeout too) is never joined: the next request tries again.
            task = asyncio.ensure_future(make())
            self._in_flight[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        else:
            on_join()
        # shield: one caller giving up (a cancelled command) must not cancel the others' call.
        result: T = await asyncio.shield(task)
        return result

    def _forget(self, key: Hashable, task: asyncio.Task[Any]) -> None:
        if self._in_flight.get(key) is task:
            del self._in_flight[key]


@dataclass(frozen=True)
class ClassReport:
    """One endpoint class's day so far, for `/quota`."""

    kind: EndpointClass
    calls: int
    queued: int
    coalesced: int
    failures: int
    limit_per_minute: int
    next_slot_seconds: float


@dataclass(frozen=True)
class QuotaReport:
    """Everything `/quota` shows, read in one place (the ui renders it)."""

    quota: QuotaSnapshot
    classes: tuple[ClassReport, ...]
    cache_hits: int
    cache_misses: int

    @property
    def hit_rate(self) -> float | None:
        total = self.cache_hits + self.cache_misses
        return self.cache_hits / total if total else None


class RequestBudget:
    """One per process, shared by every cog through the client."""

    def __init__(
        self,
        clock: Clock,
        *,
        metered_per_minute: int = 10,
        free_per_minute: int = 30,
        quota_per_day: int | None = None,
    ) -> None:
        self.clock = clock
        self.limiters = {
            EndpointClass.METERED: RollingWindowLimiter(metered_per_minute, clock),
            EndpointClass.FREE: RollingWindowLimiter(free_per_minute, clock),
        }
        self.quota = QuotaTracker(clock, quota_per_day)
        self.usage = Usage()
        self.coalescer = Coalescer()

    @staticmethod
    def classify(path: str) -> EndpointClass:
        return EndpointClass.FREE if path.startswith(wire.FREE_PATH_PREFIXES) else EndpointClass.METERED

    def estimated_wait(
        self, kind: EndpointClass = EndpointClass.METERED, level: Priority | None = None
    ) -> float:
        """How long a request sent now would wait for its slot, so a command can say 'queued, about N s'
        (behind everyone queued, or with `level`, behind the requests that go before that priority)."""
        return self.limiters[kind].estimated_wait(level)

    def queued(self, kind: EndpointClass) -> int:
        return self.limiters[kind].waiting

    def report(self) -> QuotaReport:
        """The quota, the calls per endpoint class (metered first) and the stored answers, as of now."""
        classes = tuple(
            ClassReport(
                kind=kind,
                calls=self.usage.by_class[kind].calls,
                queued=self.queued(kind),
                coalesced=self.usage.by_class[kind].coalesced,
                failures=self.usage.by_class[kind].failures,
                limit_per_minute=self.limiters[kind].limit,
                next_slot_seconds=self.estimated_wait(kind),
            )
            for kind in (EndpointClass.METERED, EndpointClass.FREE)
        )
        cache = self.usage.cache
        return QuotaReport(self.quota.snapshot(), classes, cache.hits, cache.misses)

    async def acquire(self, kind: EndpointClass, level: Priority | None = None) -> None:
        """Wait for a slot at `level` (default: the priority set by `priority()` in this context); the
        caller calls `release(kind)` once the request is over, whatever its outcome."""
        if kind is EndpointClass.METERED:
            self.quota.check()
        limiter = self.limiters[kind]
        await limiter.acquire(current_priority() if level is None else level)
        if kind is EndpointClass.METERED:
            # Checked again: the quota may have run out while this request waited for its slot.
            try:
                self.quota.check()
            except QuotaExhaustedError:
                limiter.release()
                raise
            self.quota.record_call()
        self.usage.by_class[kind].calls += 1

    def release(self, kind: EndpointClass) -> None:
        """The request that `acquire(kind)` let through is over."""
        self.limiters[kind].release()
