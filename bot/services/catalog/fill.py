"""The paced fill: the catalog is copied from GT Grid Stats in the background and refreshed when stale.

The fill spends at most half of the per-minute metered budget (one request every `2 × window / limit`
seconds) and waits whenever a request sent now would have to queue, so commands go first. Each car
page is stored together with the number of the next page, so a restart resumes where the fill stopped.
It follows at most the pages the paginator announces (and never more than `MAX_CAR_PAGES`), and stops at a
page that repeats or whose next link does not advance.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, field

from bot.gtgridstats import GTGridStatsClient
from bot.gtgridstats.budget import EndpointClass
from bot.gtgridstats.errors import GTGridStatsError, QuotaExhaustedError, RateLimitedError
from bot.gtgridstats.limiter import Priority, priority
from bot.gtgridstats.models import CarPage
from bot.services.catalog.memory import CatalogMemory, catalog_car
from bot.services.catalog.names import CatalogNames
from bot.storage.catalog import CatalogManufacturer, FillState

log = logging.getLogger(__name__)

# How long the background loop waits after a failed fill, doubling per failure up to the cap.
RETRY_AFTER_FAILURE = 60.0
MAX_RETRY_AFTER_FAILURE = 3_600.0
# The most car pages one fill follows (the real catalog has about ten): a paginator that keeps offering a
# next link must not spend the daily quota.
MAX_CAR_PAGES = 100


@dataclass
class FillReport:
    generation: int = 0
    pages: list[int] = field(default_factory=list)
    cars_stored: int = 0
    completed: bool = False
    skipped: bool = False


def _page_limit(first: CarPage) -> int:
    """How many pages the fill follows: what the paginator announces, never more than MAX_CAR_PAGES."""
    if first.last_page is not None and first.last_page >= 1:
        return min(first.last_page, MAX_CAR_PAGES)
    if first.total is not None and first.data:
        return max(1, min(math.ceil(first.total / len(first.data)), MAX_CAR_PAGES))
    return MAX_CAR_PAGES


def _stop_reason(page: int, answered: int, new_cars: int, last_page: int) -> str | None:
    """Why a page with a next link must not be followed (a paginator that repeats or never ends)."""
    if answered != page:
        return f"it was answered with page {answered}, so the next link does not advance"
    if new_cars == 0:
        return "it repeats cars this fill already stored"
    if page >= last_page:
        return f"the catalog should have at most {last_page} pages"
    return None


class CatalogFill:
    def __init__(self, memory: CatalogMemory, api: GTGridStatsClient, names: CatalogNames) -> None:
        self._memory = memory
        self._api = api
        self._names = names
        self._fill_lock = asyncio.Lock()
        self._last_fill_request = -math.inf

    def is_due(self, state: FillState | None = None) -> bool:
        state = state or self._memory.state
        if state.in_progress or state.completed_at is None:
            return True
        return self._memory.clock.now() - state.completed_at >= self._memory.max_age

    def seconds_until_due(self) -> float:
        if self.is_due():
            return 0.0
        completed_at = self._memory.state.completed_at
        assert completed_at is not None
        return max(0.0, (completed_at + self._memory.max_age - self._memory.clock.now()).total_seconds())

    async def refresh(self, *, force: bool = False) -> FillReport:
        """Fill the catalog if it is empty, stale or half-filled; resume a half-done fill where it stopped.

        Raises the GTGridStatsError that stopped it; what was stored before that stays stored.
        """
        memory = self._memory
        async with self._fill_lock:
            state = await memory.store.fill_state()
            memory.state = state
            if not state.in_progress:
                if not force and not self.is_due(state):
                    return FillReport(generation=state.generation, skipped=True)
                state = await memory.store.start_fill(memory.clock.now())
                memory.state = state
                log.info("car catalog fill %d started", state.generation)
            else:
                log.info("car catalog fill %d resumes at page %s", state.generation, state.next_page)
            report = FillReport(generation=state.generation)
            try:
                with priority(Priority.CATALOG):  # the least urgent of all upstream work
                    await self._fill(state, report)
            except GTGridStatsError:
                # What was stored before the failure is kept, and findable.
                if report.pages:
                    await memory.rebuild()
                raise
            return report

    async def _fill(self, state: FillState, report: FillReport) -> None:
        assert state.started_at is not None
        memory, store = self._memory, self._memory.store
        generation = state.generation
        if state.regions_fetched_at is None or state.regions_fetched_at < state.started_at:
            await self._names.fetch_regions()
        if state.manufacturers_fetched_at is None or state.manufacturers_fetched_at < state.started_at:
            await self._wait_for_turn()
            makers = [CatalogManufacturer(m.id, m.name, m.logo) for m in await self._api.manufacturers()]
            await store.store_manufacturers(makers, generation=generation, now=memory.clock.now())
            memory.manufacturers.update((maker.id, maker) for maker in makers)
        page = state.next_page
        first_fill = state.completed_at is None
        last_page = MAX_CAR_PAGES  # lowered by what the first page's paginator says
        seen: set[int] = set()
        cut_short = False
        while page is not None:
            await self._wait_for_turn()
            result = await self._api.cars_page(page)
            cars = [catalog_car(car) for car in result.data]
            next_page = result.current_page + 1 if result.next_page_url and result.data else None
            if not report.pages:
                last_page = _page_limit(result)
            new_cars = sum(1 for car in cars if car.id not in seen)
            seen.update(car.id for car in cars)
            if next_page is not None:
                stop = _stop_reason(page, result.current_page, new_cars, last_page)
                if stop is not None:
                    log.warning(
                        "car catalog fill %d stops at page %d: %s; its next link is not followed",
                        generation,
                        page,
                        stop,
                    )
                    next_page = None
                    cut_short = True
            await store.store_car_page(cars, generation=generation, next_page=next_page, total=result.total)
            memory.cars.update((car.id, car) for car in cars)
            report.pages.append(page)
            report.cars_stored += len(cars)
            if first_fill and next_page is not None:
                await memory.rebuild()  # the first fill makes cars findable page by page
            page = next_page
        # A fill cut short by a broken paginator did not see the whole catalog: what it did not see is
        # kept rather than read as removed upstream.
        deleted_cars, deleted_makers = await store.complete_fill(
            generation=generation, now=memory.clock.now(), prune=not cut_short
        )
        report.completed = True
        memory.state = await store.fill_state()
        memory.cars = {car.id: car for car in await store.cars()}
        memory.manufacturers = {maker.id: maker for maker in await store.manufacturers()}
        memory.car_aliases = await store.car_aliases()
        await memory.rebuild()
        memory.filled.set()
        log.info(
            "car catalog fill %d complete: %d cars on %d pages, %d cars and %d manufacturers removed",
            generation,
            report.cars_stored,
            len(report.pages),
            deleted_cars,
            deleted_makers,
        )

    async def _wait_for_turn(self) -> None:
        """Pace the fill at half the metered budget and let any queued command go first."""
        budget = self._api.budget
        clock = self._memory.clock
        limiter = budget.limiters[EndpointClass.METERED]
        spacing = limiter.window / max(1, limiter.limit // 2)
        while True:
            wait = max(
                self._last_fill_request + spacing - clock.monotonic(),
                budget.estimated_wait(EndpointClass.METERED),
            )
            if wait <= 0:
                break
            await clock.sleep(wait)
        self._last_fill_request = clock.monotonic()

    async def keep_fresh(self) -> None:
        """Run forever: fill when due, sleep until the next fill, back off after failures."""
        clock = self._memory.clock
        failures = 0
        while True:
            try:
                await self.refresh()
                failures = 0
                delay = max(60.0, self.seconds_until_due())
            except QuotaExhaustedError as error:
                resets = error.resets_at
                delay = (resets - clock.now()).total_seconds() if resets else MAX_RETRY_AFTER_FAILURE
                log.warning("car catalog fill paused until the daily quota resets")
            except RateLimitedError as error:
                delay = error.retry_after
            except GTGridStatsError as error:
                failures += 1
                delay = min(MAX_RETRY_AFTER_FAILURE, RETRY_AFTER_FAILURE * 2 ** (failures - 1))
                log.warning("car catalog fill failed (%s); retrying in %.0f s", error, delay)
            except Exception:
                # A bug must not end the refresh loop for good: log it with its traceback and try later.
                failures += 1
                delay = MAX_RETRY_AFTER_FAILURE
                log.exception("car catalog fill crashed; retrying in %.0f s", delay)
            await clock.sleep(max(1.0, delay))
