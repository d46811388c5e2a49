"""The request budget's priorities: the most urgent waiter gets the next slot, background keeps slots free."""

from __future__ import annotations

import asyncio

import pytest

from bot.gtgridstats.limiter import BACKGROUND_RESERVED_SLOTS, Priority, RollingWindowLimiter
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
    limiter = RollingWindowLimiter(BACKGROUND_RESERVED_SLOTS + 2, clock, window=60.0)
    for _ in range(2):
        await limiter.acquire(Priority.BACKGROUND)
    assert limiter.estimated_wait(Priority.BACKGROUND) > 0
    assert limiter.estimated_wait(Priority.INTERACTIVE) == 0
    await asyncio.wait_for(limiter.acquire(Priority.INTERACTIVE), timeout=5)  # at once, no clock move


async def test_six_commands_in_a_window_full_of_background_work_are_sent_at_once() -> None:
    # Production's metered limit; background queued far past what it may take, paced as the refresh loop
    # paces it (one call every window / limit), so it fills the window as far as it may. Six commands in one
    # window is what bench.interactive's pattern needs (docs/benchmarks.md); one reserved slot sent one.
    commands = 6
    clock = ManualClock()
    limit, window = 10, 61.0
    limiter = RollingWindowLimiter(limit, clock, window=window)
    granted: list[tuple[str, float]] = []

    async def ask(name: str, level: Priority) -> None:
        await limiter.acquire(level)
        granted.append((name, clock.monotonic()))
        limiter.release()

    async def background_loop() -> None:
        for number in range(20):
            await ask(f"bg{number}", Priority.BACKGROUND)
            await clock.sleep(window / limit)

    loop = asyncio.ensure_future(background_loop())
    await clock.run_until(clock.sleep(window - 1.0))  # still inside the first background request's window
    assert len(granted) == limit - commands  # background stopped short of the reserved slots
    assert limiter.estimated_wait(Priority.BACKGROUND) > 0
    arrived_at = clock.monotonic()
    interactive = [
        asyncio.ensure_future(ask(f"profile{number}", Priority.INTERACTIVE)) for number in range(commands)
    ]
    await asyncio.wait_for(asyncio.gather(*interactive), timeout=5)  # at once: the clock did not move
    assert [at for name, at in granted if name.startswith("profile")] == [arrived_at] * commands
    await clock.run_until(clock.sleep(window * 3))
    # Background never took a reserved slot: at most limit - reserve of its requests in any window.
    background_at = [at for name, at in granted if name.startswith("bg")]
    assert len(background_at) > limit - commands  # it went on once the commands' slots left the window
    for start in background_at:
        assert sum(1 for at in background_at if start <= at < start + window) <= limit - commands
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loop


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
