"""Driver snapshots: what GT Grid Stats said about a driver and when; the lookup cache and the DR history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.gtgridstats.identifiers import chunked
from bot.gtgridstats.models import Driver
from bot.storage.database import Database, from_db_time, to_db_time

# Columns that hold the driver's numbers; two answers with equal values here are "the same answer".
_STAT_COLUMNS = (
    "dr_points",
    "dr_ratio",
    "total_races",
    "victories",
    "poles",
    "fastest_laps",
    "clean_races",
    "collector_level",
    "license",
    "garage_count",
    "collection_progress",
    "total_credits",
    "play_time_readable",
    "distance_km",
)
_IDENTITY_COLUMNS = ("psn_id", "guid", "nickname", "country_code", "dr", "sr")
_CONTENT_COLUMNS = _IDENTITY_COLUMNS + _STAT_COLUMNS
_STAT_DEFAULTS: dict[str, Any] = {
    "total_races": 0,
    "victories": 0,
    "poles": 0,
    "fastest_laps": 0,
    "clean_races": 0,
}

# SQLite's limit on bound parameters is far above this; chunks keep each IN (...) list modest.
_IN_CHUNK = 400


@dataclass(frozen=True)
class DriverSnapshot:
    """One distinct answer about a driver, seen unchanged from `first_fetched_at` until `fetched_at`."""

    id: int
    driver: Driver
    first_fetched_at: datetime
    fetched_at: datetime

    @property
    def psn_id(self) -> str:
        return self.driver.psn_id

    @property
    def guid(self) -> str | None:
        return self.driver.guid

    @property
    def dr_points(self) -> int:
        return self.driver.stats.dr_points


def _content(driver: Driver) -> dict[str, Any]:
    stats = driver.stats
    return {
        "psn_id": driver.psn_id,
        "guid": driver.guid,
        "nickname": driver.nickname,
        "country_code": driver.country_code,
        "dr": driver.dr,
        "sr": driver.sr,
        **{column: getattr(stats, column) for column in _STAT_COLUMNS},
    }


def _snapshot(row: aiosqlite.Row) -> DriverSnapshot:
    stats = {column: row[column] for column in _STAT_COLUMNS if row[column] is not None}
    for column, default in _STAT_DEFAULTS.items():
        stats.setdefault(column, default)
    driver = Driver.model_validate(
        {
            "PSN_ID": row["psn_id"],
            "Nickname": row["nickname"],
            "GUID": row["guid"],
            "DR": row["dr"],
            "SR": row["sr"],
            "last_sync": from_db_time(row["last_sync"]),
            "country_code": row["country_code"],
            "stats": stats,
        }
    )
    first = from_db_time(row["first_fetched_at"])
    last = from_db_time(row["fetched_at"])
    assert first is not None
    assert last is not None
    return DriverSnapshot(id=row["id"], driver=driver, first_fetched_at=first, fetched_at=last)


def _same_answer(row: aiosqlite.Row, content: dict[str, Any]) -> bool:
    # psn_id is compared exactly here (the column is NOCASE): a change of case is a new answer too.
    return all(row[column] == content[column] for column in _CONTENT_COLUMNS)


_LATEST_BY_PSN = """
SELECT * FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY lower(psn_id) ORDER BY fetched_at DESC, id DESC) AS position
    FROM driver_snapshots WHERE psn_id IN ({marks})
) WHERE position = 1
"""

# A snapshot is kept while any guild links its driver by PSN ID or by GUID (the PSN may have been renamed),
# or while it is someone's personal PSN ID (0011).
_UNLINKED = """
NOT EXISTS (SELECT 1 FROM links WHERE links.psn_id = driver_snapshots.psn_id)
AND NOT EXISTS (SELECT 1 FROM personal_psn WHERE personal_psn.psn_id = driver_snapshots.psn_id)
AND (driver_snapshots.guid IS NULL
     OR NOT EXISTS (SELECT 1 FROM links WHERE links.guid = driver_snapshots.guid))
