"""A clock that moves only when a test moves it, so budgets, freshness and schedules need no real waiting."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.clock import sleep_or_event

T = TypeVar("T")

START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class ManualClock:
    def __init__(self, start: datetime = START) -> None:
        self._start = start
        self._elapsed = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._sleeper_added = asyncio.Event()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return 1_000.0 + self._elapsed

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        await self._sleeper(seconds)

    def _sleeper(self, seconds: float) -> asyncio.Future[None]:
        """A sleeper whose deadline is fixed now, when it is asked for: a `sleep_or` wrapped in a task would
        otherwise take its deadline from whenever the task first runs, after a test may have moved time."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if seconds <= 0:
            future.set_result(None)
            return future
        heapq.heappush(self._sleepers, (self.monotonic() + seconds, next(self._order), future))
        self._sleeper_added.set()
        return future

    async def sleep_or(self, event: asyncio.Event, seconds: float) -> bool:
        # The same as the system clock's; only the sleeper differs (an infinite wait registers none).
        return await sleep_or_event(self._sleeper, event, seconds)

    @property
    def sleepers(self) -> int:
        return sum(1 for _, _, future in self._sleepers if not future.done())

    async def wait_for_sleepers(self, count: int) -> None:
        """Wait until at least `count` sleepers wait on this clock (woken by each new sleeper, not polled)."""
        while self.sleepers < count:
            self._sleeper_added.clear()
            await self._sleeper_added.wait()

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every sleeper whose time has come."""
        self._elapsed += seconds
        while self._sleepers and self._sleepers[0][0] <= self.monotonic():
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    def set(self, when: datetime) -> None:
        self.advance((when - self.now()).total_seconds())

    async def run_until(self, work: Awaitable[T], *, limit: float = 3_600.0) -> T:
        """Await `work`, jumping time to the next sleeper whenever everything left is asleep.

        Progress is event-driven: we wait for the work to finish or for a new sleeper to appear, and only
        advance time when the loop has nothing else to do. `limit` bounds the virtual seconds spent.
        """
        task = asyncio.ensure_future(work)
        spent = 0.0
        while not task.done():
            self._sleeper_added.clear()
            waiter = asyncio.ensure_future(self._sleeper_added.wait())
            done, _ = await asyncio.wait({task, waiter}, timeout=0.05, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if task in done:
                break
            pending = [(deadline, future) for deadline, _, future in self._sleepers if not future.done()]
            if pending and not done:
                # Nothing happened for a moment of real time and someone sleeps: let time pass.
                step = max(0.0, min(deadline for deadline, _ in pending) - self.monotonic())
                spent += step
                if spent > limit:
                    task.cancel()
                    raise TimeoutError(f"work still not done after {limit} virtual seconds")
                self.advance(step)
        return task.result()
