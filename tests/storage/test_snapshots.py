"""Driver snapshots: one row per distinct answer, latest per PSN, history by GUID, deletion of unlinked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.gtgridstats.models import Driver
from bot.storage.database import Database
from bot.storage.links import Link, LinkStore
from bot.storage.snapshots import SnapshotStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def driver(psn: str, dr_points: int = 12_000, *, guid: str | None = None, **stats: Any) -> Driver:
    return Driver.model_validate(
        {
            "PSN_ID": psn,
            "Nickname": psn.title(),
            "GUID": guid if guid is not None else f"guid-{psn.lower()}",
            "DR": "B",
            "SR": "S",
            "last_sync": "2026-03-01 11:00:00",
            "country_code": "GB",
            "stats": {"dr_points": dr_points, "total_races": 10, "victories": 1, **stats},
        }
    )


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.open()
        await database.migrate()
        yield database


@pytest.fixture
def store(database: Database) -> SnapshotStore:
    return SnapshotStore(database)


async def test_a_saved_driver_reads_back_with_every_stat(store: SnapshotStore) -> None:
    original = driver(
        "Full_Stats",
        dr_points=31_234,
        dr_ratio=0.0617,
        poles=3,
        fastest_laps=4,
        clean_races=5,
        collector_level=50,
        license="IA",
        garage_count=321,
        collection_progress="77%",
        total_credits=123_456_789,
        play_time_readable="1,000h 1m",
        distance_km="12,345.6",
    )
    [saved] = await store.save([original], T0)
    latest = await store.latest("full_stats")
    assert latest == saved
    assert latest.driver.psn_id == "Full_Stats"
    assert latest.driver.stats == original.stats
    assert latest.driver.last_sync == datetime(2026, 3, 1, 11, 0, tzinfo=UTC)
    assert latest.first_fetched_at == latest.fetched_at == T0


async def test_an_unchanged_answer_moves_fetched_at_instead_of_adding_a_row(store: SnapshotStore) -> None:
    await store.save([driver("Steady")], T0)
    [again] = await store.save([driver("Steady")], T0 + timedelta(hours=1))
    assert await store.count("Steady") == 1
    assert again.first_fetched_at == T0
    assert again.fetched_at == T0 + timedelta(hours=1)
    [changed] = await store.save([driver("Steady", 12_500)], T0 + timedelta(hours=2))
    assert await store.count("Steady") == 2
    assert changed.first_fetched_at == changed.fetched_at == T0 + timedelta(hours=2)


async def test_latest_many_picks_the_newest_per_driver_case_insensitively(store: SnapshotStore) -> None:
    await store.save([driver("Alpha", 1_000), driver("Beta", 2_000)], T0)
    await store.save([driver("Alpha", 1_500)], T0 + timedelta(minutes=5))
    latest = await store.latest_many(["ALPHA", "beta", "gamma"])
    assert set(latest) == {"alpha", "beta"}
    assert latest["alpha"].dr_points == 1_500
    assert latest["beta"].dr_points == 2_000


async def test_history_follows_the_guid_across_a_rename(store: SnapshotStore) -> None:
    await store.save([driver("Before", 1_000, guid="same-guid")], T0)
    await store.save([driver("After", 1_200, guid="same-guid")], T0 + timedelta(days=1))
    await store.save([driver("Unrelated", 5_000)], T0)
    history = await store.history("After", "same-guid")
    assert [(row.psn_id, row.dr_points) for row in history] == [("Before", 1_000), ("After", 1_200)]


async def test_only_snapshots_of_drivers_no_guild_links_are_deleted(
    database: Database, store: SnapshotStore
) -> None:
    links = LinkStore(database)
    await store.save([driver("Linked"), driver("Loose"), driver("Renamed", guid="g-renamed")], T0)
    await links.set(Link(1, 10, "linked", "guid-linked", T0))
    # Linked under an old PSN ID, but with the GUID that now answers as "Renamed".
    await links.set(Link(2, 20, "Old_Name", "g-renamed", T0))
    assert await store.delete_if_unlinked("Linked", "guid-linked") == 0
    assert await store.delete_if_unlinked("Renamed", "g-renamed") == 0
    assert await store.delete_unlinked() == 1
    assert await store.count() == 2
    assert await store.latest("Loose") is None