"""


class SnapshotStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def latest(self, psn_id: str) -> DriverSnapshot | None:
        return (await self.latest_many([psn_id])).get(psn_id.lower())

    async def latest_many(self, psn_ids: Iterable[str]) -> dict[str, DriverSnapshot]:
        """The newest snapshot of each PSN ID that has one, keyed by the lower-cased PSN ID asked for."""
        wanted = sorted({psn_id.lower() for psn_id in psn_ids})
        found: dict[str, DriverSnapshot] = {}
        for chunk in chunked(wanted, _IN_CHUNK):
            marks = ",".join("?" * len(chunk))
            for row in await self._db.fetch_all(_LATEST_BY_PSN.format(marks=marks), tuple(chunk)):
                found[str(row["psn_id"]).lower()] = _snapshot(row)
        return found

    async def latest_fetch_times(self) -> dict[str, datetime]:
        """When each driver (lower-cased PSN ID) was last fetched: the service's in-memory freshness index."""
        rows = await self._db.fetch_all(
            "SELECT lower(psn_id), MAX(fetched_at) FROM driver_snapshots GROUP BY lower(psn_id)"
        )
        return {str(row[0]): from_db_time(row[1]) for row in rows}

    async def history(
        self, psn_id: str, guid: str | None = None, *, since: datetime | None = None
    ) -> list[DriverSnapshot]:
        """Every snapshot of the driver (fetched since `since`, when given), oldest first; by GUID too,
        so history survives a PSN rename."""
        rows = await self._db.fetch_all(
            "SELECT * FROM driver_snapshots WHERE (psn_id = ? OR (? IS NOT NULL AND guid = ?)) "
            "AND (? IS NULL OR fetched_at >= ?) ORDER BY first_fetched_at, id",
            (psn_id, guid, guid, *(2 * [to_db_time(since) if since else None])),
        )
        return [_snapshot(row) for row in rows]

    async def save(self, drivers: Sequence[Driver], fetched_at: datetime) -> list[DriverSnapshot]:
        """Store one answer per driver, in one transaction; an unchanged answer only moves `fetched_at`."""
        when = to_db_time(fetched_at)
        saved: list[DriverSnapshot] = []
        async with self._db.transaction() as connection:
            for driver in drivers:
                content = _content(driver)
                last_sync = to_db_time(driver.last_sync) if driver.last_sync else None
                async with connection.execute(
                    "SELECT * FROM driver_snapshots WHERE psn_id = ? OR (? IS NOT NULL AND guid = ?) "
                    "ORDER BY fetched_at DESC, id DESC LIMIT 1",
                    (driver.psn_id, driver.guid, driver.guid),
                ) as cursor:
                    latest = await cursor.fetchone()
                if latest is not None and _same_answer(latest, content):
                    await connection.execute(
                        "UPDATE driver_snapshots SET fetched_at = ?, last_sync = ? WHERE id = ?",
                        (when, last_sync, latest["id"]),
                    )
                    row_id = int(latest["id"])
                else:
                    columns = ", ".join(_CONTENT_COLUMNS)
                    marks = ", ".join("?" * (len(_CONTENT_COLUMNS) + 3))
                    cursor = await connection.execute(
                        f"INSERT INTO driver_snapshots ({columns}, first_fetched_at, fetched_at, last_sync) "
                        f"VALUES ({marks})",
                        (*(content[column] for column in _CONTENT_COLUMNS), when, when, last_sync),
                    )
                    assert cursor.lastrowid is not None
                    row_id = cursor.lastrowid
                async with connection.execute(
                    "SELECT * FROM driver_snapshots WHERE id = ?", (row_id,)
                ) as cursor:
                    row = await cursor.fetchone()
                assert row is not None
                saved.append(_snapshot(row))
        return saved

    async def delete_if_unlinked(self, psn_id: str, guid: str | None = None) -> int:
        """Forget a driver that no guild links any more (by this PSN ID or GUID); returns rows deleted."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "DELETE FROM driver_snapshots WHERE (psn_id = ? OR (? IS NOT NULL AND guid = ?)) "
                f"AND {_UNLINKED}",
                (psn_id, guid, guid),
            )
            return cursor.rowcount

    async def delete_unlinked(self) -> int:
        """Forget every driver that no guild links; returns rows deleted."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(f"DELETE FROM driver_snapshots WHERE {_UNLINKED}")
            return cursor.rowcount

    async def count(self, psn_id: str | None = None) -> int:
        if psn_id is None:
            row = await self._db.fetch_one("SELECT COUNT(*) FROM driver_snapshots")
        else:
            row = await self._db.fetch_one(
                "SELECT COUNT(*) FROM driver_snapshots WHERE psn_id = ?", (psn_id,)
            )
        return int(row[0]) if row else 0
