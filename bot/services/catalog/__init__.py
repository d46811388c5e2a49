"""The car catalog: filled in the background from GT Grid Stats, answered from memory and SQLite.

Lookups never wait for the fill. Once a fill has completed, /car, /cars and autocomplete cost no upstream
call; names in a region's language are fetched once per manufacturer and locale, then stored. Before the
first fill completes, lookups by identifier fall back to the API (and what they fetch is stored).

The parts share one in-memory catalog (`memory.CatalogMemory`):

* `fill.py`: the paced, resumable background fill and its refresh loop;
* `search.py`: the search index, ranking and autocomplete choices;
* `names.py`: regions and localized car and manufacturer names;
* `lookups.py`: what /car, /cars and /manufacturers show.

`CatalogService` is the one object callers (cogs, the bot, benchmarks) use.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock
from bot.gtgridstats import GTGridStatsClient
from bot.services.catalog.fill import MAX_CAR_PAGES, CatalogFill, FillReport
from bot.services.catalog.lookups import (
    CarView,
    CatalogLookups,
    ManufacturerCarsView,
    ManufacturerListView,
    ManufacturerRow,
)
from bot.services.catalog.memory import BeforeFetch, CatalogMemory, no_fetch_hook
from bot.services.catalog.names import DEFAULT_NAME_REGIONS, CatalogNames
from bot.services.catalog.search import RACE_CLASSES, CatalogSearch, CatalogSnapshot, Choice
from bot.storage.catalog import CatalogRegion, CatalogStore, FillState
from bot.storage.database import Database

__all__ = [
    "DEFAULT_NAME_REGIONS",
    "MAX_CAR_PAGES",
    "RACE_CLASSES",
    "BeforeFetch",
    "CarView",
    "CatalogRegion",
    "CatalogService",
    "CatalogSnapshot",
    "Choice",
    "FillReport",
    "ManufacturerCarsView",
    "ManufacturerListView",
    "ManufacturerRow",
]


class CatalogService:
    """The catalog's facade: each call goes to the part that does it, over the one shared memory."""

    def __init__(
        self, *, api: GTGridStatsClient, database: Database, clock: Clock, max_age: timedelta
    ) -> None:
        self._memory = CatalogMemory(api=api, store=CatalogStore(database), clock=clock, max_age=max_age)
        self.search = CatalogSearch(self._memory)
        self.names = CatalogNames(self._memory, api)
        self.fill = CatalogFill(self._memory, api, self.names)
        self.lookups = CatalogLookups(self._memory, api, self.names, self.search)

    # --- state -------------------------------------------------------------------------------------

    @property
    def max_age(self) -> timedelta:
        return self._memory.max_age

    async def load(self) -> None:
        """Read the stored catalog into memory (at start-up; no upstream call)."""
        await self._memory.load()

    async def updated_at(self) -> datetime | None:
        """When the last complete fill finished (None until one has); kept in memory since `load()`."""
        return self._memory.completed_at

    @property
    def is_complete(self) -> bool:
        return self._memory.is_complete

    async def wait_until_filled(self) -> None:
        await self._memory.filled.wait()

    # --- the fill ----------------------------------------------------------------------------------

    def is_due(self, state: FillState | None = None) -> bool:
        return self.fill.is_due(state)

    def seconds_until_due(self) -> float:
        return self.fill.seconds_until_due()

    async def refresh(self, *, force: bool = False) -> FillReport:
        return await self.fill.refresh(force=force)

    async def keep_fresh(self) -> None:
        await self.fill.keep_fresh()

    # --- regions and locales -------------------------------------------------------------------------

    async def active_regions(self, before_fetch: BeforeFetch = no_fetch_hook) -> list[CatalogRegion]:
        return await self.names.active_regions(before_fetch)

    def stored_active_regions(self) -> list[CatalogRegion]:
        return self.names.stored_active_regions()

    async def resolve_locale(
        self, requested: str | None, discord_region: str | None, before_fetch: BeforeFetch = no_fetch_hook
    ) -> CatalogRegion | None:
        return await self.names.resolve_locale(requested, discord_region, before_fetch)

    # --- autocomplete ----------------------------------------------------------------------------------

    def car_choices(self, query: str, limit: int = 25) -> list[Choice]:
        return self.search.car_choices(query, limit)

    def manufacturer_choices(self, query: str, limit: int = 25) -> list[Choice]:
        return self.search.manufacturer_choices(query, limit)

    def class_choices(self, query: str, manufacturer_text: str | None, limit: int = 25) -> list[Choice]:
        return self.search.class_choices(query, manufacturer_text, limit)

    def region_choices(self, query: str, limit: int = 25) -> list[Choice]:
        return self.search.region_choices(query, limit)

    # --- /car, /cars, /manufacturers -----------------------------------------------------------------

    async def car(
        self, query: str, region: CatalogRegion | None, before_fetch: BeforeFetch = no_fetch_hook
    ) -> CarView:
        return await self.lookups.car(query, region, before_fetch)

    async def manufacturer_cars(
        self,
        manufacturer: str,
        car_class: str | None,
        region: CatalogRegion | None,
        before_fetch: BeforeFetch = no_fetch_hook,
    ) -> ManufacturerCarsView:
        return await self.lookups.manufacturer_cars(manufacturer, car_class, region, before_fetch)

    async def manufacturer_list(
        self, region: CatalogRegion | None, before_fetch: BeforeFetch = no_fetch_hook
    ) -> ManufacturerListView:
        return await self.lookups.manufacturer_list(region, before_fetch)
