"""Background loops: one sleep-or-wake, one due-time loop, and every loop stopped and awaited on unload."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.services.due_loop import run_due_forever
from tests.conftest import Harness
from tests.standins.clock import ManualClock

MakeHarness = Callable[..., Awaitable[Harness]]
GATED_LOOPS = {"catalog-refresh", "background-refresh", "tracking-digest", "league-posts"}


def running_tasks() -> set[str]:
    return {task.get_name() for task in asyncio.all_tasks() if not task.done()}


# --- Clock.sleep_or ---------------------------------------------------------------------------------------


async def test_sleep_or_ends_at_its_time_when_nothing_wakes_it() -> None:
    clock = ManualClock()
    event = asyncio.Event()
    started = clock.now()
    woken = await clock.run_until(clock.sleep_or(event, 30))
    assert woken is False
    assert clock.now() - started == timedelta(seconds=30)


async def test_sleep_or_ends_when_woken_and_leaves_no_sleeper() -> None:
    clock = ManualClock()
    event = asyncio.Event()
    sleeping = asyncio.ensure_future(clock.sleep_or(event, 3_600))
    await clock.wait_for_sleepers(1)
    event.set()
    assert await sleeping is True
    assert clock.sleepers == 0
    assert event.is_set()  # the caller clears it


async def test_sleep_or_counts_from_when_it_was_asked_even_if_time_moves_before_it_settles() -> None:
    """A test that moves the clock while a loop is just going to sleep must not stretch that sleep."""
    clock = ManualClock()
    event = asyncio.Event()
    sleeping = asyncio.ensure_future(clock.sleep_or(event, 60))
    await asyncio.sleep(0)  # sleep_or has started: its sleep is asked for
    clock.advance(30)  # time moves before anything else runs
    await asyncio.sleep(0)
    clock.advance(30)
    for _ in range(5):  # let the woken sleeper finish (no time passes)
        await asyncio.sleep(0)
    assert sleeping.done()
    assert await sleeping is False


async def test_an_endless_sleep_or_waits_only_for_the_event() -> None:
    clock = ManualClock()
    event = asyncio.Event()
    sleeping = asyncio.ensure_future(clock.sleep_or(event, math.inf))
    await clock.run_until(clock.sleep(600))  # ten minutes pass: time alone never ends it
    assert not sleeping.done()
    assert clock.sleepers == 0  # and it gave time nothing to jump to
    event.set()
    assert await sleeping is True


# --- the due-time loop --------------------------------------------------------------------------------------


async def test_the_due_loop_pauses_after_a_failed_run_then_runs_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock()
    runs: list[datetime] = []
    enough = asyncio.Event()

    async def run(now: datetime) -> None:
        runs.append(now)
        if len(runs) == 1:
            raise RuntimeError("storage said no")
        enough.set()

    async def nothing_due(now: datetime) -> datetime | None:
        return None

    loop = asyncio.create_task(
        run_due_forever(
            name="test", clock=clock, wake=asyncio.Event(), run=run, next_due=nothing_due, max_sleep=300
        )
    )
    try:
        with caplog.at_level(logging.ERROR):
            await clock.run_until(enough.wait())
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
    assert runs[1] - runs[0] == timedelta(seconds=60)
    assert "the test loop failed" in caplog.text
    assert loop.cancelled()  # cancelling stops it: CancelledError is not caught as a failure


# --- lifecycles ---------------------------------------------------------------------------------------------


async def test_without_background_loops_no_gated_loop_runs(harness: Harness) -> None:
    assert harness.bot.background_loops is False
    assert GATED_LOOPS & running_tasks() == set()


async def test_unloading_the_catalog_cog_cancels_and_awaits_its_refresher(make_harness: MakeHarness) -> None:
    harness = await make_harness(background_loops=True)
    assert "catalog-refresh" in running_tasks()
    await harness.bot.remove_cog("Catalog")
    assert "catalog-refresh" not in running_tasks()


async def test_unloading_the_tracking_cog_cancels_and_awaits_both_loops(make_harness: MakeHarness) -> None:
    harness = await make_harness(background_loops=True)
    cog: Any = harness.bot.get_cog("Tracking")
    assert cog is not None
    ran = {"refresh": asyncio.Event(), "digest": asyncio.Event()}

    def counted(name: str, work: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
        async def wrapper() -> Any:
            ran[name].set()
            return await work()

        return wrapper

    cog.refresh_once = counted("refresh", cog.refresh_once)
    cog.digest_once = counted("digest", cog.digest_once)
    cog._poke.set()  # both loops idle until poked: poke them, so each runs (again) through the wrapper
    cog._digest_poke.set()
    await harness.clock.run_until(asyncio.gather(ran["refresh"].wait(), ran["digest"].wait()))
    assert {"background-refresh", "tracking-digest"} <= running_tasks()

    await harness.bot.remove_cog("Tracking")

    assert {"background-refresh", "tracking-digest"} & running_tasks() == set()


async def test_closing_the_bot_stops_the_driver_lookup_batchers(make_harness: MakeHarness) -> None:
    harness = await make_harness(racer_batch_window_ms=5_000)
    harness.gt.dataset.add_driver("Closing_One")
    asleep = harness.clock.sleepers
    lookup = asyncio.ensure_future(harness.bot.drivers.get_driver("Closing_One"))
    await harness.clock.wait_for_sleepers(asleep + 1)  # the batch waits for its window to close
    assert harness.bot.drivers.indexed.pending == 1

    await harness.bot.close()

    assert harness.bot.drivers.indexed.pending == 0
    assert harness.clock.sleepers == asleep  # the window's timer is gone
    with pytest.raises(asyncio.CancelledError):
        await lookup
    assert harness.gt.count("/api/racers") == 0  # the batch was never sent
