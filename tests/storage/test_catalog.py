"""The catalog tables: fill progress that survives a reopen, generations, localized names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage.catalog import (
    CatalogCar,
    CatalogManufacturer,
    CatalogRegion,
    CatalogStore,
    LocalizedCarName,
    LocalizedManufacturerName,
)
from bot.storage.database import Database

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
FERRARI = CatalogManufacturer(78, "Ferrari", "https://gtgridstats.com/storage/logos/ferrari.png")


def car(car_id: int, name: str = "Ferrari 430 Scuderia '07", maker: int = 78) -> CatalogCar:
    code = 1000 + car_id
    return CatalogCar(car_id, code, f"car{code}", name, "Gr.N", f"https://img/{code}.webp", maker, "Ferrari")


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        await database.migrate()
        yield database


async def test_an_empty_catalog_has_no_fill_yet(database: Database) -> None:
    store = CatalogStore(database)
    state = await store.fill_state()
    assert state.generation == 0
    assert not state.in_progress
    assert state.completed_at is None
    assert await store.cars() == []


async def test_fill_progress_survives_reopening_the_database(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with Database(path) as database:
        await database.open()
        await database.migrate()
        store = CatalogStore(database)
        state = await store.start_fill(NOW)
        await store.store_manufacturers([FERRARI], generation=state.generation, now=NOW)
        await store.store_car_page([car(1), car(2)], generation=state.generation, next_page=2, total=3)

    async with Database(path) as database:
        await database.open()
        store = CatalogStore(database)
        state = await store.fill_state()
        assert state.in_progress
        assert state.next_page == 2
        assert state.started_at == NOW
        assert state.manufacturers_fetched_at == NOW
        assert state.total_cars == 3
        assert [stored.id for stored in await store.cars()] == [1, 2]
        assert await store.manufacturers() == [FERRARI]


async def test_completing_a_fill_drops_what_it_did_not_see(database: Database) -> None:
    store = CatalogStore(database)
    first = await store.start_fill(NOW)
    await store.store_manufacturers(
        [FERRARI, CatalogManufacturer(5, "Gone", None)], generation=first.generation, now=NOW
    )
    await store.store_car_page([car(1), car(2)], generation=first.generation, next_page=None, total=2)
    await store.store_car_names("jp", [LocalizedCarName(2, "フェラーリ 2", "フェラーリ", NOW)])
    await store.complete_fill(generation=first.generation, now=NOW)

    later = NOW + timedelta(days=1)
    second = await store.start_fill(later)
    assert second.generation == first.generation + 1
    await store.store_manufacturers([FERRARI], generation=second.generation, now=later)
    await store.store_car_page(
        [car(1, "Ferrari 430 Scuderia (renamed)")], generation=second.generation, next_page=None, total=1
    )
    assert len(await store.cars()) == 2  # nothing is dropped before the fill completes
    removed = await store.complete_fill(generation=second.generation, now=later)

    assert removed == (1, 1)
    assert [(stored.id, stored.name) for stored in await store.cars()] == [
        (1, "Ferrari 430 Scuderia (renamed)")
    ]
    assert await store.manufacturers() == [FERRARI]
    assert await store.car_names("jp") == {}
    state = await store.fill_state()
    assert state.completed_at == later
    assert not state.in_progress


async def test_a_car_stored_on_its_own_never_lowers_a_fills_generation(database: Database) -> None:
    store = CatalogStore(database)
    state = await store.start_fill(NOW)
    await store.store_car_page([car(1)], generation=state.generation, next_page=None, total=1)
    await store.store_cars([car(1)])  # e.g. a lookup by id while the fill was still running
    await store.complete_fill(generation=state.generation, now=NOW)
    assert [stored.id for stored in await store.cars()] == [1]


async def test_regions_are_replaced_as_a_whole(database: Database) -> None:
    store = CatalogStore(database)
    await store.store_regions(
        [CatalogRegion(12, "jp", "Japan", True), CatalogRegion(33, "mx", "Mexico", False)], NOW
    )
    await store.store_regions([CatalogRegion(12, "jp", "Japan", True)], NOW)
    assert await store.regions() == [CatalogRegion(12, "jp", "Japan", True)]
    assert (await store.fill_state()).regions_fetched_at == NOW


async def test_localized_names_are_upserted_per_locale(database: Database) -> None:
    store = CatalogStore(database)
    await store.store_car_names("jp", [LocalizedCarName(1, "旧", "フェラーリ", NOW)])
    await store.store_car_names("jp", [LocalizedCarName(1, "フェラーリ 430", "フェラーリ", NOW)])
    await store.store_car_names("cn", [LocalizedCarName(1, "法拉利 430", "法拉利", NOW)])
    await store.store_manufacturer_names("cn", [LocalizedManufacturerName(78, "法拉利", NOW)])

    assert (await store.car_names("jp", [1, 2]))[1].name == "フェラーリ 430"
    assert await store.car_names("jp", [2]) == {}
    assert (await store.manufacturer_names("cn"))[78].name == "法拉利"
    assert await store.car_aliases() == {1: {"フェラーリ 430", "法拉利 430"}}
    assert await store.manufacturer_aliases() == {78: {"法拉利"}}
