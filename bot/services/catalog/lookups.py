"""What /car, /cars and /manufacturers show: answered from the shared in-memory catalog, with names in the
chosen language; before the first fill completes, lookups by identifier fall back to one API call (and what
they fetch is stored)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.gtgridstats import GTGridStatsClient
from bot.gtgridstats.errors import NotFoundError
from bot.gtgridstats.identifiers import validate_car_class
from bot.services.catalog.errors import (
    EmptyQuery,
    Looking,
    NoCarsInClass,
    NoMatch,
    NoSuchCar,
    NoSuchManufacturer,
    NotACarClass,
    QueryTooLong,
    Suggestion,
)
from bot.services.catalog.memory import BeforeFetch, CatalogMemory, catalog_car, no_fetch_hook
from bot.services.catalog.names import CatalogNames
from bot.services.catalog.search import (
    MAX_QUERY_LENGTH,
    CatalogSearch,
    Hit,
    class_key,
    is_identifier,
    is_number,
    normalize,
)
from bot.storage.catalog import (
    CatalogCar,
    CatalogManufacturer,
    CatalogRegion,
    LocalizedCarName,
)

# --- what the commands show ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CarView:
    car: CatalogCar
    name: str  # in the chosen language
    manufacturer_name: str
    logo: str | None
    locale: str | None  # region code of the names shown; None = the default names
    region_name: str | None
    guessed_from: str | None  # the user's text, when the car is the closest match rather than an exact one
    as_of: datetime | None  # when the stored catalog was filled; None when fetched just now
    names_unavailable: str | None = None  # a region whose names could not be fetched (defaults shown)


@dataclass(frozen=True)
class ManufacturerCarsView:
    manufacturer_id: int
    manufacturer_name: str
    logo: str | None
    car_class: str | None
    cars: list[tuple[CatalogCar, str]]  # each car with its name in the chosen language
    locale: str | None
    region_name: str | None
    guessed_from: str | None
    as_of: datetime | None
    names_unavailable: str | None = None  # a region whose names could not be fetched (defaults shown)


@dataclass(frozen=True)
class ManufacturerRow:
    manufacturer: CatalogManufacturer
    name: str
    car_count: int | None


@dataclass(frozen=True)
class ManufacturerListView:
    rows: list[ManufacturerRow]
    locale: str | None
    region_name: str | None
    as_of: datetime | None
    names_unavailable: str | None = None  # a region whose names could not be fetched (defaults shown)


def _validate_query(text: str, looking: Looking) -> str:
    query = text.strip()
    if not query:
        raise EmptyQuery(looking)
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooLong(len(query), MAX_QUERY_LENGTH)
    return query


MAX_SUGGESTIONS = 3


class CatalogLookups:
    def __init__(
        self, memory: CatalogMemory, api: GTGridStatsClient, names: CatalogNames, search: CatalogSearch
    ) -> None:
        self._memory = memory
        self._api = api
        self._names = names
        self._search = search

    # --- /car --------------------------------------------------------------------------------------------

    @staticmethod
    def _suggestions(hits: Iterable[Hit[int]], describe: Callable[[int], Suggestion]) -> list[Suggestion]:
        return [describe(hit.key) for hit in list(hits)[:MAX_SUGGESTIONS]]

    async def car(
        self,
        query: str,
        region: CatalogRegion | None,
        before_fetch: BeforeFetch = no_fetch_hook,
    ) -> CarView:
        text = _validate_query(query, Looking.CAR)
        car, guessed, hits = self._search.find_car(text)
        if guessed and not self._memory.is_complete and is_identifier(text):
            car = None  # an identifier the half-filled catalog lacks: ask the API rather than guess
        snapshot = self._memory.snapshot

        def describe(car_id: int) -> Suggestion:
            found = snapshot.cars[car_id]
            return Suggestion(found.name, found.gt7_code)

        if car is None:
            if not self._memory.is_complete and is_identifier(text):
                return await self._car_from_api(text, region, before_fetch)
            suggestions = self._suggestions(hits, describe)
            raise NoMatch(Looking.CAR, text, suggestions, loading=not self._memory.is_complete)
        self._memory.record_cache(hit=True)
        maker = snapshot.manufacturers.get(car.manufacturer_id)
        name, maker_name, unavailable = car.name, car.manufacturer_name, None
        if region is not None:
            names, unavailable = await self._names.car_names([car], region.code, before_fetch)
            if car.id not in names and unavailable is None:
                fetched, unavailable = await self._names.one_car_name(car, region.code, before_fetch)
                names.update(fetched)
            if car.id in names:
                name, maker_name = names[car.id].name, names[car.id].manufacturer_name
        return CarView(
            car=car,
            name=name,
            manufacturer_name=maker_name,
            logo=maker.logo if maker else None,
            locale=region.code if region and not unavailable else None,
            region_name=region.name if region and not unavailable else None,
            guessed_from=text if guessed else None,
            as_of=self._memory.completed_at,
            names_unavailable=unavailable,
        )

    async def _car_from_api(
        self, identifier: str, region: CatalogRegion | None, before_fetch: BeforeFetch
    ) -> CarView:
        """Before the first fill completes: one call by identifier, stored for next time."""
        self._memory.record_cache(hit=False)
        await before_fetch()
        try:
            fetched = await self._api.car(identifier, locale=region.code if region else None)
        except NotFoundError:
            raise NoSuchCar(identifier) from None
        car = catalog_car(fetched)
        name, maker_name = car.name, car.manufacturer_name
        if region is None:
            await self._memory.store.store_cars([car])
            self._memory.cars[car.id] = car
        else:
            # Only the localized names came back: keep them; the default names come with the fill.
            localized = LocalizedCarName(car.id, car.name, car.manufacturer_name, self._memory.clock.now())
            await self._memory.store.store_car_names(region.code, [localized])
            self._names.remember_car_names([localized])
        await self._memory.rebuild()
        maker = self._memory.manufacturers.get(car.manufacturer_id)
        return CarView(
            car=car,
            name=name,
            manufacturer_name=maker_name,
            logo=maker.logo if maker else None,
            locale=region.code if region else None,
            region_name=region.name if region else None,
            guessed_from=None,
            as_of=None,
        )

    # --- /cars -------------------------------------------------------------------------------------------

    def _check_class(self, car_class: str | None) -> str | None:
        if car_class is None or not car_class.strip():
            return None
        known = self._memory.snapshot.canonical_class(car_class)
        if known is not None:
            return known
        if not self._memory.is_complete:
            validate_car_class(car_class)  # still loading: the API has the final word on odd classes
            return car_class.strip()
        raise NotACarClass(car_class.strip(), self._memory.snapshot.classes)

    async def manufacturer_cars(
        self,
        manufacturer: str,
        car_class: str | None,
        region: CatalogRegion | None,
        before_fetch: BeforeFetch = no_fetch_hook,
    ) -> ManufacturerCarsView:
        text = _validate_query(manufacturer, Looking.MANUFACTURER)
        wanted_class = self._check_class(car_class)
        maker, guessed, hits = self._search.find_manufacturer(text)
        snapshot = self._memory.snapshot
        if maker is None or not self._memory.is_complete:
            if not self._memory.is_complete and (maker is not None or is_number(text)):
                return await self._manufacturer_cars_from_api(
                    maker.id if maker else int(text),
                    wanted_class,
                    region,
                    text if guessed else None,
                    before_fetch,
                )

            def describe(maker_id: int) -> Suggestion:
                return Suggestion(snapshot.manufacturers[maker_id].name, str(maker_id))

            suggestions = self._suggestions(hits, describe)
            raise NoMatch(Looking.MANUFACTURER, text, suggestions, loading=not self._memory.is_complete)
        self._memory.record_cache(hit=True)
        all_cars = snapshot.by_manufacturer.get(maker.id, [])
        cars = [
            car
            for car in all_cars
            if wanted_class is None or class_key(car.car_class) == class_key(wanted_class)
        ]
        if not cars:
            self._no_cars(maker.name, wanted_class, all_cars)
        names: dict[int, LocalizedCarName] = {}
        maker_name, unavailable = maker.name, None
        if region is not None:
            names, unavailable = await self._names.car_names(cars, region.code, before_fetch)
            localized_makers = await self._names.stored_manufacturer_names(region.code)
            if maker.id in localized_makers:
                maker_name = localized_makers[maker.id].name
            elif names:  # the cars' own rows name their maker in that language too
                maker_name = next(iter(names.values())).manufacturer_name
        return ManufacturerCarsView(
            manufacturer_id=maker.id,
            manufacturer_name=maker_name,
            logo=maker.logo,
            car_class=wanted_class,
            cars=[(car, names[car.id].name if car.id in names else car.name) for car in cars],
            locale=region.code if region and not unavailable else None,
            region_name=region.name if region and not unavailable else None,
            guessed_from=text if guessed else None,
            as_of=self._memory.completed_at,
            names_unavailable=unavailable,
        )

    @staticmethod
    def _no_cars(maker_name: str, wanted_class: str | None, all_cars: Sequence[CatalogCar]) -> None:
        counts: dict[str, int] = {}
        for car in all_cars:
            counts[car.car_class] = counts.get(car.car_class, 0) + 1
        raise NoCarsInClass(maker_name, wanted_class, sorted(counts.items()))

    async def _manufacturer_cars_from_api(
        self,
        maker_id: int,
        wanted_class: str | None,
        region: CatalogRegion | None,
        guessed_from: str | None,
        before_fetch: BeforeFetch,
    ) -> ManufacturerCarsView:
        """Before the first fill completes: the manufacturer's cars straight from the API."""
        self._memory.record_cache(hit=False)
        await before_fetch()
        locale = region.code if region else None
        try:
            if wanted_class is None:
                result = await self._api.manufacturer_cars(maker_id, locale=locale)
            else:
                result = await self._api.manufacturer_cars_by_class(maker_id, wanted_class, locale=locale)
        except NotFoundError:
            raise NoSuchManufacturer(maker_id) from None
        cars = [catalog_car(car) for car in result.cars]
        if not cars:
            self._no_cars(result.manufacturer, result.car_class or wanted_class, [])
        now = self._memory.clock.now()
        if locale is None:
            await self._memory.store.store_cars(cars)
            self._memory.cars.update((car.id, car) for car in cars)
        else:
            names = [LocalizedCarName(car.id, car.name, car.manufacturer_name, now) for car in cars]
            await self._memory.store.store_car_names(locale, names)
            self._names.remember_car_names(names)
        await self._memory.rebuild()
        maker = self._memory.manufacturers.get(maker_id)
        return ManufacturerCarsView(
            manufacturer_id=maker_id,
            manufacturer_name=result.manufacturer,
            logo=maker.logo if maker else None,
            car_class=result.car_class or wanted_class,
            cars=[(car, car.name) for car in sorted(cars, key=lambda car: normalize(car.name))],
            locale=locale,
            region_name=region.name if region else None,
            guessed_from=guessed_from,
            as_of=None,
        )

    # --- /manufacturers ----------------------------------------------------------------------------------

    async def manufacturer_list(
        self, region: CatalogRegion | None, before_fetch: BeforeFetch = no_fetch_hook
    ) -> ManufacturerListView:
        if not self._memory.manufacturers:
            self._memory.record_cache(hit=False)
            await before_fetch()
            makers = [CatalogManufacturer(m.id, m.name, m.logo) for m in await self._api.manufacturers()]
            await self._memory.store.store_manufacturers(makers, generation=0, now=None)
            self._memory.manufacturers.update((maker.id, maker) for maker in makers)
            await self._memory.rebuild()
            as_of = None
        else:
            self._memory.record_cache(hit=True)
            as_of = self._memory.completed_at
        snapshot = self._memory.snapshot
        makers = list(self._memory.manufacturers.values())
        names: dict[int, str] = {}
        unavailable = None
        if region is not None:
            names, unavailable = await self._names.manufacturer_names(makers, region.code, before_fetch)
        rows = [
            ManufacturerRow(
                maker,
                names.get(maker.id, maker.name),
                len(snapshot.by_manufacturer.get(maker.id, [])) if self._memory.is_complete else None,
            )
            for maker in makers
        ]
        rows.sort(key=lambda row: normalize(row.name))
        return ManufacturerListView(
            rows=rows,
            locale=region.code if region and not unavailable else None,
            region_name=region.name if region and not unavailable else None,
            as_of=as_of,
            names_unavailable=unavailable,
        )
