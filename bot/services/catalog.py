"""The car catalog: filled in the background from GT Grid Stats, answered from memory and SQLite.

Lookups never wait for the fill. Once a fill has completed, /car, /cars and autocomplete cost no upstream
call; names in a region's language are fetched once per manufacturer and locale, then stored. Before the
first fill completes, lookups by identifier fall back to the API (and what they fetch is stored).

The fill spends at most half of the per-minute metered budget (one request every `2 × window / limit`
seconds) and waits whenever a request sent now would have to queue, so commands go first. Each car
page is stored together with the number of the next page, so a restart resumes where the fill stopped.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.errors import FriendlyError
from bot.gtgridstats import GTGridStatsClient
from bot.gtgridstats.budget import EndpointClass, Priority, priority
from bot.gtgridstats.errors import (
    GTGridStatsError,
    NotFoundError,
    QuotaExhaustedError,
    RateLimitedError,
    UpstreamUnavailableError,
)
from bot.gtgridstats.identifiers import shorten, validate_car_class
from bot.gtgridstats.models import Car
from bot.memory import freeze_long_lived_objects
from bot.services.car_search import MAX_QUERY_LENGTH, Hit, SearchEntry, SearchIndex, normalize
from bot.storage.catalog import (
    CatalogCar,
    CatalogManufacturer,
    CatalogRegion,
    CatalogStore,
    FillState,
    LocalizedCarName,
    LocalizedManufacturerName,
)
from bot.storage.database import Database

log = logging.getLogger(__name__)

BeforeFetch = Callable[[], Awaitable[None]]

RACE_CLASSES: tuple[str, ...] = ("Gr.1", "Gr.2", "Gr.3", "Gr.4", "Gr.B", "Gr.N", "Gr.X")
# Regions whose names are the API's default (English) names: asking for them would spend a call for nothing.
DEFAULT_NAME_REGIONS = frozenset({"gb", "us"})
_IDENTIFIER = re.compile(r"(?:[0-9]{1,10}|car[0-9]{1,10})", re.IGNORECASE)
# How long the background loop waits after a failed fill, doubling per failure up to the cap.
RETRY_AFTER_FAILURE = 60.0
MAX_RETRY_AFTER_FAILURE = 3_600.0

CATALOG_LOADING = "The car catalog is still loading"


async def _no_fetch_hook() -> None:
    return None


def class_key(car_class: str) -> str:
    """Gr.3, gr3 and GR 3 are the same class."""
    return re.sub(r"[.\s]", "", car_class).lower()


def is_identifier(text: str) -> bool:
    return _IDENTIFIER.fullmatch(text.strip()) is not None


def _catalog_car(car: Car) -> CatalogCar:
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
    note: str | None = None


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
    note: str | None = None


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
    note: str | None = None


@dataclass(frozen=True)
class Choice:
    name: str
    value: str


@dataclass
class FillReport:
    generation: int = 0
    pages: list[int] = field(default_factory=list)
    cars_stored: int = 0
    completed: bool = False
    skipped: bool = False


# --- the in-memory catalog -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogSnapshot:
    """Everything lookups read, built off the event loop whenever the stored catalog changes."""

    cars: dict[int, CatalogCar]
    manufacturers: dict[int, CatalogManufacturer]
    by_manufacturer: dict[int, list[CatalogCar]]
    classes: list[str]
    car_index: SearchIndex[int]
    manufacturer_index: SearchIndex[int]

    @classmethod
    def build(
        cls,
        cars: Sequence[CatalogCar],
        manufacturers: Sequence[CatalogManufacturer],
        car_aliases: dict[int, set[str]],
        manufacturer_aliases: dict[int, set[str]],
    ) -> CatalogSnapshot:
        by_manufacturer: dict[int, list[CatalogCar]] = {}
        for car in sorted(cars, key=lambda car: normalize(car.name)):
            by_manufacturer.setdefault(car.manufacturer_id, []).append(car)
        known = {class_key(name): name for name in RACE_CLASSES}
        road = sorted(
            {car.car_class for car in cars if class_key(car.car_class) not in known},
            key=lambda name: (len(name), name),
        )
        car_index = SearchIndex(
            SearchEntry(
                car.id,
                car.name,
                tuple(sorted(car_aliases.get(car.id, ()))),
                (str(car.id), str(car.car_code), car.gt7_code),
            )
            for car in cars
        )
        makers = {maker.id: maker for maker in manufacturers}
        for car in cars:  # cars fetched before the manufacturer list still name their maker
            makers.setdefault(
                car.manufacturer_id, CatalogManufacturer(car.manufacturer_id, car.manufacturer_name, None)
            )
        manufacturer_index = SearchIndex(
            SearchEntry(
                maker.id, maker.name, tuple(sorted(manufacturer_aliases.get(maker.id, ()))), (str(maker.id),)
            )
            for maker in makers.values()
        )
        return cls(
            cars={car.id: car for car in cars},
            manufacturers=makers,
            by_manufacturer=by_manufacturer,
            classes=[*RACE_CLASSES, *road],
            car_index=car_index,
            manufacturer_index=manufacturer_index,
        )

    def canonical_class(self, text: str) -> str | None:
        wanted = class_key(text)
        return next((name for name in self.classes if class_key(name) == wanted), None)

    def car_choices(self, query: str, limit: int = 25) -> list[Choice]:
        """Autocomplete for a car: labels within Discord's 100 characters, the GT7 code as the value."""
        return [
            Choice(_car_label(self.cars[hit.key]), self.cars[hit.key].gt7_code)
            for hit in self.car_index.search(query, limit)
        ]


