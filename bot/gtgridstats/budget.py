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
import heapq
import itertools
import math
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from bot.clock import Clock
from bot.gtgridstats import wire
from bot.gtgridstats.errors import QuotaExhaustedError

T = TypeVar("T")


class EndpointClass(enum.StrEnum):
    METERED = "metered"
    FREE = "free"


class Priority(enum.IntEnum):
    """Who a request is for, most urgent first: a waiting request of a lower value is always sent first."""

    INTERACTIVE = 0
    LEAGUE_POST = 1
    BACKGROUND = 2
    CATALOG = 3


# The priority of the request being made in this context; callers set it with `with priority(...)`.
# Tasks started inside inherit it (asyncio copies the context), so batchers and coalesced calls keep it.
_PRIORITY: ContextVar[Priority] = ContextVar("gtgridstats_priority", default=Priority.INTERACTIVE)


def current_priority() -> Priority:
    return _PRIORITY.get()


@contextmanager
def priority(level: Priority) -> Iterator[None]:
    """Every upstream request made inside (and in tasks started inside) waits at this priority."""
    token = _PRIORITY.set(level)
    try:
        yield
    finally:
        _PRIORITY.reset(token)


class Urgency:
    """The priority of requests that may become more urgent while they wait for a slot (a racer batch an
    interactive lookup joins): `raise_to` moves their waiters up the queue at once."""

    def __init__(self, level: Priority) -> None:
        self.level = level
        self._listeners: list[Callable[[], None]] = []

    def listen(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def unlisten(self, listener: Callable[[], None]) -> None:
        self._listeners.remove(listener)

    def raise_to(self, level: Priority) -> None:
        if level < self.level:
            self.level = level
            for listener in list(self._listeners):
                listener()


_URGENCY: ContextVar[Urgency | None] = ContextVar("gtgridstats_urgency", default=None)


@contextmanager
def urgency(cell: Urgency) -> Iterator[None]:
    """Every upstream request made inside (and in tasks started inside) waits at the cell's priority, as it
    is when the request reaches its turn."""
    token = _URGENCY.set(cell)
    try:
        with priority(cell.level):
            yield
    finally:
        _URGENCY.reset(token)


# Slots background never takes, so commands as dense as bench.interactive's go at once (docs/benchmarks.md).
BACKGROUND_RESERVED_SLOTS = 6


def background_slots(limit: int) -> int:
    """How many of a window's `limit` slots background work may hold (the refresh planner paces by it)."""
    return max(1, limit - BACKGROUND_RESERVED_SLOTS)


@dataclass(order=True)
class _Waiter:
    priority: int
    order: int
    wake: asyncio.Event = field(compare=False, default_factory=asyncio.Event)


class RollingWindowLimiter:
    """At most `limit` requests in any `window` seconds, granted by priority, then in arrival order.

    The first waiter in (priority, arrival) order is the one that sleeps until the next slot; a more urgent
    request arriving meanwhile takes its place, so an interactive command never waits behind a queue of
    background requests, and background work never takes the `BACKGROUND_RESERVED_SLOTS` last slots of the
    window (fewer when the limit is smaller: background keeps at least one).

    `acquire()` takes a slot that is in flight until `release()`: an in-flight slot never leaves the
    window, and a released one leaves it one window after its release.
    """

    def __init__(self, limit: int, clock: Clock, window: float = wire.RATE_WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sent: deque[float] = deque()  # release times of finished requests, oldest first
        self._in_flight = 0
        self._blocked_until = 0.0
        self._queue: list[_Waiter] = []
        self._order = itertools.count()
        self.waiting = 0
        self.granted = 0

    def _forget_old(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()

    def _wait_for_slot(self, now: float, ahead: int = 0, level: Priority = Priority.INTERACTIVE) -> float:
        """Seconds until a request at `level` with `ahead` others queued before it could be sent (background
        work leaves the slots it may not take unused)."""
        self._forget_old(now)
        limit = background_slots(self.limit) if level >= Priority.BACKGROUND else self.limit
        position = len(self._sent) + self._in_flight + ahead
        wait = max(0.0, self._blocked_until - now)
        if position < limit:
            return wait
        # Each full window of queued requests past the limit pushes the slot one window further. A request
        # still in flight counts as released now at the earliest (it is checked again when the time comes).
        index = position - limit
        rounds, index_in_window = divmod(index, limit)
        if index_in_window < len(self._sent):
            slot = self._sent[index_in_window] + self.window * (rounds + 1)
        else:
            slot = now + self.window * (rounds + 1)
        return max(wait, slot - now)

    def estimated_wait(self, level: Priority | None = None) -> float:
        """How long a request would wait: behind every waiter, or (given a priority) behind those that go
        before a request of that priority."""
        if level is None:
            return self._wait_for_slot(self._clock.monotonic(), ahead=self.waiting)
        ahead = sum(1 for waiter in self._queue if waiter.priority <= level)
        return self._wait_for_slot(self._clock.monotonic(), ahead=ahead, level=level)

    def block_for(self, seconds: float) -> None:
        """The server said to wait (Retry-After): nobody sends before then (at most one day, never inf)."""
        seconds = min(max(0.0, seconds), 86_400.0) if math.isfinite(seconds) else 86_400.0
        self._blocked_until = max(self._blocked_until, self._clock.monotonic() + seconds)

    async def acquire(self, level: Priority = Priority.INTERACTIVE) -> None:
        """Wait for a slot; it is in use until `release()` (call it once, whatever became of the request).
        Inside `urgency(cell)`, the waiter moves up when the cell's priority is raised while it waits."""
        cell = _URGENCY.get()
        me = _Waiter(int(min(level, cell.level) if cell else level), next(self._order))
        previous_head = self._queue[0] if self._queue else None
        heapq.heappush(self._queue, me)
        if previous_head is not None and self._queue[0] is me:
            previous_head.wake.set()  # it was sleeping for the slot: it now waits behind us

        def raised() -> None:
            if cell is not None and me in self._queue and cell.level < me.priority:
                head = self._queue[0]
                me.priority = int(cell.level)
                heapq.heapify(self._queue)
                head.wake.set()  # the head sleeping for the slot may now wait behind us
                me.wake.set()

        if cell is not None:
            cell.listen(raised)
        self.waiting += 1
        try:
            while True:
                me.wake.clear()
                if self._queue[0] is not me:
                    await me.wake.wait()
                    continue
                wait = self._wait_for_slot(self._clock.monotonic(), level=Priority(me.priority))
                if wait <= 0:
                    break
                await self._sleep_unless_woken(wait, me.wake)
            heapq.heappop(self._queue)
            self._in_flight += 1
            self.granted += 1
        except BaseException:
            if me in self._queue:
                self._queue.remove(me)
                heapq.heapify(self._queue)
            raise
        finally:
            if cell is not None:
                cell.unlisten(raised)
            self.waiting -= 1
            if self._queue:
                self._queue[0].wake.set()

    def release(self) -> None:
        """The request of an acquired slot is over (answered or failed): its window starts now."""
        if self._in_flight <= 0:
            raise RuntimeError("release() without a slot in flight")
        self._in_flight -= 1
        self._sent.append(self._clock.monotonic())

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def _sleep_unless_woken(self, seconds: float, wake: asyncio.Event) -> None:
        sleeper = asyncio.ensure_future(self._clock.sleep(seconds))
        woken = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait({sleeper, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            woken.cancel()


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
