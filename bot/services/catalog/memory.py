"""The one in-memory catalog that the fill, the search, the localized names and the lookups share.

It holds what SQLite holds (cars, manufacturers, the names in other languages as search aliases, regions and
the fill's progress) and the search snapshot built from it. Every part of the catalog reads and writes this
object: the split into modules moves responsibilities, not state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.gtgridstats import GTGridStatsClient
from bot.gtgridstats.models import Car
from bot.memory import freeze_long_lived_objects
from bot.services.catalog.search import CatalogSnapshot
from bot.storage.catalog import CatalogCar, CatalogManufacturer, CatalogRegion, CatalogStore, FillState

log = logging.getLogger(__name__)

# Called once right before the first upstream call a lookup makes (the cog defers the interaction there).
BeforeFetch = Callable[[], Awaitable[None]]


async def no_fetch_hook() -> None:
    return None


def catalog_car(car: Car) -> CatalogCar:
    return CatalogCar(
        id=car.id,
        car_code=car.car_code,
        gt7_code=car.gt7_code,
        name=car.name,
        car_class=car.car_class,
        image=car.image,
        manufacturer_id=car.manufacturer.id,
        manufacturer_name=car.manufacturer.name,
    )


class CatalogMemory:
    def __init__(
        self, *, api: GTGridStatsClient, store: CatalogStore, clock: Clock, max_age: timedelta
    ) -> None:
        self._api = api
        self.store = store
        self.clock = clock
        self.max_age = max_age
        self.cars: dict[int, CatalogCar] = {}
        self.manufacturers: dict[int, CatalogManufacturer] = {}
        self.car_aliases: dict[int, set[str]] = {}
        self.manufacturer_aliases: dict[int, set[str]] = {}
        self.regions: list[CatalogRegion] = []
        self.state = FillState(0, None, None, None, None, None, None)
        self.snapshot = CatalogSnapshot.build([], [], {}, {})
        self.filled = asyncio.Event()
        self._rebuild_lock = asyncio.Lock()

    async def load(self) -> None:
        """Read the stored catalog into memory (at start-up; no upstream call)."""
        self.state = await self.store.fill_state()
        self.cars = {car.id: car for car in await self.store.cars()}
        self.manufacturers = {maker.id: maker for maker in await self.store.manufacturers()}
        self.regions = await self.store.regions()
        self.car_aliases = await self.store.car_aliases()
        self.manufacturer_aliases = await self.store.manufacturer_aliases()
        if self.state.completed_at is not None:
            self.filled.set()
        await self.rebuild()
        log.info("car catalog loaded: %d cars, %d manufacturers", len(self.cars), len(self.manufacturers))

    @property
    def completed_at(self) -> datetime | None:
        """When the last complete fill finished (None until one has)."""
        return self.state.completed_at

    @property
    def is_complete(self) -> bool:
        return self.state.completed_at is not None

    async def rebuild(self) -> None:
        """Build a new search snapshot off the event loop from what is in memory now."""
        async with self._rebuild_lock:
            cars, makers = list(self.cars.values()), list(self.manufacturers.values())
            car_aliases = {key: set(names) for key, names in self.car_aliases.items()}
            maker_aliases = {key: set(names) for key, names in self.manufacturer_aliases.items()}
            self.snapshot = await asyncio.to_thread(
                CatalogSnapshot.build, cars, makers, car_aliases, maker_aliases
            )
        freeze_long_lived_objects()

    def is_stale(self, fetched_at: datetime) -> bool:
        return self.clock.now() - fetched_at >= self.max_age

    def record_cache(self, *, hit: bool, count: int = 1) -> None:
        self._api.budget.usage.record_cache(hit=hit, count=count)
