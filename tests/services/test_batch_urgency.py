"""An interactive lookup joining a background racer batch that waits for its slot never waits at background
priority: the batch's place in the budget's queue is raised (issue #11)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.gtgridstats.budget import EndpointClass
from bot.gtgridstats.limiter import Priority, priority
from bot.services.driver_results import DriverLookup
from tests.conftest import Harness


@pytest.mark.parametrize("who", ["Bg03", "Other_One"])
async def test_an_interactive_lookup_joining_a_queued_background_batch_does_not_wait(
    make_harness: Any, who: str
) -> None:
    harness: Harness = await make_harness()
    names = [f"Bg{i:02d}" for i in range(16)]
    for name in names:
        harness.gt.dataset.add_driver(name, dr_points=9_500)
    harness.gt.dataset.add_driver("Other_One", dr_points=1_000)
    limiter = harness.bot.api.budget.limiters[EndpointClass.METERED]
    # Background work has used the window's slots it may take: its next batch waits for the window.
    while limiter.estimated_wait(Priority.BACKGROUND) == 0:
        await limiter.acquire(Priority.BACKGROUND)
        limiter.release()
    harness.gt.reset_counts()

    async def background() -> DriverLookup:
        with priority(Priority.BACKGROUND):
            return await harness.bot.drivers.get_drivers(names, max_age=timedelta(0))

    plain_acquire = limiter.acquire
    asked = asyncio.Event()

    async def acquire(level: Priority = Priority.INTERACTIVE) -> None:
        asked.set()
        await plain_acquire(level)

    limiter.acquire = acquire  # type: ignore[method-assign]
    queued = asyncio.ensure_future(background())
    await asyncio.wait_for(asked.wait(), 10)  # the batch of 16 is sent at once and waits for its slot
    assert limiter.waiting == 1
    assert harness.bot.drivers.indexed.in_flight_for("Bg03")
    started = harness.clock.monotonic()
    profile = asyncio.ensure_future(harness.slash("profile", user=harness.member("x"), psn_id=who))
    record = await harness.clock.run_until(profile, limit=3600)
    assert who in record.reply.text() or who in str(record.reply.embed)
    # No wait at the budget: only the batch window of a new lookup (0 when it joins the batch).
    waited = harness.clock.monotonic() - started
    assert waited <= harness.bot.drivers.indexed.window_seconds
    lookup = await harness.clock.run_until(queued, limit=3600)
    assert lookup.error is None
    assert len(lookup.found) == 16
    racer_calls = [r.path for r in harness.gt.requests if r.path.startswith("/api/racers/")]
    assert len(racer_calls) == (1 if who == "Bg03" else 2)  # the batch was never split or repeated