def _label(text: str, suffix: str = "") -> str:
    """A choice label within Discord's 100 characters; the name is cut, the suffix (codes) kept."""
    room = 100 - len(suffix)
    name = text if len(text) <= room else text[: room - 1] + "…"
    return name + suffix


def _car_label(car: CatalogCar) -> str:
    return _label(car.name, f" · {car.car_class} · {car.gt7_code}")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _validate_query(text: str, hint: str) -> str:
    query = text.strip()
    if not query:
        raise FriendlyError(hint)
    if len(query) > MAX_QUERY_LENGTH:
        raise FriendlyError(
            f"That search is {len(query)} characters long; keep it to {MAX_QUERY_LENGTH} characters or fewer."
        )
    return query


def _names_unavailable(locale: str) -> str:
    return f"Names for region `{locale}` could not be fetched just now, so the default names are shown."


CAR_HINT = "Type part of a car's name, its car code or its GT7 code (such as `car1544`)."
MANUFACTURER_HINT = "Type part of a manufacturer's name or its id (such as `Ferrari` or `78`)."


class CatalogService:
    def __init__(
        self, *, api: GTGridStatsClient, database: Database, clock: Clock, max_age: timedelta
    ) -> None:
        self._api = api
        self._store = CatalogStore(database)
        self._clock = clock
        self.max_age = max_age
        self._cars: dict[int, CatalogCar] = {}
        self._manufacturers: dict[int, CatalogManufacturer] = {}
        self._car_aliases: dict[int, set[str]] = {}
        self._manufacturer_aliases: dict[int, set[str]] = {}
        self._regions: list[CatalogRegion] = []
        self._state = FillState(0, None, None, None, None, None, None)
        self._snapshot = CatalogSnapshot.build([], [], {}, {})
        self._fill_lock = asyncio.Lock()
        self._rebuild_lock = asyncio.Lock()
        self._last_fill_request = -math.inf
        self._filled = asyncio.Event()

    # --- state -------------------------------------------------------------------------------------

    async def load(self) -> None:
        """Read the stored catalog into memory (at start-up; no upstream call)."""
        self._state = await self._store.fill_state()
        self._cars = {car.id: car for car in await self._store.cars()}
        self._manufacturers = {maker.id: maker for maker in await self._store.manufacturers()}
        self._regions = await self._store.regions()
        self._car_aliases = await self._store.car_aliases()
        self._manufacturer_aliases = await self._store.manufacturer_aliases()
        if self._state.completed_at is not None:
            self._filled.set()
        await self._rebuild()
        log.info("car catalog loaded: %d cars, %d manufacturers", len(self._cars), len(self._manufacturers))

    async def updated_at(self) -> datetime | None:
        """When the last complete fill finished (None until one has); kept in memory since `load()`."""
        return self._state.completed_at

    @property
    def is_complete(self) -> bool:
        return self._state.completed_at is not None

    async def wait_until_filled(self) -> None:
        await self._filled.wait()

    async def _rebuild(self) -> None:
        async with self._rebuild_lock:
            cars, makers = list(self._cars.values()), list(self._manufacturers.values())
            car_aliases = {key: set(names) for key, names in self._car_aliases.items()}
            maker_aliases = {key: set(names) for key, names in self._manufacturer_aliases.items()}
            self._snapshot = await asyncio.to_thread(
                CatalogSnapshot.build, cars, makers, car_aliases, maker_aliases
            )
        freeze_long_lived_objects()

    def _is_stale(self, fetched_at: datetime) -> bool:
        return self._clock.now() - fetched_at >= self.max_age

    def _record_cache(self, *, hit: bool, count: int = 1) -> None:
        self._api.budget.usage.record_cache(hit=hit, count=count)

    # --- the fill ----------------------------------------------------------------------------------

    def is_due(self, state: FillState | None = None) -> bool:
        state = state or self._state
        if state.in_progress or state.completed_at is None:
            return True
        return self._clock.now() - state.completed_at >= self.max_age

    def seconds_until_due(self) -> float:
        if self.is_due():
            return 0.0
        assert self._state.completed_at is not None
        return max(0.0, (self._state.completed_at + self.max_age - self._clock.now()).total_seconds())

    async def refresh(self, *, force: bool = False) -> FillReport:
        """Fill the catalog if it is empty, stale or half-filled; resume a half-done fill where it stopped.

        Raises the GTGridStatsError that stopped it; what was stored before that stays stored.
        """
        async with self._fill_lock:
            state = await self._store.fill_state()
            self._state = state
            if not state.in_progress:
                if not force and not self.is_due(state):
                    return FillReport(generation=state.generation, skipped=True)
                state = await self._store.start_fill(self._clock.now())
                self._state = state
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
                    await self._rebuild()
                raise
            return report

    async def _fill(self, state: FillState, report: FillReport) -> None:
        assert state.started_at is not None
        generation = state.generation
        if state.regions_fetched_at is None or state.regions_fetched_at < state.started_at:
            await self._fetch_regions()
        if state.manufacturers_fetched_at is None or state.manufacturers_fetched_at < state.started_at:
            await self._wait_for_turn()
            makers = [CatalogManufacturer(m.id, m.name, m.logo) for m in await self._api.manufacturers()]
            await self._store.store_manufacturers(makers, generation=generation, now=self._clock.now())
            self._manufacturers.update((maker.id, maker) for maker in makers)
        page = state.next_page
        first_fill = state.completed_at is None
        while page is not None:
            await self._wait_for_turn()
            result = await self._api.cars_page(page)
            cars = [_catalog_car(car) for car in result.data]
            next_page = result.current_page + 1 if result.next_page_url and result.data else None
            await self._store.store_car_page(
                cars, generation=generation, next_page=next_page, total=result.total
            )
            self._cars.update((car.id, car) for car in cars)
            report.pages.append(page)
            report.cars_stored += len(cars)
            if first_fill and next_page is not None:
                await self._rebuild()  # the first fill makes cars findable page by page
            page = next_page
        deleted_cars, deleted_makers = await self._store.complete_fill(
            generation=generation, now=self._clock.now()
        )
        report.completed = True
        self._state = await self._store.fill_state()
        self._cars = {car.id: car for car in await self._store.cars()}
        self._manufacturers = {maker.id: maker for maker in await self._store.manufacturers()}
        self._car_aliases = await self._store.car_aliases()
        await self._rebuild()
        self._filled.set()
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
        limiter = budget.limiters[EndpointClass.METERED]
        spacing = limiter.window / max(1, limiter.limit // 2)
        while True:
            wait = max(
                self._last_fill_request + spacing - self._clock.monotonic(),
                budget.estimated_wait(EndpointClass.METERED),
            )
            if wait <= 0:
                break
            await self._clock.sleep(wait)
        self._last_fill_request = self._clock.monotonic()

    async def keep_fresh(self) -> None:
        """Run forever: fill when due, sleep until the next fill, back off after failures."""
        failures = 0
        while True:
            try:
                await self.refresh()
                failures = 0
                delay = max(60.0, self.seconds_until_due())
            except QuotaExhaustedError as error:
                resets = error.resets_at
                delay = (resets - self._clock.now()).total_seconds() if resets else MAX_RETRY_AFTER_FAILURE
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
            await self._clock.sleep(max(1.0, delay))

    # --- regions and locales -------------------------------------------------------------------------

    async def _fetch_regions(self) -> list[CatalogRegion]:
        regions = [
            CatalogRegion(r.id, r.code.lower(), r.name, r.is_active) for r in await self._api.regions()
        ]
        await self._store.store_regions(regions, self._clock.now())
        self._regions = sorted(regions, key=lambda region: region.code)
        return self._regions

    async def active_regions(self, before_fetch: BeforeFetch = _no_fetch_hook) -> list[CatalogRegion]:
        """Stored regions; fetched (a free call) only when none are stored yet."""
        if not self._regions:
            self._record_cache(hit=False)
            await before_fetch()
            await self._fetch_regions()
        else:
            self._record_cache(hit=True)
        return [region for region in self._regions if region.is_active]

    def stored_active_regions(self) -> list[CatalogRegion]:
        return [region for region in self._regions if region.is_active]

    async def resolve_locale(
        self, requested: str | None, discord_region: str | None, before_fetch: BeforeFetch = _no_fetch_hook
    ) -> CatalogRegion | None:
        """The region whose names to show: the `locale` option, else the user's Discord language when its
        region is active, else None (the default names)."""
        if requested is not None and requested.strip():
            code = requested.strip().lower()
            regions = await self.active_regions(before_fetch)
            region = next((region for region in regions if region.code == code), None)
            if region is None:
                valid = ", ".join(f"`{region.code}`" for region in regions) or "none right now"
                raise FriendlyError(
                    f"`{shorten(requested.strip())}` is not an active GT Grid Stats region. "
                    f"Use one of: {valid} — or leave `locale` out for the default names."
                )
            return None if region.code in DEFAULT_NAME_REGIONS else region
        if discord_region is None or discord_region in DEFAULT_NAME_REGIONS:
            return None
        regions = await self.active_regions(before_fetch)
        return next((region for region in regions if region.code == discord_region), None)

    # --- autocomplete ----------------------------------------------------------------------------------

    def car_choices(self, query: str, limit: int = 25) -> list[Choice]:
        return self._snapshot.car_choices(query, limit)

    def manufacturer_choices(self, query: str, limit: int = 25) -> list[Choice]:
        snapshot = self._snapshot
        choices = []
        for hit in snapshot.manufacturer_index.search(query, limit):
            maker = snapshot.manufacturers[hit.key]
            count = len(snapshot.by_manufacturer.get(maker.id, []))
            suffix = f" ({_plural(count, 'car')})" if count else ""
            choices.append(Choice(_label(maker.name, suffix), str(maker.id)))
        return choices

    def class_choices(self, query: str, manufacturer_text: str | None, limit: int = 25) -> list[Choice]:
        """Classes, with the chosen manufacturer's car count when one is chosen (only classes it has)."""
        snapshot = self._snapshot
        maker = self._find_manufacturer(manufacturer_text)[0] if manufacturer_text else None
        wanted = class_key(query)
        counts: dict[str, int] = {}
        if maker is not None:
            for car in snapshot.by_manufacturer.get(maker.id, []):
                counts[class_key(car.car_class)] = counts.get(class_key(car.car_class), 0) + 1
        choices = []
        for name in snapshot.classes:
            if wanted not in class_key(name):
                continue
            if maker is not None and snapshot.by_manufacturer.get(maker.id):
                count = counts.get(class_key(name), 0)
                if count:
                    choices.append(Choice(f"{name} ({_plural(count, 'car')})", name))
            else:
                choices.append(Choice(name, name))
        return choices[:limit]

    def region_choices(self, query: str, limit: int = 25) -> list[Choice]:
        wanted = normalize(query.strip())
        return [
            Choice(_label(f"{region.code} — {region.name}"), region.code)
            for region in self.stored_active_regions()
            if wanted in region.code or wanted in normalize(region.name)
        ][:limit]

    # --- /car --------------------------------------------------------------------------------------------

    def _suggestions(self, hits: Iterable[Hit[int]], describe: Callable[[int], str]) -> str:
        names = [describe(hit.key) for hit in list(hits)[:3]]
        return f" Did you mean {', '.join(names)}?" if names else ""

    def _find_car(self, query: str) -> tuple[CatalogCar | None, bool, list[Hit[int]]]:
        """(car, guessed, hits): an exact code match, else the closest car if every word matched."""
        snapshot = self._snapshot
        hits = snapshot.car_index.search(query)  # the same ranking autocomplete shows
        if hits and (hits[0].exact or hits[0].complete):
            return snapshot.cars[hits[0].key], not hits[0].exact, hits
        return None, False, hits

    async def car(
        self,
        query: str,
        region: CatalogRegion | None,
        before_fetch: BeforeFetch = _no_fetch_hook,
    ) -> CarView:
        text = _validate_query(query, CAR_HINT)
        car, guessed, hits = self._find_car(text)
        if guessed and not self.is_complete and is_identifier(text):
            car = None  # an identifier the half-filled catalog lacks: ask the API rather than guess
        snapshot = self._snapshot

        def describe(car_id: int) -> str:
            found = snapshot.cars[car_id]
            return f"**{found.name}** (`{found.gt7_code}`)"

        if car is None:
            if not self.is_complete and is_identifier(text):
                return await self._car_from_api(text, region, before_fetch)
            if not self.is_complete:
                raise FriendlyError(
                    f"{CATALOG_LOADING}, so `{shorten(text)}` can't be searched by name yet. Look the car up "
                    f"by its id, car code or GT7 code (such as `car1544`) meanwhile."
                    + self._suggestions(hits, describe)
                )
            raise FriendlyError(f"No car matches `{shorten(text)}`." + self._suggestions(hits, describe))
        self._record_cache(hit=True)
        maker = snapshot.manufacturers.get(car.manufacturer_id)
        name, maker_name, note = car.name, car.manufacturer_name, None
        if region is not None:
            names, note = await self._localized_car_names([car], region.code, before_fetch)
            if car.id not in names and note is None:
                fetched, note = await self._fetch_one_localized_car(car, region.code, before_fetch)
                names.update(fetched)
            if car.id in names:
                name, maker_name = names[car.id].name, names[car.id].manufacturer_name
        return CarView(
            car=car,
            name=name,
            manufacturer_name=maker_name,
            logo=maker.logo if maker else None,
            locale=region.code if region and not note else None,
            region_name=region.name if region and not note else None,
            guessed_from=text if guessed else None,
            as_of=self._state.completed_at,
            note=note,
        )

    async def _car_from_api(
        self, identifier: str, region: CatalogRegion | None, before_fetch: BeforeFetch
    ) -> CarView:
        """Before the first fill completes: one call by identifier, stored for next time."""
        self._record_cache(hit=False)
        await before_fetch()
        try:
            fetched = await self._api.car(identifier, locale=region.code if region else None)
        except NotFoundError:
            raise FriendlyError(
                f"GT Grid Stats has no car with the id, car code or GT7 code `{identifier}`."
            ) from None
        car = _catalog_car(fetched)
        name, maker_name = car.name, car.manufacturer_name
        if region is None:
            await self._store.store_cars([car])
            self._cars[car.id] = car
        else:
            # Only the localized names came back: keep them; the default names come with the fill.
            localized = LocalizedCarName(car.id, car.name, car.manufacturer_name, self._clock.now())
            await self._store.store_car_names(region.code, [localized])
            self._car_aliases.setdefault(car.id, set()).add(car.name)
        await self._rebuild()
        maker = self._manufacturers.get(car.manufacturer_id)
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

    async def _fetch_one_localized_car(
        self, car: CatalogCar, locale: str, before_fetch: BeforeFetch
    ) -> tuple[dict[int, LocalizedCarName], str | None]:
        await before_fetch()
        try:
            fetched = await self._api.car(car.gt7_code, locale=locale)
        except NotFoundError:
            # No name in that language: remember the default one, so asking again costs no call until
            # the names are due for a refresh.
            default = LocalizedCarName(car.id, car.name, car.manufacturer_name, self._clock.now())
            await self._store.store_car_names(locale, [default])
            return {car.id: default}, None
        except (UpstreamUnavailableError, RateLimitedError, QuotaExhaustedError) as error:
            # The car is known: show it with its default names rather than fail the whole lookup.
            log.info("localized name of car %d in %s unavailable: %s", car.id, locale, error)
            return {}, _names_unavailable(locale)
        name = LocalizedCarName(car.id, fetched.name, fetched.manufacturer.name, self._clock.now())
        await self._store.store_car_names(locale, [name])
        self._car_aliases.setdefault(car.id, set()).add(name.name)
        await self._rebuild()
        return {car.id: name}, None

    async def _localized_car_names(
        self, cars: Sequence[CatalogCar], locale: str, before_fetch: BeforeFetch
    ) -> tuple[dict[int, LocalizedCarName], str | None]:
        """Stored names in `locale`; missing or stale ones are fetched, one call per manufacturer.

        When GT Grid Stats can't answer, stale names are used, and without any the note says why the
        default names are shown.
        """
        stored = await self._store.car_names(locale, (car.id for car in cars))
        wanted = [car for car in cars if car.id not in stored or self._is_stale(stored[car.id].fetched_at)]
        if not wanted:
            self._record_cache(hit=True)
            return stored, None
        self._record_cache(hit=False)
        note = None
        fetched_any = False
        for maker_id in dict.fromkeys(car.manufacturer_id for car in wanted):
            await before_fetch()
            try:
                result = await self._api.manufacturer_cars(maker_id, locale=locale)
            except (UpstreamUnavailableError, RateLimitedError, QuotaExhaustedError) as error:
                log.info("localized names for %s unavailable: %s", locale, error)
                if any(car.id not in stored for car in wanted):
                    note = _names_unavailable(locale)
                break
            except NotFoundError:
                continue
            now = self._clock.now()
            names = [LocalizedCarName(car.id, car.name, car.manufacturer.name, now) for car in result.cars]
            await self._store.store_car_names(locale, names)
            await self._store.store_manufacturer_names(
                locale, [LocalizedManufacturerName(maker_id, result.manufacturer, now)]
            )
            for name in names:
                stored[name.car_id] = name
                self._car_aliases.setdefault(name.car_id, set()).add(name.name)
            self._manufacturer_aliases.setdefault(maker_id, set()).add(result.manufacturer)
            fetched_any = True
        if fetched_any:
            await self._rebuild()
        return stored, note

    # --- /cars -------------------------------------------------------------------------------------------

    def _find_manufacturer(self, query: str) -> tuple[CatalogManufacturer | None, bool, list[Hit[int]]]:
        snapshot = self._snapshot
        hits = snapshot.manufacturer_index.search(query)
        if hits and (hits[0].exact or hits[0].complete):
            return snapshot.manufacturers[hits[0].key], not hits[0].exact, hits
        return None, False, hits

    def _check_class(self, car_class: str | None) -> str | None:
        if car_class is None or not car_class.strip():
            return None
        known = self._snapshot.canonical_class(car_class)
        if known is not None:
            return known
        if not self.is_complete:
            validate_car_class(car_class)  # still loading: the API has the final word on odd classes
            return car_class.strip()
        raise FriendlyError(
            f"`{shorten(car_class.strip())}` is not a car class. "
            f"Classes: {', '.join(self._snapshot.classes)}."
        )

    async def manufacturer_cars(
        self,
        manufacturer: str,
        car_class: str | None,
        region: CatalogRegion | None,
        before_fetch: BeforeFetch = _no_fetch_hook,
    ) -> ManufacturerCarsView:
        text = _validate_query(manufacturer, MANUFACTURER_HINT)
        wanted_class = self._check_class(car_class)
        maker, guessed, hits = self._find_manufacturer(text)
        snapshot = self._snapshot
        if maker is None or not self.is_complete:
            if not self.is_complete and (maker is not None or (text.isascii() and text.isdecimal())):
                return await self._manufacturer_cars_from_api(
                    maker.id if maker else int(text),
                    wanted_class,
                    region,
                    text if guessed else None,
                    before_fetch,
                )

            def describe(maker_id: int) -> str:
                return f"**{snapshot.manufacturers[maker_id].name}** (`{maker_id}`)"

            prefix = (
                f"{CATALOG_LOADING}: choose a manufacturer by its id (see /manufacturers) meanwhile."
                if not self.is_complete
                else f"No manufacturer matches `{shorten(text)}`."
            )
            raise FriendlyError(prefix + self._suggestions(hits, describe))
        self._record_cache(hit=True)
        all_cars = snapshot.by_manufacturer.get(maker.id, [])
        cars = [
            car
            for car in all_cars
            if wanted_class is None or class_key(car.car_class) == class_key(wanted_class)
        ]
        if not cars:
            self._no_cars(maker.name, wanted_class, all_cars)
        names: dict[int, LocalizedCarName] = {}
        maker_name, note = maker.name, None
        if region is not None:
            names, note = await self._localized_car_names(cars, region.code, before_fetch)
            localized_makers = await self._store.manufacturer_names(region.code)
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
            locale=region.code if region and not note else None,
            region_name=region.name if region and not note else None,
            guessed_from=text if guessed else None,
            as_of=self._state.completed_at,
            note=note,
        )

    @staticmethod
    def _no_cars(maker_name: str, wanted_class: str | None, all_cars: Sequence[CatalogCar]) -> None:
        if wanted_class is None:
            raise FriendlyError(f"No cars of {maker_name} are in the catalog.")
        counts: dict[str, int] = {}
        for car in all_cars:
            counts[car.car_class] = counts.get(car.car_class, 0) + 1
        listed = ", ".join(f"{name} ({count})" for name, count in sorted(counts.items()))
        raise FriendlyError(
            f"{maker_name} has no {wanted_class} cars." + (f" Its classes: {listed}." if listed else "")
        )

    async def _manufacturer_cars_from_api(
        self,
        maker_id: int,
        wanted_class: str | None,
        region: CatalogRegion | None,
        guessed_from: str | None,
        before_fetch: BeforeFetch,
    ) -> ManufacturerCarsView:
        """Before the first fill completes: the manufacturer's cars straight from the API."""
        self._record_cache(hit=False)
        await before_fetch()
        locale = region.code if region else None
        try:
            if wanted_class is None:
                result = await self._api.manufacturer_cars(maker_id, locale=locale)
            else:
                result = await self._api.manufacturer_cars_by_class(maker_id, wanted_class, locale=locale)
        except NotFoundError:
            raise FriendlyError(f"GT Grid Stats has no manufacturer with the id `{maker_id}`.") from None
        cars = [_catalog_car(car) for car in result.cars]
        if not cars:
            self._no_cars(result.manufacturer, result.car_class or wanted_class, [])
        now = self._clock.now()
        if locale is None:
            await self._store.store_cars(cars)
            self._cars.update((car.id, car) for car in cars)
        else:
            names = [LocalizedCarName(car.id, car.name, car.manufacturer_name, now) for car in cars]
            await self._store.store_car_names(locale, names)
            for name in names:
                self._car_aliases.setdefault(name.car_id, set()).add(name.name)
        await self._rebuild()
        maker = self._manufacturers.get(maker_id)
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
        self, region: CatalogRegion | None, before_fetch: BeforeFetch = _no_fetch_hook
    ) -> ManufacturerListView:
        if not self._manufacturers:
            self._record_cache(hit=False)
            await before_fetch()
            makers = [CatalogManufacturer(m.id, m.name, m.logo) for m in await self._api.manufacturers()]
            await self._store.store_manufacturers(makers, generation=0, now=None)
            self._manufacturers.update((maker.id, maker) for maker in makers)
            await self._rebuild()
            as_of = None
        else:
            self._record_cache(hit=True)
            as_of = self._state.completed_at
        snapshot = self._snapshot
        makers = list(self._manufacturers.values())
        names: dict[int, str] = {}
        note = None
        if region is not None:
            names, note = await self._localized_manufacturer_names(makers, region.code, before_fetch)
        rows = [
            ManufacturerRow(
                maker,
                names.get(maker.id, maker.name),
                len(snapshot.by_manufacturer.get(maker.id, [])) if self.is_complete else None,
            )
            for maker in makers
        ]
        rows.sort(key=lambda row: normalize(row.name))
        return ManufacturerListView(
            rows=rows,
            locale=region.code if region and not note else None,
            region_name=region.name if region and not note else None,
            as_of=as_of,
            note=note,
        )

    async def _localized_manufacturer_names(
        self, makers: Sequence[CatalogManufacturer], locale: str, before_fetch: BeforeFetch
    ) -> tuple[dict[int, str], str | None]:
        stored = await self._store.manufacturer_names(locale)
        if all(maker.id in stored and not self._is_stale(stored[maker.id].fetched_at) for maker in makers):
            self._record_cache(hit=True)
            return {key: value.name for key, value in stored.items()}, None
        self._record_cache(hit=False)
        await before_fetch()
        try:
            fetched = await self._api.localized_manufacturers(locale)
        except (UpstreamUnavailableError, RateLimitedError, QuotaExhaustedError) as error:
            log.info("localized manufacturers for %s unavailable: %s", locale, error)
            if all(maker.id in stored for maker in makers):
                return {key: value.name for key, value in stored.items()}, None
            return (
                {},
                f"Names for region `{locale}` could not be fetched just now, so the default names are shown.",
            )
        now = self._clock.now()
        names = [LocalizedManufacturerName(maker.id, maker.name, now) for maker in fetched]
        await self._store.store_manufacturer_names(locale, names)
        for name in names:
            self._manufacturer_aliases.setdefault(name.manufacturer_id, set()).add(name.name)
        await self._rebuild()
        return {name.manufacturer_id: name.name for name in names}, None
