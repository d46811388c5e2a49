"""The one source of time, injectable so freshness, budgets and schedules are testable without sleeping."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC wall-clock time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""

    async def sleep_or(self, event: asyncio.Event, seconds: float) -> bool:
        """Wait `seconds` of this clock's time (inf: forever), or less once `event` is set.

        True when the event ended the wait. The event is left as it is: the caller clears it."""


async def sleep_or_event(
    sleep: Callable[[float], Awaitable[None]], event: asyncio.Event, seconds: float
) -> bool:
    """`Clock.sleep_or` for any clock, given its `sleep`: every clock wakes on an event the same way."""
    woken = asyncio.ensure_future(event.wait())
    waiting: set[asyncio.Future[Any]] = {woken}
    sleeper = None
    if math.isfinite(seconds):  # an infinite wait registers no sleeper: only the event ends it
        sleeper = asyncio.ensure_future(sleep(seconds))
        waiting.add(sleeper)
    try:
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if sleeper is not None:
            sleeper.cancel()
        woken.cancel()
    return event.is_set()


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def sleep_or(self, event: asyncio.Event, seconds: float) -> bool:
        return await sleep_or_event(self.sleep, event, seconds)
