"""The request budget's priorities: the most urgent waiter gets the next slot, background keeps one free."""

from __future__ import annotations

import asyncio

import pytest

from bot.gtgridstats.budget import Priority, RollingWindowLimiter
from tests.standins.clock import ManualClock


async def test_an_interactive_request_overtakes_every_queued_background_request() -> None:
    clock = ManualClock()
    limiter = RollingWindowLimiter(2, clock, window=60.0)
    order: list[str] = []

    async def ask(name: str, level: Priority) -> None:
        await limiter.acquire(level)
        limiter.release()
        order.append(name)

    await ask("bg0", Priority.BACKGROUND)  # the one slot background may use in this window
    queued = [asyncio.ensure_future(ask(f"bg{i}", Priority.BACKGROUND)) for i in range(1, 4)]
    catalog = asyncio.ensure_future(ask("catalog", Priority.CATALOG))
    await asyncio.sleep(0)
    interactive = asyncio.ensure_future(ask("profile", Priority.INTERACTIVE))
    await clock.run_until(asyncio.gather(*queued, catalog, interactive), limit=3_600)
    # The interactive request went behind only the background request already sent; background in
    # arrival order; the catalog fill last.
    assert order == ["bg0", "profile", "bg1", "bg2", "bg3", "catalog"]


async def test_waiters_are_served_interactive_then_league_posts_then_background_then_catalog() -> None:
    clock = ManualClock()
    limiter = RollingWindowLimiter(1, clock, window=60.0)
    order: list[str] = []
    await limiter.acquire(Priority.INTERACTIVE)
    limiter.release()

    async def ask(name: str, level: Priority) -> None:
        await limiter.acquire(level)
        limiter.release()
        order.append(name)

    waiting = []
    for name, level in (
        ("catalog", Priority.CATALOG),
        ("background", Priority.BACKGROUND),
        ("league", Priority.LEAGUE_POST),
        ("profile", Priority.INTERACTIVE),
    ):
        waiting.append(asyncio.ensure_future(ask(name, level)))
        await asyncio.sleep(0)
    await clock.run_until(asyncio.gather(*waiting), limit=3_600)
    assert order == ["profile", "league", "background", "catalog"]


async def test_background_never_takes_the_last_slot_of_the_window() -> None:
    clock = ManualClock()
    limiter = RollingWindowLimiter(3, clock, window=60.0)
    for _ in range(2):
        await limiter.acquire(Priority.BACKGROUND)
    assert limiter.estimated_wait(Priority.BACKGROUND) > 0
    assert limiter.estimated_wait(Priority.INTERACTIVE) == 0
    await asyncio.wait_for(limiter.acquire(Priority.INTERACTIVE), timeout=5)  # at once, no clock move


async def test_a_cancelled_waiter_leaves_the_queue_and_the_next_one_goes() -> None:
    clock = ManualClock()
    limiter = RollingWindowLimiter(1, clock, window=60.0)
    await limiter.acquire(Priority.INTERACTIVE)
    limiter.release()
    first = asyncio.ensure_future(limiter.acquire(Priority.INTERACTIVE))
    second = asyncio.ensure_future(limiter.acquire(Priority.INTERACTIVE))
    await asyncio.sleep(0)
    first.cancel()
    await clock.run_until(second, limit=120)
    assert limiter.waiting == 0
    assert limiter.granted == 2


async def test_a_slot_in_flight_stays_in_the_window_until_its_request_is_over() -> None:
    # The server counts a request when it arrives: a request granted at 0 that reaches the server at 30
    # (slow connect, stalled loop) must keep the next one out until a window after it is over, not until a
    # window after the grant (that next one would arrive 31 s after it: a 429 from a 1-a-minute server).
    clock = ManualClock()
    limiter = RollingWindowLimiter(1, clock, window=61.0)
    await limiter.acquire(Priority.INTERACTIVE)
    granted_at: list[float] = []

    async def next_one() -> None:
        await limiter.acquire(Priority.INTERACTIVE)
        granted_at.append(clock.monotonic())
        limiter.release()

    waiting = asyncio.ensure_future(next_one())
    await clock.run_until(clock.sleep(30))  # the first request is still on its way
    assert limiter.in_flight == 1
    released_at = clock.monotonic()
    limiter.release()
    await clock.run_until(waiting, limit=3_600)
    assert granted_at == [pytest.approx(released_at + 61.0)]


async def test_release_without_a_slot_is_refused() -> None:
    limiter = RollingWindowLimiter(1, ManualClock())
    with pytest.raises(RuntimeError, match="without a slot"):
        limiter.release()
