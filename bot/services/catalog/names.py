"""Localized names: the GT Grid Stats regions (which pick a language), and car and manufacturer names in a
region's language, fetched once per manufacturer and locale, stored, and added to the search as aliases."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.gtgridstats import GTGridStatsClient
from bot.gtgridstats.errors import (
    NotFoundError,
    QuotaExhaustedError,
    RateLimitedError,
    UpstreamUnavailableError,
)
from bot.services.catalog.errors import NotARegion
from bot.services.catalog.memory import BeforeFetch, CatalogMemory, no_fetch_hook
from bot.storage.catalog import (
    CatalogCar,
    CatalogManufacturer,
    CatalogRegion,
    LocalizedCarName,
    LocalizedManufacturerName,
)

log = logging.getLogger(__name__)

# Regions whose names are the API's default (English) names: asking for them would spend a call for nothing.
DEFAULT_NAME_REGIONS = frozenset({"gb", "us"})


class CatalogNames:
    def __init__(self, memory: CatalogMemory, api: GTGridStatsClient) -> None:
        self._memory = memory
        self._api = api

    # --- regions and locales -------------------------------------------------------------------------

    async def fetch_regions(self) -> list[CatalogRegion]:
        memory = self._memory
        regions = [
            CatalogRegion(r.id, r.code.lower(), r.name, r.is_active) for r in await self._api.regions()
        ]
        await memory.store.store_regions(regions, memory.clock.now())
        memory.regions = sorted(regions, key=lambda region: region.code)
        return memory.regions

    async def active_regions(self, before_fetch: BeforeFetch = no_fetch_hook) -> list[CatalogRegion]:
        """Stored regions; fetched (a free call) only when none are stored yet."""
        if not self._memory.regions:
            self._memory.record_cache(hit=False)
            await before_fetch()
            await self.fetch_regions()
        else:
            self._memory.record_cache(hit=True)
        return self.stored_active_regions()

    def stored_active_regions(self) -> list[CatalogRegion]:
        return [region for region in self._memory.regions if region.is_active]

    async def resolve_locale(
        self, requested: str | None, discord_region: str | None, before_fetch: BeforeFetch = no_fetch_hook
    ) -> CatalogRegion | None:
        """The region whose names to show: the `locale` option, else the user's Discord language when its
        region is active, else None (the default names)."""
        if requested is not None and requested.strip():
            code = requested.strip().lower()
            regions = await self.active_regions(before_fetch)
            region = next((region for region in regions if region.code == code), None)
            if region is None:
                raise NotARegion(requested.strip(), [region.code for region in regions])
            return None if region.code in DEFAULT_NAME_REGIONS else region
        if discord_region is None or discord_region in DEFAULT_NAME_REGIONS:
            return None
        regions = await self.active_regions(before_fetch)
        return next((region for region in regions if region.code == discord_region), None)

    # --- car names -------------------------------------------------------------------------------------

    async def one_car_name(
        self, car: CatalogCar, locale: str, before_fetch: BeforeFetch
    ) -> tuple[dict[int, LocalizedCarName], str | None]:
        """One car's names in `locale`, by its own call (when its manufacturer's list lacked it)."""
        memory = self._memory
        await before_fetch()
        try:
            fetched = await self._api.car(car.gt7_code, locale=locale)
        except NotFoundError:
            # No name in that language: remember the default one, so asking again costs no call until
            # the names are due for a refresh.
            default = LocalizedCarName(car.id, car.name, car.manufacturer_name, memory.clock.now())
            await memory.store.store_car_names(locale, [default])
            return {car.id: default}, None
        except (UpstreamUnavailableError, RateLimitedError, QuotaExhaustedError) as error:
            # The car is known: show it with its default names rather than fail the whole lookup.
            log.info("localized name of car %d in %s unavailable: %s", car.id, locale, error)
            return {}, locale
        name = LocalizedCarName(car.id, fetched.name, fetched.manufacturer.name, memory.clock.now())
        await memory.store.store_car_names(locale, [name])
        memory.car_aliases.setdefault(car.id, set()).add(name.name)
        await memory.rebuild()
        return {car.id: name}, None

    async def car_names(
        self, cars: Sequence[CatalogCar], locale: str, before_fetch: BeforeFetch
    ) -> tuple[dict[int, LocalizedCarName], str | None]:
        """Stored names in `locale`; missing or stale ones are fetched, one call per manufacturer.

        When GT Grid Stats can't answer, stale names are used; without any, the second value is `locale`
        (its names could not be fetched, so the default names are shown), else None.
        """
        memory = self._memory
        stored = await memory.store.car_names(locale, (car.id for car in cars))
        wanted = [car for car in cars if car.id not in stored or memory.is_stale(stored[car.id].fetched_at)]
        if not wanted:
            memory.record_cache(hit=True)
            return stored, None
        memory.record_cache(hit=False)
        unavailable = None
        fetched_any = False
        for maker_id in dict.fromkeys(car.manufacturer_id for car in wanted):
            await before_fetch()
            try:
                result = await self._api.manufacturer_cars(maker_id, locale=locale)
            except (UpstreamUnavailableError, RateLimitedError, QuotaExhaustedError) as error:
                log.info("localized names for %s unavailable: %s", locale, error)
                if any(car.id not in stored for car in wanted):
                    unavailable = locale
                break
            except NotFoundError:
                continue
            now = memory.clock.now()
            names = [LocalizedCarName(car.id, car.name, car.manufacturer.name, now) for car in result.cars]
            await memory.store.store_car_names(locale, names)
            await memory.store.store_manufacturer_names(
                locale, [LocalizedManufacturerName(maker_id, result.manufacturer, now)]
            )
            for name in names:
                stored[name.car_id] = name
                memory.car_aliases.setdefault(name.car_id, set()).add(name.name)
            memory.manufacturer_aliases.setdefault(maker_id, set()).add(result.manufacturer)
            fetched_any = True
        if fetched_any:
            await memory.rebuild()
        return stored, unavailable

    def remember_car_names(self, names: Sequence[LocalizedCarName]) -> None:
        """Names that came with another answer (a fallback lookup) become search aliases too."""
        for name in names:
            self._memory.car_aliases.setdefault(name.car_id, set()).add(name.name)

    # --- manufacturer names ----------------------------------------------------------------------------

    async def stored_manufacturer_names(self, locale: str) -> dict[int, LocalizedManufacturerName]:
        return await self._memory.store.manufacturer_names(locale)

    async def manufacturer_names(
        self, makers: Sequence[CatalogManufacturer], locale: str, before_fetch: BeforeFetch
    ) -> tuple[dict[int, str], str | None]:
        memory = self._memory
        stored = await memory.store.manufacturer_names(locale)
        if all(maker.id in stored and not memory.is_stale(stored[maker.id].fetched_at) for maker in makers):
            memory.record_cache(hit=True)
            return {key: value.name for key, value in stored.items()}, None
        memory.record_cache(hit=False)
        await before_fetch()
        try:
            fetched = await self._api.localized_manufacturers(locale)
        except (UpstreamUnavailableError, RateLimitedError, QuotaExhaustedError) as error:
            log.info("localized manufacturers for %s unavailable: %s", locale, error)
            if all(maker.id in stored for maker in makers):
                return {key: value.name for key, value in stored.items()}, None
            return ({}, locale)
        now = memory.clock.now()
        names = [LocalizedManufacturerName(maker.id, maker.name, now) for maker in fetched]
        await memory.store.store_manufacturer_names(locale, names)
        for name in names:
            memory.manufacturer_aliases.setdefault(name.manufacturer_id, set()).add(name.name)
        await memory.rebuild()
        return {name.manufacturer_id: name.name for name in names}, None
