"""Who sends next under a per-minute limit: request priorities and the rolling-window limiter.

Interactive commands go first, then scheduled league posts, then background refresh, then the catalog
fill; background work never holds the slots kept for commands (`background_slots`). A slot stays in use from
the grant until the answer comes back and then for a whole window (see budget.py for why).
"""

from __future__ import annotations

import asyncio
import enum
import heapq
import itertools
import math
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.gtgridstats import wire


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
                await self._clock.sleep_or(me.wake, wait)
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
