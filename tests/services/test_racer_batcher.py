"""The racer batcher on its own: windows on the injected clock, 16 per batch, shared answers, failures."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.racer_batcher import RacerBatcher
from tests.standins.clock import ManualClock


class RecordingFetch:
    """A batch fetch that answers every PSN ID except the ones named missing, and records each batch."""

    def __init__(self, *, missing: set[str] | None = None, fail: Exception | None = None) -> None:
        self.batches: list[list[str]] = []
        self.missing = {psn.lower() for psn in missing or set()}
        self.fail = fail
        self.release = asyncio.Event()
        self.release.set()
        self.called = asyncio.Event()

    async def __call__(self, psn_ids: list[str]) -> dict[str, str]:
        self.batches.append(list(psn_ids))
        self.called.set()
        await self.release.wait()
        if self.fail is not None:
            raise self.fail
        return {psn.lower(): f"driver:{psn}" for psn in psn_ids if psn.lower() not in self.missing}


def batcher(fetch: RecordingFetch, clock: ManualClock, window: float = 0.25) -> RacerBatcher[str]:
    return RacerBatcher(fetch, clock=clock, window_seconds=window)


async def test_lookups_inside_one_window_share_one_call(clock: ManualClock) -> None:
    fetch = RecordingFetch()
    racers = batcher(fetch, clock)
    lookups = [asyncio.ensure_future(racers.get([f"Driver_{n}"])) for n in range(5)]
    await asyncio.sleep(0)
    assert fetch.batches == []  # still inside the window
    assert racers.pending == 5
    results = await clock.run_until(asyncio.gather(*lookups))
    assert fetch.batches == [[f"Driver_{n}" for n in range(5)]]
    assert results[3] == {"driver_3": "driver:Driver_3"}


async def test_a_full_batch_goes_at_once_and_the_rest_waits_for_the_window(clock: ManualClock) -> None:
    fetch = RecordingFetch()
    racers = batcher(fetch, clock)
    lookups = [asyncio.ensure_future(racers.get([f"Driver_{n:02d}"])) for n in range(20)]
    await fetch.called.wait()
    assert [len(batch) for batch in fetch.batches] == [16]
    assert racers.pending == 4
    await clock.run_until(asyncio.gather(*lookups))
    assert [len(batch) for batch in fetch.batches] == [16, 4]


async def test_a_driver_pending_or_in_flight_is_never_asked_twice(clock: ManualClock) -> None:
    fetch = RecordingFetch()
    fetch.release.clear()
    racers = batcher(fetch, clock, window=0.0)
    first = asyncio.ensure_future(racers.get(["Same_One", "Other_One"]))
    await fetch.called.wait()
    assert racers.in_flight == 2
    second = asyncio.ensure_future(racers.get(["same_one"]))
    await asyncio.sleep(0)
    fetch.release.set()
    assert (await second) == {"same_one": "driver:Same_One"}
    await first
    assert fetch.batches == [["Same_One", "Other_One"]]


async def test_missing_drivers_answer_none(clock: ManualClock) -> None:
    fetch = RecordingFetch(missing={"ghost_one"})
    racers = batcher(fetch, clock, window=0.0)
    assert await racers.get(["Real_One", "Ghost_One"]) == {"real_one": "driver:Real_One", "ghost_one": None}


async def test_a_failure_reaches_every_waiter_of_the_batch(clock: ManualClock) -> None:
    fetch = RecordingFetch(fail=RuntimeError("upstream down"))
    racers = batcher(fetch, clock)
    lookups = [asyncio.ensure_future(racers.get([f"Driver_{n}"])) for n in range(3)]
    results = await clock.run_until(asyncio.gather(*lookups, return_exceptions=True))
    assert all(isinstance(result, RuntimeError) for result in results)
    assert len(fetch.batches) == 1


async def test_a_cancelled_caller_does_not_cancel_the_others(clock: ManualClock) -> None:
    fetch = RecordingFetch()
    fetch.release.clear()
    racers = batcher(fetch, clock, window=0.0)
    quitter = asyncio.ensure_future(racers.get(["Shared_One"]))
    stayer = asyncio.ensure_future(racers.get(["Shared_One"]))
    await fetch.called.wait()
    quitter.cancel()
    fetch.release.set()
    assert await stayer == {"shared_one": "driver:Shared_One"}
    with pytest.raises(asyncio.CancelledError):
        await quitter


async def test_a_big_lookup_is_split_into_batches_of_sixteen(clock: ManualClock) -> None:
    fetch = RecordingFetch()
    racers = batcher(fetch, clock)
    result = await clock.run_until(racers.get([f"Driver_{n:02d}" for n in range(40)]))
    assert len(result) == 40
    assert [len(batch) for batch in fetch.batches] == [16, 16, 8]
    await racers.aclose()


async def test_a_failed_batch_leaves_nothing_in_flight_and_the_next_lookup_asks_again(
    clock: ManualClock,
) -> None:
    fetch = RecordingFetch(fail=TimeoutError("deadline"))
    racers = batcher(fetch, clock)
    with pytest.raises(TimeoutError):
        await clock.run_until(racers.get(["Hung_Driver"]))
    assert racers.in_flight == 0
    assert racers.pending == 0
    fetch.fail = None
    answers = await clock.run_until(racers.get(["Hung_Driver"]))
    assert answers == {"hung_driver": "driver:Hung_Driver"}
    assert fetch.batches == [["Hung_Driver"], ["Hung_Driver"]]
