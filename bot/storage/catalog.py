"""The local car catalog: cars, manufacturers, regions, localized names and the fill's progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.gtgridstats.identifiers import chunked
from bot.storage.database import Database, from_db_time, to_db_time


@dataclass(frozen=True)
class CatalogCar:
    id: int
    car_code: int
    gt7_code: str
    name: str
    car_class: str
    image: str | None
    manufacturer_id: int
    manufacturer_name: str


@dataclass(frozen=True)
class CatalogManufacturer:
    id: int
    name: str
    logo: str | None


@dataclass(frozen=True)
class CatalogRegion:
    id: int
    code: str
    name: str
    is_active: bool


@dataclass(frozen=True)
class LocalizedCarName:
    car_id: int
    name: str
    manufacturer_name: str
    fetched_at: datetime


@dataclass(frozen=True)
class LocalizedManufacturerName:
    manufacturer_id: int
    name: str
    fetched_at: datetime


@dataclass(frozen=True)
class FillState:
    generation: int
    next_page: int | None
    started_at: datetime | None
    completed_at: datetime | None
    regions_fetched_at: datetime | None
    manufacturers_fetched_at: datetime | None
    total_cars: int | None

    @property
    def in_progress(self) -> bool:
        return self.next_page is not None


def _car(row: aiosqlite.Row) -> CatalogCar:
    return CatalogCar(
        id=row["id"],
        car_code=row["car_code"],
        gt7_code=row["gt7_code"],
        name=row["name"],
        car_class=row["class"],
        image=row["image"],
        manufacturer_id=row["manufacturer_id"],
        manufacturer_name=row["manufacturer_name"],
    )


_UPSERT_CAR = """
INSERT INTO cars (id, car_code, gt7_code, name, class, image, manufacturer_id, manufacturer_name, generation)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    car_code = excluded.car_code, gt7_code = excluded.gt7_code, name = excluded.name,
    class = excluded.class, image = excluded.image, manufacturer_id = excluded.manufacturer_id,
    manufacturer_name = excluded.manufacturer_name, generation = max(generation, excluded.generation)
"""

_UPSERT_MANUFACTURER = """
INSERT INTO manufacturers (id, name, logo, generation) VALUES (?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, logo = coalesce(excluded.logo, logo),
    generation = max(generation, excluded.generation)
"""


def _car_row(car: CatalogCar, generation: int) -> tuple[object, ...]:
    return (
        car.id,
        car.car_code,
        car.gt7_code,
        car.name,
        car.car_class,
        car.image,
        car.manufacturer_id,
        car.manufacturer_name,
        generation,
    )


class CatalogStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- reading -----------------------------------------------------------------------------------

    async def fill_state(self) -> FillState:
        row = await self._db.fetch_one("SELECT * FROM catalog_fill WHERE id = 1")
        if row is None:  # the migration inserts the row; only a hand-edited database lacks it
            return FillState(0, None, None, None, None, None, None)
        return FillState(
            generation=row["generation"],
            next_page=row["next_page"],
            started_at=from_db_time(row["started_at"]),
            completed_at=from_db_time(row["completed_at"]),
            regions_fetched_at=from_db_time(row["regions_fetched_at"]),
            manufacturers_fetched_at=from_db_time(row["manufacturers_fetched_at"]),
            total_cars=row["total_cars"],
        )

    async def cars(self) -> list[CatalogCar]:
        return [_car(row) for row in await self._db.fetch_all("SELECT * FROM cars ORDER BY id")]

    async def manufacturers(self) -> list[CatalogManufacturer]:
        rows = await self._db.fetch_all("SELECT id, name, logo FROM manufacturers ORDER BY id")
        return [CatalogManufacturer(row["id"], row["name"], row["logo"]) for row in rows]

    async def regions(self) -> list[CatalogRegion]:
        rows = await self._db.fetch_all("SELECT * FROM regions ORDER BY code")
        return [CatalogRegion(row["id"], row["code"], row["name"], bool(row["is_active"])) for row in rows]

    async def car_names(
        self, locale: str, car_ids: Iterable[int] | None = None
    ) -> dict[int, LocalizedCarName]:
        """Stored names in `locale`, for the given cars (or all of them)."""
        if car_ids is None:
            rows = await self._db.fetch_all("SELECT * FROM car_names WHERE locale = ?", (locale,))
        else:
            # Only the rows asked for (a /car needs one): the primary key (locale, car_id) finds them.
            rows = []
            for chunk in chunked(sorted(set(car_ids)), 500):
                marks = ", ".join("?" * len(chunk))
                rows += await self._db.fetch_all(
                    f"SELECT * FROM car_names WHERE locale = ? AND car_id IN ({marks})", (locale, *chunk)
                )
        return {
            row["car_id"]: LocalizedCarName(
                row["car_id"],
                row["name"],
                row["manufacturer_name"],
                from_db_time(row["fetched_at"]),
            )
            for row in rows
        }

    async def manufacturer_names(self, locale: str) -> dict[int, LocalizedManufacturerName]:
        rows = await self._db.fetch_all("SELECT * FROM manufacturer_names WHERE locale = ?", (locale,))
        return {
            row["manufacturer_id"]: LocalizedManufacturerName(
                row["manufacturer_id"], row["name"], from_db_time(row["fetched_at"])
            )
            for row in rows
        }

    async def car_aliases(self) -> dict[int, set[str]]:
        """Every stored localized name of each car, so a search in any stored language finds it."""
        rows = await self._db.fetch_all("SELECT DISTINCT car_id, name FROM car_names")
        aliases: dict[int, set[str]] = {}
        for row in rows:
            aliases.setdefault(row["car_id"], set()).add(row["name"])
        return aliases

    async def manufacturer_aliases(self) -> dict[int, set[str]]:
        rows = await self._db.fetch_all("SELECT DISTINCT manufacturer_id, name FROM manufacturer_names")
        aliases: dict[int, set[str]] = {}
        for row in rows:
            aliases.setdefault(row["manufacturer_id"], set()).add(row["name"])
        return aliases

    # --- the fill ----------------------------------------------------------------------------------

    async def start_fill(self, now: datetime) -> FillState:
        """Begin a new fill generation at page 1; rows of older generations stay until it completes."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE catalog_fill SET generation = generation + 1, next_page = 1, started_at = ? "
                "WHERE id = 1",
                (to_db_time(now),),
            )
        return await self.fill_state()

    async def store_regions(self, regions: Iterable[CatalogRegion], now: datetime) -> None:
        """Regions are replaced as a whole: the list is small and `is_active` changes over time."""
        async with self._db.transaction() as connection:
            await connection.execute("DELETE FROM regions")
            await connection.executemany(
                "INSERT INTO regions (id, code, name, is_active) VALUES (?, ?, ?, ?)",
                [(region.id, region.code, region.name, int(region.is_active)) for region in regions],
            )
            await connection.execute(
                "UPDATE catalog_fill SET regions_fetched_at = ? WHERE id = 1", (to_db_time(now),)
            )

    async def store_manufacturers(
        self, manufacturers: Iterable[CatalogManufacturer], *, generation: int, now: datetime | None
    ) -> None:
        """Upsert; `now` marks the fill's manufacturers step as done (None for a one-off fallback)."""
        async with self._db.transaction() as connection:
            await connection.executemany(
                _UPSERT_MANUFACTURER,
                [(maker.id, maker.name, maker.logo, generation) for maker in manufacturers],
            )
            if now is not None:
                await connection.execute(
                    "UPDATE catalog_fill SET manufacturers_fetched_at = ? WHERE id = 1", (to_db_time(now),)
                )

    async def store_car_page(
        self, cars: Iterable[CatalogCar], *, generation: int, next_page: int | None, total: int | None
    ) -> None:
        """One page and the fill's progress in one transaction: a restart resumes exactly after it."""
        async with self._db.transaction() as connection:
            await connection.executemany(_UPSERT_CAR, [_car_row(car, generation) for car in cars])
            await connection.execute(
                "UPDATE catalog_fill SET next_page = ?, total_cars = coalesce(?, total_cars) WHERE id = 1",
                (next_page, total),
            )

    async def complete_fill(self, *, generation: int, now: datetime, prune: bool = True) -> tuple[int, int]:
        """Mark the fill complete and, with `prune`, drop what this generation did not see; returns
        (cars, manufacturers) deleted."""
        deleted_cars = deleted_makers = 0
        async with self._db.transaction() as connection:
            if prune:
                cars = await connection.execute("DELETE FROM cars WHERE generation < ?", (generation,))
                makers = await connection.execute(
                    "DELETE FROM manufacturers WHERE generation < ? "
                    "AND id NOT IN (SELECT DISTINCT manufacturer_id FROM cars)",
                    (generation,),
                )
                await connection.execute("DELETE FROM car_names WHERE car_id NOT IN (SELECT id FROM cars)")
                deleted_cars, deleted_makers = cars.rowcount, makers.rowcount
            await connection.execute(
                "UPDATE catalog_fill SET next_page = NULL, completed_at = ? WHERE id = 1", (to_db_time(now),)
            )
        return deleted_cars, deleted_makers

    async def store_cars(self, cars: Iterable[CatalogCar]) -> None:
        """Cars fetched one by one before the catalog is filled (generation 0: the next fill owns them)."""
        async with self._db.transaction() as connection:
            await connection.executemany(_UPSERT_CAR, [_car_row(car, 0) for car in cars])

    # --- localized names ---------------------------------------------------------------------------

    async def store_car_names(self, locale: str, names: Iterable[LocalizedCarName]) -> None:
        async with self._db.transaction() as connection:
            await connection.executemany(
                "INSERT INTO car_names (locale, car_id, name, manufacturer_name, fetched_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (locale, car_id) DO UPDATE SET name = excluded.name, "
                "manufacturer_name = excluded.manufacturer_name, fetched_at = excluded.fetched_at",
                [
                    (locale, name.car_id, name.name, name.manufacturer_name, to_db_time(name.fetched_at))
                    for name in names
                ],
            )

    async def store_manufacturer_names(self, locale: str, names: Iterable[LocalizedManufacturerName]) -> None:
        async with self._db.transaction() as connection:
            await connection.executemany(
                "INSERT INTO manufacturer_names (locale, manufacturer_id, name, fetched_at) "
                "VALUES (?, ?, ?, ?) "
                "ON CONFLICT (locale, manufacturer_id) DO UPDATE SET name = excluded.name, "
                "fetched_at = excluded.fetched_at",
                [(locale, name.manufacturer_id, name.name, to_db_time(name.fetched_at)) for name in names],
            )
